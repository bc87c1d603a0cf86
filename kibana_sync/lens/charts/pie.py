"""Partition charts (pie, donut, treemap, mosaic, waffle): Lens ``lnsPie``."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts.family import ChartFamily
from kibana_sync.lens.config import PIE_CHARTS, LensChart
from kibana_sync.lens.reading import ChartReader, Inexpressible


def build(chart: LensChart, layer_id: str, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    groups = list(buckets.values())
    layer: dict[str, Any] = {"layerId": layer_id, "primaryGroups": groups, "metrics": list(metrics.values()),
                             "numberDisplay": "percent", "categoryDisplay": "default",
                             "legendDisplay": "hide" if chart.legend == "hidden" else "default",
                             "nestedLegend": False, "layerType": "data"}
    if chart.legend not in (None, "hidden"):
        layer["legendPosition"] = chart.legend
        layer["legendDisplay"] = "show"
    if chart.chart == "mosaic":
        layer["primaryGroups"], layer["secondaryGroups"] = groups[:1], groups[1:]
    if len(metrics) > 1:
        layer["allowMultipleMetrics"] = True
    layer.update(chart.raw_layer)
    return {"shape": chart.chart, "layers": [layer]}


def read(reader: ChartReader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    layers = vis.get("layers", [])
    if len(layers) != 1:
        raise Inexpressible(f"{len(layers)} pie layers")
    layer = layers[0]
    data["chart"] = vis.get("shape")
    if data["chart"] not in PIE_CHARTS:
        raise Inexpressible(f"pie shape {data['chart']}")
    reader.add_metrics(data, list(layer.get("metrics", [])))
    data["slices"] = []
    for column_id in reader.sorted_ids([*layer.get("primaryGroups", []), *layer.get("secondaryGroups", [])]):
        reader.add_bucket(data["slices"], None, column_id, True)
    if layer.get("legendDisplay") == "hide":
        data["legend"] = "hidden"
    elif layer.get("legendDisplay") == "show" and layer.get("legendPosition"):
        data["legend"] = layer["legendPosition"]


FAMILY = ChartFamily("lnsPie", PIE_CHARTS, build, read)
