"""What Kibana 8.11's ``.es-query`` params schema rejects (``rule_type_params.ts``), checked on the params a rule
compiles to, so ``validate`` fails where a push would answer ``400 params invalid``."""

from __future__ import annotations

import json
from typing import Any

from kibana_sync.kinds.rule.es_query import AGG_TYPES, COMPARATORS, MAX_GROUPS, MAX_HITS, TIME_UNITS

KNOWN_PARAMS = frozenset({
    "size", "timeWindowSize", "timeWindowUnit", "excludeHitsFromPreviousRun", "threshold", "thresholdComparator",
    "aggType", "aggField", "groupBy", "termField", "termSize", "searchType", "timeField", "searchConfiguration",
    "esQuery", "index", "esqlQuery",
})


def problems(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(param name, message) for each reason Kibana 8.11 would answer ``400 params invalid``."""
    out: list[tuple[str, str]] = [(k, f"unknown .es-query param {k!r}; Kibana 8.11 rejects it")
                                  for k in params if k not in KNOWN_PARAMS]
    out += _number_problems(params)
    out += _threshold_problems(params)
    out += _aggregation_problems(params)
    out += _query_problems(params)
    if not isinstance(params.get("excludeHitsFromPreviousRun", True), bool):
        out.append(("excludeHitsFromPreviousRun", "expected true or false"))
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_problems(params: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    size = params.get("size")
    if not (_is_number(size) and 0 <= size <= MAX_HITS):
        out.append(("size", f"expected a number from 0 to {MAX_HITS}, got {size!r}"))
    window = params.get("timeWindowSize")
    if not (_is_number(window) and window >= 1):
        out.append(("timeWindowSize", f"expected a number >= 1, got {window!r}"))
    if params.get("timeWindowUnit") not in TIME_UNITS:
        out.append(("timeWindowUnit", f"expected one of s, m, h, d, got {params.get('timeWindowUnit')!r}"))
    return out


def _threshold_problems(params: dict[str, Any]) -> list[tuple[str, str]]:
    threshold, comparator = params.get("threshold"), params.get("thresholdComparator")
    if comparator not in COMPARATORS:
        return [("thresholdComparator", f"expected one of {', '.join(COMPARATORS)}, got {comparator!r}")]
    if not (isinstance(threshold, list) and 1 <= len(threshold) <= 2 and all(map(_is_number, threshold))):
        return [("threshold", f"expected a list of one or two numbers, got {threshold!r}")]
    if comparator in ("between", "notBetween") and len(threshold) == 1:
        return [("threshold", f"must have two elements for the {comparator!r} comparator")]
    return []


def _aggregation_problems(params: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    agg_type = params.get("aggType", "count")
    if agg_type not in AGG_TYPES:
        out.append(("aggType", f"expected one of {', '.join(AGG_TYPES)}, got {agg_type!r}"))
    elif agg_type != "count" and not params.get("aggField"):
        out.append(("aggField", f"needs a field when the aggregation is {agg_type!r}"))
    group_by = params.get("groupBy", "all")
    if group_by not in ("all", "top"):
        out.append(("groupBy", f"expected all or top, got {group_by!r}"))
    elif group_by == "top":
        if params.get("termField") is None:
            out.append(("termField", "a field is required when grouping (groupBy top)"))
        term_size = params.get("termSize")
        if not (_is_number(term_size) and 1 <= term_size <= MAX_GROUPS):
            out.append(("termSize", f"expected a number from 1 to {MAX_GROUPS} when grouping, got {term_size!r}"))
    return out


def _query_problems(params: dict[str, Any]) -> list[tuple[str, str]]:
    search_type = params.get("searchType", "esQuery")
    needs = {"esQuery": ("esQuery", "index", "timeField"), "searchSource": ("searchConfiguration",),
             "esqlQuery": ("esqlQuery",)}.get(search_type)
    if needs is None:
        return [("searchType", f"expected esQuery, searchSource or esqlQuery, got {search_type!r}")]
    own = {"esQuery", "index", "searchConfiguration", "esqlQuery"}
    out = [(k, f"is only allowed when searchType is {_owner(k)}") for k in sorted(own - set(needs)) if k in params]
    out += [(k, f"is required when searchType is {search_type}") for k in needs if params.get(k) in (None, "", [])]
    if search_type == "esQuery" and params.get("esQuery"):
        message = _es_query_problem(params["esQuery"])
        if message:
            out.append(("esQuery", message))
    if search_type == "esQuery" and not all(isinstance(i, str) and i for i in params.get("index") or [""]):
        out.append(("index", "expected a list of index patterns"))
    return out


def _owner(param: str) -> str:
    return {"esQuery": "esQuery", "index": "esQuery", "searchConfiguration": "searchSource",
            "esqlQuery": "esqlQuery"}[param]


def _es_query_problem(text: Any) -> str | None:
    try:
        parsed = json.loads(text) if isinstance(text, str) else None
    except ValueError as exc:
        return f"must be valid JSON ({exc})"
    if not isinstance(parsed, dict):
        return "must be a JSON object with a top-level \"query\""
    return None if parsed.get("query") else "must contain \"query\""
