"""Saved-objects HTTP routes (reference 2.3-2.7): import/export/find plus the deprecated CRUD and bulk routes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .config import EmulatorConfig
from .errors import HttpError, conflict_object, not_found_object, object_error
from .migrations import MigrationGate
from .multipart import parse_form
from .routing import Router
from .so_export import SavedObjectExporter
from .so_find import find
from .so_import import ImportOptions, SavedObjectImporter, check_file_name, parse_ndjson
from .so_types import TYPES
from .so_validation import attribute_error, bulk_mapping_failure, mapping_error, single_mapping_failure
from .store import SavedObjectStore, StoredObject
from .validation import expect, invalid, js_type, query_bool, reject_unknown_keys, require_object
from .wire import Request, Response, json_response

BASE = "/api/saved_objects"
CREATE_KEYS = ("attributes", "references", "initialNamespaces", "migrationVersion", "coreMigrationVersion",
               "typeMigrationVersion", "managed")
BULK_CREATE_KEYS = ("type", "id", "version", *CREATE_KEYS)
UPDATE_KEYS = ("attributes", "version", "references", "upsert")


def unsupported_type(type_: str) -> HttpError:
    return HttpError(400, f"Unsupported saved object type: '{type_}': Bad Request")


class SavedObjectsApi:
    def __init__(self, store: SavedObjectStore, config: EmulatorConfig, now: Callable[[], str],
                 new_id: Callable[[], str]) -> None:
        self._store, self._config, self._now, self._new_id = store, config, now, new_id
        self._gate = MigrationGate(config)
        self._importer = SavedObjectImporter(store, self._gate, config, now, new_id)
        self._exporter = SavedObjectExporter(store, config)

    def register(self, router: Router) -> None:
        router.add("POST", f"{BASE}/_import", self.import_objects)
        router.add("POST", f"{BASE}/_export", self.export_objects)
        router.add("GET", f"{BASE}/_find", lambda r: json_response(find(self._store, r)))
        router.add("POST", f"{BASE}/_bulk_get", self.bulk_get)
        router.add("POST", f"{BASE}/_bulk_create", self.bulk_create)
        router.add("PUT", f"{BASE}/_bulk_update", self.bulk_update)
        router.add("POST", f"{BASE}/_bulk_delete", self.bulk_delete)
        router.add("GET", f"{BASE}/resolve/{{type}}/{{id}}", self.resolve)
        router.add("GET", f"{BASE}/{{type}}/{{id}}", self.get)
        router.add("POST", f"{BASE}/{{type}}/{{id?}}", self.create)
        router.add("PUT", f"{BASE}/{{type}}/{{id}}", self.update)
        router.add("DELETE", f"{BASE}/{{type}}/{{id}}", self.delete)

    # --- import / export ------------------------------------------------------------------------------------

    def import_objects(self, request: Request) -> Response:
        overwrite = query_bool(request, "overwrite")
        new_copies = query_bool(request, "createNewCopies")
        compatibility = query_bool(request, "compatibilityMode")
        if overwrite and new_copies:
            raise invalid("request query", "cannot use [overwrite] with [createNewCopies]")
        if new_copies and compatibility:
            raise invalid("request query", "cannot use [createNewCopies] with [compatibilityMode]")
        limit = self._config.max_import_payload_bytes
        if len(request.body) > limit:
            raise HttpError(413, f"Payload content length greater than maximum allowed: {limit}")
        form = parse_form(request.headers.get("content-type", ""), request.body)
        file = form.get("file")
        if file is None:
            raise invalid("request body.file", "expected value of type [Stream] but got [undefined]")
        check_file_name(file.filename)
        result = self._importer.run(parse_ndjson(file.content), request.space,
                                    ImportOptions(overwrite=overwrite, create_new_copies=new_copies))
        return json_response(result)

    def export_objects(self, request: Request) -> Response:
        text = self._exporter.run(request.json(), request.space)
        return Response(200, text.encode(), {"content-type": "application/ndjson",
                                             "content-disposition": 'attachment; filename="export.ndjson"'})

    # --- single-object routes -------------------------------------------------------------------------------

    def get(self, request: Request) -> Response:
        return json_response(self._visible(request).to_api())

    def resolve(self, request: Request) -> Response:
        """Legacy URL aliases are not modelled, so a found object is always an exact match."""
        return json_response({"saved_object": self._visible(request).to_api(), "outcome": "exactMatch"})

    def _visible(self, request: Request) -> StoredObject:
        type_, id_ = request.params["type"], request.params["id"]
        obj = self._store.get(type_, id_, request.space) if type_ in TYPES else None
        if obj is None:
            raise not_found_object(type_, id_)
        return obj

    def create(self, request: Request) -> Response:
        type_ = request.params["type"]
        body = require_object(request.json())
        reject_unknown_keys(body, CREATE_KEYS, "request body")
        expect(body.get("attributes"), "object", "request body.attributes")
        if type_ not in TYPES:
            raise unsupported_type(type_)
        doc = {**body, "type": type_, "id": request.params.get("id") or self._new_id()}
        obj = self._create_one(doc, request.space, query_bool(request, "overwrite"), bulk=False)
        if isinstance(obj, HttpError):
            raise obj
        return json_response(obj.to_api())

    def update(self, request: Request) -> Response:
        type_, id_ = request.params["type"], request.params["id"]
        body = require_object(request.json())
        reject_unknown_keys(body, UPDATE_KEYS, "request body")
        attributes = expect(body.get("attributes"), "object", "request body.attributes")
        existing = self._store.get(type_, id_, request.space) if type_ in TYPES else None
        if existing is None:
            if body.get("upsert") is None:
                raise not_found_object(type_, id_)
            obj = self._create_one({"type": type_, "id": id_, "attributes": body["upsert"],
                                    "references": body.get("references", [])}, request.space, False, bulk=False)
            if isinstance(obj, HttpError):
                raise obj
        else:
            if body.get("version") is not None and body["version"] != existing.version:
                raise conflict_object(type_, id_)
            merged = {**existing.attributes, **attributes}  # 8.10+: shallow top-level merge
            message = attribute_error(type_, merged)
            if message:
                raise HttpError(400, message)
            reason = mapping_error(type_, merged)
            if reason:
                raise HttpError(400, single_mapping_failure(reason))
            existing.attributes = merged
            if body.get("references") is not None:
                existing.references = body["references"]
            existing.updated_at = self._now()
            obj = self._store.save(existing)
        partial = {"id": obj.id, "type": obj.type, "updated_at": obj.updated_at, "version": obj.version,
                   "namespaces": list(obj.namespaces), "references": list(obj.references),
                   "attributes": attributes}
        return json_response(partial)

    def delete(self, request: Request) -> Response:
        type_, id_ = request.params["type"], request.params["id"]
        error = self._delete_one(type_, id_, request.space, query_bool(request, "force"))
        if error is not None:
            raise error
        return json_response({})

    # --- bulk routes ----------------------------------------------------------------------------------------

    def bulk_get(self, request: Request) -> Response:
        items = _array_body(request)
        results = []
        for index, item in enumerate(items):
            reject_unknown_keys(require_object(item, f"request body.{index}"), ("type", "id", "fields", "namespaces"),
                                f"request body.{index}")
            type_, id_ = item.get("type"), item.get("id")
            if type_ not in TYPES:
                results.append({"id": id_, "type": type_, "error": unsupported_type(type_).payload()})
                continue
            spaces = item.get("namespaces") or [request.space]
            obj = next((o for s in spaces if (o := self._store.get(type_, id_, s)) is not None), None)
            if obj is None:
                results.append({"id": id_, "type": type_,
                                "error": object_error(404, f"Saved object [{type_}/{id_}] not found")})
            else:
                results.append(obj.to_api(item.get("fields")))
        return json_response({"saved_objects": results})

    def bulk_create(self, request: Request) -> Response:
        items = _array_body(request)
        overwrite = query_bool(request, "overwrite")
        docs = []
        for index, item in enumerate(items):
            path = f"request body.{index}"
            reject_unknown_keys(require_object(item, path), BULK_CREATE_KEYS, path)
            expect(item.get("type"), "string", f"{path}.type")
            expect(item.get("attributes"), "object", f"{path}.attributes")
            docs.append({**item, "id": item.get("id") or self._new_id()})
        for doc in docs:  # the migrator runs over all documents first: one 422 fails the request
            if doc["type"] in TYPES:
                self._gate.migrate(doc, missing_version=None)
        results = []
        for doc in docs:
            outcome = (self._create_one(doc, request.space, overwrite) if doc["type"] in TYPES
                       else unsupported_type(doc["type"]))
            if isinstance(outcome, dict):
                results.append({"id": doc["id"], "type": doc["type"], "error": outcome})
            elif isinstance(outcome, HttpError):
                results.append({"id": doc["id"], "type": doc["type"], "error": outcome.payload()})
            else:
                results.append(outcome.to_api())
        return json_response({"saved_objects": results})

    def bulk_update(self, request: Request) -> Response:
        """8.11's bulk_update is an ES partial update: nested objects are deep-merged (reference 2.7)."""
        results = []
        for index, item in enumerate(_array_body(request)):
            path = f"request body.{index}"
            reject_unknown_keys(require_object(item, path),
                                ("type", "id", "attributes", "version", "references", "namespace"), path)
            type_, id_ = item.get("type"), item.get("id")
            existing = self._store.get(type_, id_, item.get("namespace") or request.space) \
                if type_ in TYPES else None
            if existing is None:
                results.append({"id": id_, "type": type_,
                                "error": object_error(404, f"Saved object [{type_}/{id_}] not found")})
                continue
            if item.get("version") is not None and item["version"] != existing.version:
                results.append({"id": id_, "type": type_,
                                "error": object_error(409, f"Saved object [{type_}/{id_}] conflict")})
                continue
            merged = _deep_merge(existing.attributes, item.get("attributes") or {})
            reason = mapping_error(type_, merged)
            if reason:  # the ES partial update fails that item (`getBulkOperationError`)
                results.append({"id": id_, "type": type_, "error": bulk_mapping_failure(reason)})
                continue
            existing.attributes = merged
            if item.get("references") is not None:
                existing.references = item["references"]
            existing.updated_at = self._now()
            self._store.save(existing)
            results.append({"id": id_, "type": type_, "updated_at": existing.updated_at,
                            "version": existing.version, "namespaces": list(existing.namespaces),
                            "references": list(existing.references), "attributes": item.get("attributes") or {}})
        return json_response({"saved_objects": results})

    def bulk_delete(self, request: Request) -> Response:
        force = query_bool(request, "force")
        statuses = []
        for index, item in enumerate(_array_body(request)):
            reject_unknown_keys(require_object(item, f"request body.{index}"), ("type", "id"), f"request body.{index}")
            type_, id_ = item.get("type"), item.get("id")
            error = self._delete_one(type_, id_, request.space, force, bulk=True)
            status: dict[str, Any] = {"success": error is None, "id": id_, "type": type_}
            if error is not None:
                status["error"] = error.payload()
            statuses.append(status)
        return json_response({"statuses": statuses})

    # --- shared write paths ---------------------------------------------------------------------------------

    def _create_one(self, doc: dict[str, Any], space: str, overwrite: bool,
                    bulk: bool = True) -> StoredObject | HttpError | dict[str, Any]:
        """The stored object, or the error: an HttpError, or (bulk only) a raw per-item error payload."""
        type_, id_ = doc["type"], doc["id"]
        existing = self._store.find_any_space(type_, id_)
        if existing is not None and (not overwrite or space not in existing.namespaces):
            return conflict_object(type_, id_)
        migrated = self._gate.migrate(doc, missing_version=None)
        message = attribute_error(type_, migrated.attributes)
        if message:
            return HttpError(400, message)
        reason = mapping_error(type_, migrated.attributes) if migrated.fully_modelled else None
        if reason:
            return bulk_mapping_failure(reason) if bulk else HttpError(400, single_mapping_failure(reason))
        now = self._now()
        namespaces = doc.get("initialNamespaces") or (existing.namespaces if existing else [space])
        return self._store.save(StoredObject(
            type=type_, id=id_, attributes=migrated.attributes, references=list(doc.get("references") or []),
            namespaces=list(namespaces), core_migration_version=migrated.core_migration_version,
            type_migration_version=migrated.type_migration_version, created_at=now, updated_at=now,
            managed=bool(doc.get("managed", False)),
            # an overwrite keeps the existing originId (`apis/bulk_create.ts`, `apis/create.ts`)
            origin_id=existing.origin_id if existing else None))

    def _delete_one(self, type_: str, id_: str, space: str, force: bool, bulk: bool = False) -> HttpError | None:
        obj = self._store.get(type_, id_, space) if type_ in TYPES else None
        if obj is None:
            return not_found_object(type_, id_)
        if len(obj.namespaces) > 1 and not force:
            if bulk:
                return HttpError(400, f"Unable to delete saved object id: {id_}, type: {type_} that exists in "
                                      'multiple namespaces, use the "force" option to delete all saved objects: '
                                      "Bad Request")
            return HttpError(400, "Unable to delete saved object that exists in multiple namespaces, use the "
                                  "`force` option to delete it anyway: Bad Request")
        self._store.remove(type_, id_)
        return None


def _array_body(request: Request) -> list[Any]:
    body = request.json()
    if not isinstance(body, list):
        got = "undefined" if body is None else js_type(body)
        raise invalid("request body", f"expected value of type [array] but got [{got}]")
    return body


def _deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
