"""Where a chart's buckets and metrics are written, in the order Lens nests them (= columnOrder): the one list
compile, read and the field checks all walk."""

from __future__ import annotations

from kibana_sync.lens.config import PIE_CHARTS, XY_CHARTS, Bucket, LensChart, MetricSpec


def bucket_slots(chart: LensChart) -> list[tuple[str, Bucket]]:
    """The chart's buckets in Lens's nesting order (= columnOrder), named by the key they are written under."""
    kind = chart.chart
    if kind in XY_CHARTS:
        pairs = [("breakdown", chart.breakdown), ("x", chart.x)]
        if chart.nesting == "x_first":
            pairs.reverse()
    elif kind in PIE_CHARTS:
        pairs = [(f"slices.{i}", b) for i, b in enumerate(chart.slices)]
    elif kind == "table":
        pairs = [*((f"rows.{i}", b) for i, b in enumerate(chart.rows)),
                 *((f"split_by.{i}", b) for i, b in enumerate(chart.split_by))]
    elif kind == "heatmap":
        pairs = [("y", chart.y), ("x", chart.x)]
    elif kind == "tagcloud":
        pairs = [("tags", chart.tags)]
    else:
        pairs = [("breakdown", chart.breakdown)]
    return [(name, b) for name, b in pairs if b is not None]


def metric_slots(chart: LensChart) -> list[tuple[str, MetricSpec]]:
    """The chart's metrics in columnOrder order, named by the key they are written under."""
    if chart.metric is not None:
        named = [("metric", chart.metric)]
    else:
        named = [(f"metrics.{i}", m) for i, m in enumerate(chart.metrics)]
    for key in ("secondary_metric", "min", "max", "goal"):
        value = getattr(chart, key)
        if value is not None:
            named.append((key, value))
    return named
