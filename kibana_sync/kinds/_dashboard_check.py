"""Semantic checks of a dashboard: grid geometry, panel ids, data views, KQL syntax and field names."""

from __future__ import annotations

import fnmatch
from typing import Any

from kibana_sync import kql
from kibana_sync.diagnostics import Diagnostic, Severity
from kibana_sync.kinds._dashboard_filters import FilterSpec
from kibana_sync.kinds._dashboard_layout import geometry_problems
from kibana_sync.kinds._dashboard_model import DashboardModel, LensPanel, PanelCommon
from kibana_sync.kinds._dashboard_panels import derived_panel_ids
from kibana_sync.kinds.base import Entry, Ref, ref_id
from kibana_sync.lens import lens_fields, lens_queries

Path = tuple[str | int, ...]


def check_dashboard(entry: Entry, project: Any) -> list[Diagnostic]:
    m: DashboardModel = entry.model
    out = _check_grid(entry, m)
    if m.refresh is not None and m.time is None:
        out.append(entry.diagnostic(("refresh",), "a refresh interval is only stored with a time range: add "
                                                  "`time: {from: now-24h, to: now}` or remove `refresh`"))
    if m.query_language == "kuery":
        out.extend(_check_kql(entry, ("query",), m.query, _declared_fields(project, m.data_view),
                              _data_view_name(m.data_view)))
    out.extend(_check_filters(entry, project, m))
    for i, panel in enumerate(m.panels):
        if isinstance(panel, LensPanel):
            out.extend(_check_lens_panel(entry, project, m, i, panel))
    return out


def _check_grid(entry: Entry, m: DashboardModel) -> list[Diagnostic]:
    names = [_panel_name(i, p) for i, p in enumerate(m.panels)]
    out = [entry.diagnostic(("panels", problem.panel, problem.field), problem.message)
           for problem in geometry_problems(m.panels, names)]
    return out + _duplicate_panel_ids(entry, m, names)


def _check_filters(entry: Entry, project: Any, m: DashboardModel) -> list[Diagnostic]:
    out = []
    for i, f in enumerate(m.filters):
        if isinstance(f, FilterSpec):
            data_view = f.data_view if f.data_view is not None else m.data_view
            fields = _declared_fields(project, data_view)
            if fields is not None and not _matches(f.field, fields):
                out.append(_unknown_field(entry, ("filters", i, "field"), f.field, _data_view_name(data_view)))
    return out


def _data_view_name(data_view: Ref | None) -> str:
    return f"data view {ref_id(data_view)!r}" if data_view is not None else "the data view"


def _panel_name(index: int, panel: PanelCommon) -> str:
    return f"{index + 1} ({panel.title!r})" if panel.title else f"{index + 1}"


def _duplicate_panel_ids(entry: Entry, m: DashboardModel, names: list[str]) -> list[Diagnostic]:
    ids = derived_panel_ids(entry.id, [p.title for p in m.panels], [p.id for p in m.panels])
    first: dict[str, int] = {}
    out = []
    for i, panel_id in enumerate(ids):
        if panel_id in first:
            out.append(entry.diagnostic(("panels", i, "id"), f"panel {names[i]} has the same id {panel_id!r} as "
                                                             f"panel {names[first[panel_id]]}; ids must be unique"))
        else:
            first[panel_id] = i
    return out


def _check_lens_panel(entry: Entry, project: Any, m: DashboardModel, i: int, panel: LensPanel) -> list[Diagnostic]:
    data_view = panel.data_view if panel.data_view is not None else m.data_view
    if data_view is None:
        return [entry.diagnostic(("panels", i, "chart"), "this chart has no data view: set `data_view` on the "
                                                         "panel or a default `data_view` on the dashboard")]
    fields = _declared_fields(project, data_view)
    where = _data_view_name(data_view)
    out = []
    for path, field in lens_fields(panel):
        if fields is not None and field not in fields:
            out.append(_unknown_field(entry, ("panels", i, *path), field, where))
    for path, query in lens_queries(panel):
        out.extend(_check_kql(entry, ("panels", i, *path), query, fields, where))
    return out


def _check_kql(entry: Entry, path: Path, query: str, fields: set[str] | None, where: str) -> list[Diagnostic]:
    try:
        kql.parse(query)
    except kql.KQLSyntaxError as exc:
        return [entry.diagnostic(path, f"invalid KQL at character {exc.position + 1}: {exc.message}")]
    if fields is None:
        return []
    return [_unknown_field(entry, path, f, where) for f in kql.fields(query) if not _matches(f, fields)]


def _matches(field: str, fields: set[str]) -> bool:
    """KQL allows wildcards in field names (``data.*: x``); such a name is fine if it matches any field."""
    if "*" not in field:
        return field in fields
    return any(fnmatch.fnmatchcase(f, field) for f in fields)


def _unknown_field(entry: Entry, path: Path, field: str, where: str) -> Diagnostic:
    return entry.diagnostic(path, f"field {field!r} is not declared in {where}; check the name or add it to the "
                                  "data view's `fields`", Severity.WARNING)


def _declared_fields(project: Any, data_view: Ref | None) -> set[str] | None:
    """The fields a data view of this repo declares; None when unknown (external, missing, or none listed)."""
    if data_view is None or not isinstance(data_view, str):
        return None
    entry = project.get(data_view)
    if entry is None or entry.kind.name != "data_view" or not entry.model.fields:
        return None
    model = entry.model
    known = set(model.fields) | set(model.runtime_fields)
    if model.time_field:
        known.add(model.time_field)
    return known
