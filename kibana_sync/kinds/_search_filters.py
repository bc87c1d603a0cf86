"""A saved search's filters: the compact forms, Kibana's own filter objects, and their data-view references.

Kibana stores a filter's data view as a reference (``_filter_pills.extract``/``inject``). A person writes either
a Kibana filter object as Kibana shows it (``meta.index`` holding the data view id) or, for the filter bar's
three common pills, ``{field, value | values | exists, negate?, disabled?, data_view?}``.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from pydantic import Discriminator, Tag, model_validator

from kibana_sync.kinds._filter_pills import PillType, pill
from kibana_sync.kinds.base import Model, Ref, ref_id

Scalar = str | int | float | bool


class FieldFilter(Model):
    """One filter pill: ``field`` is ``value``, is one of ``values``, or ``exists``; ``negate`` inverts it."""

    field: str
    value: Scalar | None = None
    values: list[Scalar] | None = None
    exists: bool | None = None
    negate: bool = False
    disabled: bool = False
    data_view: Ref | None = None  # the search's data view when unset

    @model_validator(mode="after")
    def _one_condition(self) -> FieldFilter:
        given = [k for k in ("value", "values", "exists") if getattr(self, k) is not None]
        if len(given) != 1 or self.exists is False:
            raise ValueError("a filter needs exactly one of `value: x` (is), `values: [x, y]` (is one of) or "
                             f"`exists: true`; got {', '.join(given) or 'none'}")
        return self


def _filter_form(value: Any) -> str:
    # Kibana filter objects always carry `meta` (and usually `query`); anything else is the compact form,
    # so a typo in a compact filter is reported instead of being taken as a Kibana object.
    return "kibana" if isinstance(value, dict) and ("meta" in value or "query" in value) else "compact"


FilterEntry = Annotated[
    Annotated[FieldFilter, Tag("compact")] | Annotated[dict[str, Any], Tag("kibana")],
    Discriminator(_filter_form),
]


def kibana_filter(f: FieldFilter, index: str | None) -> dict[str, Any]:
    """The filter object Kibana 8.x's filter bar saves for the pill, ``meta.index`` still inline."""
    type_: PillType
    if f.values is not None:
        type_, operand = "phrases", f.values
    elif f.exists:
        type_, operand = "exists", None
    else:
        type_, operand = "phrase", f.value
    return pill(f.field, type_, operand, negate=f.negate, disabled=f.disabled, alias=None, index=index)


def to_kibana(entry: FieldFilter | dict[str, Any], default_index: Ref | None) -> dict[str, Any]:
    """A YAML filter as a Kibana filter object, ``meta.index`` still inline (a Ref)."""
    if isinstance(entry, FieldFilter):
        ref = entry.data_view if entry.data_view is not None else default_index
        return kibana_filter(entry, None if ref is None else ref_id(ref))
    return copy.deepcopy(entry)


def compact(kibana_filter_: Any, default_index: str | None) -> dict[str, Any] | None:
    """The compact form of a Kibana filter, if it says exactly the same thing; else None."""
    meta = kibana_filter_.get("meta") if isinstance(kibana_filter_, dict) else None
    if not isinstance(meta, dict) or not isinstance(meta.get("index"), str):
        return None
    data: dict[str, Any] = {"field": meta.get("key")}
    match meta.get("type"), meta.get("params"):
        case "phrase", {"query": value}:
            data["value"] = value
        case "phrases", list(values):
            data["values"] = values
        case "exists", None:
            data["exists"] = True
        case _:
            return None
    data.update(negate=meta.get("negate"), disabled=meta.get("disabled"))
    if meta["index"] != default_index:
        data["data_view"] = meta["index"]
    try:
        candidate = FieldFilter.model_validate(data)
    except ValueError:
        return None
    if kibana_filter(candidate, meta["index"]) != kibana_filter_ or candidate.model_dump(exclude_unset=True) != data:
        return None  # not exactly what the compact form compiles to (extra keys, coerced types, ...)
    return {k: v for k, v in data.items() if v not in (False, None) or k == "value"}
