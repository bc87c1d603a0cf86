"""What a person writes for a map (``objects/maps/*.yaml``): Kibana's ``map`` saved object with its three
embedded JSON strings decoded into YAML (reference-objects-es.md section 3).

A layer's data view is written where Kibana's editor keeps it, ``sourceDescriptor.indexPatternId`` (and
``joins[j].right.indexPatternId``); ``build`` moves it into the references Kibana names positionally
(``layer_<i>_source_index_pattern``, ``layer_<i>_join_<j>_index_pattern``), as Kibana does on save.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kibana_sync.source.model import Model, Ref


class MapModel(Model):
    id: str | None = None
    title: str = Field(description="the title Kibana lists the map under")
    description: str | None = None
    tags: list[Ref] = Field(default_factory=list, description="tag ids in this repo, or {external: id}")
    layers: list[dict[str, Any]] | None = Field(
        default=None, description="layerListJSON decoded: one mapping per layer, bottom layer first; a data view "
                                  "is sourceDescriptor.indexPatternId: <id> (or {external: <id>})")
    map_state: dict[str, Any] | None = Field(default=None, description="mapStateJSON decoded: zoom, center, "
                                                                        "timeFilters, query, filters, settings")
    ui_state: dict[str, Any] | None = Field(default=None, description="uiStateJSON decoded")
    raw_layer_list: str | None = Field(default=None, description="layerListJSON kept verbatim when it is not "
                                                                  "valid JSON")
    raw_attributes: dict[str, Any] = Field(default_factory=dict, description="other attributes, verbatim")
    raw_references: list[dict[str, str]] = Field(default_factory=list,
                                                 description="references no layer accounts for, verbatim")
