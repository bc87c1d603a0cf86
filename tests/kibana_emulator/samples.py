"""Small, modern (8.11-shaped) saved objects and an import helper, for emulator and end-to-end tests."""

from __future__ import annotations

import json
from typing import Any

import httpx

CURRENT = {"coreMigrationVersion": "8.8.0"}


def data_view(id_: str, title: str = "logs-*", **versions: str) -> dict[str, Any]:
    return {"type": "index-pattern", "id": id_, "attributes": {"title": title, "timeFieldName": "@timestamp"},
            "references": [], **versions}


def lens_state(layer_id: str = "layer1") -> dict[str, Any]:
    """A formBased (8.6+) Lens state: the shape that crashes Kibana's 7.x Lens migrations."""
    return {"visualization": {"preferredSeriesType": "line", "layers": [{"layerId": layer_id}]},
            "query": {"query": "", "language": "kuery"}, "filters": [],
            "datasourceStates": {"formBased": {"layers": {layer_id: {"columns": {}, "columnOrder": []}}}}}


def lens(id_: str, data_view_id: str, **versions: str) -> dict[str, Any]:
    return {"type": "lens", "id": id_,
            "attributes": {"title": f"Lens {id_}", "visualizationType": "lnsXY", "state": lens_state()},
            "references": [{"type": "index-pattern", "id": data_view_id,
                            "name": "indexpattern-datasource-layer-layer1"}], **versions}


def dashboard(id_: str, data_view_id: str, **versions: str) -> dict[str, Any]:
    """A dashboard with one by-value Lens panel in formBased shape."""
    panel = {"type": "lens", "panelIndex": "p1", "gridData": {"x": 0, "y": 0, "w": 24, "h": 15, "i": "p1"},
             "embeddableConfig": {"attributes": {"title": "", "visualizationType": "lnsXY", "type": "lens",
                                                 "references": [], "state": lens_state()}}}
    return {"type": "dashboard", "id": id_,
            "attributes": {"title": f"Dashboard {id_}", "panelsJSON": json.dumps([panel]),
                           "optionsJSON": "{}", "timeRestore": False,
                           "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}},
            "references": [{"type": "index-pattern", "id": data_view_id,
                            "name": "p1:indexpattern-datasource-layer-layer1"}], **versions}


def tag(id_: str, name: str) -> dict[str, Any]:
    return {"type": "tag", "id": id_, "attributes": {"name": name, "description": "", "color": "#aabbcc"},
            "references": [], "typeMigrationVersion": "8.0.0"}


def ndjson(objects: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(o) for o in objects)


def import_objects(client: httpx.Client, objects: list[dict[str, Any]], space: str | None = None,
                   filename: str = "export.ndjson", **query: str) -> httpx.Response:
    prefix = f"/s/{space}" if space else ""
    return client.post(f"{prefix}/api/saved_objects/_import", params=query,
                       files={"file": (filename, ndjson(objects), "application/ndjson")})
