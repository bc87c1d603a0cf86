"""A by-value legacy visualization in the compact syntax of ``objects/visualizations/`` (``vis: {type: pie,
data_view: logs, metrics: [count], buckets: [...], params: {...}}``), so a panel moves between by value and
the library by changing one key (``vis: {...}`` here, ``visualization: <id>`` and the same keys in a file).

Kibana stores it as ``embeddableConfig.savedVis`` (reference-objects 1.6): the library object's visState,
uiState and search source side by side in one object, its references prefixed ``<panelIndex>:``. Compile goes
through the visualization kind; decompile reads the kind's export of the same content and keeps the result
only if it compiles back to the stored panel (the two shapes differ enough that this is checked, not assumed);
otherwise the ``saved_vis`` form says the panel.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pydantic import Field, field_validator

from kibana_sync.kibana.format import dumps_embedded, loads_embedded, reference_order
from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.dashboard.panels.common import (
    ByValueVisPanel,
    PanelContent,
    PanelContext,
    PanelRef,
    PanelType,
    prefixed,
    unprefixed,
)
from kibana_sync.kinds.visualization.aggs import canonical_order
from kibana_sync.kinds.visualization.kind import VisualizationKind
from kibana_sync.kinds.visualization.model import SEARCH_REF_NAME, VisualizationModel
from kibana_sync.kinds.visualization.params import full_params
from kibana_sync.query.filters import normalise_filter
from kibana_sync.source.yaml_reader import SourceFile

_KIND = VisualizationKind()
# Keys of a visualization file that belong to the library object, not to its content.
_OBJECT_KEYS = ("id", "title", "description", "tags", "raw_attributes")
_SAVED_VIS_KEYS = {"title", "description", "type", "params", "uiState", "data"}


class VisualizationValuePanel(ByValueVisPanel):
    content_config_keys: ClassVar[frozenset[str]] = frozenset({"savedVis"})

    vis: dict[str, Any] = Field(description="the visualization in the syntax of objects/visualizations/ "
                                            "(type, data_view or search, query, filters, metrics, buckets, params)")
    inner_title: str = Field(default="", description="the title stored inside the visualization; Kibana shows "
                                                     "it when the panel has no title of its own")
    inner_description: str = ""

    @field_validator("vis")
    @classmethod
    def _is_a_visualization(cls, value: dict[str, Any]) -> dict[str, Any]:
        misplaced = [k for k in _OBJECT_KEYS if k in value]
        if misplaced:
            raise ValueError(f"{', '.join(misplaced)} belong to a library visualization, not to a panel's `vis` "
                             f"(use the panel's title/inner_title)")
        VisualizationModel.model_validate({**value, "title": ""})  # its errors, with the expected form
        return value

    def library_model(self) -> VisualizationModel:
        return VisualizationModel.model_validate({**self.vis, "title": self.inner_title,
                                                  "description": self.inner_description})


class VisualizationValueType(PanelType):
    key = "vis"
    model = VisualizationValuePanel

    def compile(self, panel: VisualizationValuePanel, panel_index: str, ctx: PanelContext) -> PanelContent:
        saved_vis, refs = _saved_vis(panel.library_model())
        return PanelContent("visualization", {"savedVis": saved_vis}, references=prefixed(panel_index, refs))

    def decompile(self, stored: dict[str, Any], normal: dict[str, Any],
                  own_refs: list[dict[str, str]]) -> dict[str, Any] | None:
        saved_vis = normal.get("embeddableConfig", {}).get("savedVis")
        if normal.get("type") != "visualization" or "id" in normal or not isinstance(saved_vis, dict) \
                or not set(saved_vis) <= _SAVED_VIS_KEYS or not isinstance(saved_vis.get("type"), str) \
                or not isinstance(saved_vis.get("data", {}), dict) \
                or not set(saved_vis.get("data", {})) <= {"aggs", "searchSource"}:
            return None
        # as stored, not as normalised: what the stored form lacks (a title, uiState, the query, default
        # params) must stay absent, and the visualization kind says those absences
        as_stored = {k: v for k, v in stored.get("embeddableConfig", {}).get("savedVis", {}).items() if k != "id"}
        if not isinstance(as_stored.get("data"), dict) or not isinstance(as_stored["data"].get("searchSource"), dict):
            return None
        refs = unprefixed(normal["panelIndex"], own_refs)
        try:
            exported = _KIND.decompile(_library_object(as_stored, refs)).data
            panel = VisualizationValuePanel.model_validate(_panel_keys(exported))
            compiled, compiled_refs = _saved_vis(panel.library_model())
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        if compiled != as_stored or \
                sorted(map(reference_order, compiled_refs)) != sorted(map(reference_order, refs)):
            return None
        return _panel_keys(exported)

    def normalise(self, panel: dict[str, Any], config: dict[str, Any]) -> None:
        saved_vis = config.get("savedVis")
        if panel.get("type") == "visualization" and isinstance(saved_vis, dict) \
                and saved_vis.get("type") != "markdown":
            config["savedVis"] = normalise_saved_vis(saved_vis)

    def references(self, panel: VisualizationValuePanel) -> list[PanelRef]:
        model = panel.library_model()
        entry = Entry(_KIND, "panel", model, SourceFile("<panel>", {}))
        return [PanelRef(use.kind, use.ref, ("vis", *use.path)) for use in _KIND.references(entry)]


def normalise_saved_vis(saved_vis: dict[str, Any]) -> dict[str, Any]:
    """What Kibana assumes when it loads a by-value visualization, as the visualization kind's normalise does
    for a library one: the type's default params (shallowly, reference-objects 1.3), an empty uiState, an
    empty query and filter list, filters as Kibana reads them; aggregations in a canonical order."""
    out = {"uiState": {}, **saved_vis}
    if isinstance(out.get("params"), dict) and isinstance(out.get("type"), str):
        out["params"] = full_params(out["type"], out["params"])
    data = out.get("data")
    if isinstance(data, dict):
        data = {"aggs": [], **data}
        if isinstance(data["aggs"], list):
            data["aggs"] = canonical_order(data["aggs"])
        source = data.get("searchSource")
        if isinstance(source, dict):
            source = {"query": {"query": "", "language": "kuery"}, "filter": [], **source}
            if isinstance(source["filter"], list):
                source["filter"] = [normalise_filter(f) for f in source["filter"]]
            data["searchSource"] = source
        out["data"] = data
    return out


def _panel_keys(exported: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"vis": {k: v for k, v in exported.items() if k not in _OBJECT_KEYS}}
    if exported.get("title"):
        data["inner_title"] = exported["title"]
    if exported.get("description"):
        data["inner_description"] = exported["description"]
    if any(k in exported for k in ("tags", "raw_attributes")):
        raise ValueError("not a by-value visualization")
    return data


def _library_object(saved_vis: dict[str, Any], refs: list[dict[str, str]]) -> dict[str, Any]:
    """The library ``visualization`` object with the content of a by-value one."""
    data = saved_vis.get("data", {})
    vis_state = {"title": saved_vis["title"]} if "title" in saved_vis else {}
    vis_state.update({"type": saved_vis["type"], "aggs": data.get("aggs", []), "params": saved_vis.get("params", {})})
    attributes: dict[str, Any] = {
        "title": saved_vis.get("title", ""), "description": saved_vis.get("description", ""),
        "visState": dumps_embedded(vis_state), "version": 1,
        "kibanaSavedObjectMeta": {"searchSourceJSON": dumps_embedded(data.get("searchSource", {}))}}
    if "uiState" in saved_vis:
        attributes["uiStateJSON"] = dumps_embedded(saved_vis["uiState"])
    if any(r["name"] == SEARCH_REF_NAME for r in refs):
        attributes["savedSearchRefName"] = SEARCH_REF_NAME
    return {"type": "visualization", "id": "panel", "attributes": attributes, "references": json.loads(
        json.dumps(refs))}


def _saved_vis(model: VisualizationModel) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The by-value form of a library visualization and its references (not yet prefixed)."""
    obj = _KIND.compile(Entry(_KIND, "panel", model, SourceFile("<panel>", {})), None)
    attributes = obj["attributes"]
    vis_state = loads_embedded(attributes["visState"])
    if set(attributes) - {"title", "description", "visState", "uiStateJSON", "version", "kibanaSavedObjectMeta",
                          "savedSearchRefName"} or not {"type", "aggs", "params"} <= set(vis_state) <= \
            {"title", "type", "aggs", "params"} or vis_state.get("title", attributes["title"]) != attributes["title"]:
        raise ValueError("this visualization has no by-value form")
    saved_vis = {"title": attributes["title"]} if "title" in vis_state else {}
    saved_vis.update({"description": attributes["description"], "type": vis_state["type"],
                      "params": vis_state["params"]})
    if "uiStateJSON" in attributes:
        saved_vis["uiState"] = loads_embedded(attributes["uiStateJSON"])
    saved_vis["data"] = {"aggs": vis_state["aggs"],
                         "searchSource": loads_embedded(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])}
    return saved_vis, obj["references"]
