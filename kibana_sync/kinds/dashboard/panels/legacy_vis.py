"""A by-value legacy visualization kept as Kibana serialises it (``embeddableConfig.savedVis``, reference-objects
1.6), for those the compact ``vis:`` form (``visualization_value``) cannot say: the decoded visualization under
``saved_vis:`` (type, params, uiState, data), its data view as ``data_view``, its saved search as
``saved_search`` and any other reference it owns (input controls, TSVB) under ``references``."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from pydantic import Field

from kibana_sync.kinds.dashboard.panels.common import (
    ByValueVisPanel,
    PanelContent,
    PanelContext,
    PanelRef,
    PanelType,
    prefixed,
    unprefixed,
)
from kibana_sync.source.model import Ref

# Where a by-value visualization's search source names its data view once Kibana has extracted it, and the
# reference its saved search (``data.savedSearchId``) becomes.
SEARCH_SOURCE_INDEX = "kibanaSavedObjectMeta.searchSourceJSON.index"
SAVED_SEARCH = "search_0"


class SavedVisPanel(ByValueVisPanel):
    """A legacy (aggregation-based, TSVB, Vega, ...) visualization stored in the dashboard, decoded."""

    content_config_keys: ClassVar[frozenset[str]] = frozenset({"savedVis"})

    saved_vis: dict[str, Any] = Field(description="the visualization: {type, params, uiState, data: {aggs, "
                                                  "searchSource}}, as Kibana's SerializedVis")
    data_view: Ref | None = Field(default=None, description="the data view its search source reads")
    saved_search: Ref | None = Field(default=None, description="the saved search it reads, instead of a data view")
    inner_title: str = Field(default="", description="the title stored inside the visualization; Kibana shows "
                                                     "it when the panel has no title of its own")
    inner_description: str = ""
    references: list[dict[str, str]] = Field(
        default_factory=list, description="other references the visualization owns, named as Kibana names them")


class SavedVisType(PanelType):
    key = "saved_vis"
    model = SavedVisPanel

    def compile(self, panel: SavedVisPanel, panel_index: str, ctx: PanelContext) -> PanelContent:
        saved_vis = {"title": panel.inner_title, "description": panel.inner_description,
                     **copy.deepcopy(panel.saved_vis)}
        refs = list(panel.references)
        if panel.saved_search is not None:
            refs.insert(0, {"id": ctx.resolve(panel.saved_search), "name": SAVED_SEARCH, "type": "search"})
        if panel.data_view is not None:
            refs.insert(0, {"id": ctx.resolve(panel.data_view), "name": SEARCH_SOURCE_INDEX, "type": "index-pattern"})
        return PanelContent("visualization", {"savedVis": saved_vis}, references=prefixed(panel_index, refs))

    def decompile(self, stored: dict[str, Any], normal: dict[str, Any],
                  own_refs: list[dict[str, str]]) -> dict[str, Any] | None:
        saved_vis = normal.get("embeddableConfig", {}).get("savedVis")
        if normal.get("type") != "visualization" or not isinstance(saved_vis, dict) or "id" in normal \
                or not isinstance(saved_vis.get("type"), str):
            return None
        as_stored = stored.get("embeddableConfig", {}).get("savedVis", {})
        if not {"title", "description"} <= set(as_stored):
            return None  # compile writes both; one the stored form lacks would be added
        vis = {k: v for k, v in as_stored.items() if k != "id"}  # verbatim: not with normalise's defaults
        texts = {k: vis.pop(k, "") for k in ("title", "description")}
        if not all(isinstance(v, str) for v in texts.values()):
            return None
        data: dict[str, Any] = {"saved_vis": vis}
        refs = unprefixed(normal["panelIndex"], own_refs)
        for key, name, type_ in (("data_view", SEARCH_SOURCE_INDEX, "index-pattern"),
                                 ("saved_search", SAVED_SEARCH, "search")):
            named = [r for r in refs if r["name"] == name and r["type"] == type_]
            if len(named) == 1:
                data[key] = named[0]["id"]
                refs.remove(named[0])
        if texts["title"]:
            data["inner_title"] = texts["title"]
        if texts["description"]:
            data["inner_description"] = texts["description"]
        if refs:
            data["references"] = refs
        return data

    def normalise(self, panel: dict[str, Any], config: dict[str, Any]) -> None:
        saved_vis = config.get("savedVis")
        if isinstance(saved_vis, dict) and saved_vis.get("id", "") == "":
            # by value: no saved-object id (Kibana writes "" or nothing) and no title is an empty one
            config["savedVis"] = {"title": "", "description": "", **saved_vis}

    def references(self, panel: SavedVisPanel) -> list[PanelRef]:
        out = [] if panel.data_view is None else [PanelRef("data_view", panel.data_view, ("data_view",))]
        if panel.saved_search is not None:
            out.append(PanelRef("search", panel.saved_search, ("saved_search",)))
        return out
