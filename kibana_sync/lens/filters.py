"""A Lens chart's own filters (``state.filters``): the compact pills of ``kinds._filter_pills``, with their data
views moved to references the way Lens's ``extractFilterReferences`` (8.x) does it, and back.

Lens differs from a search source in how it points at the reference: ``meta.index`` itself holds the reference
name ``filter-index-pattern-<i>`` (i = the filter's position), not an ``indexRefName`` next to it.
"""

from __future__ import annotations

import copy
from typing import Any

from kibana_sync.kibana.format import reference
from kibana_sync.query.filters import FilterSpec, compact_filter, kibana_filter
from kibana_sync.source.model import Ref, ref_id

FILTER_REFERENCE_PREFIX = "filter-index-pattern-"


def filter_reference_name(position: int) -> str:
    return f"{FILTER_REFERENCE_PREFIX}{position}"


def compile_lens_filters(filters: list[FilterSpec | dict[str, Any]], data_view_id: str
                         ) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The stored ``state.filters`` and the references the compact ones add; Kibana filter objects are kept
    verbatim (their ``meta.index`` as written, since Lens also loads an inline data view id)."""
    stored, references = [], []
    for position, item in enumerate(filters):
        if not isinstance(item, FilterSpec):
            stored.append(copy.deepcopy(item))
            continue
        data_view = ref_id(item.data_view) if item.data_view is not None else data_view_id
        name = filter_reference_name(position)
        stored.append(kibana_filter(item, name))
        references.append(reference("index-pattern", data_view, name))
    return stored, references


def read_lens_filters(filters: list[Any], references: list[dict[str, Any]], data_view_id: str
                      ) -> tuple[list[Any], list[dict[str, Any]]]:
    """The inverse of ``compile_lens_filters``: each filter in compact form where that compiles back to exactly
    the stored filter and reference, else as stored; returns the references the compact filters account for."""
    by_name: dict[Any, list[dict[str, Any]]] = {}
    for r in references:
        by_name.setdefault(r.get("name"), []).append(r)
    out, used = [], []
    for position, f in enumerate(filters):
        name = filter_reference_name(position)
        meta = f.get("meta") if isinstance(f, dict) else None
        candidates = by_name.get(name, [])
        # Two references of one name would compile back to one, and an inline id (no reference) must stay inline.
        if not isinstance(meta, dict) or meta.get("index") != name or len(candidates) != 1 \
                or candidates[0].get("type") != "index-pattern" or not isinstance(candidates[0].get("id"), str) \
                or "indexRefName" in meta:
            out.append(f)
            continue
        ref = candidates[0]
        spec = compact_filter({**f, "meta": {**meta, "index": ref["id"]}}, data_view_id)
        if spec is None or set(ref) != {"id", "name", "type"}:
            out.append(f)
            continue
        out.append(spec)
        used.append(ref)
    return out, used


def compact_filter_data_views(filters: list[FilterSpec | dict[str, Any]]) -> list[tuple[tuple[str | int, ...], Ref]]:
    """The data views compact filters name themselves, with where, for a caller that checks references resolve
    (a Kibana filter object's ``meta.index`` in Lens is usually a reference name, not a data view id)."""
    return [(("filters", i, "data_view"), f.data_view) for i, f in enumerate(filters)
            if isinstance(f, FilterSpec) and f.data_view is not None]
