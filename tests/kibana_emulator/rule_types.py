"""Registered rule types: action groups and params validation (`.es-query` per reference 5.5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .validation import js_type

RECOVERED = "recovered"  # the framework adds this group to every rule type
COMPARATORS = (">", ">=", "<", "<=", "between", "notBetween")
AGG_TYPES = ("count", "avg", "min", "max", "sum")
TIME_UNITS = ("s", "m", "h", "d")
MAX_GROUPS = 1000


class ParamsError(ValueError):
    """Reported as `params invalid: <message>`."""


def _kind_ok(value: Any, kind: str) -> bool:
    return {"string": isinstance(value, str), "boolean": isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "array": isinstance(value, list), "object": isinstance(value, dict)}[kind]


def _need(params: dict[str, Any], key: str, kind: str) -> Any:
    value = params.get(key)
    if not _kind_ok(value, kind):
        got = "undefined" if value is None else js_type(value)
        raise ParamsError(f"[{key}]: expected value of type [{kind}] but got [{got}]")
    return value


def _maybe(params: dict[str, Any], key: str, kind: str) -> Any:
    return None if params.get(key) is None else _need(params, key, kind)


def _one_of(params: dict[str, Any], key: str, choices: tuple[str, ...]) -> None:
    if params[key] not in choices:
        lines = "\n".join(f"- [{key}.{i}]: expected value to equal [{c}]" for i, c in enumerate(choices))
        raise ParamsError(f"[{key}]: types that failed validation:\n{lines}")


def _threshold_rules(params: dict[str, Any]) -> None:
    threshold = _need(params, "threshold", "array")
    if not 1 <= len(threshold) <= 2 or not all(_kind_ok(t, "number") for t in threshold):
        raise ParamsError("[threshold]: expected an array of one or two numbers")
    _need(params, "thresholdComparator", "string")
    _one_of(params, "thresholdComparator", COMPARATORS)
    comparator = params["thresholdComparator"]
    wanted = 2 if comparator in ("between", "notBetween") else 1
    if len(threshold) != wanted:
        count = "two elements" if wanted == 2 else "one element"
        raise ParamsError(f'[threshold]: must have {count} for the "{comparator}" comparator')


def _aggregation_rules(params: dict[str, Any]) -> None:
    _one_of(params, "aggType", AGG_TYPES)
    if params["aggType"] != "count" and not params.get("aggField"):
        raise ParamsError(f'[aggField]: must have a value when [aggType] is "{params["aggType"]}"')
    _one_of(params, "groupBy", ("all", "top"))
    if params["groupBy"] == "top":
        if not params.get("termField"):
            raise ParamsError("[termField]: termField required when [groupBy] is top")
        term_size = params.get("termSize")
        if not _kind_ok(term_size, "number"):
            raise ParamsError("[termSize]: termSize required when [groupBy] is top")
        if term_size > MAX_GROUPS:
            raise ParamsError(f"[termSize]: must be less than or equal to {MAX_GROUPS}")


def _time_window_rules(params: dict[str, Any]) -> None:
    size = _need(params, "timeWindowSize", "number")
    if size < 1:
        raise ParamsError("[timeWindowSize]: Value must be equal to or greater than [1].")
    unit = _need(params, "timeWindowUnit", "string")
    if unit not in TIME_UNITS:
        raise ParamsError(f'[timeWindowUnit]: invalid timeWindowUnit: "{unit}"')


ES_QUERY_KEYS = frozenset({
    "size", "timeWindowSize", "timeWindowUnit", "threshold", "thresholdComparator", "esQuery", "index",
    "timeField", "searchConfiguration", "esqlQuery", "searchType", "excludeHitsFromPreviousRun", "aggType",
    "aggField", "groupBy", "termField", "termSize", "sourceFields"})


def validate_es_query(params: dict[str, Any]) -> dict[str, Any]:
    for key in params:
        if key not in ES_QUERY_KEYS:
            raise ParamsError(f"[{key}]: definition for this key is missing")
    result = {"searchType": "esQuery", "excludeHitsFromPreviousRun": True, "aggType": "count", "groupBy": "all",
              **params}
    _one_of(result, "searchType", ("esQuery", "searchSource", "esqlQuery"))
    size = _need(result, "size", "number")
    if not 0 <= size <= 10000:
        raise ParamsError(f"[size]: Value must be equal to or {'greater' if size < 0 else 'lower'} than "
                          f"[{0 if size < 0 else 10000}].")
    _time_window_rules(result)
    _threshold_rules(result)
    _aggregation_rules(result)
    search_type = result["searchType"]
    if search_type == "esQuery":
        _check_es_query(result)
    elif search_type == "searchSource":
        _need(result, "searchConfiguration", "object")
    else:
        query = _need(result, "esqlQuery", "object")
        if not isinstance(query.get("esql"), str):
            raise ParamsError("[esqlQuery.esql]: expected value of type [string] but got [undefined]")
        _need(result, "timeField", "string")
    return result


def _check_es_query(params: dict[str, Any]) -> None:
    raw = _need(params, "esQuery", "string")
    try:
        parsed = json.loads(raw)
    except ValueError as err:
        raise ParamsError("[esQuery]: must be valid JSON") from err
    if not isinstance(parsed, dict) or "query" not in parsed:
        raise ParamsError('[esQuery]: must contain "query"')
    index = _need(params, "index", "array")
    if not index:
        raise ParamsError("[index]: array size is [0], but cannot be smaller than [1]")
    _need(params, "timeField", "string")


INDEX_THRESHOLD_KEYS = frozenset({
    "index", "timeField", "aggType", "aggField", "groupBy", "termField", "termSize", "timeWindowSize",
    "timeWindowUnit", "thresholdComparator", "threshold", "filterKuery"})


def validate_index_threshold(params: dict[str, Any]) -> dict[str, Any]:
    for key in params:
        if key not in INDEX_THRESHOLD_KEYS:
            raise ParamsError(f"[{key}]: definition for this key is missing")
    result = {"aggType": "count", "groupBy": "all", "timeWindowSize": 5, "timeWindowUnit": "m", **params}
    index = result.get("index")
    if not (isinstance(index, str) and index) and not (isinstance(index, list) and index):
        raise ParamsError("[index]: expected a non-empty string or array of strings")
    _need(result, "timeField", "string")
    _maybe(result, "filterKuery", "string")
    _time_window_rules(result)
    _threshold_rules(result)
    _aggregation_rules(result)
    return result


# consumers the stack rule types accept (reference 5.5); anything else fails Kibana's authorization
STACK_CONSUMERS = ("alerts", "stackAlerts", "discover", "observability", "logs", "infrastructure")


@dataclass(frozen=True)
class RuleType:
    id: str
    name: str
    producer: str
    action_groups: tuple[str, ...]  # default group first; `recovered` is appended by the framework
    validate_params: Callable[[dict[str, Any]], dict[str, Any]]
    consumers: tuple[str, ...] = STACK_CONSUMERS

    @property
    def all_action_groups(self) -> tuple[str, ...]:
        return (*self.action_groups, RECOVERED)

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "producer": self.producer,
                "action_groups": [{"id": g, "name": g} for g in self.all_action_groups],
                "default_action_group_id": self.action_groups[0],
                "recovery_action_group": {"id": RECOVERED, "name": "Recovered"},
                "minimum_license_required": "basic", "is_exportable": True, "enabled_in_license": True,
                "authorized_consumers": {c: {"read": True, "all": True} for c in self.consumers}}


RULE_TYPES: dict[str, RuleType] = {
    t.id: t for t in (
        RuleType(".es-query", "Elasticsearch query", "stackAlerts", ("query matched",), validate_es_query),
        RuleType(".index-threshold", "Index threshold", "stackAlerts", ("threshold met",),
                 validate_index_threshold),
    )
}
