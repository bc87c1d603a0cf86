"""Markdown text, stored by Kibana as a by-value legacy visualization of type markdown (reference-objects 1.6)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from kibana_sync.kinds.dashboard.panels.common import ByValueVisPanel, PanelContent, PanelContext, PanelType

_MARKDOWN_DATA = {"aggs": [], "searchSource": {"query": {"query": "", "language": "kuery"}, "filter": []}}


class MarkdownPanel(ByValueVisPanel):
    """Markdown text, stored by Kibana as a by-value legacy visualization of type markdown."""

    content_config_keys: ClassVar[frozenset[str]] = frozenset({"savedVis"})
    default_vis_id: ClassVar[str | None] = ""

    markdown: str
    font_size: int = Field(default=12, gt=0)
    open_links_in_new_tab: bool = False
    inner_title: str = Field(default="", description="the title stored inside the visualization; Kibana shows "
                                                     "it when the panel has no title of its own")


class MarkdownType(PanelType):
    key = "markdown"
    model = MarkdownPanel

    def compile(self, panel: MarkdownPanel, panel_index: str, ctx: PanelContext) -> PanelContent:
        return PanelContent("visualization", {"savedVis": markdown_saved_vis(panel)})

    def decompile(self, stored: dict[str, Any], normal: dict[str, Any],
                  own_refs: list[dict[str, str]]) -> dict[str, Any] | None:
        saved_vis = normal.get("embeddableConfig", {}).get("savedVis")
        if normal.get("type") != "visualization" or not isinstance(saved_vis, dict) \
                or saved_vis.get("type") != "markdown" or own_refs or "id" in normal:
            return None
        params = saved_vis["params"]
        as_stored = stored.get("embeddableConfig", {}).get("savedVis", {})
        if set(as_stored) - {"id"} != set(saved_vis) or as_stored.get("data") != _MARKDOWN_DATA \
                or as_stored.get("params") != params:
            return None  # the stored form lacks what normalise filled in: not what compile writes
        if set(saved_vis) != {"title", "description", "type", "params", "uiState", "data"} \
                or saved_vis["description"] != "" or not isinstance(saved_vis["title"], str) \
                or saved_vis["uiState"] != {} or set(params) != {"fontSize", "openLinksInNewTab", "markdown"} \
                or not isinstance(params["markdown"], str) or type(params["fontSize"]) is not int \
                or params["fontSize"] <= 0 or not isinstance(params["openLinksInNewTab"], bool):
            return None
        data: dict[str, Any] = {"markdown": params["markdown"]}
        if params["fontSize"] != 12:
            data["font_size"] = params["fontSize"]
        if params["openLinksInNewTab"] is not False:
            data["open_links_in_new_tab"] = params["openLinksInNewTab"]
        if saved_vis["title"]:
            data["inner_title"] = saved_vis["title"]
        return data

    def normalise(self, panel: dict[str, Any], config: dict[str, Any]) -> None:
        saved_vis = config.get("savedVis")
        if isinstance(saved_vis, dict) and saved_vis.get("type") == "markdown":
            vis = dict(saved_vis)
            vis.setdefault("title", "")
            vis.setdefault("description", "")
            vis["data"] = _MARKDOWN_DATA  # a markdown visualization reads no data
            vis.setdefault("uiState", {})
            vis["params"] = {"fontSize": 12, "openLinksInNewTab": False, **vis.get("params", {})}
            config["savedVis"] = vis


def markdown_saved_vis(panel: MarkdownPanel) -> dict[str, Any]:
    """A by-value markdown visualization exactly as the 8.11 dashboard saves one made in the editor."""
    return {
        "id": "",
        "title": panel.inner_title,
        "description": "",
        "type": "markdown",
        "params": {"fontSize": panel.font_size, "openLinksInNewTab": panel.open_links_in_new_tab,
                   "markdown": panel.markdown},
        "uiState": {},
        "data": {"aggs": [], "searchSource": {"query": {"query": "", "language": "kuery"}, "filter": []}},
    }
