"""The comparable form of Lens attributes, used by ``diff`` and the round-trip tests on both sides.

Three steps: apply the Lens migrations Kibana 8.11 runs on import (only those whose input shape is recognisable
from the attributes alone), fill in or drop what Kibana treats as the default, and rename layers and columns to
canonical ids (``layer1``; ``col1``, ``col2``... in columnOrder order), because ids carry no meaning.

The input is never changed, and the output shares with it whatever normalising leaves as it was (queries, filters,
references, nested params): both are to be read, not changed. Export normalises each chart twice (as stored and as
compiled back), and deep copies were the larger part of that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kibana_sync.kibana.format import reference_order
from kibana_sync.lens.formula import EMPTY_AS_NULL_OPERATIONS, RECORDS_FIELD
from kibana_sync.lens.layers import LAYER_REFERENCE_PREFIX, column_id
from kibana_sync.lens.text_based import canonical_text_based_ids, rename_strings
from kibana_sync.source.json_data import copy_json

CURRENT_DATA_VIEW_REFERENCE = "indexpattern-datasource-current-indexpattern"
_XY_DEFAULTS: dict[str, Any] = {
    "valueLabels": "hide", "fittingFunction": "None",
    "axisTitlesVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
    "tickLabelsVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
    "labelsOrientation": {"x": 0, "yLeft": 0, "yRight": 0},
    "gridlinesVisibilitySettings": {"x": True, "yLeft": True, "yRight": True},
}
_TERMS_DEFAULTS: dict[str, Any] = {"parentFormat": {"id": "terms"}, "include": [], "exclude": [],
                                   "includeIsRegex": False, "excludeIsRegex": False, "otherBucket": False,
                                   "missingBucket": False}
_LEGACY_METRIC_DEFAULTS = {"textAlign": "center", "titlePosition": "bottom", "size": "xl"}


def normalise_lens(attributes: dict[str, Any]) -> dict[str, Any]:
    try:
        return _normalised(attributes)
    except (LookupError, TypeError, AttributeError):  # not the shape Lens writes: compare it as it is
        return copy_json(attributes)


# The id mapping of the last few states normalised: export reads the stored chart's ids (stored_with_canonical_ids)
# right after normalising it, and working the mapping out again meant a second copy plus migrations of the chart.
# Keyed by the id of the state as given, the state kept alive with it so that the id cannot be reused meanwhile.
_RECORDED_MAPPINGS: dict[int, tuple[Any, str, dict[str, str] | None]] = {}
_RECORDED_LIMIT = 16


def _normalised(attributes: dict[str, Any]) -> dict[str, Any]:
    out = _writable(attributes)
    out.setdefault("title", "")
    out.setdefault("description", "")
    out.setdefault("type", "lens")
    state = out.setdefault("state", {})
    if not isinstance(state, dict):
        return out
    was_indexpattern = _migrate(out, state)
    _defaults(out, state, was_indexpattern)
    rename = _id_mapping(state)
    _record_mapping(attributes, rename)
    if rename is not None:
        out = _renamed(out, state, rename)
    canonical_text_based_ids(out["state"])
    return out


def _writable(attributes: dict[str, Any]) -> dict[str, Any]:
    """``attributes`` with new copies of exactly the containers the steps below change (the attributes, the state,
    the datasources, their layers, columns and column params, the visualization and its layers and columns);
    everything else is shared. The text-based id renaming changes more, so such a chart is copied whole."""
    state = attributes.get("state")
    sources = state.get("datasourceStates") if state.__class__ is dict else None
    if sources.__class__ is dict and (sources.get("textBased") or {}).get("layers"):
        return copy_json(attributes)
    out = dict(attributes)
    if state.__class__ is not dict:
        return out
    state = out["state"] = dict(state)
    if sources.__class__ is dict:
        state["datasourceStates"] = {name: _writable_source(source) for name, source in sources.items()}
    visualization = state.get("visualization")
    if visualization.__class__ is dict:
        visualization = state["visualization"] = dict(visualization)
        for key in ("layers", "columns"):
            items = visualization.get(key)
            if items.__class__ is list:
                visualization[key] = [dict(item) if item.__class__ is dict else item for item in items]
    return out


def _writable_source(source: Any) -> Any:
    return _with_writable_children(source, "layers", _writable_layer)


def _writable_layer(layer: Any) -> Any:
    return _with_writable_children(layer, "columns", _writable_column)


def _writable_column(column: Any) -> Any:
    return _with_writable_children(column, "params", None)


def _with_writable_children(container: Any, key: str, writable: Callable[[Any], Any] | None) -> Any:
    """A copy of ``container`` whose mapping under ``key`` is copied too, each value through ``writable`` (or, when
    that is None, the mapping alone); anything that is not a dict is left as it is."""
    if container.__class__ is not dict:
        return container
    container = dict(container)
    children = container.get(key)
    if children.__class__ is dict:
        container[key] = dict(children) if writable is None else {name: writable(child)
                                                                 for name, child in children.items()}
    return container


def _record_mapping(attributes: dict[str, Any], rename: dict[str, str] | None) -> None:
    given_state, vis_type = attributes.get("state"), attributes.get("visualizationType")
    if given_state.__class__ is not dict or vis_type.__class__ is not str:
        return
    if len(_RECORDED_MAPPINGS) >= _RECORDED_LIMIT:
        del _RECORDED_MAPPINGS[next(iter(_RECORDED_MAPPINGS))]
    _RECORDED_MAPPINGS[id(given_state)] = (given_state, vis_type, rename)


def formbased_layers(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return state.get("datasourceStates", {}).get("formBased", {}).get("layers", {})


def _migrate(attributes: dict[str, Any], state: dict[str, Any]) -> bool:
    """Kibana's Lens migrations 8.1-8.6 that apply to what is there; True when the panel predates 8.6."""
    sources = state.setdefault("datasourceStates", {})
    was_indexpattern = _predates_formbased(state)
    if was_indexpattern:  # 8.6.0: the datasource was renamed
        sources["formBased"] = sources.pop("indexpattern")
    vis_type = attributes.get("visualizationType")
    visualization = state.get("visualization") or {}
    if vis_type == "lnsMetric" and "accessor" in visualization:  # 8.5.0: metric ids renamed
        attributes["visualizationType"] = vis_type = "lnsLegacyMetric"
        for key, value in _LEGACY_METRIC_DEFAULTS.items():  # 8.3.0 locked the old defaults
            visualization.setdefault(key, value)
    elif vis_type == "lnsMetricNew":
        attributes["visualizationType"] = vis_type = "lnsMetric"
    if "layerId" in visualization:  # 7.15.0 commonUpdateVisLayerType: every layer then was a data layer
        visualization.setdefault("layerType", "data")
    for layer in visualization.get("layers", []):
        if isinstance(layer, dict):
            layer.setdefault("layerType", "data")
    if vis_type == "lnsPie":
        for layer in visualization.get("layers", []):
            _migrate_pie_layer(layer, visualization.get("shape"))
    if vis_type == "lnsXY" and visualization.get("valueLabels") not in (None, "hide", "show"):
        visualization["valueLabels"] = "show"  # 8.3.0
    for layer in formbased_layers(state).values():
        for column in layer.get("columns", {}).values():
            operation = column.get("operationType")
            params = column.get("params") or {}
            if operation == "count":
                column["sourceField"] = RECORDS_FIELD  # 8.1.0
            elif operation == "last_value" and not isinstance(params.get("showArrayValues"), bool):
                column.setdefault("params", {})["showArrayValues"] = True  # 8.2.0
            elif operation == "date_histogram" and was_indexpattern:
                column.setdefault("params", {}).setdefault("includeEmptyRows", True)  # 8.2.0
    return was_indexpattern


def _predates_formbased(state: dict[str, Any]) -> bool:
    sources = state.get("datasourceStates") or {}
    return bool((sources.get("indexpattern") or {}).get("layers")) and not (sources.get("formBased") or {}).get("layers")


def _migrate_pie_layer(layer: dict[str, Any], shape: str | None) -> None:
    if "groups" in layer:  # 8.5.0
        groups = layer.pop("groups")
        if shape == "mosaic":
            layer["primaryGroups"], layer["secondaryGroups"] = groups[:1], groups[1:]
        else:
            layer["primaryGroups"] = groups
    if "metric" in layer:  # 8.6.0
        metric = layer.pop("metric")
        layer["metrics"] = [metric] if metric is not None else []


def _defaults(attributes: dict[str, Any], state: dict[str, Any], was_indexpattern: bool) -> None:
    """Make "missing" and "the default Kibana assumes" the same, in the direction of the 8.11 editor."""
    attributes["references"] = sorted(
        (r for r in attributes.get("references", []) if r.get("name") != CURRENT_DATA_VIEW_REFERENCE),
        key=reference_order)
    state.setdefault("query", {"query": "", "language": "kuery"})
    state.setdefault("filters", [])
    for key, empty in (("internalReferences", []), ("adHocDataViews", {})):
        if state.get(key, empty) == empty:
            state.pop(key, None)
    sources = state["datasourceStates"]
    for name in list(sources):
        source = sources[name]
        if name != "formBased" and not source.get("layers"):
            del sources[name]
        else:
            source.pop("currentIndexPatternId", None)
    for layer in formbased_layers(state).values():
        _layer_defaults(layer)
    visualization = state.get("visualization") or {}
    if attributes.get("visualizationType") == "lnsXY":
        for key, value in _XY_DEFAULTS.items():
            if key not in visualization:
                visualization[key] = copy_json(value)
        for layer in visualization.get("layers", []):
            # Leftovers of the 7.x editor that 8.x neither reads nor shows.
            layer.pop("position", None)
            layer.pop("showGridlines", None)
    if attributes.get("visualizationType") == "lnsDatatable":
        for column in visualization.get("columns", []):
            if isinstance(column, dict):
                column.setdefault("isTransposed", False)  # the datatable reads a missing flag as false
    if attributes.get("visualizationType") == "lnsPie":
        for layer in visualization.get("layers", []):
            if not layer.get("secondaryGroups"):
                layer.pop("secondaryGroups", None)


def _layer_defaults(layer: dict[str, Any]) -> None:
    layer.pop("indexPatternId", None)  # re-injected from the references on load
    _helpers_after_their_formula(layer)
    for key, default in (("incompleteColumns", {}), ("sampling", 1), ("ignoreGlobalFilters", False),
                         ("linkToLayers", [])):
        if layer.get(key, default) == default:
            layer.pop(key, None)
    for column in layer.get("columns", {}).values():
        if column.get("customLabel") is False:
            del column["customLabel"]
        params = column.setdefault("params", {})
        operation = column.get("operationType")
        column.setdefault("scale", _default_scale(column))
        if operation == "terms":
            for key, value in _TERMS_DEFAULTS.items():
                if key not in params:
                    params[key] = copy_json(value)
            if params.get("secondaryFields") == []:
                del params["secondaryFields"]
            if params.get("accuracyMode") is False:
                del params["accuracyMode"]
        elif operation in EMPTY_AS_NULL_OPERATIONS:
            params.setdefault("emptyAsNull", False)  # what Kibana assumes when the key is missing
        elif operation == "date_histogram":
            params.setdefault("includeEmptyRows", False)
            params.setdefault("dropPartials", False)
        elif operation == "range":
            params.setdefault("includeEmptyRows", False)
        if not params:
            column.pop("params", None)


def _helpers_after_their_formula(layer: dict[str, Any]) -> None:
    """Kibana versions place a formula's helper columns differently in columnOrder; their place carries no
    meaning (only buckets nest), so they go right after their formula."""
    columns = layer.get("columns", {})
    order = layer.get("columnOrder", [])
    for formula in [c for c in order if columns.get(c, {}).get("operationType") == "formula"]:
        helpers = sorted((c for c in order if c != formula and c.startswith(formula + "X")),
                         key=lambda c: (len(c), c))
        rest = [c for c in order if c not in helpers]
        at = rest.index(formula) + 1
        order = [*rest[:at], *helpers, *rest[at:]]
    layer["columnOrder"] = order


def _default_scale(column: dict[str, Any]) -> str:
    operation = column.get("operationType")
    if operation == "date_histogram" or operation == "range" and column.get("params", {}).get("type") != "range":
        return "interval"
    return "ordinal" if column.get("isBucketed") else "ratio"


def _id_mapping(state: dict[str, Any]) -> dict[str, str] | None:
    """Old layer and column id -> canonical id, or None when ids are to stay as they are."""
    layers = formbased_layers(state)
    if not layers:
        return None
    visualization = state.get("visualization") or {}
    layer_order = [layer.get("layerId") for layer in visualization.get("layers", [])]
    layer_order.append(visualization.get("layerId"))
    ordered = [id_ for id_ in dict.fromkeys(layer_order) if id_ in layers]
    ordered += [id_ for id_ in layers if id_ not in ordered]
    rename: dict[str, str] = {}
    number = 0
    for index, layer_id in enumerate(ordered, start=1):
        rename[layer_id] = f"layer{index}"
        names, number = _column_names(layers[layer_id], number)
        for old, new in names.items():
            if old in rename and rename[old] != new:
                return None  # the same id in two layers: leave ids as they are rather than guess
            rename[old] = new
    return rename


def _renamed(attributes: dict[str, Any], state: dict[str, Any], rename: dict[str, str]) -> dict[str, Any]:
    """``attributes`` (whose state is ``state``) with ``rename`` applied to layer and column ids. Copy on write:
    containers an id is written into are new, the rest is shared with ``attributes``, which stays as it was (so
    the stored chart need not be copied to read its canonical form)."""
    layers = formbased_layers(state)
    visualization = state.get("visualization") or {}
    layer_order = [layer.get("layerId") for layer in visualization.get("layers", [])]
    layer_order.append(visualization.get("layerId"))
    ordered = [id_ for id_ in dict.fromkeys(layer_order) if id_ in layers]
    ordered += [id_ for id_ in layers if id_ not in ordered]
    if list(layers) == ordered and all(old == new for old, new in rename.items()):
        # Ids already canonical (compiled charts, charts exported by this tool): only the references' order.
        return {**attributes, "references": sorted(attributes.get("references", []), key=reference_order)}
    new_layers = {}
    for layer_id in ordered:
        layer = layers[layer_id]
        columns = {rename.get(k, k): _renamed_column(c, rename) for k, c in layer["columns"].items()}
        new_layers[rename.get(layer_id, layer_id)] = {
            **layer, "columns": columns, "columnOrder": [rename.get(c, c) for c in layer.get("columnOrder", [])]}
    sources = state["datasourceStates"]
    new_sources = {**sources, "formBased": {**sources["formBased"], "layers": new_layers}}
    new_state = {**state, "datasourceStates": new_sources, "visualization": rename_strings(visualization, rename)}
    references = []
    for reference in attributes.get("references", []):
        name = reference.get("name", "")
        if name.startswith(LAYER_REFERENCE_PREFIX) and name[len(LAYER_REFERENCE_PREFIX):] in rename:
            reference = {**reference, "name": LAYER_REFERENCE_PREFIX + rename[name[len(LAYER_REFERENCE_PREFIX):]]}
        references.append(reference)
    references.sort(key=reference_order)
    return {**attributes, "state": new_state, "references": references}


def stored_with_canonical_ids(attributes: dict[str, Any]) -> dict[str, Any] | None:
    """Stored formBased Lens attributes as Kibana 8.11 holds them after import (the migrations
    ``normalise_lens`` applies), with the ids ``normalise_lens`` gives and nothing else changed; None when that
    is not possible. What did not change is shared with ``attributes``: read the result, do not change it."""
    try:
        out, state = attributes, attributes["state"]
        if _predates_formbased(state):
            # Kibana ran the older migrations when it imported this state; a formBased state was written by an
            # 8.6+ editor or already migrated, and Kibana keeps it as it is (no showArrayValues filled in...)
            out = _writable(attributes)
            state = out["state"]
            _migrate(out, state)
        recorded = _RECORDED_MAPPINGS.get(id(attributes["state"]))
        if recorded is not None and recorded[0] is attributes["state"] \
                and recorded[1] == attributes.get("visualizationType"):
            # normalise_lens worked the mapping out from this very state and visualization type (migrations
            # and defaults read nothing else but the references, whose sort can fail on its own: done here).
            sorted((r for r in out.get("references", []) if r.get("name") != CURRENT_DATA_VIEW_REFERENCE),
                   key=reference_order)
            rename = recorded[2]
        else:
            normal = _writable(out)
            normal_state = normal["state"]
            was_indexpattern = _migrate(normal, normal_state)
            _defaults(normal, normal_state, was_indexpattern)
            rename = _id_mapping(normal_state)
        if rename is None or not isinstance(out.get("references", []), list):
            return None
        return _renamed(out, state, rename)
    except (LookupError, TypeError, AttributeError):
        return None


def _column_names(layer: dict[str, Any], number: int) -> tuple[dict[str, str], int]:
    """col<n> in columnOrder order, numbering on from ``number`` (ids stay unique across layers); a formula's
    helper columns (``<formula id>X<i>``) keep their suffix. Returns the names and the last number used."""
    columns = layer.get("columns", {})
    order = [c for c in layer.get("columnOrder", []) if c in columns]
    order += sorted(c for c in columns if c not in order)
    formulas = [c for c in order if columns[c].get("operationType") == "formula"]
    names: dict[str, str] = {}
    for old in order:
        parent = next((f for f in formulas if old != f and old.startswith(f + "X")), None)
        if parent is None:
            number += 1
            names[old] = column_id(number)
    for old in order:
        parent = next((f for f in formulas if old != f and old.startswith(f + "X")), None)
        if parent is not None:
            names[old] = names[parent] + old[len(parent):]
    return names, number


def _renamed_column(column: dict[str, Any], rename: dict[str, str]) -> dict[str, Any]:
    out = dict(column)
    if "references" in column:
        out["references"] = [rename.get(r, r) for r in column["references"]]
    params = column.get("params", {})
    new_params = None
    if "tinymathAst" in params:
        new_params = {**params, "tinymathAst": rename_strings(params["tinymathAst"], rename)}
    order_by = params.get("orderBy")
    if isinstance(order_by, dict) and "columnId" in order_by:
        new_params = {**(params if new_params is None else new_params),
                      "orderBy": {**order_by, "columnId": rename.get(order_by["columnId"], order_by["columnId"])}}
    if new_params is not None:
        out["params"] = new_params
    return out
