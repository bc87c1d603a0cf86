"""The saved-object types this emulator knows, with their management title/icon (reference 2.3), search field and
the part of their Elasticsearch mapping that makes Elasticsearch reject unknown attributes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# A mapping tree: a dict is an object whose `dynamic` is inherited from the `.kibana*` root, which is `strict`
# (core `build_active_mappings.ts`), so a key not listed is rejected; None is a leaf field or an object declared
# `dynamic: false` (anything below it is stored unindexed).
Mapping = dict[str, "Mapping | None"] | None


@dataclass(frozen=True)
class SavedObjectType:
    name: str
    icon: str
    title_attributes: tuple[str, ...]  # management getTitle: the first non-empty one wins
    search_field: str  # defaultSearchField used by `_find?search=`
    mapping: Mapping = None  # None: the type's mappings say `dynamic: false`

    def title(self, attributes: dict[str, Any]) -> str | None:
        for name in self.title_attributes:
            if attributes.get(name):
                return attributes[name]
        return None


# src/plugins/dashboard/server/dashboard_saved_object/dashboard_saved_object.ts (8.10/8.11): no `dynamic: false`
DASHBOARD_MAPPING: Mapping = {
    "description": None, "hits": None, "kibanaSavedObjectMeta": {"searchSourceJSON": None}, "optionsJSON": None,
    "panelsJSON": None, "refreshInterval": {"display": None, "pause": None, "section": None, "value": None},
    "controlGroupInput": {"controlStyle": None, "chainingSystem": None, "panelsJSON": None,
                          "ignoreParentSettingsJSON": None},
    "timeFrom": None, "timeRestore": None, "timeTo": None, "title": None, "version": None,
}
# x-pack/plugins/lens/server/saved_objects.ts: only `state` is `dynamic: false`
LENS_MAPPING: Mapping = {"title": None, "description": None, "visualizationType": None, "state": None}
# x-pack/plugins/maps/server/saved_objects/setup_saved_objects.ts (`bounds` kept as a disabled object)
MAP_MAPPING: Mapping = {"description": None, "title": None, "version": None, "mapStateJSON": None,
                        "layerListJSON": None, "uiStateJSON": None, "bounds": None}
# x-pack/plugins/saved_objects_tagging/server/saved_objects/tag.ts
TAG_MAPPING: Mapping = {"name": None, "description": None, "color": None}

# All are multi-namespace in 8.x: one id is global across spaces (reference 2.1). `links` is `multiple` or
# `multiple-isolated` depending on the source copy (reference-objects-es 9); the emulator treats both alike.
# visualization, search, index-pattern and links declare `dynamic: false` (visualization.ts, search.ts,
# data_views.ts, src/plugins/links/server/saved_objects/links.ts), so any attribute is stored.
TYPES: dict[str, SavedObjectType] = {
    t.name: t for t in (
        SavedObjectType("dashboard", "dashboardApp", ("title",), "title", DASHBOARD_MAPPING),
        SavedObjectType("visualization", "visualizeApp", ("title",), "title"),
        SavedObjectType("lens", "lensApp", ("title",), "title", LENS_MAPPING),
        SavedObjectType("search", "discoverApp", ("title",), "title"),
        SavedObjectType("index-pattern", "indexPatternApp", ("name", "title"), "title"),
        SavedObjectType("tag", "tag", ("name",), "name", TAG_MAPPING),
        # maps APP_ICON (x-pack/plugins/maps/common/constants.ts), getTitle = attributes.title
        SavedObjectType("map", "gisApp", ("title",), "title", MAP_MAPPING),
        # links APP_ICON 'link' (src/plugins/links/common/constants.ts), getTitle = attributes.title
        SavedObjectType("links", "link", ("title",), "title"),
    )
}
