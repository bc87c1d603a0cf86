"""Filters, the pills of Kibana's filter bar, as searches and dashboards both store them: one compact YAML form,
its compile (Kibana 8.x's ``buildPhraseFilter``, ``buildPhrasesFilter``, ``buildRangeFilter`` and
``buildExistsFilter`` plus the editor's ``meta``) and decompile, and the move of each filter's data view to a
reference and back (``extract_references.ts``).

A person writes either the compact form, named after the filter editor's operators::

    {field: level, is: ERROR}                  # also is_one_of: [...], exists: true, is_between: {gte, gt, lte, lt}
    {field: level, is: ERROR, negate: true, disabled: true, label: Errors, data_view: logs}

or a Kibana filter object as Kibana shows it (``meta.index`` holding the data view id), kept verbatim.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from kibana_sync.kibana.format import reference
from kibana_sync.source.model import External, Model, Ref, RefUse, ref_id

Scalar = str | int | float | bool
PillType = Literal["phrase", "phrases", "range", "exists"]
OPERATORS = ("is", "is_one_of", "exists", "is_between")
# Spellings of an earlier compact form (saved searches), each with the operator that replaced it.
OLD_SPELLINGS = {"value": "is", "values": "is_one_of"}


class Bounds(Model):
    # int before float so that 70 stays 70 in the JSON Kibana gets; str for date ranges ("now-1d").
    gte: int | float | str | None = None
    gt: int | float | str | None = None
    lte: int | float | str | None = None
    lt: int | float | str | None = None


class FilterSpec(Model):
    """One filter pill: ``field`` plus exactly one operator; ``negate`` turns "is" into "is not" and so on."""

    field: str = Field(min_length=1)
    is_: Scalar | None = Field(default=None, alias="is")
    is_one_of: list[Scalar] | None = None
    exists: bool | None = None
    is_between: Bounds | None = None
    negate: bool = False
    disabled: bool = False
    label: str | None = Field(default=None, description="shown instead of the filter's own text")
    data_view: Ref | None = Field(default=None, description="default: the search's or dashboard's data view")

    @model_validator(mode="before")
    @classmethod
    def _old_spellings(cls, data: Any) -> Any:
        # Raised as a nested ValidationError so that the error points at the old key's own line and column.
        if isinstance(data, dict) and (old := [k for k in OLD_SPELLINGS if k in data]):
            raise ValidationError.from_exception_data(cls.__name__, [InitErrorDetails(
                type=PydanticCustomError("value_error", "`{old}` is not a filter operator; write `{new}: {value}`",
                                         {"old": k, "new": OLD_SPELLINGS[k], "value": _flow(data[k])}),
                loc=(k,), input=data[k]) for k in old])
        return data

    @model_validator(mode="after")
    def _one_operator(self) -> FilterSpec:
        given = [op for op, name in zip(OPERATORS, ("is_", "is_one_of", "exists", "is_between"), strict=True)
                 if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"a filter needs exactly one of: {', '.join(OPERATORS)}; got {', '.join(given) or 'none'}")
        if self.exists is False:
            raise ValueError(f"a filter needs exactly one of: {', '.join(OPERATORS)}; `exists: false` is none of "
                             "them: write `exists: true` with `negate: true` for \"does not exist\"")
        return self


def _flow(value: Any) -> str:
    """A value as it would be written in flow-style YAML, for error messages."""
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z_][\w.@-]*", value) and value.lower() not in (
            "true", "false", "null", "yes", "no", "on", "off"):
        return value
    return json.dumps(value)


def _filter_form(value: Any) -> str:
    # Kibana filter objects always carry `meta` (and usually `query`); anything else is the compact form,
    # so a typo in a compact filter is reported instead of being taken as a Kibana object.
    if isinstance(value, FilterSpec):
        return "compact"
    return "kibana" if isinstance(value, dict) and ("meta" in value or "query" in value) else "compact"


Filter = Annotated[
    Annotated[FilterSpec, Tag("compact")] | Annotated[dict[str, Any], Tag("kibana")],
    Discriminator(_filter_form),
]


def pill(field: str, type_: PillType, operand: Any, *, negate: bool, disabled: bool, alias: str | None,
         index: str | None) -> dict[str, Any]:
    """The filter as Kibana keeps it in memory (``meta.index`` still the data view id, omitted when None)."""
    meta: dict[str, Any] = {"alias": alias, "negate": negate, "disabled": disabled}
    if index is not None:
        meta["index"] = index
    meta["key"] = field
    if type_ == "phrase":
        meta.update(params={"query": operand}, type="phrase")
        query: dict[str, Any] = {"match_phrase": {field: operand}}
    elif type_ == "phrases":
        meta.update(params=list(operand), type="phrases")
        query = {"bool": {"minimum_should_match": 1, "should": [{"match_phrase": {field: v}} for v in operand]}}
    elif type_ == "range":
        meta.update(params=operand, type="range")
        query = {"range": {field: operand}}
    else:
        meta.update(type="exists", value="exists")
        query = {"exists": {"field": field}}
    return {"meta": meta, "query": query, "$state": {"store": "appState"}}


def kibana_filter(spec: FilterSpec, index: str | None) -> dict[str, Any]:
    """The Kibana filter a compact filter stands for, ``meta.index`` still inline."""
    type_: PillType
    if spec.is_ is not None:
        type_, operand = "phrase", spec.is_
    elif spec.is_one_of is not None:
        type_, operand = "phrases", spec.is_one_of
    elif spec.is_between is not None:
        type_, operand = "range", spec.is_between.model_dump(exclude_none=True)
    else:
        type_, operand = "exists", None
    return pill(spec.field, type_, operand, negate=spec.negate, disabled=spec.disabled, alias=spec.label,
                index=index)


def compile_filters(filters: list[FilterSpec | dict[str, Any]], default_data_view: Ref | None
                    ) -> tuple[list[Any], list[dict[str, str]]]:
    """Filters as Kibana stores them in a search source, each data view moved to a reference."""
    in_memory = []
    for item in filters:
        if isinstance(item, FilterSpec):
            data_view = item.data_view if item.data_view is not None else default_data_view
            in_memory.append(kibana_filter(item, None if data_view is None else ref_id(data_view)))
        else:
            in_memory.append(copy.deepcopy(item))
    return extract(in_memory)


def filter_references(filters: list[FilterSpec | dict[str, Any]]) -> list[RefUse]:
    """The data views the filters name, with where (``filters[i]...``), for the project to resolve."""
    uses = []
    for i, f in enumerate(filters):
        if isinstance(f, FilterSpec):
            if f.data_view is not None:
                uses.append(RefUse("data_view", f.data_view, ("filters", i, "data_view")))
        elif (index := inline_index(f)) is not None:
            uses.append(RefUse("data_view", index, ("filters", i, "meta", "index")))
    return uses


def compact_filter(f: Any, default_data_view: str | None = None,
                   same: Callable[[Any], Any] = lambda f: f) -> dict[str, Any] | None:
    """The compact form of an in-memory Kibana filter, or None when it would not compile back to the same filter.

    ``same`` is how the kind compares filters (a dashboard's ``normalise`` maps them, a search's keeps them as
    they are). ``data_view`` is left out when it is ``default_data_view``.
    """
    meta = f.get("meta") if isinstance(f, dict) else None
    # Without a data view the compact form would take the object's default one on compile.
    if not isinstance(meta, dict) or not isinstance(meta.get("key"), str) or not isinstance(meta.get("index"), str):
        return None
    spec: dict[str, Any] = {"field": meta["key"]}
    match meta.get("type"), meta.get("params"):
        case "phrase", {"query": value}:
            spec["is"] = value
        case "phrases", list(values):
            spec["is_one_of"] = values
        case "range", dict(bounds):
            spec["is_between"] = bounds
        case "exists", _:
            spec["exists"] = True
        case _:
            return None
    for key, name in (("negate", "negate"), ("disabled", "disabled")):
        if meta.get(key) is True:
            spec[name] = True
    if isinstance(meta.get("alias"), str):
        spec["label"] = meta["alias"]
    if meta["index"] != default_data_view:
        spec["data_view"] = meta["index"]
    try:
        rebuilt = kibana_filter(FilterSpec.model_validate(spec), meta["index"])
    except ValueError:
        return None
    # JSON text, not ==, so that 70.0 for 70 or true for 1 is a difference, as it is in what Kibana gets.
    if json.dumps(same(rebuilt), sort_keys=True) != json.dumps(same(f), sort_keys=True):
        return None
    return spec


def normalise_filter(f: Any) -> Any:
    """What Kibana makes of a stored filter when it loads it (mapFilter): defaults filled, the display value
    (derived from the query) and a ``meta.field`` that repeats ``meta.key`` dropped."""
    if not isinstance(f, dict) or not isinstance(f.get("meta"), dict):
        return f
    meta = {"alias": None, "negate": False, "disabled": False, **f["meta"]}
    if meta["alias"] == "":
        meta["alias"] = None
    if meta.get("type") in ("phrase", "phrases", "range"):
        meta.pop("value", None)
    if "field" in meta and meta["field"] == meta.get("key"):
        del meta["field"]
    return {"$state": {"store": "appState"}, **f, "meta": meta}  # no $state: an app (not pinned) filter


def ref_name(i: int) -> str:
    """The reference name Kibana gives the data view of the i-th filter of a search source."""
    return f"kibanaSavedObjectMeta.searchSourceJSON.filter[{i}].meta.index"


def inline_index(kibana_filter_: Any) -> Ref | None:
    """The data view a Kibana filter names in ``meta.index`` (``{external: id}`` allowed in YAML)."""
    meta = kibana_filter_.get("meta") if isinstance(kibana_filter_, dict) else None
    index = meta.get("index") if isinstance(meta, dict) else None
    if isinstance(index, dict) and set(index) == {"external"}:
        return External.model_validate(index)
    return index if isinstance(index, str) else None


def extract(filters: list[Any]) -> tuple[list[Any], list[dict[str, str]]]:
    """Move each inline ``meta.index`` into a reference, as Kibana does when it saves."""
    out, refs = [], []
    for i, f in enumerate(filters):
        index = inline_index(f)
        if index is None:
            out.append(f)
            continue
        name = ref_name(i)
        refs.append(reference("index-pattern", ref_id(index), name))
        meta = {k: v for k, v in f["meta"].items() if k != "index"}
        out.append({**f, "meta": {**meta, "indexRefName": name}})
    return out, refs


def inject(filters: list[Any], references: list[dict[str, Any]]) -> tuple[list[Any], list[dict[str, Any]]]:
    """The inverse of ``extract``: inline ``meta.index`` from the references; returns the references used.

    A filter whose ``indexRefName`` has no matching reference is left as it is. Of two references with one
    name the first counts, as in Kibana's ``injectReferences``.
    """
    by_name: dict[Any, dict[str, Any]] = {}
    for r in references:
        if r.get("type") == "index-pattern":
            by_name.setdefault(r.get("name"), r)
    out, used = [], []
    for i, f in enumerate(filters):
        meta = f.get("meta") if isinstance(f, dict) else None
        ref = by_name.get(ref_name(i))
        if not isinstance(meta, dict) or meta.get("indexRefName") != ref_name(i) or ref is None or "index" in meta:
            out.append(f)
            continue
        used.append(ref)
        restored = {k: v for k, v in meta.items() if k != "indexRefName"}
        out.append({**f, "meta": {**restored, "index": ref["id"]}})
    return out, used
