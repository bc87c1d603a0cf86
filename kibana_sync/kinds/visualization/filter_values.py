"""Kibana 7 stored a filter pill's display text in ``meta.value`` ("a, b" for `is one of`, the value for `is`);
Kibana 8 computes it from ``meta.params`` when it shows the pill and saves filters without it. The compact
filters do not write it, so a visualization whose `is` / `is one of` filters all carry it says
``filter_display_values: true`` and compile writes it back, derived the way Kibana 7 derived it."""

from __future__ import annotations

from typing import Any


def display_value(kibana_filter: Any) -> str | None:
    """The text Kibana 7 stored in ``meta.value`` for a phrase or phrases filter, None for other filters."""
    meta = kibana_filter.get("meta") if isinstance(kibana_filter, dict) else None
    if not isinstance(meta, dict):
        return None
    params = meta.get("params")
    if meta.get("type") == "phrases" and isinstance(params, list) and all(isinstance(v, str) for v in params):
        return ", ".join(params)
    if meta.get("type") == "phrase" and isinstance(params, dict) and isinstance(params.get("query"), str):
        return params["query"]
    return None


def all_carry_display_values(kibana_filters: list[Any]) -> bool:
    """Whether the phrase/phrases filters (at least one) all store their derived display text."""
    derived = [(f, display_value(f)) for f in kibana_filters if display_value(f) is not None]
    return bool(derived) and all(f["meta"].get("value") == value for f, value in derived)


def with_display_value(kibana_filter: dict[str, Any]) -> dict[str, Any]:
    value = display_value(kibana_filter)
    if value is None:
        return kibana_filter
    return {**kibana_filter, "meta": {**kibana_filter["meta"], "value": value}}


def without_display_value(kibana_filter: dict[str, Any]) -> dict[str, Any]:
    return {**kibana_filter, "meta": {k: v for k, v in kibana_filter["meta"].items() if k != "value"}}
