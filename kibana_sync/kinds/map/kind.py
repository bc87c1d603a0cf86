"""Maps (``objects/maps/``), Kibana's ``map`` saved object: layers, map state and UI state, decoded."""

from __future__ import annotations

import copy
from typing import Any

from kibana_sync.kibana.format import (
    dumps_embedded,
    is_tag_reference,
    loads_embedded,
    reference_order,
    saved_object,
    strip_server_fields,
    tag_reference,
)
from kibana_sync.kinds.base import Decompiled, Entry, Kind, Project
from kibana_sync.kinds.map.layers import data_view_slots, extract, inject
from kibana_sync.kinds.map.model import MapModel
from kibana_sync.source.model import External, RefUse

# Kibana's 7.9 migration drops `bounds` (it was recomputed on every save); 8.11 never stores it.
DROPPED_ATTRIBUTES = ("bounds",)
# 8.1.0 migration `renameLayerTypes`.
RENAMED_LAYER_TYPES = {"VECTOR": "GEOJSON_VECTOR", "TILED_VECTOR": "MVT_VECTOR", "VECTOR_TILE": "EMS_VECTOR_TILE",
                       "TILE": "RASTER_TILE"}
_EMBEDDED = {"layerListJSON": "layers", "mapStateJSON": "map_state", "uiStateJSON": "ui_state"}


class MapKind(Kind):
    name = "map"
    folder = "maps"
    model = MapModel
    saved_object_type = "map"

    def references(self, entry: Entry) -> list[RefUse]:
        m: MapModel = entry.model
        uses = [RefUse("tag", t, ("tags", i)) for i, t in enumerate(m.tags)]
        for path, holder, _name in data_view_slots(m.layers or []):
            ref = _as_ref(holder.get("indexPatternId"))
            if ref is not None:
                uses.append(RefUse("data_view", ref, ("layers", *path, "indexPatternId")))
        return uses

    def compile(self, entry: Entry, project: Project) -> dict[str, Any]:
        m: MapModel = entry.model
        attributes: dict[str, Any] = {"title": m.title}
        if m.description is not None:
            attributes["description"] = m.description
        references: list[dict[str, str]] = []
        if m.layers is not None:
            layers, references = extract(m.layers, lambda value: project.resolve(_as_ref(value) or value))
            attributes["layerListJSON"] = dumps_embedded(layers)
        elif m.raw_layer_list is not None:
            attributes["layerListJSON"] = m.raw_layer_list
        if m.map_state is not None:
            attributes["mapStateJSON"] = dumps_embedded(m.map_state)
        if m.ui_state is not None:
            attributes["uiStateJSON"] = dumps_embedded(m.ui_state)
        attributes.update(copy.deepcopy(m.raw_attributes))
        references += copy.deepcopy(m.raw_references)
        references += [tag_reference(project.resolve(t)) for t in m.tags]
        return saved_object("map", entry.id, attributes, references)

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        attributes = dict(obj.get("attributes", {}))
        refs = list(obj.get("references", []))
        data: dict[str, Any] = {"id": obj["id"], "title": attributes.pop("title", "")}
        if "description" in attributes:
            data["description"] = attributes.pop("description")
        tags = [r for r in refs if is_tag_reference(r)]
        if tags:
            data["tags"] = [r["id"] for r in tags]
            refs = [r for r in refs if r not in tags]
        warnings: list[str] = []
        for attribute in DROPPED_ATTRIBUTES:
            if attributes.pop(attribute, None) is not None:
                warnings.append(f"map {obj['id']}: `{attribute}` dropped (Kibana 7.9+ no longer stores it)")
        for attribute, key in _EMBEDDED.items():
            if attribute not in attributes:
                continue
            value = loads_embedded(attributes.pop(attribute))
            if key == "layers":
                if not isinstance(value, list):
                    data["raw_layer_list"] = value
                    warnings.append(f"map {obj['id']}: layerListJSON is not a JSON list; kept verbatim")
                    continue
                value, refs = inject(value, refs)
            data[key] = value
        if attributes:
            data["raw_attributes"] = attributes
        if refs:
            data["raw_references"] = refs
        return Decompiled(data, warnings, compact_parts=1)

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        out = strip_server_fields(obj)
        attributes = {k: v for k, v in out.get("attributes", {}).items() if k not in DROPPED_ATTRIBUTES}
        attributes.setdefault("description", "")
        refs = list(out.get("references", []))
        for attribute in _EMBEDDED:
            if attribute in attributes:
                attributes[attribute] = loads_embedded(attributes[attribute])
        layers = attributes.get("layerListJSON")
        if isinstance(layers, list):
            layers, refs = inject(layers, refs)
            for layer in layers:
                if isinstance(layer, dict) and layer.get("type") in RENAMED_LAYER_TYPES:
                    layer["type"] = RENAMED_LAYER_TYPES[layer["type"]]
            attributes["layerListJSON"] = layers
        return {**out, "attributes": attributes, "references": sorted(refs, key=reference_order)}


def _as_ref(value: Any) -> str | External | None:
    """A layer's data view as written in YAML: an id, or ``{external: id}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"external"} and isinstance(value["external"], str):
        return External(external=value["external"])
    return None
