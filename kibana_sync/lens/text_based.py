"""ES|QL (text-based) Lens state, the parts both compile and normalise need (reference-objects-es.md 6.2):
the query's index pattern, the ad-hoc data view Lens makes for it, and the canonical ids.

Layer ids, column ids and the ad-hoc data view's id are arbitrary (the editor draws uuids), so ``normalise``
renames them the way compile names them: the layer ``layer1``, a column by its ``fieldName``, the data view
by a hash of its index pattern. ``allColumns`` is the editor's cache of every column the query returned (Lens
refills it when the query runs), so it is set aside too.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from kibana_sync.lens.layers import LAYER_ID

ESQL_LAYER_REFERENCE_PREFIX = "textBasedLanguages-datasource-layer-"
_FROM = re.compile(r"^\s*from\s+(.+?)(?:\s+metadata\s+.*)?\s*(?:\||$)", re.IGNORECASE | re.DOTALL)


def text_based_layers(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    source = state.get("datasourceStates", {}).get("textBased", {})
    layers = source.get("layers", {}) if isinstance(source, dict) else {}
    return layers if isinstance(layers, dict) else {}


def index_pattern(esql: str) -> str:
    """The indices an ES|QL query reads (``FROM logs-*, metrics-*`` -> ``logs-*,metrics-*``): the title of
    the ad-hoc data view Lens makes for it."""
    match = _FROM.match(esql)
    if match is None:
        return ""
    return ",".join(part.strip() for part in match.group(1).split(",") if part.strip())


def ad_hoc_id(pattern: str) -> str:
    """A stable id for the ad-hoc data view of ``pattern`` (later Kibanas use the same sha256 of the pattern)."""
    return hashlib.sha256(pattern.encode("utf-8")).hexdigest()


def canonical_text_based_ids(state: dict[str, Any]) -> None:
    """Rename the ids of the one text-based layer (see the module doc); several layers are left as they are."""
    layers = text_based_layers(state)
    if len(layers) != 1:
        return
    (old_layer, layer), = layers.items()
    if not isinstance(layer, dict):
        return
    sources = state["datasourceStates"]
    if not sources.get("formBased", {}).get("layers"):
        sources.pop("formBased", None)  # the editor leaves an empty one behind; it holds nothing
    layer.pop("allColumns", None)
    columns = layer.get("columns", [])
    names = [c.get("fieldName") for c in columns if isinstance(c, dict)]
    rename: dict[str, str] = {old_layer: LAYER_ID}
    if len(names) == len(columns) and len(set(names)) == len(names) and all(isinstance(n, str) for n in names):
        rename.update({c["columnId"]: c["fieldName"] for c in columns if isinstance(c.get("columnId"), str)})
        for column in columns:
            column["columnId"] = column["fieldName"]
    state["datasourceStates"]["textBased"]["layers"] = {LAYER_ID: layer}
    old_index = layer.get("index")
    views = state.get("adHocDataViews") or {}
    view = views.get(old_index) if isinstance(old_index, str) else None
    if isinstance(view, dict) and isinstance(view.get("title"), str):
        new_index = ad_hoc_id(view["title"])
        layer["index"] = new_index
        views = {(new_index if k == old_index else k): v for k, v in views.items()}
        views[new_index] = {**view, "id": new_index}
        state["adHocDataViews"] = views
        for ref in state.get("internalReferences", []):
            if ref.get("id") == old_index:
                ref["id"] = new_index
    for ref in state.get("internalReferences", []):
        if ref.get("name") == ESQL_LAYER_REFERENCE_PREFIX + old_layer:
            ref["name"] = ESQL_LAYER_REFERENCE_PREFIX + LAYER_ID
    state["visualization"] = rename_strings(state.get("visualization") or {}, rename)


def rename_strings(value: Any, rename: dict[str, str]) -> Any:
    """``value`` with every string that is a key of ``rename`` replaced (ids inside nested state)."""
    if isinstance(value, str):
        return rename.get(value, value)
    if isinstance(value, list):
        return [rename_strings(v, rename) for v in value]
    if isinstance(value, dict):
        return {k: rename_strings(v, rename) for k, v in value.items()}
    return value
