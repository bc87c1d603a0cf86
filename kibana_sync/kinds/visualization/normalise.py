"""The comparable form of a ``visualization`` saved object, for ``diff`` and the round-trip tests: embedded JSON
decoded and what Kibana assumes for an absent value filled in, so that absent and default compare equal."""

from __future__ import annotations

import copy
from typing import Any

from kibana_sync.kibana.format import loads_embedded, reference_order, strip_server_fields
from kibana_sync.kinds.visualization.params import full_params
from kibana_sync.query.filters import normalise_filter

_DEFAULT_QUERY = {"query": "", "language": "kuery"}


def normalise_visualization(obj: dict[str, Any]) -> dict[str, Any]:
    out = strip_server_fields(obj)
    attrs = copy.deepcopy(out.get("attributes", {}))
    # description and version: what the 8.x editor writes for an object saved without them (1.1).
    attrs = {"description": "", "version": 1, **attrs}
    ui_state = loads_embedded(attrs.get("uiStateJSON", "{}"))
    attrs["uiStateJSON"] = ui_state
    vis_state = loads_embedded(attrs.get("visState"))
    if isinstance(vis_state, dict):
        # visState.title repeats attributes.title, which is what Kibana shows (1.1); params get the type's
        # defaults, as Kibana merges them on load (1.3, 1.4). Aggs keep their order: the editor lists them so.
        vis_state = {"title": attrs.get("title"), "aggs": [], "params": {}, **vis_state}
        if isinstance(vis_state.get("params"), dict) and isinstance(vis_state.get("type"), str):
            vis_state["params"] = full_params(vis_state["type"], vis_state["params"])
        attrs["visState"] = vis_state
    meta = attrs.get("kibanaSavedObjectMeta", {"searchSourceJSON": "{}"})
    if isinstance(meta, dict) and "searchSourceJSON" in meta:
        source = loads_embedded(meta["searchSourceJSON"])
        if isinstance(source, dict):
            source = {"query": dict(_DEFAULT_QUERY), "filter": [], **source}
            if isinstance(source["filter"], list):
                source["filter"] = [normalise_filter(f) for f in source["filter"]]
        attrs["kibanaSavedObjectMeta"] = {**meta, "searchSourceJSON": source}
    refs = sorted(out.get("references", []), key=reference_order)
    return {**out, "attributes": attrs, "references": refs}
