"""The saved-object types this emulator knows, with their management title/icon (reference 2.3) and search field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SavedObjectType:
    name: str
    icon: str
    title_attributes: tuple[str, ...]  # management getTitle: the first non-empty one wins
    search_field: str  # defaultSearchField used by `_find?search=`

    def title(self, attributes: dict[str, Any]) -> str | None:
        for name in self.title_attributes:
            if attributes.get(name):
                return attributes[name]
        return None


# All six are multi-namespace in 8.x: one id is global across spaces (reference 2.1).
TYPES: dict[str, SavedObjectType] = {
    t.name: t for t in (
        SavedObjectType("dashboard", "dashboardApp", ("title",), "title"),
        SavedObjectType("visualization", "visualizeApp", ("title",), "title"),
        SavedObjectType("lens", "lensApp", ("title",), "title"),
        SavedObjectType("search", "discoverApp", ("title",), "title"),
        SavedObjectType("index-pattern", "indexPatternApp", ("name", "title"), "title"),
        SavedObjectType("tag", "tag", ("name",), "name"),
    )
}
