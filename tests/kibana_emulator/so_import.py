"""`POST /api/saved_objects/_import`: the 8.11 import pipeline of reference 2.3, step by step."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .config import EmulatorConfig
from .errors import HttpError
from .migrations import Migrated, MigrationGate
from .so_types import TYPES
from .so_validation import attribute_error, bulk_mapping_failure, mapping_error
from .store import SavedObjectStore, StoredObject

VALIDATED_REFERENCE_TYPES = ("index-pattern", "search")  # REF_TYPES_TO_VALIDATE
BLOCKING_ERRORS = frozenset({"conflict", "ambiguous_conflict", "missing_references"})


@dataclass(frozen=True)
class ImportOptions:
    overwrite: bool = False
    create_new_copies: bool = False


@dataclass
class _Plan:
    """Import state of one file object: where it goes and how it was decided."""

    obj: dict[str, Any]
    destination_id: str | None = None
    overwrite: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)
    replaces: StoredObject | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return f"{self.obj['type']}:{self.obj['id']}"

    @property
    def target_id(self) -> str:
        return self.destination_id or self.obj["id"]


def parse_ndjson(content: bytes) -> list[dict[str, Any]]:
    objects = []
    for line in content.decode("utf-8", errors="replace").split("\n"):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as err:
            raise HttpError(400, f"Unexpected token in JSON at position {getattr(err, 'pos', 0)}") from err
        if not isinstance(value, dict):
            raise HttpError(400, "Unexpected token in JSON: each line must be an object")
        if "exportedCount" in value:
            continue  # the export-details line
        objects.append(value)
    return objects


def check_file_name(filename: str | None) -> None:
    extension = os.path.splitext(filename or "")[1]
    if extension.lower() != ".ndjson":
        raise HttpError(400, f"Invalid file extension {extension}")


class SavedObjectImporter:
    def __init__(self, store: SavedObjectStore, gate: MigrationGate, config: EmulatorConfig,
                 now: Callable[[], str], new_id: Callable[[], str]) -> None:
        self._store, self._gate, self._config = store, gate, config
        self._now, self._new_id = now, new_id

    def run(self, objects: list[dict[str, Any]], space: str, options: ImportOptions) -> dict[str, Any]:
        if len(objects) > self._config.max_import_export_size:
            raise HttpError(400, f"Can't import more than {self._config.max_import_export_size} objects")
        for obj in objects:
            if not obj.get("id"):
                obj["id"] = self._new_id()  # bulkCreate generates ids for objects that have none (inferred)
        _reject_duplicates(objects)
        # Errors are reported phase by phase, in the order import_saved_objects.ts accumulates them; every
        # check after collection looks at all collected objects, so one object can fail several of them.
        failures: list[tuple[_Plan, dict[str, Any]]] = []
        plans = [_Plan(obj) for obj in objects]
        for plan in plans:
            if plan.obj.get("type") not in TYPES:
                _fail(failures, plan, {"type": "unsupported_type"})
        collected = [p for p in plans if not p.errors]
        self._validate_references(collected, space, failures)
        if options.create_new_copies:
            for plan in collected:
                plan.destination_id = self._new_id()
        else:
            self._check_conflicts(collected, space, options.overwrite, failures)
        candidates = _ok(collected)
        if not any(error["type"] in BLOCKING_ERRORS for _, error in failures):
            candidates = self._write(candidates, space, options, failures)
        return _response(failures, candidates)

    def _validate_references(self, collected: list[_Plan], space: str,
                             failures: list[tuple[_Plan, dict[str, Any]]]) -> None:
        in_file = {p.key for p in collected}
        for plan in collected:
            missing: list[dict[str, str]] = []
            for ref in plan.obj.get("references") or []:
                ref_type, ref_id = ref.get("type"), ref.get("id")
                if ref_type not in VALIDATED_REFERENCE_TYPES or f"{ref_type}:{ref_id}" in in_file:
                    continue
                # one entry per reference, duplicates included (`validate_references.ts` does not dedupe)
                if self._store.get(ref_type, ref_id, space) is None:
                    missing.append({"type": ref_type, "id": ref_id})
            if missing:
                _fail(failures, plan, {"type": "missing_references", "references": missing})

    def _check_conflicts(self, collected: list[_Plan], space: str, overwrite: bool,
                         failures: list[tuple[_Plan, dict[str, Any]]]) -> None:
        unconflicted = []  # checkConflicts' filteredObjects: what checkOriginConflicts looks at next
        for plan in collected:
            type_, id_ = plan.obj["type"], plan.obj["id"]
            existing = self._store.find_any_space(type_, id_)
            if existing is not None and space in existing.namespaces:
                if overwrite:
                    plan.overwrite, plan.replaces = True, existing
                else:
                    _fail(failures, plan, {"type": "conflict"})
                continue
            if existing is not None:
                # multi-namespace id taken in another space: Kibana silently regenerates it
                plan.destination_id = self._new_id()
            unconflicted.append(plan)
        for plan in unconflicted:
            self._check_origin_conflicts(plan, space, overwrite, failures)

    def _check_origin_conflicts(self, plan: _Plan, space: str, overwrite: bool,
                                failures: list[tuple[_Plan, dict[str, Any]]]) -> None:
        origin = plan.obj.get("originId") or plan.obj["id"]
        matches = [o for o in self._store.in_spaces([space], [plan.obj["type"]])
                   if o.id == origin or o.origin_id == origin]
        if len(matches) == 1:
            target = matches[0]
            if overwrite:
                plan.destination_id, plan.overwrite, plan.replaces = target.id, True, target
            else:
                _fail(failures, plan, {"type": "conflict", "destinationId": target.id})
        elif len(matches) > 1:
            matches.sort(key=lambda o: o.updated_at, reverse=True)
            _fail(failures, plan, {"type": "ambiguous_conflict", "destinations": [
                {"id": o.id, "title": TYPES[o.type].title(o.attributes), "updatedAt": o.updated_at}
                for o in matches]})

    def _write(self, plans: list[_Plan], space: str, options: ImportOptions,
               failures: list[tuple[_Plan, dict[str, Any]]]) -> list[_Plan]:
        """bulkCreate: returns the plans that were written; schema failures become `unknown` errors."""
        new_ids = {p.key: p.destination_id for p in plans if p.destination_id}
        # every document is migrated before any is written, so a 422/500 leaves the store untouched
        migrated = [self._gate.migrate(p.obj, missing_version="") for p in plans]
        now = self._now()
        written = []
        for plan, result in zip(plans, migrated, strict=True):
            # `extract_errors.ts`: a bulkCreate failure keeps its Boom payload and gets `type: "unknown"`
            message = attribute_error(plan.obj["type"], result.attributes)
            if message:
                _fail(failures, plan, {**HttpError(400, message).payload(), "type": "unknown"})
                continue
            reason = mapping_error(plan.obj["type"], result.attributes) if result.fully_modelled else None
            if reason:
                _fail(failures, plan, {**bulk_mapping_failure(reason), "type": "unknown"})
                continue
            self._store.save(self._stored(plan, result, space, options, new_ids, now))
            written.append(plan)
        return written

    @staticmethod
    def _stored(plan: _Plan, migrated: Migrated, space: str, options: ImportOptions,
                new_ids: dict[str, str], now: str) -> StoredObject:
        obj = plan.obj
        references = [
            {**ref, "id": new_ids.get(f"{ref.get('type')}:{ref.get('id')}", ref.get("id"))}
            for ref in obj.get("references") or []]
        if options.create_new_copies:
            origin_id = None
        elif plan.destination_id:
            origin_id = obj.get("originId") or obj["id"]
        else:
            # bulkCreate keeps the overwritten object's originId unless the file sets one
            # (`apis/bulk_create.ts`: "preserve the originId of the existing object that is being overwritten")
            origin_id = obj.get("originId") or (plan.replaces.origin_id if plan.replaces else None)
        namespaces = list(plan.replaces.namespaces) if plan.replaces else [space]
        return StoredObject(
            type=obj["type"], id=plan.target_id, attributes=migrated.attributes, references=references,
            namespaces=namespaces, core_migration_version=migrated.core_migration_version,
            type_migration_version=migrated.type_migration_version, created_at=now, updated_at=now,
            managed=bool(obj.get("managed", False)), origin_id=origin_id)


def _ok(plans: list[_Plan]) -> list[_Plan]:
    return [p for p in plans if not p.errors]


def _fail(failures: list[tuple[_Plan, dict[str, Any]]], plan: _Plan, error: dict[str, Any]) -> None:
    plan.errors.append(error)
    failures.append((plan, error))


def _reject_duplicates(objects: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    duplicates: list[str] = []
    for obj in objects:
        key = f"{obj.get('type')}:{obj.get('id')}"
        if key in seen and key not in duplicates:
            duplicates.append(key)
        seen.add(key)
    if duplicates:
        raise HttpError(400, f"Non-unique import objects detected: [{','.join(duplicates)}]")


def _meta(obj: dict[str, Any], *, title: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if title is not None:
        meta["title"] = title
    so_type = TYPES.get(obj.get("type", ""))
    if so_type is not None:
        meta["icon"] = so_type.icon
    return meta


def _response(failures: list[tuple[_Plan, dict[str, Any]]], candidates: list[_Plan]) -> dict[str, Any]:
    success_results = []
    for plan in candidates:
        obj = plan.obj
        item: dict[str, Any] = {"type": obj["type"], "id": obj["id"],
                                "meta": _meta(obj, title=TYPES[obj["type"]].title(obj.get("attributes") or {}))}
        if plan.overwrite:
            item["overwrite"] = True
        if plan.destination_id:
            # no `createNewCopy`: a regenerated id is written with originId (or, under createNewCopies,
            # the flag is off), so import_saved_objects.ts never sets it on a plain import
            item["destinationId"] = plan.destination_id
        item["managed"] = bool(obj.get("managed", False))
        success_results.append(item)
    errors = []
    for plan, error in failures:
        obj = plan.obj
        item = {"id": obj.get("id"), "type": obj.get("type"),
                "meta": _meta(obj, title=(obj.get("attributes") or {}).get("title")), "error": error}
        if plan.overwrite:
            item["overwrite"] = True
        errors.append(item)
    body: dict[str, Any] = {"success": not errors, "successCount": len(success_results)}
    if success_results:
        body["successResults"] = success_results
    if errors:
        body["errors"] = errors
    body["warnings"] = []
    return body
