"""Semantic comparison of two Kibana saved objects, independent of kibana-sync's own normalise code.

It judges kibana-sync, so it must not reuse it. Everything it sets aside or fills in is listed here and in
README.md, each with the section of `shared/kibana/reference.md` ("ref") or `reference-objects-es.md` ("addendum")
that says Kibana treats the two forms the same. Nothing else is normalised: a difference that is not on this list
is a difference.

    canonical(obj)  -> the comparable form of one saved object (envelope as GET/_bulk_get/_export return it)
    compare(a, b)   -> list of Difference (empty when equal)
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

# ref 2.1: fields the server manages or adds per route; they say nothing about the object's content.
SERVER_FIELDS = frozenset({
    "version", "updated_at", "created_at", "created_by", "updated_by", "namespaces", "namespace",
    "migrationVersion", "coreMigrationVersion", "typeMigrationVersion", "managed", "originId", "sort", "score",
    "error",
})
# kibana-sync's ownership marker (README "Ownership"): a reference to this tag on every object it writes.
MARKER_TAG_PREFIX = "kibana-sync-managed"

# Attributes Kibana stores as JSON strings (ref 2.1/3.x; addendum 0.1): compared decoded. Any key ending in
# `JSON` qualifies (panelsJSON, optionsJSON, searchSourceJSON, uiStateJSON, layerListJSON, mapStateJSON,
# controlGroupInput.panelsJSON / ignoreParentSettingsJSON), plus these.
JSON_STRING_KEYS = frozenset({"visState"})
INDEX_PATTERN_JSON_KEYS = frozenset({"fields", "fieldFormatMap", "fieldAttrs", "runtimeFieldMap", "sourceFilters",
                                     "typeMeta"})
# A decoded string is wrapped so that a string on one side and a bare object on the other still differ
# (Kibana needs the string: an object where a JSON string belongs is a real defect, not a formatting choice).
JSON = "<json>"

LAYER_REF = re.compile(r"^(?P<prefix>.*?)(?P<kind>indexpattern|textBasedLanguages)-datasource-layer-(?P<layer>.+)$")
# Keys whose string values name fields or hold text, never Lens ids (an ES|QL columnId often equals a field name).
NOT_ID_KEYS = frozenset({"fieldName", "sourceField", "label", "customLabel", "query", "esql", "formula", "title",
                         "description", "name", "type", "operationType", "dataType"})


@dataclass(frozen=True)
class Difference:
    path: str
    a: Any
    b: Any

    def __str__(self) -> str:
        return f"{self.path}: {_short(self.a)} != {_short(self.b)}"


ABSENT = "<absent>"


def _short(value: Any, limit: int = 120) -> str:
    text = value if value == ABSENT else json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------------- defaults
# addendum 1.3 "Defaults are applied on load, shallowly" + 1.4 "Params and defaults per type (8.x
# visConfig.defaults)": Vis.setState fills only TOP-LEVEL params keys missing from the stored params, with lodash
# `defaults`. Only the types and keys the addendum spells out are here. Left out on purpose: pie `legendDisplay`
# (its default is "inferred from a ternary" in 1.4), area/histogram `categoryAxes`/`valueAxes`/`seriesParams`
# (1.4 gives them for `line` only, so only `line` gets them), vega `spec` (a sample spec), TSVB (1.5: defaults hold fresh uuids), and the
# agg defaults of 1.3 (schema-dependent).
_XY_COMMON = {
    "grid": {"categoryLines": False}, "addTooltip": True, "detailedTooltip": True,
    "palette": {"type": "palette", "name": "default"}, "addLegend": True, "legendPosition": "right", "times": [],
    "addTimeMarker": False, "truncateLegend": True, "maxLegendLines": 1,
    "thresholdLine": {"show": False, "value": 10, "width": 1, "style": "full", "color": "#E7664C"},
}
VIS_PARAM_DEFAULTS: dict[str, dict[str, Any]] = {
    # addendum 1.4 markdown
    "markdown": {"fontSize": 12, "openLinksInNewTab": False, "markdown": ""},
    # addendum 1.4 metric
    "metric": {"addTooltip": True, "addLegend": False, "type": "metric", "metric": {
        "percentageMode": False, "useRanges": False, "colorSchema": "Green to Red", "metricColorMode": "None",
        "colorsRange": [{"from": 0, "to": 10000}], "labels": {"show": True}, "invertColors": False,
        "style": {"bgFill": "#000", "bgColor": False, "labelColor": False, "subText": "", "fontSize": 60}}},
    # addendum 1.4 pie (8.x), without legendDisplay (see above)
    "pie": {"type": "pie", "addTooltip": True, "legendPosition": "right", "nestedLegend": False,
            "truncateLegend": True, "maxLegendLines": 1, "distinctColors": False, "isDonut": True,
            "emptySizeRatio": 0.3, "palette": {"type": "palette", "name": "default"},
            "labels": {"show": True, "last_level": False, "values": True, "valuesFormat": "percent",
                       "percentDecimals": 2, "truncate": 100, "position": "default"}},
    # addendum 1.4 line / area / histogram: the keys common to the three, plus the per-type ones it names
    "line": {**_XY_COMMON, "type": "line", "fittingFunction": "linear", "radiusRatio": 9, "labels": {},
             # the axes and series 1.4 spells out, for `line` only
             "categoryAxes": [{"id": "CategoryAxis-1", "type": "category", "position": "bottom", "show": True,
                               "scale": {"type": "linear"}, "labels": {"show": True, "filter": True,
                                                                       "truncate": 100},
                               "title": {}, "style": {}}],
             "valueAxes": [{"id": "ValueAxis-1", "name": "LeftAxis-1", "type": "value", "position": "left",
                            "show": True, "scale": {"type": "linear", "mode": "normal"},
                            "labels": {"show": True, "rotate": 0, "filter": True, "truncate": 100},
                            "title": {"text": ""}, "style": {}}],
             "seriesParams": [{"show": True, "type": "line", "mode": "normal", "data": {"label": "Count", "id": "1"},
                               "valueAxis": "ValueAxis-1", "drawLinesBetweenPoints": True, "lineWidth": 2,
                               "interpolate": "linear", "showCircles": True, "circlesRadius": 1}]},
    "area": {**_XY_COMMON, "type": "area", "fittingFunction": "linear", "radiusRatio": 9, "labels": {}},
    "histogram": {**_XY_COMMON, "type": "histogram", "radiusRatio": 0, "labels": {"show": False}},
    # addendum 1.4 table
    "table": {"perPage": 10, "showPartialRows": False, "showMetricsAtAllLevels": False, "showTotal": False,
              "showToolbar": False, "totalFunc": "sum", "percentageCol": "", "autoFitRowToContent": False},
    # addendum 1.4 tagcloud
    "tagcloud": {"scale": "linear", "orientation": "single", "minFontSize": 18, "maxFontSize": 72,
                 "showLabel": True, "palette": {"name": "default", "type": "palette"}},
    # addendum 1.4 gauge
    "gauge": {"type": "gauge", "addTooltip": True, "addLegend": True, "isDisplayWarning": False, "gauge": {
        "alignment": "automatic", "extendRange": True, "percentageMode": False, "gaugeType": "Arc",
        "gaugeStyle": "Full", "backStyle": "Full", "orientation": "vertical", "colorSchema": "Green to Red",
        "gaugeColorMode": "Labels", "colorsRange": [{"from": 0, "to": 50}, {"from": 50, "to": 75},
                                                    {"from": 75, "to": 100}],
        "invertColors": False, "labels": {"show": True, "color": "black"},
        "scale": {"show": True, "labels": False, "color": "rgba(105,112,125,0.2)"}, "type": "meter",
        "style": {"bgWidth": 0.9, "width": 0.9, "mask": False, "bgMask": False, "maskBars": 50,
                  "bgFill": "rgba(105,112,125,0.2)", "bgColor": True, "subText": "", "fontSize": 60}}},
    # addendum 1.4 goal
    "goal": {"type": "goal", "addTooltip": True, "addLegend": False, "isDisplayWarning": False, "gauge": {
        "verticalSplit": False, "autoExtend": False, "percentageMode": True, "gaugeType": "Arc",
        "gaugeStyle": "Full", "backStyle": "Full", "orientation": "vertical", "useRanges": False,
        "colorSchema": "Green to Red", "gaugeColorMode": "None", "colorsRange": [{"from": 0, "to": 10000}],
        "invertColors": False, "labels": {"show": True, "color": "black"},
        "scale": {"show": False, "labels": False, "color": "rgba(105,112,125,0.2)", "width": 2}, "type": "meter",
        "style": {"bgFill": "rgba(105,112,125,0.2)", "bgColor": False, "labelColor": False, "subText": "",
                  "fontSize": 60}}},
    # addendum 1.4 input_control_vis
    "input_control_vis": {"controls": [], "updateFiltersOnChange": False, "useTimeFilter": False,
                          "pinFilters": False},
    # addendum 1.4 timelion
    "timelion": {"expression": ".es(*)", "interval": "auto"},
}

# addendum 4.1 "Defaults applied on load when a key is missing (getDefaultControlGroupInput)".
CONTROL_GROUP_DEFAULTS = {"controlStyle": "oneLine", "chainingSystem": "HIERARCHICAL"}
IGNORE_PARENT_DEFAULTS = {"ignoreFilters": False, "ignoreQuery": False, "ignoreTimerange": False,
                          "ignoreValidations": False}
CONTROL_PANEL_DEFAULTS = {"width": "medium", "grow": True}  # defaultControlWidth, DEFAULT_CONTROL_GROW


# --------------------------------------------------------------------------------------------------- canonical
def canonical(obj: dict[str, Any]) -> dict[str, Any]:
    """The comparable form of a saved object: type, id, attributes, references (see module docstring)."""
    out = {k: copy.deepcopy(v) for k, v in obj.items() if k not in SERVER_FIELDS}
    refs = [r for r in out.get("references") or [] if not _is_marker(r)]
    out["references"] = refs
    attributes = out.get("attributes")
    if isinstance(attributes, dict):
        out["attributes"] = attributes = _decode_all(attributes, obj.get("type") == "index-pattern")
        kind = obj.get("type")
        if kind == "lens":
            _canonical_lens(attributes.get("state"), [(refs, "")])
            if isinstance(attributes.get("state"), dict):
                _drop_layer_index_pattern_ids(attributes["state"])
        elif kind == "dashboard":
            _canonical_dashboard(attributes, refs)
        elif kind == "visualization":
            vis = _unwrap(attributes.get("visState"))
            if isinstance(vis, dict):
                _fill_vis_params(vis)
        elif kind == "search":
            # ref 3.2: `description` (default "")
            attributes.setdefault("description", "")
        elif kind == "index-pattern":
            _scripted_fields_only(attributes)
    out["references"] = sorted(refs, key=lambda r: (str(r.get("name")), str(r.get("type")), str(r.get("id"))))
    return out


def _is_marker(ref: Any) -> bool:
    return (isinstance(ref, dict) and ref.get("type") == "tag"
            and str(ref.get("id", "")).startswith(MARKER_TAG_PREFIX))


def is_marker_object(obj: dict[str, Any]) -> bool:
    return obj.get("type") == "tag" and str(obj.get("id", "")).startswith(MARKER_TAG_PREFIX)


def _decode_all(value: Any, index_pattern: bool = False, depth: int = 0) -> Any:
    """Decode embedded JSON strings, recursively (a by-value panel inside panelsJSON has its own JSON strings)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            json_key = key.endswith("JSON") or key in JSON_STRING_KEYS or (
                index_pattern and depth == 0 and key in INDEX_PATTERN_JSON_KEYS)
            if json_key and isinstance(item, str):
                try:
                    parsed = json.loads(item)
                except ValueError:
                    parsed = None
                if isinstance(parsed, (dict, list)):
                    out[key] = {JSON: _decode_all(parsed, depth=depth + 1)}
                    continue
            out[key] = _decode_all(item, depth=depth + 1)
        return out
    if isinstance(value, list):
        return [_decode_all(item, depth=depth + 1) for item in value]
    return value


def _unwrap(value: Any) -> Any:
    return value[JSON] if isinstance(value, dict) and set(value) == {JSON} else value


def _fill_vis_params(vis: dict[str, Any]) -> None:
    """addendum 1.3: missing top-level params take the type's visConfig.defaults (shallow, lodash `defaults`)."""
    defaults = VIS_PARAM_DEFAULTS.get(vis.get("type"))
    params = vis.get("params")
    if defaults is None or not isinstance(params, dict):
        return
    for key, default in defaults.items():
        params.setdefault(key, copy.deepcopy(default))


def _scripted_fields_only(attributes: dict[str, Any]) -> None:
    """ref 3.1: `fields` "[]" is fine, fields are loaded from ES; only scripted fields live nowhere else."""
    fields = _unwrap(attributes.get("fields"))
    if isinstance(fields, list):
        attributes["fields"] = {JSON: [f for f in fields if isinstance(f, dict) and f.get("scripted")]}


def _canonical_dashboard(attributes: dict[str, Any], refs: list[dict[str, Any]]) -> None:
    panels = _unwrap(attributes.get("panelsJSON"))
    for panel in panels if isinstance(panels, list) else []:
        if not isinstance(panel, dict):
            continue
        config = panel.get("embeddableConfig")
        if not isinstance(config, dict):
            continue
        # addendum 5.2: the UI writes an empty drilldown set as `{}` or `{"dynamicActions":{"events":[]}}`.
        if config.get("enhancements") == {"dynamicActions": {"events": []}}:
            config["enhancements"] = {}
        saved_vis = config.get("savedVis")
        if isinstance(saved_vis, dict):
            _fill_vis_params(saved_vis)  # addendum 1.6: a by-value vis is a SerializedVis, loaded the same way
        lens = config.get("attributes")
        if panel.get("type") == "lens" and isinstance(lens, dict) and isinstance(lens.get("state"), dict):
            panel_id = panel.get("panelIndex") or (panel.get("gridData") or {}).get("i") or ""
            inner = lens.get("references") if isinstance(lens.get("references"), list) else []
            _canonical_lens(lens["state"], [(inner, ""), (refs, f"{panel_id}:")])
            _drop_layer_index_pattern_ids(lens["state"])
    controls = attributes.get("controlGroupInput")
    if isinstance(controls, dict):
        for key, default in CONTROL_GROUP_DEFAULTS.items():
            controls.setdefault(key, default)
        ignore = controls.setdefault("ignoreParentSettingsJSON", {JSON: {}})
        if isinstance(_unwrap(ignore), dict):
            for key, default in IGNORE_PARENT_DEFAULTS.items():
                _unwrap(ignore).setdefault(key, default)
        control_panels = _unwrap(controls.get("panelsJSON"))
        for control in control_panels.values() if isinstance(control_panels, dict) else []:
            if isinstance(control, dict):
                for key, default in CONTROL_PANEL_DEFAULTS.items():
                    control.setdefault(key, default)


def _drop_layer_index_pattern_ids(state: dict[str, Any]) -> None:
    """ref 4.2: a formBased layer's `indexPatternId` is stripped on save and re-injected from references."""
    for datasource in (state.get("datasourceStates") or {}).values():
        layers = datasource.get("layers") if isinstance(datasource, dict) else None
        for layer in layers.values() if isinstance(layers, dict) else []:
            if isinstance(layer, dict) and "columns" in layer and isinstance(layer.get("columns"), dict):
                layer.pop("indexPatternId", None)


# ---------------------------------------------------------------------------------------------- lens ids
def _canonical_lens(state: Any, reference_lists: list[tuple[list[dict[str, Any]], str]]) -> None:
    """Rename Lens layer and column ids by order of appearance, consistently across state and references.

    The ids are arbitrary strings Kibana generates (uuids); Lens only needs them to be consistent. Order: layers
    as the visualization state names them (arrays keep their order, object keys are visited sorted); columns as
    the visualization state names them, then as the layer's `columnOrder` (formBased) or `columns` array
    (textBased) lists them; ids that none of these name follow, sorted by their content. So a reordered
    `columnOrder` still shows as a difference of `columnOrder`."""
    if not isinstance(state, dict):
        return
    datasources = state.get("datasourceStates")
    if not isinstance(datasources, dict):
        return
    layers: dict[str, dict[str, Any]] = {}
    for datasource in datasources.values():
        found = datasource.get("layers") if isinstance(datasource, dict) else None
        if isinstance(found, dict):
            layers.update({k: v for k, v in found.items() if isinstance(v, dict)})
    if not layers:
        return
    order: list[str] = []
    _strings_in_order(state.get("visualization"), set(layers), order)
    order += sorted((lid for lid in layers if lid not in order),
                    key=lambda lid: json.dumps(layers[lid], sort_keys=True))
    mapping: dict[str, str] = {}
    for n, layer_id in enumerate(order):
        mapping.setdefault(layer_id, f"layer{n}")
    for n, layer_id in enumerate(order):
        layer = layers[layer_id]
        columns = layer.get("columns")
        column_ids: list[str] = []
        if isinstance(columns, dict):
            _strings_in_order(state.get("visualization"), set(columns), column_ids)
            column_ids += [c for c in layer.get("columnOrder") or [] if c in columns and c not in column_ids]
            column_ids += sorted((c for c in columns if c not in column_ids),
                                 key=lambda c: json.dumps(columns[c], sort_keys=True))
        elif isinstance(columns, list):
            column_ids = [c.get("columnId") for c in columns if isinstance(c, dict) and c.get("columnId")]
        for m, column_id in enumerate(column_ids):
            mapping.setdefault(column_id, f"layer{n}.col{m}")
    renamed = _rename(state, mapping)
    state.clear()
    state.update(renamed)
    for refs, prefix in reference_lists:
        for ref in refs:
            match = LAYER_REF.match(str(ref.get("name", "")))
            if match and match["prefix"] == prefix and match["layer"] in mapping:
                ref["name"] = f"{prefix}{match['kind']}-datasource-layer-{mapping[match['layer']]}"


def _strings_in_order(value: Any, wanted: set[str], out: list[str]) -> None:
    if isinstance(value, str):
        if value in wanted and value not in out:
            out.append(value)
    elif isinstance(value, dict):
        for key in sorted(value):
            _strings_in_order(value[key], wanted, out)
    elif isinstance(value, list):
        for item in value:
            _strings_in_order(item, wanted, out)


def _rename(value: Any, mapping: dict[str, str], key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {mapping.get(k, k): _rename(v, mapping, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, mapping, key) for v in value]
    if isinstance(value, str):
        match = LAYER_REF.match(value)  # internalReferences names
        if match and match["layer"] in mapping:
            return f"{match['prefix']}{match['kind']}-datasource-layer-{mapping[match['layer']]}"
        if key not in NOT_ID_KEYS and value in mapping:
            return mapping[value]
    return value


# ---------------------------------------------------------------------------------------------------- compare
def compare(a: dict[str, Any], b: dict[str, Any], limit: int = 5) -> list[Difference]:
    """Differences between the canonical forms of `a` and `b` (at most `limit`, in document order)."""
    out: list[Difference] = []
    _diff(canonical(a), canonical(b), "", out, limit)
    return out


def _same_kind(a: Any, b: Any) -> bool:
    # JSON true and 1 are different values (Python's True == 1 is not JSON's view)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return True
    return type(a) is type(b)


def _diff(a: Any, b: Any, path: str, out: list[Difference], limit: int) -> None:
    if len(out) >= limit:
        return
    if not _same_kind(a, b):
        out.append(Difference(path or "<root>", a, b))
    elif isinstance(a, dict):
        for key in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in b:
                out.append(Difference(sub, a[key], ABSENT))
            elif key not in a:
                out.append(Difference(sub, ABSENT, b[key]))
            else:
                _diff(a[key], b[key], sub, out, limit)
            if len(out) >= limit:
                return
    elif isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _diff(x, y, f"{path}[{i}]", out, limit)
        if len(a) != len(b) and len(out) < limit:
            out.append(Difference(f"{path}.length", len(a), len(b)))
    elif a != b:
        out.append(Difference(path or "<root>", a, b))
