"""XY charts (line, area, bar and their stacked/horizontal variants): Lens ``lnsXY``."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts.family import ChartFamily
from kibana_sync.lens.config import XY_CHARTS, LensChart
from kibana_sync.lens.reading import ChartReader, Inexpressible

AXES_ON = {"x": True, "yLeft": True, "yRight": True}


def legend(chart: LensChart) -> dict[str, Any]:
    if chart.legend == "hidden":
        return {"isVisible": False, "position": "right"}
    return {"isVisible": True, "position": chart.legend or "right"}


def build(chart: LensChart, layer_id: str, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    layer: dict[str, Any] = {"layerId": layer_id, "accessors": list(metrics.values()), "position": "top",
                             "seriesType": chart.chart, "showGridlines": False, "layerType": "data"}
    if "x" in buckets:
        layer["xAccessor"] = buckets["x"]
    if "breakdown" in buckets:
        layer["splitAccessor"] = buckets["breakdown"]
    y_config = []
    for spec, column in zip(chart.all_metrics, metrics.values(), strict=False):
        entry: dict[str, Any] = {"forAccessor": column}
        if spec.color is not None:
            entry["color"] = spec.color
        if spec.axis is not None:
            entry["axisMode"] = spec.axis
        if len(entry) > 1:
            y_config.append(entry)
    if y_config:
        layer["yConfig"] = y_config
    layer.update(chart.raw_layer)
    visualization: dict[str, Any] = {
        "legend": legend(chart),
        "valueLabels": "show" if chart.value_labels else "hide",
        "fittingFunction": "None",
        "axisTitlesVisibilitySettings": dict(AXES_ON),
        "tickLabelsVisibilitySettings": dict(AXES_ON),
        "labelsOrientation": {"x": 0, "yLeft": 0, "yRight": 0},
        "gridlinesVisibilitySettings": dict(AXES_ON),
        "preferredSeriesType": chart.chart,
        "layers": [layer],
    }
    if chart.x_title is not None:
        visualization["xTitle"] = chart.x_title
    if chart.y_title is not None:
        visualization["yTitle"] = chart.y_title
    return visualization


def reference_layer(chart: LensChart, layer_id: str, accessors: list[str]) -> dict[str, Any]:
    """The XY layer of horizontal reference lines, each on the left axis unless it says otherwise."""
    y_config = []
    for spec, accessor in zip(chart.reference_lines, accessors, strict=True):
        entry: dict[str, Any] = {"forAccessor": accessor, "axisMode": spec.axis or "left"}
        if spec.color is not None:
            entry["color"] = spec.color
        y_config.append(entry)
    return {"layerId": layer_id, "layerType": "referenceLine", "accessors": accessors, "yConfig": y_config,
            **chart.raw_reference_layer}


def read(reader: ChartReader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    layers = vis.get("layers", [])
    if len(layers) != (2 if reader.reference_layer is not None else 1) or \
            layers[0].get("layerType", "data") != "data":
        raise Inexpressible(f"{len(layers)} XY layers")
    layer = layers[0]
    data["chart"] = layer.get("seriesType")
    if data["chart"] not in XY_CHARTS:
        raise Inexpressible(f"series type {data['chart']}")
    metric_ids = reader.sorted_ids(list(layer.get("accessors", [])))
    if not metric_ids:
        raise Inexpressible("XY without metrics")
    reader.add_metrics(data, metric_ids)
    x, split = layer.get("xAccessor"), layer.get("splitAccessor")
    if x is not None and split is not None and reader.order.index(x) < reader.order.index(split):
        data["nesting"] = "x_first"
    if x is not None:
        reader.add_bucket(data, "x", x, True)
    if split is not None:
        reader.add_bucket(data, "breakdown", split, True)
    _read_colors(reader, layer)
    if reader.reference_layer is not None:
        _read_reference_lines(reader, data, layers[1])
    legend_state = vis.get("legend", {})
    if legend_state.get("isVisible") is False:
        data["legend"] = "hidden"
    elif legend_state.get("position", "right") != "right":
        data["legend"] = legend_state["position"]
    if vis.get("valueLabels") == "show":
        data["value_labels"] = True
    for key, name in (("xTitle", "x_title"), ("yTitle", "y_title")):
        if key in vis:
            data[name] = vis[key]


def _read_colors(reader: ChartReader, layer: dict[str, Any]) -> None:
    """Per-series colour and axis (yConfig) become keys of the metric they belong to."""
    config = layer.get("yConfig")
    if not config:
        return
    owners = {column_id: (container, key) for container, key, column_id in reader.slots}
    accessors = list(reader.metric_ids())
    configured = {e.get("forAccessor") for e in config}
    if [e.get("forAccessor") for e in config] != [a for a in accessors if a in configured]:
        return  # an order the compact form cannot reproduce: left to raw_layer
    for entry in config:
        if set(entry) - {"forAccessor", "color", "axisMode"} or len(entry) < 2 or \
                entry.get("axisMode", "left") not in ("left", "right"):
            return
    for entry in config:
        container, key = owners[entry["forAccessor"]]
        spec = container[key]
        if isinstance(spec, str):
            spec = {"metric": spec}
        if "color" in entry:
            spec["color"] = entry["color"]
        if "axisMode" in entry:
            spec["axis"] = entry["axisMode"]
        container[key] = spec


def _read_reference_lines(reader: ChartReader, data: dict[str, Any], layer: dict[str, Any]) -> None:
    data["reference_lines"] = lines = []
    config = {e.get("forAccessor"): e for e in layer.get("yConfig") or [] if isinstance(e, dict)}
    for column_id in layer.get("accessors", []):
        spec = reader.metric_spec(reader.columns[column_id])
        spec = {"metric": spec} if isinstance(spec, str) else spec
        entry = config.get(column_id, {})
        if "color" in entry:
            spec["color"] = entry["color"]
        if entry.get("axisMode") in ("right",):
            spec["axis"] = entry["axisMode"]
        lines.append(spec)
        reader.slots.append((lines, len(lines) - 1, column_id))


FAMILY = ChartFamily("lnsXY", XY_CHARTS, build, read)
