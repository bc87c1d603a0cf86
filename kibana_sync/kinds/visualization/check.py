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
    out = checks.kql_problems(entry, ("query",), m.query) if m.language == "kuery" else []
    for i, f in enumerate(m.filters):
        if isinstance(f, FilterSpec) and f.data_view is None and m.data_view is None:
            out.append(entry.diagnostic(("filters", i), "a compact filter needs a data view: set `data_view` on "
                                                         "the visualization or on the filter"))
    named: list[tuple[checks.Path, str]] = []
    if m.language == "kuery":
        named.extend((("query",), f) for f in checks.kql_fields(m.query))
    named.extend((("filters", i, "field"), f.field) for i, f in enumerate(m.filters)
                 if isinstance(f, FilterSpec) and f.data_view is None)
    named.extend(agg_fields(m.metrics, m.buckets))
    out.extend(checks.field_warnings(entry, named, checks.declared_fields(project, m.data_view),
                                     checks.data_view_label(m.data_view)))
    return out
