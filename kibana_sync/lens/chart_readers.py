"""How each Lens visualization family (XY, pie, metric, table...) is read into the compact keys."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.config import PIE_CHARTS, XY_CHARTS
from kibana_sync.lens.reading import ChartReader, Inexpressible


def _read_xy(reader: ChartReader, data: dict[str, Any]) -> None:
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
    _read_colors(reader, data, layer)
    if reader.reference_layer is not None:
        _read_reference_lines(reader, data, layers[1])
    legend = vis.get("legend", {})
    if legend.get("isVisible") is False:
        data["legend"] = "hidden"
    elif legend.get("position", "right") != "right":
        data["legend"] = legend["position"]
    if vis.get("valueLabels") == "show":
        data["value_labels"] = True
    for key, name in (("xTitle", "x_title"), ("yTitle", "y_title")):
        if key in vis:
            data[name] = vis[key]


def _read_colors(reader: ChartReader, data: dict[str, Any], layer: dict[str, Any]) -> None:
    """Per-series colour and axis (yConfig) become keys of the metric they belong to."""
    config = layer.get("yConfig")
    if not config:
        return
    owners = {column_id: (container, key) for container, key, column_id in reader.slots}
    accessors = [c for c in reader.metric_ids()]
    if [e.get("forAccessor") for e in config] != [a for a in accessors if a in {e.get("forAccessor")
                                                                               for e in config}]:
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


def _read_pie(reader: ChartReader, data: dict[str, Any]) -> None:
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


def _read_metric(reader: ChartReader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "metric"
    reader.add_metric(data, "metric", vis.get("metricAccessor"))
    for accessor, key in (("secondaryMetricAccessor", "secondary_metric"), ("maxAccessor", "max")):
        if vis.get(accessor):
            reader.add_metric(data, key, vis[accessor])
    if vis.get("breakdownByAccessor"):
        reader.add_bucket(data, "breakdown", vis["breakdownByAccessor"], True)


def _read_legacy_metric(reader: ChartReader, data: dict[str, Any]) -> None:
    data["chart"] = "legacy_metric"
    reader.add_metric(data, "metric", reader.visualization.get("accessor"))


def _read_table(reader: ChartReader, data: dict[str, Any]) -> None:
    data["chart"] = "table"
    entries = reader.visualization.get("columns", [])
    ids = reader.sorted_ids([e.get("columnId") for e in entries])
    transposed = {e.get("columnId") for e in entries if e.get("isTransposed")}
    metrics = [c for c in ids if not reader.columns[c].get("isBucketed")]
    if metrics:
        reader.add_metrics(data, metrics)
    for column_id in ids:
        if reader.columns[column_id].get("isBucketed"):
            key = "split_by" if column_id in transposed else "rows"
            reader.add_bucket(data.setdefault(key, []), None, column_id, False)


def _read_heatmap(reader: ChartReader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "heatmap"
    reader.add_metric(data, "metric", vis.get("valueAccessor"))
    for accessor, key in (("yAccessor", "y"), ("xAccessor", "x")):
        if vis.get(accessor):
            reader.add_bucket(data, key, vis[accessor], True)


def _read_gauge(reader: ChartReader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "gauge"
    reader.add_metric(data, "metric", vis.get("metricAccessor"))
    for key in ("min", "max", "goal"):
        if vis.get(f"{key}Accessor"):
            reader.add_metric(data, key, vis[f"{key}Accessor"])


def _read_tagcloud(reader: ChartReader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "tagcloud"
    reader.add_metric(data, "metric", vis.get("valueAccessor"))
    reader.add_bucket(data, "tags", vis.get("tagAccessor"), True)


FAMILIES = {"lnsXY": _read_xy, "lnsPie": _read_pie, "lnsMetric": _read_metric,
             "lnsLegacyMetric": _read_legacy_metric, "lnsDatatable": _read_table, "lnsHeatmap": _read_heatmap,
             "lnsGauge": _read_gauge, "lnsTagcloud": _read_tagcloud}
