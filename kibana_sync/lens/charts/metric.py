"""The metric chart (one big number, optional secondary metric, max and breakdown): Lens ``lnsMetric``."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts.family import ChartFamily, single_layer
from kibana_sync.lens.config import LensChart
from kibana_sync.lens.reading import ChartReader

_ACCESSORS = (("secondary_metric", "secondaryMetricAccessor"), ("max", "maxAccessor"))


def build(chart: LensChart, layer_id: str, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    body = {"metricAccessor": metrics["metric"]}
    for key, accessor in _ACCESSORS:
        if key in metrics:
            body[accessor] = metrics[key]
    if "breakdown" in buckets:
        body["breakdownByAccessor"] = buckets["breakdown"]
    return single_layer(chart, layer_id, body)


def read(reader: ChartReader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "metric"
    reader.add_metric(data, "metric", vis.get("metricAccessor"))
    for key, accessor in _ACCESSORS:
        if vis.get(accessor):
            reader.add_metric(data, key, vis[accessor])
    if vis.get("breakdownByAccessor"):
        reader.add_bucket(data, "breakdown", vis["breakdownByAccessor"], True)


FAMILY = ChartFamily("lnsMetric", ("metric",), build, read)
