"""A map stored in the dashboard (by value, reference-objects 3.3): the map's attributes under
``map_attributes`` with ``layerListJSON``, ``mapStateJSON`` and ``uiStateJSON`` decoded (Kibana keeps them as
JSON strings), and the references its layers own under ``references``, named as Kibana names them."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from pydantic import Field

from kibana_sync.kibana.format import dumps_embedded, loads_embedded
from kibana_sync.kinds.dashboard.panels.common import (
    PanelCommon,
    PanelContent,
    PanelContext,
    PanelType,
    prefixed,
    unprefixed,
)

ENCODED_KEYS = ("layerListJSON", "mapStateJSON", "uiStateJSON")


class MapValuePanel(PanelCommon):
    content_config_keys: ClassVar[frozenset[str]] = frozenset({"attributes"})

    map_attributes: dict[str, Any] = Field(description="the map: title, description, layerListJSON (a list), "
                                                       "mapStateJSON, uiStateJSON (mappings)")
    references: list[dict[str, str]] = Field(
        default_factory=list, description="references the map's layers own, named as Kibana names them")
    stored_decoded: list[str] = Field(
        default_factory=list, description="of layerListJSON, mapStateJSON, uiStateJSON: those the dashboard "
                                          "stores as JSON values rather than strings (some package builders write "
                                          "them so, and Kibana keeps panelsJSON as sent)")


class MapValueType(PanelType):
    key = "map_attributes"
    model = MapValuePanel

    def compile(self, panel: MapValuePanel, panel_index: str, ctx: PanelContext) -> PanelContent:
        attributes = copy.deepcopy(panel.map_attributes)
        for key in ENCODED_KEYS:
            if key in attributes and not isinstance(attributes[key], str) and key not in panel.stored_decoded:
                attributes[key] = dumps_embedded(attributes[key])
        return PanelContent("map", {"attributes": attributes}, references=prefixed(panel_index, panel.references))

    def decompile(self, stored: dict[str, Any], normal: dict[str, Any],
                  own_refs: list[dict[str, str]]) -> dict[str, Any] | None:
        attributes = normal.get("embeddableConfig", {}).get("attributes")
        if normal.get("type") != "map" or not isinstance(attributes, dict) or "id" in normal:
            return None
        data: dict[str, Any] = {"map_attributes": attributes}
        refs = unprefixed(normal["panelIndex"], own_refs)
        if refs:
            data["references"] = refs
        as_stored = stored.get("embeddableConfig", {}).get("attributes")
        decoded = [k for k in ENCODED_KEYS if isinstance(as_stored, dict) and k in as_stored
                   and not isinstance(as_stored[k], str)]
        if decoded:
            data["stored_decoded"] = decoded
        return data

    def normalise(self, panel: dict[str, Any], config: dict[str, Any]) -> None:
        attributes = config.get("attributes")
        if panel.get("type") == "map" and isinstance(attributes, dict):
            decoded = dict(attributes)
            for key in ENCODED_KEYS:
                if isinstance(decoded.get(key), str):
                    decoded[key] = loads_embedded(decoded[key])
            config["attributes"] = decoded
