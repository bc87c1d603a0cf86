"""Legacy visualizations (``objects/visualizations/``), Kibana's ``visualization`` saved object.

Kibana keeps three JSON strings in the attributes (``visState``, ``uiStateJSON``,
``kibanaSavedObjectMeta.searchSourceJSON``) and names the data views and the saved search it uses by reference
(reference-objects-es.md 1.1, 1.2). The YAML holds them decoded; ``compile`` encodes them again.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from kibana_sync.kibana.format import (
    dumps_embedded,
    reference,
    saved_object,
    tag_reference,
)
from kibana_sync.kinds.base import Decompiled, Entry, Kind
from kibana_sync.kinds.visualization.aggs import compile_aggs
from kibana_sync.kinds.visualization.check import check_visualization
from kibana_sync.kinds.visualization.controls import control_references, extract_controls
from kibana_sync.kinds.visualization.decompile import decompile_visualization
from kibana_sync.kinds.visualization.filter_values import with_display_value
from kibana_sync.kinds.visualization.model import INDEX_REF_NAME, SEARCH_REF_NAME, VisualizationModel
from kibana_sync.kinds.visualization.normalise import normalise_visualization
from kibana_sync.kinds.visualization.params import full_params
from kibana_sync.query.filters import FilterSpec, compile_filters, filter_references
from kibana_sync.source.diagnostics import Diagnostic
from kibana_sync.source.model import RefUse, ref_id

if TYPE_CHECKING:
    from kibana_sync.kinds.base import Project


class VisualizationKind(Kind):
    name = "visualization"
    folder = "visualizations"
    model = VisualizationModel
    saved_object_type = "visualization"

    def references(self, entry: Entry) -> list[RefUse]:
        m: VisualizationModel = entry.model
        uses = [RefUse("data_view", m.data_view, ("data_view",))] if m.data_view is not None else []
        if m.search is not None:
            uses.append(RefUse("search", m.search, ("search",)))
        uses.extend(filter_references(m.filters))
        uses.extend(RefUse("data_view", r, ("data_view_refs", name)) for name, r in m.data_view_refs.items())
        uses.extend(control_references(m.type, m.params))
        uses.extend(RefUse("tag", t, ("tags", i)) for i, t in enumerate(m.tags))
        return uses

    def check(self, entry: Entry, project: Project) -> list[Diagnostic]:
        return check_visualization(entry, project)

    def compile(self, entry: Entry, project: Any) -> dict[str, Any]:
        m: VisualizationModel = entry.model
        kibana_filters, refs = compile_filters(m.filters, m.data_view)
        if m.filter_display_values:
            kibana_filters = [with_display_value(f) if isinstance(spec, FilterSpec) else f
                              for spec, f in zip(m.filters, kibana_filters, strict=True)]
        source: dict[str, Any] = {"query": {"query": copy.deepcopy(m.query), "language": m.language}, "filter": kibana_filters}
        for key in m.unset:
            source.pop(key, None)
        source.update(copy.deepcopy(m.raw_search_source))
        if m.data_view is not None:
            source["indexRefName"] = INDEX_REF_NAME
            refs.insert(0, reference("index-pattern", ref_id(m.data_view), INDEX_REF_NAME))
        attrs: dict[str, Any] = {"title": m.title, "description": m.description}
        if m.search is not None:
            attrs["savedSearchRefName"] = SEARCH_REF_NAME
            refs.append(reference("search", ref_id(m.search), SEARCH_REF_NAME))
        refs.extend(reference("index-pattern", ref_id(r), name) for name, r in m.data_view_refs.items())
        params, control_refs = extract_controls(m.type, full_params(m.type, m.params, m.unset_params))
        refs.extend(control_refs)
        aggs = copy.deepcopy(m.aggs) if m.aggs is not None else compile_aggs(m.metrics, m.buckets, m.type,
                                                                              m.agg_order)
        vis_state: dict[str, Any] = {
            "title": m.title if m.vis_title is None else m.vis_title, "type": m.type, "aggs": aggs, "params": params,
        }
        if "vis_title" in m.unset:
            del vis_state["title"]
        vis_state.update(copy.deepcopy(m.raw_vis_state))
        attrs.update({
            "visState": dumps_embedded(vis_state),
            "uiStateJSON": dumps_embedded(m.ui_state),
            "version": 1,
            "kibanaSavedObjectMeta": {"searchSourceJSON": dumps_embedded(source)},
        })
        if "ui_state" in m.unset:
            del attrs["uiStateJSON"]
        attrs.update(copy.deepcopy(m.raw_attributes))
        refs.extend(tag_reference(ref_id(t)) for t in m.tags)
        refs.extend(copy.deepcopy(m.raw_references))
        return saved_object("visualization", entry.id, attrs, refs)

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        return normalise_visualization(obj)

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        return decompile_visualization(obj)
