"""Attribute schemas Kibana enforces on write. Only `search` has one in 8.11 (`schemas['8.8.0']`, reference 2.7)."""

from __future__ import annotations

from typing import Any

SEARCH_ATTRIBUTES = frozenset({
    "title", "description", "columns", "sort", "grid", "rowHeight", "rowsPerPage", "hideChart", "breakdownField",
    "kibanaSavedObjectMeta", "isTextBasedQuery", "usesAdHocDataView", "timeRestore", "timeRange",
    "refreshInterval", "viewMode", "hideAggregatedPreview", "hits", "version",
})


def attribute_error(type_: str, attributes: dict[str, Any]) -> str | None:
    """The decorated Bad Request message for invalid attributes, or None when they are acceptable."""
    if type_ != "search":
        return None
    for key in attributes:
        if key not in SEARCH_ATTRIBUTES:
            return f"[attributes.{key}]: definition for this key is missing: Bad Request"
    return None
