"""Semantic checks of a dashboard: grid geometry, panel ids, data views, KQL syntax and field names."""

from __future__ import annotations

from typing import Any

from kibana_sync.kinds import checks
from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.dashboard.layout import geometry_problems
from kibana_sync.kinds.dashboard.model import DashboardModel
from kibana_sync.kinds.dashboard.panels.common import PanelCommon
from kibana_sync.kinds.dashboard.panels.lens_chart import LensPanel
from kibana_sync.kinds.dashboard.panels.stored import derived_panel_ids
from kibana_sync.lens import lens_fields, lens_queries
from kibana_sync.query.filters import FilterSpec
from kibana_sync.source.diagnostics import Diagnostic
from kibana_sync.source.model import Ref


def check_dashboard(entry: Entry, project: Any) -> list[Diagnostic]:
    m: DashboardModel = entry.model
    out = _check_grid(entry, m)
    if m.refresh is not None and m.time is None:
        out.append(entry.diagnostic(("refresh",), "a refresh interval is only stored with a time range: add "
                                                  "`time: {from: now-24h, to: now}` or remove `refresh`"))
    if m.query_language == "kuery":
        out.extend(_check_kql(entry, ("query",), m.query, checks.declared_fields(project, m.data_view),
                              checks.data_view_label(m.data_view), lucene_switch="set `query_language: lucene`"))
    out.extend(_check_filters(entry, project, m))
    out.extend(_check_controls(entry, project, m))
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
            data_view: Ref | None = f.data_view if f.data_view is not None else m.data_view
            out.extend(checks.field_warnings(entry, [(("filters", i, "field"), f.field)],
                                             checks.declared_fields(project, data_view),
                                             checks.data_view_label(data_view)))
    return out


def _check_controls(entry: Entry, project: Any, m: DashboardModel) -> list[Diagnostic]:
    out = []
    for i, control in enumerate(m.controls):
        if control.field is not None:
            data_view = control.data_view if control.data_view is not None else m.data_view
            out.extend(checks.field_warnings(entry, [(("controls", i, control.type_key), control.field)],
                                             checks.declared_fields(project, data_view),
                                             checks.data_view_label(data_view)))
    return out


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
    if panel.esql is not None:
        return []  # an ES|QL chart names its indices in the query and reads no data view
    if data_view is None:
        return [entry.diagnostic(("panels", i, "chart"), "this chart has no data view: set `data_view` on the "
                                                         "panel or a default `data_view` on the dashboard")]
    fields = checks.declared_fields(project, data_view)
    where = checks.data_view_label(data_view)
    named = [(("panels", i, *path), field) for path, field in lens_fields(panel)]
    out = checks.field_warnings(entry, named, fields, where)
    for path, query in lens_queries(panel):
        out.extend(_check_kql(entry, ("panels", i, *path), query, fields, where))
    return out


def _check_kql(entry: Entry, path: checks.Path, query: str, fields: set[str] | None, where: str,
               lucene_switch: str | None = None) -> list[Diagnostic]:
    # Chart queries get no Lucene advice: a formula's kql='...' has no way to switch language.
    problems = checks.kql_problems(entry, path, query, lucene_switch)
    return problems or checks.field_warnings(entry, [(path, f) for f in checks.kql_fields(query)], fields, where)
