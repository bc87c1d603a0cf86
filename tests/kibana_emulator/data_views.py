"""Data views API (reference 7), read side plus create/delete, backed by the `index-pattern` saved objects.

There is no Elasticsearch behind the emulator, so field lists are always empty."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .errors import HttpError
from .migrations import MigrationGate
from .routing import Router
from .store import SavedObjectStore, StoredObject
from .validation import expect, reject_unknown_keys, require_object
from .wire import Request, Response, json_response

API_VERSION = {"elastic-api-version": "2023-10-31"}  # data views routes are versioned (reference 1.2)
SPEC_KEYS = ("title", "name", "id", "timeFieldName", "sourceFilters", "fieldFormats", "fieldAttrs",
             "runtimeFieldMap", "allowNoIndex", "namespaces", "type", "typeMeta", "fields", "version")
JSON_ATTRIBUTES = {"sourceFilters": "sourceFilters", "fieldFormats": "fieldFormatMap", "fieldAttrs": "fieldAttrs",
                   "runtimeFieldMap": "runtimeFieldMap", "typeMeta": "typeMeta"}


def _decoded(attributes: dict[str, Any], name: str, default: Any) -> Any:
    try:
        return json.loads(attributes[name]) if isinstance(attributes.get(name), str) else default
    except ValueError:
        return default


def to_spec(obj: StoredObject) -> dict[str, Any]:
    a = obj.attributes
    spec = {"id": obj.id, "version": obj.version, "title": a.get("title", ""), "timeFieldName": a.get("timeFieldName"),
            "sourceFilters": _decoded(a, "sourceFilters", []), "fields": {},
            "typeMeta": _decoded(a, "typeMeta", {}), "fieldFormats": _decoded(a, "fieldFormatMap", {}),
            "runtimeFieldMap": _decoded(a, "runtimeFieldMap", {}), "fieldAttrs": _decoded(a, "fieldAttrs", {}),
            "allowNoIndex": bool(a.get("allowNoIndex", False)), "name": a.get("name", ""),
            "namespaces": list(obj.namespaces)}
    return {k: v for k, v in spec.items() if v is not None}


class DataViewsApi:
    def __init__(self, store: SavedObjectStore, gate: MigrationGate, now: Callable[[], str],
                 new_id: Callable[[], str]) -> None:
        self._store, self._gate, self._now, self._new_id = store, gate, now, new_id

    def register(self, router: Router) -> None:
        router.add("GET", "/api/data_views", self.list)
        router.add("GET", "/api/data_views/data_view/{id}", self.get)
        router.add("POST", "/api/data_views/data_view", self.create)
        router.add("DELETE", "/api/data_views/data_view/{id}", self.delete)

    def list(self, request: Request) -> Response:
        found = self._store.in_spaces([request.space], ["index-pattern"])
        views = [{"id": o.id, "namespaces": list(o.namespaces), "title": o.attributes.get("title", ""),
                  **({"name": o.attributes["name"]} if o.attributes.get("name") else {})} for o in found]
        return json_response({"data_view": views}, headers=API_VERSION)

    def get(self, request: Request) -> Response:
        return json_response({"data_view": to_spec(self._existing(request))}, headers=API_VERSION)

    def delete(self, request: Request) -> Response:
        self._store.remove("index-pattern", self._existing(request).id)
        return Response(200, b"", API_VERSION)

    def create(self, request: Request) -> Response:
        body = require_object(request.json())
        reject_unknown_keys(body, ("data_view", "override", "refresh_fields"), "request body")
        spec = require_object(body.get("data_view"), "request body.data_view")
        reject_unknown_keys(spec, SPEC_KEYS, "request body.data_view")
        title = expect(spec.get("title"), "string", "request body.data_view.title")
        view_id = spec.get("id") or self._new_id()
        in_space = self._store.in_spaces([request.space], ["index-pattern"])
        if not body.get("override") and any(o.attributes.get("title") == title for o in in_space):
            raise HttpError(400, f"Duplicate data view: {title}")  # message uncertain in the reference
        if self._store.find_any_space("index-pattern", view_id) and not body.get("override"):
            raise HttpError(409, f"Saved object [index-pattern/{view_id}] conflict")
        attributes: dict[str, Any] = {"title": title, "fields": "[]"}
        for key in ("name", "timeFieldName", "allowNoIndex", "type"):
            if spec.get(key) is not None:
                attributes[key] = spec[key]
        for key, attribute in JSON_ATTRIBUTES.items():
            if spec.get(key) is not None:
                attributes[attribute] = json.dumps(spec[key], separators=(",", ":"))
        migrated = self._gate.migrate({"type": "index-pattern", "id": view_id, "attributes": attributes},
                                      missing_version=None)
        now = self._now()
        stored = self._store.save(StoredObject(
            type="index-pattern", id=view_id, attributes=migrated.attributes, references=[],
            namespaces=list(spec.get("namespaces") or [request.space]),
            core_migration_version=migrated.core_migration_version,
            type_migration_version=migrated.type_migration_version, created_at=now, updated_at=now))
        return json_response({"data_view": to_spec(stored)}, headers=API_VERSION)

    def _existing(self, request: Request) -> StoredObject:
        obj = self._store.get("index-pattern", request.params["id"], request.space)
        if obj is None:
            raise HttpError(404, f"Saved object [index-pattern/{request.params['id']}] not found")
        return obj
