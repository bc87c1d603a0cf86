"""The heatmap: Lens ``lnsHeatmap`` (x and y buckets, one metric)."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts.family import ChartFamily, single_layer
from kibana_sync.lens.config import LensChart
from kibana_sync.lens.reading import ChartReader

LEGEND = {"isVisible": True, "position": "right", "type": "heatmap_legend"}
GRID = {"type": "heatmap_grid", "isCellLabelVisible": False, "isYAxisLabelVisible": True,
        "isXAxisLabelVisible": True, "isYAxisTitleVisible": True, "isXAxisTitleVisible": True}


def build(chart: LensChart, layer_id: str, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"shape": "heatmap", "legend": dict(LEGEND), "gridConfig": dict(GRID),
                            "valueAccessor": metrics["metric"]}
    if chart.legend == "hidden":
        body["legend"]["isVisible"] = False
    elif chart.legend is not None:
        body["legend"]["position"] = chart.legend
    if "x" in buckets:
        body["xAccessor"] = buckets["x"]
    if "y" in buckets:
        body["yAccessor"] = buckets["y"]
    return single_layer(chart, layer_id, body)


def read(reader: ChartReader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "heatmap"
    reader.add_metric(data, "metric", vis.get("valueAccessor"))
    legend = vis.get("legend")
    if isinstance(legend, dict) and legend.get("isVisible") is False:
        data["legend"] = "hidden"
    elif isinstance(legend, dict) and legend.get("position", "right") != "right":
        data["legend"] = legend["position"]
    for accessor, key in (("yAccessor", "y"), ("xAccessor", "x")):
        if vis.get(accessor):
            reader.add_bucket(data, key, vis[accessor], True)


FAMILY = ChartFamily("lnsHeatmap", ("heatmap",), build, read)
