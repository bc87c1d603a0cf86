"""Per-space ids, so one repo can be pushed into several Kibana spaces.

In Kibana 8 the ids of saved objects, rules and connectors are global across spaces (reference 1.1, 2.1):
importing an id that another space already uses makes Kibana store a copy under a random id, which kibana-sync
could then never find again. ``--id-suffix`` gives every object the repo manages its own id in this space
(``genesis-logs`` -> ``genesis-logs-staging``) and rewrites the references between them; references to
objects the repo does not manage (``{external: ...}``) keep their ids.
"""

from __future__ import annotations

from typing import Any

from kibana_sync.kibana.ownership import with_marker_suffix
from kibana_sync.project.build import Build


def with_id_suffix(build: Build, suffix: str) -> Build:
    if not suffix:
        return build
    saved_ids = {o["id"] for o in build.saved_objects}
    connector_ids = set(build.connectors)
    suffixed = Build(adopt={i + suffix for i in build.adopt})
    for store, objects in build.objects.items():
        for (_, id_), body in objects.items():
            if store == "saved_objects":
                suffixed.add(store, id_ + suffix, _suffixed_saved_object(body, saved_ids, suffix))
            elif store == "rules":
                suffixed.add(store, id_ + suffix, _suffixed_rule(body, saved_ids, connector_ids, suffix))
            elif store == "connectors":
                suffixed.add(store, id_ + suffix, body)
            else:
                # Spaces hold the suffixed objects and Elasticsearch objects are cluster-wide
                # (kinds/es_objects.py): neither is one of the per-space objects, so their names stay.
                suffixed.add(store, id_, body)
    return suffixed


def _suffixed_saved_object(obj: dict[str, Any], managed: set[str], suffix: str) -> dict[str, Any]:
    refs = [{**r, "id": r["id"] + suffix} if r["id"] in managed else r for r in obj.get("references", [])]
    return {**obj, "id": obj["id"] + suffix, "references": refs}


def _suffixed_rule(body: dict[str, Any], saved_ids: set[str], connector_ids: set[str],
                   suffix: str) -> dict[str, Any]:
    actions = [{**a, "id": a["id"] + suffix} if a.get("id") in connector_ids else a for a in body.get("actions", [])]
    out = {**body, "actions": actions}
    if "tags" in body:
        out["tags"] = with_marker_suffix(body["tags"], suffix)
    # A search-source rule names its data view by id inside params (reference 5.5).
    search = (body.get("params") or {}).get("searchConfiguration")
    if isinstance(search, dict) and search.get("index") in saved_ids:
        out["params"] = {**body["params"], "searchConfiguration": {**search, "index": search["index"] + suffix}}
    return out
