"""A by-value Lens chart (``chart: bar``...): the compact chart syntax of ``kibana_sync.lens``, stored in
``embeddableConfig.attributes`` with its references copied to the dashboard prefixed ``<panelIndex>:``."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from kibana_sync.kinds.dashboard.panels.common import (
    PanelCommon,
    PanelContent,
    PanelContext,
    PanelRef,
    PanelType,
)
from kibana_sync.lens import (
    LensChart,
    compact_filter_data_views,
    compile_lens,
    decompile_lens,
    normalise_lens,
)
from kibana_sync.lens.columns import unknown_field_type


class LensPanel(PanelCommon, LensChart):
    """A by-value Lens chart (see kibana_sync.lens for the chart keys)."""

    content_config_keys: ClassVar[frozenset[str]] = frozenset({"attributes"})

    inner_title: str = Field(default="", description="the title stored inside the chart; Kibana shows it when "
                                                     "the panel has no title of its own")
    inner_description: str = ""


class LensChartType(PanelType):
    key = "chart"
    model = LensPanel

    def compile(self, panel: LensPanel, panel_index: str, ctx: PanelContext) -> PanelContent:
        data_view = ctx.resolve(panel.data_view) if panel.data_view is not None else ctx.data_view_id
        if data_view is None and panel.esql is None:  # `check` reports this; compile runs on valid projects
            raise ValueError(f"panel {panel_index} has no data view")
        attributes = compile_lens(panel, data_view, ctx.field_type_for(data_view) if data_view else unknown_field_type)
        if panel.inner_title:
            attributes["title"] = panel.inner_title
        if panel.inner_description:
            attributes["description"] = panel.inner_description
        refs = [{"id": r["id"], "name": f"{panel_index}:{r['name']}", "type": r["type"]}
                for r in attributes["references"]]
        return PanelContent("lens", {"attributes": attributes}, references=refs)

    def decompile(self, stored: dict[str, Any], normal: dict[str, Any],
                  own_refs: list[dict[str, str]]) -> dict[str, Any] | None:
        config = normal.get("embeddableConfig", {})
        attributes = config.get("attributes")
        if normal.get("type") != "lens" or not isinstance(attributes, dict) or "id" in normal:
            return None
        texts = {k: attributes.get(k, "") for k in ("title", "description")}
        if not all(isinstance(v, str) for v in texts.values()):
            return None
        stored_attributes = stored.get("embeddableConfig", {}).get("attributes")
        chart = decompile_lens({**attributes, "title": "", "description": ""}, normalised=True,
                               stored=stored_attributes if isinstance(stored_attributes, dict) else None)
        if chart is None:
            return None
        data = dict(chart)
        if texts["title"]:
            data["inner_title"] = texts["title"]
        if texts["description"]:
            data["inner_description"] = texts["description"]
        index_pattern = _single_layer_index_pattern(stored)
        if index_pattern is not None and "indexPatternId" not in data.get("raw_datasource_layer", {}):
            # Kibana before 8 kept the data view id in the layer too; normalise_lens sets it aside, so it is
            # carried here to be written back as it was.
            data["raw_datasource_layer"] = {**data.get("raw_datasource_layer", {}), "indexPatternId": index_pattern}
        return data

    def normalise(self, panel: dict[str, Any], config: dict[str, Any]) -> None:
        if panel.get("type") == "lens" and isinstance(config.get("attributes"), dict):
            config["attributes"] = normalise_lens(config["attributes"])

    def references(self, panel: LensPanel) -> list[PanelRef]:
        out = [] if panel.data_view is None else [PanelRef("data_view", panel.data_view, ("data_view",))]
        return out + [PanelRef("data_view", ref, tuple(path)) for path, ref in compact_filter_data_views(panel.filters)]


def _single_layer_index_pattern(stored: dict[str, Any]) -> str | None:
    state = stored.get("embeddableConfig", {}).get("attributes", {}).get("state")
    datasources = state.get("datasourceStates") if isinstance(state, dict) else None
    if not isinstance(datasources, dict):
        return None
    layers = [layer for source in ("formBased", "indexpattern") if isinstance(datasources.get(source), dict)
              for layer in (datasources[source].get("layers") or {}).values()]
    if len(layers) == 1 and isinstance(layers[0], dict) and isinstance(layers[0].get("indexPatternId"), str):
        return layers[0]["indexPatternId"]
    return None

