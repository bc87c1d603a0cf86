"""Each vis type's default params, as Kibana 8.x declares them in ``visConfig.defaults`` (reference-objects-es.md
1.4). Kibana merges them into the stored params when it loads a visualization, shallowly (lodash ``defaults``,
1.3): a top-level key left out means the default, a nested object is taken as written. So the YAML may leave out
a top-level key whose value is the default, ``compile`` writes it back, and ``normalise`` fills the same keys.
Objects saved by an older Kibana or a package builder often store fewer keys than today's defaults: the YAML
lists those in ``unset_params`` and ``compile`` leaves them out, so the pushed params are the stored ones.

Types whose defaults the reference does not pin down (``horizontal_bar``, ``heatmap``, maps, TSVB, vega) have
none here: their params are written in full.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

_PALETTE = {"type": "palette", "name": "default"}

_LINE: dict[str, Any] = {
    "type": "line", "grid": {"categoryLines": False},
    "categoryAxes": [{"id": "CategoryAxis-1", "type": "category", "position": "bottom", "show": True,
                      "scale": {"type": "linear"}, "labels": {"show": True, "filter": True, "truncate": 100},
                      "title": {}, "style": {}}],
    "valueAxes": [{"id": "ValueAxis-1", "name": "LeftAxis-1", "type": "value", "position": "left", "show": True,
                   "scale": {"type": "linear", "mode": "normal"},
                   "labels": {"show": True, "rotate": 0, "filter": True, "truncate": 100},
                   "title": {"text": ""}, "style": {}}],
    "seriesParams": [{"show": True, "type": "line", "mode": "normal", "data": {"label": "Count", "id": "1"},
                      "valueAxis": "ValueAxis-1", "drawLinesBetweenPoints": True, "lineWidth": 2,
                      "interpolate": "linear", "showCircles": True, "circlesRadius": 1}],
    "addTooltip": True, "detailedTooltip": True, "palette": _PALETTE, "addLegend": True,
    "legendPosition": "right", "fittingFunction": "linear", "times": [], "addTimeMarker": False,
    "truncateLegend": True, "maxLegendLines": 1, "radiusRatio": 9, "labels": {},
    "thresholdLine": {"show": False, "value": 10, "width": 1, "style": "full", "color": "#E7664C"},
}


def _xy(type_: str, **changes: Any) -> dict[str, Any]:
    """1.4: area and histogram are the line defaults with their own series type and stacked series."""
    out = copy.deepcopy(_LINE)
    out["type"] = type_
    out["seriesParams"][0].update(type=type_, mode="stacked")
    out.update(changes)
    return out


_HISTOGRAM = _xy("histogram", radiusRatio=0, labels={"show": False})
del _HISTOGRAM["fittingFunction"]

PARAM_DEFAULTS: dict[str, dict[str, Any]] = {
    "markdown": {"fontSize": 12, "openLinksInNewTab": False, "markdown": ""},
    "metric": {"addTooltip": True, "addLegend": False, "type": "metric", "metric": {
        "percentageMode": False, "useRanges": False, "colorSchema": "Green to Red", "metricColorMode": "None",
        "colorsRange": [{"from": 0, "to": 10000}], "labels": {"show": True}, "invertColors": False,
        "style": {"bgFill": "#000", "bgColor": False, "labelColor": False, "subText": "", "fontSize": 60}}},
    # legendDisplay and labels.last_level depend on the renderer (1.4, uncertain in section 9): pie.ts gives
    # `hide` / false with the elastic-charts one, which vis_types/pie/public/plugin.ts always registers
    # (showElasticChartsOptions: true) unless the legacy pie advanced setting is on (default off).
    "pie": {"type": "pie", "addTooltip": True, "legendDisplay": "hide", "legendPosition": "right", "nestedLegend": False,
            "truncateLegend": True, "maxLegendLines": 1, "distinctColors": False, "isDonut": True,
            "emptySizeRatio": 0.3, "palette": _PALETTE,
            "labels": {"show": True, "last_level": False, "values": True, "valuesFormat": "percent",
                       "percentDecimals": 2, "truncate": 100, "position": "default"}},
    "line": _LINE,
    "area": _xy("area"),
    "histogram": _HISTOGRAM,
    "table": {"perPage": 10, "showPartialRows": False, "showMetricsAtAllLevels": False, "showTotal": False,
              "showToolbar": False, "totalFunc": "sum", "percentageCol": "", "autoFitRowToContent": False},
    "tagcloud": {"scale": "linear", "orientation": "single", "minFontSize": 18, "maxFontSize": 72,
                 "showLabel": True, "palette": {"name": "default", "type": "palette"}},
    "gauge": {"type": "gauge", "addTooltip": True, "addLegend": True, "isDisplayWarning": False, "gauge": {
        "alignment": "automatic", "extendRange": True, "percentageMode": False, "gaugeType": "Arc",
        "gaugeStyle": "Full", "backStyle": "Full", "orientation": "vertical", "colorSchema": "Green to Red",
        "gaugeColorMode": "Labels", "colorsRange": [{"from": 0, "to": 50}, {"from": 50, "to": 75},
                                                    {"from": 75, "to": 100}],
        "invertColors": False, "labels": {"show": True, "color": "black"},
        "scale": {"show": True, "labels": False, "color": "rgba(105,112,125,0.2)"}, "type": "meter",
        "style": {"bgWidth": 0.9, "width": 0.9, "mask": False, "bgMask": False, "maskBars": 50,
                  "bgFill": "rgba(105,112,125,0.2)", "bgColor": True, "subText": "", "fontSize": 60}}},
    "goal": {"type": "goal", "addTooltip": True, "addLegend": False, "isDisplayWarning": False, "gauge": {
        "verticalSplit": False, "autoExtend": False, "percentageMode": True, "gaugeType": "Arc",
        "gaugeStyle": "Full", "backStyle": "Full", "orientation": "vertical", "useRanges": False,
        "colorSchema": "Green to Red", "gaugeColorMode": "None", "colorsRange": [{"from": 0, "to": 10000}],
        "invertColors": False, "labels": {"show": True, "color": "black"},
        "scale": {"show": False, "labels": False, "color": "rgba(105,112,125,0.2)", "width": 2}, "type": "meter",
        "style": {"bgFill": "rgba(105,112,125,0.2)", "bgColor": False, "labelColor": False, "subText": "",
                  "fontSize": 60}}},
    "input_control_vis": {"controls": [], "updateFiltersOnChange": False, "useTimeFilter": False,
                          "pinFilters": False},
    "timelion": {"expression": ".es(*)", "interval": "auto"},
}


def full_params(type_: str, params: dict[str, Any], unset: Iterable[str] = ()) -> dict[str, Any]:
    """The params Kibana works with: what is written, in its order, then the type's defaults it leaves out (so
    a re-export of what was pushed lists the written keys as they were), except the ``unset`` ones."""
    defaults = PARAM_DEFAULTS.get(type_, {})
    skip = set(unset)
    return copy.deepcopy({**params, **{k: v for k, v in defaults.items() if k not in params and k not in skip}})


def params_without_defaults(type_: str, params: dict[str, Any]) -> dict[str, Any]:
    """The inverse of ``full_params`` for params that hold every default key: what differs from the defaults.
    (A key Kibana would fill counts as written by ``full_params``, so leaving out an absent key is lossless only
    up to ``normalise``, which fills it too; ``absent_defaults`` names those keys.)"""
    defaults = PARAM_DEFAULTS.get(type_, {})
    return {k: v for k, v in params.items() if k not in defaults or not _same(v, defaults[k])}


def absent_defaults(type_: str, params: dict[str, Any]) -> list[str]:
    """The type's default keys that ``params`` does not store, in the defaults' order (``unset_params``)."""
    return [k for k in PARAM_DEFAULTS.get(type_, {}) if k not in params]


def _same(a: Any, b: Any) -> bool:
    # type-strict: 1 and True, 60 and 60.0 are different values to Kibana's JSON
    return type(a) is type(b) and json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
