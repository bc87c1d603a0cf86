"""Dashboard filters (the pills under the query bar): a compact form named after Kibana's filter editor
operators, or a stored Kibana filter kept verbatim.

Compact filters compile to the pills of ``_filter_pills``, and each filter's data view goes to a reference there.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, model_validator

from kibana_sync.kinds._filter_pills import PillType, extract, pill
from kibana_sync.kinds.base import Model, Ref

Scalar = str | int | float | bool
_OPERATORS = ("is", "is_one_of", "exists", "is_between")


class Bounds(Model):
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None


class FilterSpec(Model):
    """One filter: ``field`` plus exactly one operator; ``negate`` turns "is" into "is not" and so on."""

    field: str = Field(min_length=1)
    is_: Scalar | None = Field(default=None, alias="is")
    is_one_of: list[Scalar] | None = None
    exists: bool | None = None
    is_between: Bounds | None = None
    negate: bool = False
    disabled: bool = False
    label: str | None = Field(default=None, description="shown instead of the filter's own text")
    data_view: Ref | None = Field(default=None, description="default: the dashboard's data view")

    @model_validator(mode="after")
    def _one_operator(self) -> FilterSpec:
        given = [op for op, name in zip(_OPERATORS, ("is_", "is_one_of", "exists", "is_between"), strict=True)
                 if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"a filter needs exactly one of: {', '.join(_OPERATORS)}; got {', '.join(given) or 'none'}")
        if self.exists is False:
            raise ValueError("write `exists: true` with `negate: true` for \"does not exist\"")
        return self


def _filter_kind(value: Any) -> str:
    if isinstance(value, FilterSpec) or isinstance(value, dict) and "field" in value:
        return "FilterSpec"
    return "KibanaFilter"


Filter = Annotated[
    Annotated[FilterSpec, Tag("FilterSpec")] | Annotated[dict[str, Any], Tag("KibanaFilter")],
    Discriminator(_filter_kind),
]


def kibana_filter(spec: FilterSpec, data_view_id: str | None) -> dict[str, Any]:
    """The filter as Kibana keeps it in memory (``meta.index`` still the data view id)."""
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
                index=data_view_id)


def stored_filters(filters: list[FilterSpec | dict[str, Any]], default_data_view: str | None,
                   resolve: Any) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Filters as the dashboard stores them, each ``meta.index`` moved to a reference."""
    in_memory = []
    for item in filters:
        if isinstance(item, FilterSpec):
            data_view = resolve(item.data_view) if item.data_view is not None else default_data_view
            in_memory.append(kibana_filter(item, data_view))
        else:
            in_memory.append(copy.deepcopy(item))
    return extract(in_memory)


def compact_filter(f: dict[str, Any]) -> dict[str, Any] | None:
    """The compact form of an in-memory filter, when it compiles back to the same filter; else None."""
    meta, query = f.get("meta"), f.get("query")
    if not isinstance(meta, dict) or not isinstance(query, dict) or not isinstance(meta.get("key"), str):
        return None
    spec: dict[str, Any] = {"field": meta["key"]}
    params = meta.get("params")
    if meta.get("type") == "phrase" and isinstance(params, dict):
        spec["is"] = params.get("query")
    elif meta.get("type") == "phrases":
        spec["is_one_of"] = params
    elif meta.get("type") == "range":
        spec["is_between"] = params
    elif meta.get("type") == "exists":
        spec["exists"] = True
    else:
        return None
    if meta.get("negate") is True:
        spec["negate"] = True
    if meta.get("disabled") is True:
        spec["disabled"] = True
    if isinstance(meta.get("alias"), str):
        spec["label"] = meta["alias"]
    if isinstance(meta.get("index"), str):
        spec["data_view"] = meta["index"]
    try:
        rebuilt = kibana_filter(FilterSpec.model_validate(spec), meta.get("index"))
    except ValueError:
        return None
    return spec if normalise_filter(rebuilt) == normalise_filter(f) else None


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
