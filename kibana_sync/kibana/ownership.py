"""The marker that says "kibana-sync manages this object", and its inverse.

``push --prune`` deletes only objects that carry the marker, so objects made by hand are never touched.
Saved objects carry a reference to one tag object; rules carry a tag. ``mark`` and ``unmark`` are an
inverse pair: build marks, export unmarks, so the marker never shows up in a person's YAML.

``--id-suffix`` suffixes the marker too (tag ``kibana-sync-managed-staging``, rule tag
``managed-by-kibana-sync-staging``): two suffixes pushed into one space are two owners, and each one's
``--prune`` must see only its own objects. ``unmark`` recognises the marker of any suffix, because export does
not know which suffix wrote what it reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kibana_sync.kibana.format import reference, saved_object

MANAGED_TAG_ID = "kibana-sync-managed"
MANAGED_TAG_NAME = "managed-by-kibana-sync"
MANAGED_TAG_REF = reference("tag", MANAGED_TAG_ID, f"tag-ref-{MANAGED_TAG_ID}")
RULE_MARKER_TAG = "managed-by-kibana-sync"


@dataclass(frozen=True)
class Marker:
    """One owner's marker: the tag id saved objects reference and the tag rules carry, for one ``--id-suffix``."""

    suffix: str = ""

    @property
    def tag_id(self) -> str:
        return MANAGED_TAG_ID + self.suffix

    @property
    def rule_tag(self) -> str:
        return RULE_MARKER_TAG + self.suffix


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
    return is_marker_tag_object(obj) or any(_is_marker(r) for r in obj.get("references", []))


def is_marker_tag_object(obj: dict[str, Any]) -> bool:
    """The marker tag itself, of any suffix."""
    if obj.get("type") != "tag":
        return False
    id_ = obj.get("id") or ""
    return id_ == MANAGED_TAG_ID or (id_.startswith(MANAGED_TAG_ID)
                                     and (obj.get("attributes") or {}).get("name") == MANAGED_TAG_NAME)


def marker_suffix(tag_id: str) -> str:
    """The ``--id-suffix`` a marker tag id was built with ("" for none)."""
    return tag_id[len(MANAGED_TAG_ID):] if tag_id.startswith(MANAGED_TAG_ID) else ""


def rule_marker_tag(suffix: str = "") -> str:
    return RULE_MARKER_TAG + suffix


def mark_rule(body: dict[str, Any], suffix: str = "") -> dict[str, Any]:
    marker = rule_marker_tag(suffix)
    tags = body.get("tags", [])
    return body if marker in tags else {**body, "tags": [*tags, marker]}


def unmark_rule(body: dict[str, Any]) -> dict[str, Any]:
    tags = body.get("tags", [])
    if not any(_is_rule_marker(t) for t in tags):
        return body
    return {**body, "tags": [t for t in tags if not _is_rule_marker(t)]}


def is_rule_marked_by_anyone(rule: dict[str, Any]) -> bool:
    """Whether any suffix's kibana-sync wrote ``rule`` (so it is nobody's hand-made rule)."""
    return any(_is_rule_marker(t) for t in rule.get("tags") or [])


def is_marked_rule(rule: dict[str, Any], marker: str = RULE_MARKER_TAG) -> bool:
    """Whether ``rule`` carries ``marker`` (one suffix's): another suffix's rules belong to another owner."""
    return marker in rule.get("tags", [])


def with_marker_suffix(tags: list[str], suffix: str) -> list[str]:
    """Rule tags with the unsuffixed marker replaced by the marker for ``suffix``."""
    return [rule_marker_tag(suffix) if t == RULE_MARKER_TAG else t for t in tags]


def _is_rule_marker(tag: Any) -> bool:
    return isinstance(tag, str) and tag.startswith(RULE_MARKER_TAG)


def _is_marker(ref: dict[str, Any]) -> bool:
    if ref.get("type") != "tag":
        return False
    id_ = ref.get("id") or ""
    # A suffixed marker keeps the reference name build gave it (with_id_suffix renames ids only).
    return id_ == MANAGED_TAG_ID or (id_.startswith(MANAGED_TAG_ID) and ref.get("name") == MANAGED_TAG_REF["name"])


DEFAULT_SPACE_ID = "default"
# A space has no tags, references or _meta: the marker is the end of its description, visible in the UI.
SPACE_MARKER = f"[{MANAGED_TAG_NAME}]"
_MARKER_AT_END = re.compile(r"\s*\[" + re.escape(MANAGED_TAG_NAME) + r"[^\]]*\]$")


def marked_description(description: str) -> str:
    return f"{description} {SPACE_MARKER}" if description else SPACE_MARKER


def is_marked_space(space: dict[str, Any]) -> bool:
    return bool(_MARKER_AT_END.search(space.get("description") or ""))


def unmarked_description(description: str) -> str:
    return _MARKER_AT_END.sub("", description)
