"""The gauge: Lens ``lnsGauge`` (a metric with optional min, max and goal)."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts.family import ChartFamily, single_layer
from kibana_sync.lens.config import LensChart
from kibana_sync.lens.reading import ChartReader

_BOUNDS = ("min", "max", "goal")


def build(chart: LensChart, layer_id: str, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    body = {"shape": "horizontalBullet", "metricAccessor": metrics["metric"], "ticksPosition": "auto",
            "labelMajorMode": "auto"}
    for key in _BOUNDS:
        if key in metrics:
            body[f"{key}Accessor"] = metrics[key]
    return single_layer(chart, layer_id, body)


def read(reader: ChartReader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "gauge"
    reader.add_metric(data, "metric", vis.get("metricAccessor"))
    for key in _BOUNDS:
        if vis.get(f"{key}Accessor"):
            reader.add_metric(data, key, vis[f"{key}Accessor"])


FAMILY = ChartFamily("lnsGauge", ("gauge",), build, read)
