"""The ``.es-query`` rule type's params (reference.md 5.5): the compact YAML fields, their compile/decompile pair,
and the checks Kibana's params schema makes (``rule_type_params.ts``), so ``validate`` fails where a push would."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from kibana_sync.kibana.format import loads_embedded
from kibana_sync.source.model import Model, Ref, ref_id

RULE_TYPE = ".es-query"
ACTION_GROUPS = ("query matched", "recovered")  # the type's group and the framework's recovery group
MAX_HITS = 10000  # ES_QUERY_MAX_HITS_PER_EXECUTION
MAX_GROUPS = 1000
COMPARATORS = (">", ">=", "<", "<=", "between", "notBetween")
AGG_TYPES = ("count", "avg", "min", "max", "sum")
# What Kibana fills in when a param is not sent; a GET returns them.
DEFAULTS = {"searchType": "esQuery", "aggType": "count", "groupBy": "all", "excludeHitsFromPreviousRun": True}

_DURATION = re.compile(r"^([1-9][0-9]*)([smhd])$")
TIME_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}  # seconds in each unit Kibana accepts


def _is_duration(text: str) -> str:
    if not _DURATION.match(text):
        raise ValueError(f"expected a duration like 30s, 5m, 1h or 1d (a whole number > 0 and s|m|h|d), got {text!r}")
    return text


Duration = Annotated[str, AfterValidator(_is_duration)]


def split_duration(text: str) -> tuple[int, str]:
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r}")
    return int(match.group(1)), match.group(2)


def duration_seconds(text: str) -> int:
    size, unit = split_duration(text)
    return size * TIME_UNITS[unit]


# --- the compact YAML fields --------------------------------------------------------------------------------------

_NUMBER = r"(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"  # as Python prints floats, e.g. 1e-05
_ONE_BOUND = re.compile(rf"^(>=|<=|>|<)\s*{_NUMBER}$")
_TWO_BOUNDS = re.compile(rf"^(between|notBetween|not between)\s+{_NUMBER}\s+(?:and\s+)?{_NUMBER}$")


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and not {".", "e", "E"} & set(text) else value


class Threshold(Model):
    """``">= 90"``, ``"between 10 and 20"`` or ``{comparator: ">=", value: 90}``."""

    comparator: Literal[">", ">=", "<", "<=", "between", "notBetween"]
    value: list[int | float] = Field(min_length=1, max_length=2)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            text = data.strip()
            if match := _ONE_BOUND.match(text):
                return {"comparator": match.group(1), "value": [_number(match.group(2))]}
            if match := _TWO_BOUNDS.match(text):
                comparator = "between" if match.group(1) == "between" else "notBetween"
                return {"comparator": comparator, "value": [_number(match.group(2)), _number(match.group(3))]}
            raise ValueError(f"expected a comparison like '>= 90', '> 0' or 'between 10 and 20', got {data!r}")
        if isinstance(data, dict) and isinstance(data.get("value"), int | float):
            return {**data, "value": [data["value"]]}
        return data

    @model_validator(mode="after")
    def _bounds_fit(self) -> Threshold:
        if self.comparator in ("between", "notBetween") and len(self.value) != 2:
            raise ValueError(f"the {self.comparator} comparator needs two values (low and high), "
                             f"got {len(self.value)}")
        return self

    def text(self) -> str | None:
        """The compact form, when it says exactly this threshold."""
        if self.comparator in ("between", "notBetween"):
            low, high = self.value
            return f"{self.comparator} {low} and {high}"
        return f"{self.comparator} {self.value[0]}" if len(self.value) == 1 else None


class SearchSourceQuery(Model):
    """A query run through a data view (searchType searchSource), as Kibana's rule editor writes it."""

    kql: str | None = None
    lucene: str | None = None
    data_view: Ref

    @model_validator(mode="after")
    def _one_language(self) -> SearchSourceQuery:
        if (self.kql is None) == (self.lucene is None):
            raise ValueError("write the query as kql: or as lucene:, not both")
        return self

    @property
    def language(self) -> str:
        return "kuery" if self.kql is not None else "lucene"

    @property
    def text(self) -> str:
        return self.kql if self.kql is not None else self.lucene or ""


class DslQuery(Model):
    dsl: dict[str, Any] | str = Field(description="query DSL with a top-level 'query', as a mapping or JSON text")
    index: list[str] = Field(min_length=1)
    time_field: str = Field(min_length=1)

    @field_validator("index", mode="before")
    @classmethod
    def _one_index(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


def _query_form(value: Any) -> str | None:
    if isinstance(value, dict):
        if "kql" in value or "lucene" in value:
            return "SearchSourceQuery"
        return "DslQuery" if "dsl" in value else None
    return type(value).__name__


# Tags are the class names: a tag that is also a YAML key ("dsl") would send error locations into the wrong place.
Query = Annotated[
    Annotated[SearchSourceQuery, Tag("SearchSourceQuery")] | Annotated[DslQuery, Tag("DslQuery")],
    Discriminator(_query_form, custom_error_type="query_form",
                  custom_error_message="expected {kql: <query>, data_view: <id>} (or lucene: instead of kql:), "
                                       "or {dsl: <query DSL>, index: [<pattern>], time_field: <field>}"),
]


class Aggregation(Model):
    type: Literal["count", "avg", "min", "max", "sum"] = "count"
    field: str | None = Field(default=None, min_length=1)


class GroupBy(Model):
    field: str = Field(min_length=1, description="alert per value of this field (groupBy top)")
    size: int = Field(default=10, ge=1, le=MAX_GROUPS, description="how many groups (termSize)")


class EsQueryFields(Model):
    """The compact form of ``.es-query`` params; a rule written with raw ``params`` leaves these unset."""

    query: Query | None = None
    window: Duration | None = Field(default=None, description="time window each run looks back over, e.g. 5m")
    threshold: Threshold = Field(default_factory=lambda: Threshold(comparator=">", value=[0]),
                                 description="default '> 0': any match")
    size: int = Field(default=100, ge=0, le=MAX_HITS, description="hits to include in the alert context")
    aggregation: Aggregation = Field(default_factory=Aggregation)
    group_by: GroupBy | None = None
    exclude_hits_from_previous_run: bool = True
    raw_params: dict[str, Any] = Field(default_factory=dict,
                                       description="params kept verbatim from an export, merged over the rest")


COMPACT_FIELDS = tuple(EsQueryFields.model_fields)

# Where each Kibana param comes from in the compact YAML, so a problem points at what the person wrote.
PARAM_PATHS: dict[str, tuple[str, ...]] = {
    "searchType": ("query",), "searchConfiguration": ("query",), "esQuery": ("query", "dsl"),
    "index": ("query", "index"), "timeField": ("query", "time_field"), "timeWindowSize": ("window",),
    "timeWindowUnit": ("window",), "threshold": ("threshold",), "thresholdComparator": ("threshold",),
    "size": ("size",), "aggType": ("aggregation", "type"), "aggField": ("aggregation",),
    "groupBy": ("group_by",), "termField": ("group_by", "field"), "termSize": ("group_by", "size"),
    "excludeHitsFromPreviousRun": ("exclude_hits_from_previous_run",),
}


def compile_params(m: EsQueryFields, resolve: Callable[[Ref], str]) -> dict[str, Any]:
    """Kibana's params for the compact fields (``m.query`` and ``m.window`` must be set)."""
    assert m.query is not None and m.window is not None
    if isinstance(m.query, SearchSourceQuery):
        # 8.11 moves searchConfiguration.index into the rule's references on save and puts it back on read.
        params: dict[str, Any] = {"searchType": "searchSource", "searchConfiguration": {
            "query": {"query": m.query.text, "language": m.query.language}, "index": resolve(m.query.data_view)}}
    else:
        dsl = m.query.dsl if isinstance(m.query.dsl, str) else json.dumps(m.query.dsl, indent=2)
        params = {"searchType": "esQuery", "index": m.query.index, "timeField": m.query.time_field, "esQuery": dsl}
    window_size, window_unit = split_duration(m.window)
    params.update({"timeWindowSize": window_size, "timeWindowUnit": window_unit,
                   "thresholdComparator": m.threshold.comparator, "threshold": m.threshold.value,
                   "size": m.size, "aggType": m.aggregation.type})
    if m.aggregation.field is not None:
        params["aggField"] = m.aggregation.field
    if m.group_by is None:
        params["groupBy"] = "all"
    else:
        params.update({"groupBy": "top", "termField": m.group_by.field, "termSize": m.group_by.size})
    params["excludeHitsFromPreviousRun"] = m.exclude_hits_from_previous_run
    params.update(m.raw_params)
    return params


def normalise_params(params: dict[str, Any]) -> dict[str, Any]:
    out = {**DEFAULTS, **params}
    if "esQuery" in out:  # compare the query, not how its JSON text is formatted
        out["esQuery"] = loads_embedded(out["esQuery"])
    return out


def decompile_params(params: dict[str, Any]) -> dict[str, Any] | None:
    """The compact fields saying exactly ``params``, or None when they cannot (the rule keeps raw ``params``)."""
    candidate = _compact_candidate(params)
    if candidate is None:
        return None
    try:
        model = EsQueryFields.model_validate(candidate)
    except ValidationError:
        return None
    if model.query is None or model.window is None:
        return None
    if normalise_params(compile_params(model, ref_id)) != normalise_params(params):
        return None
    return candidate


def _compact_candidate(params: dict[str, Any]) -> dict[str, Any] | None:
    rest = dict(params)
    out: dict[str, Any] = {}
    search_type = rest.pop("searchType", "esQuery")
    if search_type == "esQuery":
        dsl = loads_embedded(rest.pop("esQuery", None))
        out["query"] = {"dsl": dsl, "index": rest.pop("index", None), "time_field": rest.pop("timeField", None)}
    elif search_type == "searchSource":
        config = rest.pop("searchConfiguration", None)
        query = config.get("query") if isinstance(config, dict) else None
        if not isinstance(query, dict) or set(config) != {"query", "index"} or set(query) != {"query", "language"}:
            return None
        language = {"kuery": "kql", "lucene": "lucene"}.get(query["language"])
        if language is None:
            return None
        out["query"] = {language: query["query"], "data_view": config["index"]}
    else:
        return None
    out["window"] = f"{rest.pop('timeWindowSize', '')}{rest.pop('timeWindowUnit', '')}"
    comparator, value = rest.pop("thresholdComparator", None), rest.pop("threshold", None)
    threshold = {"comparator": comparator, "value": value}
    try:
        out["threshold"] = Threshold.model_validate(threshold).text() or threshold
    except ValidationError:
        return None
    out["size"] = rest.pop("size", None)
    aggregation = {"type": rest.pop("aggType", "count")}
    if "aggField" in rest:
        aggregation["field"] = rest.pop("aggField")
    if aggregation != {"type": "count"}:
        out["aggregation"] = aggregation
    if rest.get("groupBy", "all") == "top":
        rest.pop("groupBy")
        out["group_by"] = {"field": rest.pop("termField", None), "size": rest.pop("termSize", None)}
    elif rest.get("groupBy") == "all":
        rest.pop("groupBy")
    if rest.get("excludeHitsFromPreviousRun", True) is False:
        out["exclude_hits_from_previous_run"] = False
    rest.pop("excludeHitsFromPreviousRun", None)
    if rest:  # e.g. termSize left behind by the UI on a groupBy-all rule
        out["raw_params"] = rest
    return out
