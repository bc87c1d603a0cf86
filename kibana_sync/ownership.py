"""The marker that says "kibana-sync manages this object", and its inverse.

``push --prune`` deletes only objects that carry the marker, so objects made by hand are never touched.
Saved objects carry a reference to one tag object; rules carry a tag. ``mark`` and ``unmark`` are an
inverse pair: build marks, export unmarks, so the marker never shows up in a person's YAML.
"""

from __future__ import annotations

from typing import Any

from kibana_sync.kinds.base import reference, saved_object

MANAGED_TAG_ID = "kibana-sync-managed"
MANAGED_TAG_NAME = "managed-by-kibana-sync"
MANAGED_TAG_REF = reference("tag", MANAGED_TAG_ID, f"tag-ref-{MANAGED_TAG_ID}")
RULE_MARKER_TAG = "managed-by-kibana-sync"


def managed_tag_object() -> dict[str, Any]:
    return saved_object("tag", MANAGED_TAG_ID, {
        "color": "#6092C0",
        "description": "Written by kibana-sync from git. Edits made in Kibana are overwritten on the next push.",
        "name": MANAGED_TAG_NAME,
    }, [])


def mark_saved_object(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["id"] == MANAGED_TAG_ID or MANAGED_TAG_REF in obj["references"]:
        return obj
    return {**obj, "references": [*obj["references"], MANAGED_TAG_REF]}


def unmark_saved_object(obj: dict[str, Any]) -> dict[str, Any]:
    refs = obj.get("references", [])
    if not any(_is_marker(r) for r in refs):
        return obj
    return {**obj, "references": [r for r in refs if not _is_marker(r)]}


def is_marked_saved_object(obj: dict[str, Any]) -> bool:
    return obj.get("id") == MANAGED_TAG_ID or any(_is_marker(r) for r in obj.get("references", []))


def mark_rule(body: dict[str, Any]) -> dict[str, Any]:
    tags = body.get("tags", [])
    return body if RULE_MARKER_TAG in tags else {**body, "tags": [*tags, RULE_MARKER_TAG]}


def unmark_rule(body: dict[str, Any]) -> dict[str, Any]:
    if RULE_MARKER_TAG not in body.get("tags", []):
        return body
    return {**body, "tags": [t for t in body["tags"] if t != RULE_MARKER_TAG]}


def is_marked_rule(rule: dict[str, Any]) -> bool:
    return RULE_MARKER_TAG in rule.get("tags", [])


def _is_marker(ref: dict[str, Any]) -> bool:
    return ref.get("type") == "tag" and ref.get("id") == MANAGED_TAG_ID
