""".es-query params validation, mirroring `EsQueryRuleParamsSchema` of Kibana 8.11
(`x-pack/plugins/stack_alerts/server/rule_types/es_query/rule_type_params.ts`, reference 5.5).

config-schema checks the keys in declaration order and stops at the first failure, then rejects unknown keys,
then runs the schema's `validateParams`; the messages below are the ones each step produces.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .validation import js_type

MAX_HITS = 10000  # ES_QUERY_MAX_HITS_PER_EXECUTION
MAX_GROUPS = 1000
SEARCH_TYPES = ("searchSource", "esQuery", "esqlQuery")  # declaration order, as oneOf reports it
COMPARATORS = frozenset({">", ">=", "<", "<=", "between", "notBetween"})
AGG_TYPES = frozenset({"count", "avg", "min", "max", "sum"})
TIME_UNITS = frozenset({"s", "m", "h", "d"})
DEFAULTS = {"excludeHitsFromPreviousRun": True, "aggType": "count", "groupBy": "all", "searchType": "esQuery"}


class _Absent:
    """A key that was not sent: config-schema's `undefined`, distinct from an explicit null."""


ABSENT = _Absent()


class ParamsError(ValueError):
    """Reported by the rules client as `params invalid: <message>`."""


def _type(key: str, value: Any, kind: str) -> None:
    ok = {"string": isinstance(value, str), "boolean": isinstance(value, bool),
          "number": isinstance(value, int | float) and not isinstance(value, bool),
          "array": isinstance(value, list), "object": isinstance(value, dict)}[kind]
    if not ok:
        got = "undefined" if value is ABSENT else js_type(value)
        raise ParamsError(f"[{key}]: expected value of type [{kind}] but got [{got}]")


def _number(key: str, value: Any, minimum: float | None = None, maximum: float | None = None) -> None:
    _type(key, value, "number")
    if minimum is not None and value < minimum:
        raise ParamsError(f"[{key}]: Value must be equal to or greater than [{minimum}].")
    if maximum is not None and value > maximum:
        raise ParamsError(f"[{key}]: Value must be equal to or lower than [{maximum}].")


def _string(key: str, value: Any, min_length: int = 0,
            validate: Callable[[str], str | None] | None = None) -> None:
    _type(key, value, "string")
    if len(value) < min_length:
        raise ParamsError(f"[{key}]: value has length [{len(value)}] but it must have a minimum length of "
                          f"[{min_length}].")
    message = validate(value) if validate else None
    if message:
        raise ParamsError(f"[{key}]: {message}")


def _never(key: str, value: Any) -> None:
    if value is not ABSENT:
        raise ParamsError(f"[{key}]: a value wasn't expected to be present")


def _array(key: str, value: Any, min_size: int, max_size: int | None, item: Callable[[str, Any], None]) -> None:
    _type(key, value, "array")
    if len(value) < min_size:
        raise ParamsError(f"[{key}]: array size is [{len(value)}], but cannot be smaller than [{min_size}]")
    if max_size is not None and len(value) > max_size:
        raise ParamsError(f"[{key}]: array size is [{len(value)}], but cannot be greater than [{max_size}]")
    for index, element in enumerate(value):
        item(f"{key}.{index}", element)


def _in(name: str, allowed: frozenset[str], quote: bool = True) -> Callable[[str], str | None]:
    """The triggers_actions_ui `validateAggType`/`validateGroupBy`/`validateTimeWindowUnits` wording."""
    def validate(value: str) -> str | None:
        shown = f'"{value}"' if quote else value
        return None if value in allowed else f"invalid {name}: {shown}"
    return validate


def validate_es_query(params: dict[str, Any]) -> dict[str, Any]:
    result = {**DEFAULTS, **params}

    def get(key: str) -> Any:
        return result.get(key, ABSENT)

    _number("size", get("size"), 0, MAX_HITS)
    _number("timeWindowSize", get("timeWindowSize"), 1)
    _type("excludeHitsFromPreviousRun", get("excludeHitsFromPreviousRun"), "boolean")
    _string("timeWindowUnit", get("timeWindowUnit"), validate=_in("timeWindowUnit", TIME_UNITS))
    _array("threshold", get("threshold"), 1, 2, lambda k, v: _type(k, v, "number"))
    _string("thresholdComparator", get("thresholdComparator"),
            validate=_in("thresholdComparator specified", COMPARATORS, quote=False))
    _string("aggType", get("aggType"), validate=_in("aggType", AGG_TYPES))
    if get("aggField") is not ABSENT:
        _string("aggField", get("aggField"), 1)
    _string("groupBy", get("groupBy"), validate=_in("groupBy", frozenset({"all", "top"})))
    if get("termField") is not ABSENT:
        _string("termField", get("termField"), 1)
    if get("termSize") is not ABSENT:
        _number("termSize", get("termSize"), 1)
    search_type = get("searchType")
    if search_type not in SEARCH_TYPES:
        lines = "\n".join(f"- [searchType.{i}]: expected value to equal [{t}]" for i, t in enumerate(SEARCH_TYPES))
        raise ParamsError(f"[searchType]: types that failed validation:\n{lines}")
    if search_type == "esQuery" or get("timeField") is not ABSENT:
        _string("timeField", get("timeField"), 1)
    if search_type == "searchSource":
        _type("searchConfiguration", get("searchConfiguration"), "object")
    else:
        _never("searchConfiguration", get("searchConfiguration"))
    if search_type == "esQuery":
        _string("esQuery", get("esQuery"), 1)
        _array("index", get("index"), 1, None, lambda k, v: _string(k, v, 1))
    else:
        _never("esQuery", get("esQuery"))
        _never("index", get("index"))
    if search_type == "esqlQuery":
        _type("esqlQuery", get("esqlQuery"), "object")
        _string("esqlQuery.esql", get("esqlQuery").get("esql", ABSENT), 1)
    else:
        _never("esqlQuery", get("esqlQuery"))
    for key in params:
        if key not in KEYS:
            raise ParamsError(f"[{key}]: definition for this key is missing")
    message = _validate_params(result)
    if message:
        raise ParamsError(message)
    return result


KEYS = frozenset({"size", "timeWindowSize", "excludeHitsFromPreviousRun", "timeWindowUnit", "threshold",
                  "thresholdComparator", "aggType", "aggField", "groupBy", "termField", "termSize", "searchType",
                  "timeField", "searchConfiguration", "esQuery", "index", "esqlQuery"})


def _validate_params(params: dict[str, Any]) -> str | None:
    """The schema-level `validateParams`: cross-field rules, checked only once every key is valid."""
    comparator, threshold = params["thresholdComparator"], params["threshold"]
    if comparator in ("between", "notBetween") and len(threshold) == 1:
        return f'[threshold]: must have two elements for the "{comparator}" comparator'
    if params["aggType"] != "count" and not params.get("aggField"):
        return f'[aggField]: must have a value when [aggType] is "{params["aggType"]}"'
    if params["groupBy"] == "top":
        if params.get("termField") is None:
            return "[termField]: termField required when [groupBy] is top"
        if params.get("termSize") is None:
            return "[termSize]: termSize required when [groupBy] is top"
        if params["termSize"] > MAX_GROUPS:
            return f"[termSize]: must be less than or equal to {MAX_GROUPS}"
    if params["searchType"] != "esQuery":
        return None
    try:
        parsed = json.loads(params["esQuery"])
    except ValueError:
        return "[esQuery]: must be valid JSON"
    if _js_truthy(parsed) and not _js_truthy(parsed.get("query") if isinstance(parsed, dict) else None):
        return '[esQuery]: must contain "query"'
    return None


def _js_truthy(value: Any) -> bool:
    """`parsedQuery && !parsedQuery.query` follows JavaScript truthiness ({} and [] are truthy, 0 and "" not)."""
    if isinstance(value, dict | list):
        return True
    return bool(value)
