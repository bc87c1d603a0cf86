"""Compact chart -> Lens by-value attributes (reference.md 4.1-4.3), deterministic: the layer is ``layer1`` and
columns are ``col1``, ``col2``... in columnOrder order, which is also the form ``normalise_lens`` gives ids."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts.families import build_visualization
from kibana_sync.lens.charts.xy import reference_layer
from kibana_sync.lens.columns import FieldType, bucket_column, metric_columns
from kibana_sync.lens.config import PIE_CHARTS, XY_CHARTS, Bucket, LensChart, MetricSpec, query_text
from kibana_sync.lens.filters import compile_lens_filters
from kibana_sync.lens.layers import LAYER_ID, LAYER_REFERENCE_PREFIX, REFERENCE_LAYER_ID, column_id


class LayerBuilder:
    """Collects one formBased layer's columns: buckets take the first ids (they come first in columnOrder),
    metrics the following ones."""

    def __init__(self, field_type: FieldType, bucket_count: int, first: int = 1) -> None:
        self.field_type = field_type
        self.columns: dict[str, dict[str, Any]] = {}
        self.bucket_ids: list[str] = []
        self.metric_ids: list[str] = []
        self._next_bucket = first
        self._next_metric = first + bucket_count

    def _metric_id(self) -> str:
        self._next_metric += 1
        return column_id(self._next_metric - 1)

    def add_metric(self, spec: MetricSpec) -> str:
        columns = metric_columns(spec, self._metric_id, self.field_type)
        self.columns.update(columns)
        self.metric_ids.extend(columns)
        return next(iter(columns))

    def add_bucket(self, bucket: Bucket, metric_ids: list[str], other_bucket: bool) -> str:
        id_ = column_id(self._next_bucket)
        self._next_bucket += 1
        self.columns[id_] = bucket_column(bucket, self.field_type, _order_column(bucket, metric_ids),
                                          other_bucket)
        self.bucket_ids.append(id_)
        return id_

    @property
    def next_number(self) -> int:
        """The first column number free after this layer (ids stay unique across layers)."""
        return self._next_metric

    def layer(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"columns": self.columns, "columnOrder": [*self.bucket_ids, *self.metric_ids],
                "incompleteColumns": {}, "sampling": 1, **raw}


def _order_column(bucket: Bucket, metric_ids: list[str]) -> str | None:
    if isinstance(bucket.order_by, int) and not isinstance(bucket.order_by, bool):
        return metric_ids[bucket.order_by] if bucket.order_by < len(metric_ids) else None
    return metric_ids[0] if metric_ids else None


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


def default_other_bucket(chart: LensChart) -> bool:
    # Kibana's editor turns "group other values" on for charts and off for tables.
    return chart.chart != "table"


def compile_lens(chart: LensChart, data_view_id: str, field_type: FieldType) -> dict[str, Any]:
    """The Lens attributes for ``chart`` (what goes into a panel's ``embeddableConfig.attributes``)."""
    buckets = bucket_slots(chart)
    builder = LayerBuilder(field_type, len(buckets))
    metric_ids = {name: builder.add_metric(spec) for name, spec in metric_slots(chart)}
    ordered_metrics = list(metric_ids.values())
    bucket_ids = {name: builder.add_bucket(b, ordered_metrics, default_other_bucket(chart))
                  for name, b in buckets}
    layers = {LAYER_ID: builder.layer(chart.raw_datasource_layer)}
    references = [{"type": "index-pattern", "id": data_view_id, "name": LAYER_REFERENCE_PREFIX + LAYER_ID}]
    reference_ids: list[str] = []
    if chart.reference_lines:
        lines = LayerBuilder(field_type, 0, builder.next_number)
        reference_ids = [lines.add_metric(spec) for spec in chart.reference_lines]
        layers[REFERENCE_LAYER_ID] = lines.layer({})
        references.append({"type": "index-pattern", "id": data_view_id,
                           "name": LAYER_REFERENCE_PREFIX + REFERENCE_LAYER_ID})
    vis_type, visualization = build_visualization(chart, LAYER_ID, bucket_ids, metric_ids)
    if reference_ids:
        visualization["layers"].append(reference_layer(chart, REFERENCE_LAYER_ID, reference_ids))
    query, language = query_text(chart.query)
    filters, filter_references = compile_lens_filters(chart.filters, data_view_id)
    references += filter_references
    state: dict[str, Any] = {
        "visualization": visualization,
        "query": {"query": query, "language": language},
        "filters": filters,
        "datasourceStates": {
            "formBased": {"layers": layers},
            "indexpattern": {"layers": {}},
            "textBased": {"layers": {}},
        },
        "internalReferences": [],
        "adHocDataViews": {},
        **chart.raw_state,
    }
    references += chart.raw_references
    return {"title": "", "description": "", "visualizationType": vis_type, "type": "lens",
            "references": references, "state": state, **chart.raw_attributes}
