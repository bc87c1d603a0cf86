"""Dashboards (``objects/dashboards/``): settings, time range, query/filters and a grid of panels.

Compiled to the ``dashboard`` saved object as Kibana 8.11 exports it (reference 3.4): ``panelsJSON``,
``optionsJSON`` and ``searchSourceJSON`` as JSON strings, tag references ``tag-ref-<id>``, filter data views
extracted to references. The YAML model is in ``model``, panels in ``panels/`` (one module per panel type),
controls in ``controls``, the grid in ``layout``, checks in ``check`` and export in ``decompile``.
"""

from __future__ import annotations

import copy
from typing import Any

from kibana_sync.kibana.format import (
    dumps_embedded,
    loads_embedded,
    reference_order,
    saved_object,
    strip_server_fields,
    tag_reference,
)
from kibana_sync.kinds.base import Decompiled, Entry, Kind
from kibana_sync.kinds.dashboard.check import check_dashboard
from kibana_sync.kinds.dashboard.controls import compile_controls, normalise_controls
from kibana_sync.kinds.dashboard.decompile import (
    OPTION_KEYS,
    decompile_dashboard,
    normalise_dashboard_filter,
)
from kibana_sync.kinds.dashboard.layout import layout
from kibana_sync.kinds.dashboard.model import DashboardModel, RefreshInterval, duration_ms
from kibana_sync.kinds.dashboard.panels.common import PanelContext
from kibana_sync.kinds.dashboard.panels.stored import (
    compile_panel,
    derived_panel_ids,
    normalise_stored_panel,
    panel_references,
)
from kibana_sync.lens.columns import FieldType, unknown_field_type
from kibana_sync.query.filters import compile_filters, filter_references
from kibana_sync.source.diagnostics import Diagnostic
from kibana_sync.source.model import RefUse


class DashboardKind(Kind):
    name = "dashboard"
    folder = "dashboards"
    model = DashboardModel
    saved_object_type = "dashboard"

    def references(self, entry: Entry) -> list[RefUse]:
        m: DashboardModel = entry.model
        uses = [RefUse("tag", tag, ("tags", i)) for i, tag in enumerate(m.tags)]
        if m.data_view is not None:
            uses.append(RefUse("data_view", m.data_view, ("data_view",)))
        uses.extend(filter_references(m.filters))
        uses.extend(RefUse("data_view", c.data_view, ("controls", i, "data_view"))
                    for i, c in enumerate(m.controls) if c.data_view is not None)
        for i, panel in enumerate(m.panels):
            uses.extend(RefUse(use.kind, use.ref, ("panels", i, *use.path)) for use in panel_references(panel))
        return uses

    def check(self, entry: Entry, project: Any) -> list[Diagnostic]:
        return check_dashboard(entry, project)

    # --- compile -------------------------------------------------------------------------------------------

    def compile(self, entry: Entry, project: Any) -> dict[str, Any]:
        m: DashboardModel = entry.model
        ctx = PanelContext(
            data_view_id=project.resolve(m.data_view) if m.data_view is not None else None,
            field_type_for=lambda dv_id: _field_types(project, dv_id),
            resolve=project.resolve,
        )
        filters, references = compile_filters(m.filters, m.data_view)
        panels = []
        panel_ids = derived_panel_ids(entry.id, [p.title for p in m.panels], [p.id for p in m.panels])
        by_position = m.panel_ref_names == "by_position"
        for position, (panel, panel_index, box) in enumerate(zip(m.panels, panel_ids, layout(m.panels), strict=True)):
            stored, panel_refs = compile_panel(panel, panel_index, box, ctx, m.panel_version,
                                               enhancements="panel_enhancements" not in m.unset,
                                               position=position if by_position else None)
            panels.append(stored)
            references.extend(panel_refs)
        default_data_view = project.resolve(m.data_view) if m.data_view is not None else None
        controls = None
        if m.controls or m.control_group is not None:
            controls, control_refs = compile_controls(entry.id, m.controls, m.control_group, default_data_view,
                                                      project.resolve)
            references.extend(control_refs)
        references.extend(m.raw_references)
        references.extend(tag_reference(project.resolve(tag)) for tag in m.tags)
        source: dict[str, Any] = {"query": {"query": m.query, "language": m.query_language}, "filter": filters}
        if m.highlight_all is not None:
            source = {"highlightAll": m.highlight_all, **source}
        if m.search_source_version is not None:
            source["version"] = m.search_source_version
        attributes: dict[str, Any] = {
            "title": m.title,
            "description": m.description,
            "panelsJSON": dumps_embedded(panels),
            "optionsJSON": dumps_embedded({key: getattr(m.options, name) for key, name in OPTION_KEYS.items()
                                           if name not in m.unset}),
            "version": 1,
            "timeRestore": m.time is not None,
            "kibanaSavedObjectMeta": {"searchSourceJSON": dumps_embedded(source)},
        }
        if m.time is not None:
            attributes["timeFrom"], attributes["timeTo"] = m.time.from_, m.time.to
            if m.refresh is not None:
                attributes["refreshInterval"] = _stored_refresh(m.refresh)
        if "options" in m.unset:
            del attributes["optionsJSON"]
        if controls is not None:
            attributes["controlGroupInput"] = controls
        if m.hits is not None:
            attributes["hits"] = m.hits
        attributes.update(copy.deepcopy(m.raw_attributes))
        return saved_object("dashboard", entry.id, attributes, references)

    # --- decompile -----------------------------------------------------------------------------------------

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        return decompile_dashboard(obj)

    # --- normalise -----------------------------------------------------------------------------------------

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        out = strip_server_fields(obj)
        attrs = dict(out.get("attributes", {}))
        attrs.setdefault("description", "")
        attrs.setdefault("version", 1)
        references = list(out.get("references", []))
        panels = loads_embedded(attrs.get("panelsJSON", "[]"))
        if isinstance(panels, list):
            normal = []
            for panel in panels:
                if isinstance(panel, dict):
                    panel, references = normalise_stored_panel(panel, references)
                normal.append(panel)
            panels = normal
        attrs["panelsJSON"] = panels
        attrs["optionsJSON"] = loads_embedded(attrs.get("optionsJSON", "{}"))
        meta = dict(attrs.get("kibanaSavedObjectMeta", {}))
        source = loads_embedded(meta.get("searchSourceJSON", "{}"))
        if isinstance(source, dict):
            source = {"query": {"query": "", "language": "kuery"}, "filter": [], **source}
            if isinstance(source["filter"], list):
                source["filter"] = [normalise_dashboard_filter(f) for f in source["filter"]]
        meta["searchSourceJSON"] = source
        attrs["kibanaSavedObjectMeta"] = meta
        if "controlGroupInput" in attrs:
            attrs["controlGroupInput"] = normalise_controls(attrs["controlGroupInput"])
        attrs.setdefault("timeRestore", False)
        if not attrs["timeRestore"]:  # without timeRestore Kibana ignores the stored time and refresh interval
            for key in ("timeFrom", "timeTo", "refreshInterval"):
                attrs.pop(key, None)
        out["attributes"] = attrs
        out["references"] = sorted(references, key=reference_order)
        return out


def _field_types(project: Any, data_view_id: str) -> FieldType:
    """The declared mapping types of a data view in the repo; nothing is known of external ones."""
    entry = project.get(data_view_id, "data_view")
    if entry is None or entry.kind.name != "data_view":
        return unknown_field_type
    return entry.model.field_type


def _stored_refresh(refresh: str | RefreshInterval) -> dict[str, Any]:
    if isinstance(refresh, str):
        return {"pause": False, "value": duration_ms(refresh)}
    return {"pause": refresh.paused, "value": duration_ms(refresh.every)}


