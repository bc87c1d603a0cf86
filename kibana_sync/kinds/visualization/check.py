"""``validate`` for legacy visualizations: the query parses as Kibana would parse it, and the fields it and the
compact filters name exist in the data view (warnings, as for searches)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kibana_sync.kinds import checks
from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.visualization.aggs import agg_fields
from kibana_sync.kinds.visualization.model import VisualizationModel
from kibana_sync.query.filters import FilterSpec
from kibana_sync.source.diagnostics import Diagnostic

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
    out.extend(checks.field_warnings(entry, named, checks.declared_fields(project, m.data_view),
                                     checks.data_view_label(m.data_view)))
    return out
