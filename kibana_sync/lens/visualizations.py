"""The ``state.visualization`` object of each chart family, with the defaults Kibana 8.11's editor writes."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.config import PIE_CHARTS, XY_CHARTS, LensChart

AXES_ON = {"x": True, "yLeft": True, "yRight": True}
HEATMAP_LEGEND = {"isVisible": True, "position": "right", "type": "heatmap_legend"}
HEATMAP_GRID = {"type": "heatmap_grid", "isCellLabelVisible": False, "isYAxisLabelVisible": True,
                "isXAxisLabelVisible": True, "isYAxisTitleVisible": True, "isXAxisTitleVisible": True}

VISUALIZATION_TYPES = {**dict.fromkeys(XY_CHARTS, "lnsXY"), **dict.fromkeys(PIE_CHARTS, "lnsPie"),
                       "metric": "lnsMetric", "legacy_metric": "lnsLegacyMetric", "table": "lnsDatatable",
                       "heatmap": "lnsHeatmap", "gauge": "lnsGauge", "tagcloud": "lnsTagcloud"}


def build_visualization(chart: LensChart, layer_id: str, buckets: dict[str, str],
                        metrics: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """(visualizationType, visualization state); ``buckets``/``metrics`` map chart keys to column ids."""
    kind = chart.chart
    if kind in XY_CHARTS:
        visualization = _xy(chart, layer_id, buckets, metrics)
    elif kind in PIE_CHARTS:
        visualization = _pie(chart, layer_id, buckets, metrics)
    else:
        layer = {"layerId": layer_id, "layerType": "data"}
        visualization = {**layer, **_SINGLE_LAYER[kind](chart, buckets, metrics), **chart.raw_layer}
    visualization.update(chart.raw_visualization)
    return VISUALIZATION_TYPES[kind], visualization


def legend(chart: LensChart) -> dict[str, Any]:
    if chart.legend == "hidden":
        return {"isVisible": False, "position": "right"}
    return {"isVisible": True, "position": chart.legend or "right"}


def _xy(chart: LensChart, layer_id: str, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
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


def _pie(chart: LensChart, layer_id: str, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
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


def _metric(chart: LensChart, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    visualization = {"metricAccessor": metrics["metric"]}
    for key, accessor in (("secondary_metric", "secondaryMetricAccessor"), ("max", "maxAccessor")):
        if key in metrics:
            visualization[accessor] = metrics[key]
    if "breakdown" in buckets:
        visualization["breakdownByAccessor"] = buckets["breakdown"]
    return visualization


def _legacy_metric(chart: LensChart, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    return {"accessor": metrics["metric"], "size": "xl", "titlePosition": "bottom", "textAlign": "center"}


def _table(chart: LensChart, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    columns = [{"columnId": id_, "isTransposed": name.startswith("split_by.")} for name, id_ in buckets.items()]
    columns += [{"columnId": id_, "isTransposed": False} for id_ in metrics.values()]
    return {"columns": columns}


def _heatmap(chart: LensChart, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    visualization: dict[str, Any] = {"shape": "heatmap", "legend": dict(HEATMAP_LEGEND),
                                     "gridConfig": dict(HEATMAP_GRID), "valueAccessor": metrics["metric"]}
    if chart.legend == "hidden":
        visualization["legend"]["isVisible"] = False
    elif chart.legend is not None:
        visualization["legend"]["position"] = chart.legend
    if "x" in buckets:
        visualization["xAccessor"] = buckets["x"]
    if "y" in buckets:
        visualization["yAccessor"] = buckets["y"]
    return visualization


def _gauge(chart: LensChart, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    visualization = {"shape": "horizontalBullet", "metricAccessor": metrics["metric"], "ticksPosition": "auto",
                     "labelMajorMode": "auto"}
    for key in ("min", "max", "goal"):
        if key in metrics:
            visualization[f"{key}Accessor"] = metrics[key]
    return visualization


def _tagcloud(chart: LensChart, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    return {"tagAccessor": buckets["tags"], "valueAccessor": metrics["metric"], "maxFontSize": 72,
            "minFontSize": 18, "orientation": "single", "showLabel": True}


_SINGLE_LAYER = {"metric": _metric, "legacy_metric": _legacy_metric, "table": _table, "heatmap": _heatmap,
                 "gauge": _gauge, "tagcloud": _tagcloud}
