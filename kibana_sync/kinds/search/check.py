"""``validate`` for saved searches: the query parses as Kibana would parse it, and names fields the data view has."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kibana_sync.kinds import checks
from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.search.model import SearchModel
from kibana_sync.query.filters import FilterSpec
from kibana_sync.source.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from kibana_sync.kinds.base import Project

# Columns Discover offers that are not fields of the data view.
META_COLUMNS = {"_source", "_id", "_index", "_score"}


def check_search(entry: Entry, project: Project) -> list[Diagnostic]:
    m: SearchModel = entry.model
    out = checks.kql_problems(entry, ("query",), m.query) if m.language == "kuery" else []
    out.extend(_check_time(entry, m))
    for i, f in enumerate(m.filters):
        if isinstance(f, FilterSpec) and f.data_view is None and m.data_view is None:
            out.append(entry.diagnostic(("filters", i), "a compact filter needs a data view: set `data_view` on "
                                                         "the search or on the filter"))
    out.extend(checks.field_warnings(entry, _named_fields(m), checks.declared_fields(project, m.data_view),
                                     checks.data_view_label(m.data_view)))
    return out


def _check_time(entry: Entry, m: SearchModel) -> list[Diagnostic]:
    if m.time_restore and m.time_range is None:
        return [entry.diagnostic(("time_restore",), "time_restore: true needs a time_range ({from: now-24h, "
                                                    "to: now}) to restore")]
    if m.time_range is not None and not m.time_restore:
        return [entry.diagnostic(("time_range",), "Kibana ignores time_range unless time_restore: true",
                                 Severity.WARNING)]
    return []


def _named_fields(m: SearchModel) -> list[tuple[checks.Path, str]]:
    """Every field the search names, with where it is written."""
    named: list[tuple[checks.Path, str]] = []
    if m.language == "kuery":
        named.extend((("query",), f) for f in checks.kql_fields(m.query))
    named.extend((("columns", i), c) for i, c in enumerate(m.columns) if c not in META_COLUMNS)
    named.extend((("sort", i), pair[0]) for i, pair in enumerate(m.sort_pairs()) if pair[0] not in META_COLUMNS)
    named.extend((("filters", i, "field"), f.field) for i, f in enumerate(m.filters)
                 if isinstance(f, FilterSpec) and f.data_view is None)
    if m.breakdown_field is not None:
        named.append((("breakdown_field",), m.breakdown_field))
    return named
