"""Registered rule types: action groups and params validation (`.es-query` per reference 5.5)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .es_query_params import ParamsError, validate_es_query
from .validation import js_type

RECOVERED = "recovered"  # the framework adds this group to every rule type
COMPARATORS = (">", ">=", "<", "<=", "between", "notBetween")
AGG_TYPES = ("count", "avg", "min", "max", "sum")
TIME_UNITS = ("s", "m", "h", "d")
MAX_GROUPS = 1000




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
    if not 1 <= len(threshold) <= 2:
        bound = "smaller than [1]" if not threshold else "greater than [2]"
        raise ParamsError(f"[threshold]: array size is [{len(threshold)}], but cannot be {bound}")
    for index, value in enumerate(threshold):
        if not _kind_ok(value, "number"):
            raise ParamsError(f"[threshold.{index}]: expected value of type [number] but got [{js_type(value)}]")
    _need(params, "thresholdComparator", "string")
    _one_of(params, "thresholdComparator", COMPARATORS)
    comparator = params["thresholdComparator"]
    # only a single value for a between comparator is refused; a second value for `>` is ignored
    if comparator in ("between", "notBetween") and len(threshold) == 1:
        raise ParamsError(f'[threshold]: must have two elements for the "{comparator}" comparator')


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
