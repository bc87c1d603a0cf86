"""`POST /api/saved_objects/_export` (reference 2.5): key-sorted NDJSON, referenced objects first, details line."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .config import EmulatorConfig
from .errors import HttpError, object_error
from .so_find import matches_search
from .so_types import TYPES
from .store import SavedObjectStore, StoredObject
from .validation import invalid, js_type, reject_unknown_keys, require_object

BODY_KEYS = ("type", "objects", "hasReference", "search", "includeReferencesDeep", "excludeExportDetails")


def stable_json(value: Any) -> str:
    """json-stable-stringify: keys sorted at every level, no whitespace."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class SavedObjectExporter:
    def __init__(self, store: SavedObjectStore, config: EmulatorConfig) -> None:
        self._store, self._config = store, config

    def run(self, body: Any, space: str) -> str:
        body = require_object(body)
        reject_unknown_keys(body, BODY_KEYS, "request body")
        types, objects = body.get("type"), body.get("objects")
        if types is None and objects is None:
            raise HttpError(400, "Either `type` or `objects` are required.")
        if types is not None and objects is not None:
            raise HttpError(400, 'Can\'t specify both "types" and "objects" properties when exporting')
        if types is not None:
            exported = self._by_type([types] if isinstance(types, str) else list(types), body, space)
        else:
            exported = self._by_objects(objects, space)
        missing: list[dict[str, str]] = []
        if body.get("includeReferencesDeep"):
            exported, missing = self._with_references(exported, space)
        lines = [stable_json(_line(obj, sort)) for obj, sort in _referenced_first(exported)]
        if not body.get("excludeExportDetails"):
            lines.append(stable_json({
                "excludedObjects": [], "excludedObjectsCount": 0, "exportedCount": len(exported),
                "missingRefCount": len(missing), "missingReferences": missing}))
        return "\n".join(lines)

    def _by_type(self, types: list[str], body: dict[str, Any], space: str) -> list[tuple[StoredObject, list]]:
        unknown = [t for t in types if t not in TYPES]
        if unknown:
            raise HttpError(400, f"Trying to export non-exportable type(s): {', '.join(unknown)}")
        found = sorted(self._store.in_spaces([space], types), key=lambda o: o.id)
        refs = body.get("hasReference")
        if refs is not None:
            wanted = [refs] if isinstance(refs, dict) else list(refs)
            found = [o for o in found if any(
                {"type": r.get("type"), "id": r.get("id")} in wanted for r in o.references)]
        if body.get("search"):
            found = [o for o in found if matches_search(o, body["search"], None)]
        self._check_size(len(found))
        # the point-in-time finder leaves each hit's sort values on by-type exports
        return [(o, [_epoch_ms(o.updated_at), o.seq_no]) for o in found]

    def _by_objects(self, objects: Any, space: str) -> list[tuple[StoredObject, list | None]]:
        if not isinstance(objects, list):
            raise invalid("request body.objects", f"expected value of type [array] but got [{js_type(objects)}]")
        self._check_size(len(objects))
        bad = [f"{o.get('type')}:{o.get('id')}" for o in objects if o.get("type") not in TYPES]
        if bad:
            raise HttpError(400, f"Trying to export object(s) with non-exportable types: {', '.join(bad)}")
        exported, errors = [], []
        for item in objects:
            obj = self._store.get(item["type"], item["id"], space)
            if obj is None:
                errors.append({"id": item["id"], "type": item["type"], "error": object_error(
                    404, f"Saved object [{item['type']}/{item['id']}] not found")})
            else:
                exported.append((obj, None))
        if errors:
            raise HttpError(400, "Error fetching objects to export", {"objects": errors})
        return exported

    def _check_size(self, count: int) -> None:
        limit = self._config.max_import_export_size
        if count > limit:
            raise HttpError(400, f"Can't export more than {limit} objects. If your server has enough memory, "
                                 'this limit can be increased by adjusting the "savedObjects.maxImportExportSize" '
                                 "setting.")

    def _with_references(self, exported: list[tuple[StoredObject, Any]], space: str
                         ) -> tuple[list[tuple[StoredObject, Any]], list[dict[str, str]]]:
        seen = {(o.type, o.id) for o, _ in exported}
        queue = [o for o, _ in exported]
        extra: list[StoredObject] = []
        missing: list[dict[str, str]] = []
        while queue:
            for ref in queue.pop(0).references:
                key = (ref.get("type"), ref.get("id"))
                if key in seen:
                    continue
                seen.add(key)
                found = self._store.get(key[0], key[1], space) if key[0] in TYPES else None
                if found is None:
                    missing.append({"id": key[1], "type": key[0]})
                else:
                    extra.append(found)
                    queue.append(found)
        extra.sort(key=lambda o: o.id)
        return exported + [(o, None) for o in extra], missing


def _referenced_first(exported: list[tuple[StoredObject, Any]]) -> list[tuple[StoredObject, Any]]:
    """Depth-first: each object's references (when exported too) come before it; cycles are tolerated."""
    by_key = {(o.type, o.id): (o, sort) for o, sort in exported}
    ordered: list[tuple[StoredObject, Any]] = []
    visited: set[tuple[str, str]] = set()

    def visit(key: tuple[str, str]) -> None:
        if key in visited or key not in by_key:
            return
        visited.add(key)
        for ref in by_key[key][0].references:
            visit((ref.get("type"), ref.get("id")))
        ordered.append(by_key[key])

    for obj, _ in exported:
        visit((obj.type, obj.id))
    return ordered


def _line(obj: StoredObject, sort: list | None) -> dict[str, Any]:
    line = obj.to_export()
    if sort is not None:
        line["sort"] = sort
    return line


def _epoch_ms(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp() * 1000)
