"""Checks that every kind holding queries (searches, dashboards, rules) makes the same way: KQL syntax as Kibana
reports it, and field names against what the data view declares (warnings, since the mapping may have more)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kibana_sync.kinds.base import Entry
from kibana_sync.query import kql
from kibana_sync.source.diagnostics import Diagnostic, Severity
from kibana_sync.source.model import Ref, ref_id

if TYPE_CHECKING:
    from kibana_sync.kinds.base import Project

Path = tuple[str | int, ...]
# What kql.lucene_hint tells a search to do; kinds that switch languages another way say so instead.
SEARCH_LUCENE_SWITCH = "set `language: lucene`"


def declared_fields(project: Project, data_view: Ref | None) -> set[str] | None:
    """The field names an in-repo data view declares (runtime and time fields included).

    None when that is unknown (an external or missing data view, or one that lists no fields): then every name
    would look undeclared, so none is reported.
    """
    if not isinstance(data_view, str):
        return None
    target = project.get(data_view, "data_view")
    if target is None or target.kind.name != "data_view" or not target.model.fields:
        return None
    model = target.model
    known = set(model.fields) | set(model.runtime_fields)
    if model.time_field:
        known.add(model.time_field)
    return known


def data_view_label(data_view: Ref | None) -> str:
    return f"data view {ref_id(data_view)!r}" if data_view is not None else "the data view"


def is_declared(name: str, known: set[str]) -> bool:
    # KQL allows wildcards in field names (`data.*: x`); such a name is fine if it matches any field.
    if "*" not in name:
        return name in known
    return any(fnmatch.fnmatchcase(k, name) for k in known)


def field_warnings(entry: Entry, named: Iterable[tuple[Path, str]], known: set[str] | None,
                   where: str) -> list[Diagnostic]:
    """A warning for each (path, field name) that ``known`` does not declare; nothing when ``known`` is None."""
    if known is None:
        return []
    return [entry.diagnostic(path, f"field {name!r} is not declared in {where}; check the name or add it to the "
                                   "data view's `fields`", Severity.WARNING)
            for path, name in named if not is_declared(name, known)]


def kql_problems(entry: Entry, path: Path, query: str,
                 lucene_switch: str | None = SEARCH_LUCENE_SWITCH) -> list[Diagnostic]:
    """The syntax error Kibana would report, at ``path``. With ``lucene_switch`` (how this kind says "use
    Lucene"), a query in Lucene syntax also gets the fix, or a warning when KQL reads it as plain text."""
    hint = kql.lucene_hint(query) if lucene_switch is not None else None
    if hint and lucene_switch != SEARCH_LUCENE_SWITCH:
        hint = hint.replace(SEARCH_LUCENE_SWITCH, lucene_switch)
    try:
        kql.parse(query)
    except kql.KQLSyntaxError as exc:
        message = f"invalid KQL at character {exc.position + 1}: {exc.message}"
        return [entry.diagnostic(path, f"{message} This is Lucene syntax: {hint}" if hint else message)]
    if hint:
        return [entry.diagnostic(path, f"parses as KQL but looks like Lucene syntax, which KQL reads as plain "
                                       f"text: {hint}", Severity.WARNING)]
    return []


def kql_fields(query: str | None) -> list[str]:
    """The fields a KQL query names; none for a query that does not parse (``kql_problems`` reports it)."""
    if query is None:
        return []
    try:
        return kql.fields(query)
    except kql.KQLSyntaxError:
        return []
