"""Kibana 8.11's saved-object format: the fields an export writes, the ones the server adds, references, and the
JSON that Kibana keeps embedded in strings. Pure functions, shared by every kind and by sync and export."""

from __future__ import annotations

import json
from typing import Any

# Saved objects written for Kibana 8.11 must carry these, or a real import fails (reference.md 2.2):
# missing -> every migration runs and Lens/dashboards crash (HTTP 500); newer -> HTTP 422.
CORE_MIGRATION_VERSION = "8.8.0"
TYPE_MIGRATION_VERSIONS: dict[str, str] = {
    "dashboard": "8.9.0",
    "lens": "8.9.0",
    "map": "8.4.0",  # maps' own migrations end at 8.4.0; a later 8.x export still carries it (corpus pfelk)
    "visualization": "8.5.0",
    "index-pattern": "8.0.0",
    "search": "8.0.0",
    "tag": "8.0.0",
}

SERVER_FIELDS = (
    "version", "updated_at", "created_at", "namespaces", "namespace", "migrationVersion", "coreMigrationVersion",
    "typeMigrationVersion", "managed", "originId", "score", "sort", "error",
    "created_by", "updated_by",  # 8.13+ add these; an object exported there must still compare equal
)


def strip_server_fields(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in SERVER_FIELDS}


def saved_object(type_: str, id_: str, attributes: dict[str, Any],
                 references: list[dict[str, str]]) -> dict[str, Any]:
    """A saved object as Kibana 8.11's export writes it (minus the fields Kibana sets on write)."""
    return {
        "attributes": attributes,
        "coreMigrationVersion": CORE_MIGRATION_VERSION,
        "id": id_,
        "managed": False,
        "references": references,
        "type": type_,
        "typeMigrationVersion": TYPE_MIGRATION_VERSIONS[type_],
    }


def reference(type_: str, id_: str, name: str) -> dict[str, str]:
    return {"id": id_, "name": name, "type": type_}


def reference_order(ref: dict[str, Any]) -> tuple[str, str, str]:
    """Sort key that makes two reference lists comparable: Kibana gives their order no meaning."""
    return ref.get("name", ""), ref.get("type", ""), ref.get("id", "")


def tag_reference(tag_id: str) -> dict[str, str]:
    """How a saved object points at a tag: Kibana's tagging plugin names the reference ``tag-ref-<id>``."""
    return reference("tag", tag_id, f"tag-ref-{tag_id}")


def is_tag_reference(ref: dict[str, Any]) -> bool:
    """A reference ``tag_reference`` would write (one named otherwise is not a tag assignment)."""
    return ref.get("type") == "tag" and ref.get("name") == f"tag-ref-{ref.get('id')}"


def dumps_embedded(value: Any) -> str:
    """Kibana stores some attributes as JSON strings (panelsJSON, searchSourceJSON, ...): compact, key order kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, check_circular=False)


def loads_embedded(value: Any) -> Any:
    """Decode an embedded JSON string; leave already-decoded values (elastic-package style files) alone."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
