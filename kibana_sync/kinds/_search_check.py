"""``validate`` for saved searches: the query parses as Kibana would parse it, and names fields the data view has."""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Any

from kibana_sync import kql
from kibana_sync.diagnostics import Diagnostic, Severity
from kibana_sync.kinds._search_filters import FieldFilter
from kibana_sync.kinds._search_model import SearchModel
from kibana_sync.kinds.base import Entry, Ref

if TYPE_CHECKING:
    from kibana_sync.project import Project

# Columns Discover offers that are not fields of the data view.
META_COLUMNS = {"_source", "_id", "_index", "_score"}
Path = tuple[str | int, ...]


def check_search(entry: Entry, project: Project) -> list[Diagnostic]:
    m: SearchModel = entry.model
    out = _check_query(entry, m)
    out.extend(_check_time(entry, m))
    for i, f in enumerate(m.filters):
        if isinstance(f, FieldFilter) and f.data_view is None and m.data_view is None:
            out.append(entry.diagnostic(("filters", i), "a compact filter needs a data view: set `data_view` on "
                                                         "the search or on the filter"))
    known = declared_fields(project, m.data_view)
    if known is not None:
        where = f"data view {m.data_view!r}"
        out.extend(_unknown(entry, path, name, known, where) for path, name in _named_fields(m))
    return [d for d in out if d is not None]


def _check_query(entry: Entry, m: SearchModel) -> list[Diagnostic]:
    if m.language != "kuery":
        return []
    hint = kql.lucene_hint(m.query)
    try:
        kql.parse(m.query)
    except kql.KQLSyntaxError as exc:
        message = f"invalid KQL at character {exc.position + 1}: {exc.message}"
        if hint:
            message += f" This is Lucene syntax: {hint}"
        return [entry.diagnostic(("query",), message)]
    if hint:
        return [entry.diagnostic(("query",), f"parses as KQL but looks like Lucene syntax, which KQL reads as "
                                             f"plain text: {hint}", Severity.WARNING)]
    return []


def _check_time(entry: Entry, m: SearchModel) -> list[Diagnostic]:
    if m.time_restore and m.time_range is None:
        return [entry.diagnostic(("time_restore",), "time_restore: true needs a time_range ({from: now-24h, "
                                                    "to: now}) to restore")]
    if m.time_range is not None and not m.time_restore:
        return [entry.diagnostic(("time_range",), "Kibana ignores time_range unless time_restore: true",
                                 Severity.WARNING)]
    return []


def _named_fields(m: SearchModel) -> list[tuple[Path, str]]:
    """Every field the search names, with where it is written."""
    named: list[tuple[Path, str]] = []
    named.extend((("query",), f) for f in _query_fields(m))
    named.extend((("columns", i), c) for i, c in enumerate(m.columns) if c not in META_COLUMNS)
    named.extend((("sort", i), pair[0]) for i, pair in enumerate(m.sort_pairs()) if pair[0] not in META_COLUMNS)
    named.extend((("filters", i, "field"), f.field) for i, f in enumerate(m.filters)
                 if isinstance(f, FieldFilter) and f.data_view is None)
    if m.breakdown_field is not None:
        named.append((("breakdown_field",), m.breakdown_field))
    return named


def _query_fields(m: SearchModel) -> list[str]:
    if m.language != "kuery":
        return []
    try:
        return kql.fields(m.query)
    except kql.KQLSyntaxError:  # already reported by _check_query
        return []


def _unknown(entry: Entry, path: Path, name: str, known: set[str], where: str) -> Diagnostic | None:
    # KQL allows wildcards in field names (`data.*: x`); such a name is fine if it matches any field.
    if name in known or "*" in name and any(fnmatch.fnmatchcase(k, name) for k in known):
        return None
    return entry.diagnostic(path, f"field {name!r} is not declared in {where}; check the name or add it to the "
                                  "data view's `fields`", Severity.WARNING)


def declared_fields(project: Project, data_view: Ref | None) -> set[str] | None:
    """The fields an in-repo data view declares; None when that is unknown (external, missing, none listed)."""
    if not isinstance(data_view, str):
        return None
    target = project.get(data_view)
    model: Any = getattr(target, "model", None)
    declared = getattr(model, "fields", None)
    if not declared:
        return None
    known = set(declared) | set(getattr(model, "runtime_fields", {}))
    if getattr(model, "time_field", None):
        known.add(model.time_field)
    return known
