"""``validate`` for legacy visualizations: the query parses as Kibana would parse it, and the fields that the query,
the compact filters, the aggregations and the input controls name exist in their data view (warnings, as for
searches, since the mapping may hold more than the data view declares)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kibana_sync.kinds import checks
from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.visualization.aggs import agg_fields
from kibana_sync.kinds.visualization.controls import CONTROLS_TYPE, control_references
from kibana_sync.kinds.visualization.model import VisualizationModel
from kibana_sync.query.filters import FilterSpec
from kibana_sync.source.diagnostics import Diagnostic
from kibana_sync.source.model import Ref

if TYPE_CHECKING:
    from kibana_sync.kinds.base import Project


def check_visualization(entry: Entry, project: Project) -> list[Diagnostic]:
    m: VisualizationModel = entry.model
    kql = m.query if m.language == "kuery" and isinstance(m.query, str) else None
    out = checks.kql_problems(entry, ("query",), kql) if kql is not None else []
    for i, f in enumerate(m.filters):
        if isinstance(f, FilterSpec) and f.data_view is None and m.data_view is None:
            out.append(entry.diagnostic(("filters", i), "a compact filter needs a data view: set `data_view` on "
                                                         "the visualization or on the filter"))
    named: list[tuple[checks.Path, str]] = []
    if kql is not None:
        named.extend((("query",), f) for f in checks.kql_fields(kql))
    named.extend((("filters", i, "field"), f.field) for i, f in enumerate(m.filters)
                 if isinstance(f, FilterSpec) and f.data_view is None)
    named.extend(agg_fields(m.metrics, m.buckets))
    data_view = _data_view(m, project)
    out.extend(checks.field_warnings(entry, named, checks.declared_fields(project, data_view),
                                     checks.data_view_label(data_view)))
    out.extend(_control_field_warnings(entry, m, project))
    return out


def _data_view(m: VisualizationModel, project: Project) -> Ref | None:
    """The data view the aggregations run on: the visualization's own, or its saved search's."""
    if m.data_view is not None or not isinstance(m.search, str):
        return m.data_view
    search = project.get(m.search, "search")
    return getattr(search.model, "data_view", None) if search is not None and search.kind.name == "search" else None


def _control_field_warnings(entry: Entry, m: VisualizationModel, project: Project) -> list[Diagnostic]:
    if m.type != CONTROLS_TYPE:
        return []
    out = []
    controls: list[Any] = m.params.get("controls", [])
    for use in control_references(m.type, m.params):
        i = use.path[2]
        field = controls[i].get("fieldName")
        if isinstance(field, str) and field:
            out.extend(checks.field_warnings(entry, [(("params", "controls", i, "fieldName"), field)],
                                             checks.declared_fields(project, use.ref),
                                             checks.data_view_label(use.ref)))
    return out
