"""The saved-objects index: one document per `type:id` (ids are global across spaces), with version tokens."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

PRIMARY_TERM = 1


def version_token(seq_no: int) -> str:
    """Kibana's `version`: base64 of the JSON array `[seq_no, primary_term]` (reference 2.1)."""
    return base64.b64encode(json.dumps([seq_no, PRIMARY_TERM], separators=(",", ":")).encode()).decode()


@dataclass
class StoredObject:
    type: str
    id: str
    attributes: dict[str, Any]
    references: list[dict[str, Any]]
    namespaces: list[str]
    core_migration_version: str
    type_migration_version: str | None  # None for a type without migrations (links): Kibana stores no key
    created_at: str
    updated_at: str
    managed: bool = False
    origin_id: str | None = None
    seq_no: int = 0

    @property
    def version(self) -> str:
        return version_token(self.seq_no)

    def to_api(self, fields: list[str] | None = None) -> dict[str, Any]:
        """The shape GET/find/bulk_get/create return, in the serializer's key order (reference 2.1)."""
        attributes = self.attributes
        if fields:
            attributes = {k: v for k, v in attributes.items() if k in fields}
        body: dict[str, Any] = {"type": self.type, "id": self.id, "namespaces": list(self.namespaces)}
        if self.origin_id:
            body["originId"] = self.origin_id
        body.update({"attributes": attributes, "references": list(self.references)})
        # `serializer.ts#rawToSavedObject`: the compatibility `migrationVersion` only when there is a
        # typeMigrationVersion, and `typeMigrationVersion` only when stored
        if self.type_migration_version:
            body["migrationVersion"] = {self.type: self.type_migration_version}
        body["coreMigrationVersion"] = self.core_migration_version
        if self.type_migration_version is not None:
            body["typeMigrationVersion"] = self.type_migration_version
        body.update({
            "managed": self.managed,
            "updated_at": self.updated_at,
            "created_at": self.created_at,
            "version": self.version,
        })
        return body

    def to_export(self) -> dict[str, Any]:
        """An export line's object: no namespaces, no migrationVersion (reference 2.5)."""
        body = self.to_api()
        del body["namespaces"]
        body.pop("migrationVersion", None)
        return body


class SavedObjectStore:
    def __init__(self) -> None:
        self._objects: dict[tuple[str, str], StoredObject] = {}
        self._seq_no = 0

    def find_any_space(self, type_: str, id_: str) -> StoredObject | None:
        return self._objects.get((type_, id_))

    def get(self, type_: str, id_: str, space: str) -> StoredObject | None:
        obj = self._objects.get((type_, id_))
        return obj if obj is not None and space in obj.namespaces else None

    def in_spaces(self, spaces: list[str] | None, types: list[str] | None = None) -> list[StoredObject]:
        """Objects visible in any of `spaces` (None = every space), optionally of some types, oldest first."""
        return [o for o in self._objects.values()
                if (types is None or o.type in types)
                and (spaces is None or any(s in o.namespaces for s in spaces))]

    def save(self, obj: StoredObject) -> StoredObject:
        self._seq_no += 1  # one global counter, like an index's _seq_no
        obj.seq_no = self._seq_no
        self._objects[(obj.type, obj.id)] = obj
        return obj

    def remove(self, type_: str, id_: str) -> None:
        self._objects.pop((type_, id_), None)

    def delete_namespace(self, space: str) -> None:
        """`deleteByNamespace` (space deletion): objects only in `space` go, shared ones just leave it."""
        for key, obj in list(self._objects.items()):
            if space in obj.namespaces:
                if len(obj.namespaces) == 1:
                    del self._objects[key]
                else:
                    obj.namespaces = [s for s in obj.namespaces if s != space]
