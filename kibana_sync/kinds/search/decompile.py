"""``export`` for saved searches: a Kibana ``search`` object back to the YAML a person would write.

The exact inverse of ``SearchKind.compile``: whatever the YAML form cannot say exactly (legacy attributes such as
``hits``, newer ones such as ``tabs``, ad-hoc data views, filters that reuse another reference) is kept verbatim
in ``raw_attributes`` / ``raw_search_source`` / ``raw_references``, never dropped.
"""

from __future__ import annotations

from typing import Any

from kibana_sync.kibana.format import is_tag_reference
from kibana_sync.kinds.base import Decompiled
from kibana_sync.kinds.search.model import ATTRIBUTE_DEFAULTS, FLAGS, INDEX_REF_NAME, OPTIONAL, SearchModel
from kibana_sync.kinds.search_source import take_query, take_search_source
from kibana_sync.query.filters import compact_filter, inject


def decompile_search(obj: dict[str, Any]) -> Decompiled:
    attrs = dict(obj.get("attributes", {}))
    refs = list(obj.get("references", []))
    data: dict[str, Any] = {"id": obj["id"], "title": attrs.pop("title", "")}
    result = Decompiled(data)
    if isinstance(attrs.get("description"), str):
        description = attrs.pop("description")
        if description:
            data["description"] = description
    source = take_search_source(attrs)
    if source is not None:
        refs = _decompile_source(source, refs, result)
    _decompile_attributes(attrs, data)
    tags = [r for r in refs if is_tag_reference(r)]
    if tags:
        data["tags"] = [r["id"] for r in tags]
        refs = [r for r in refs if r not in tags]
    if attrs:
        data["raw_attributes"] = attrs
    if refs:
        data["raw_references"] = refs
    result.raw_parts += len(attrs) + len(refs)
    return result


def _decompile_source(source: dict[str, Any], refs: list[dict[str, Any]], result: Decompiled) -> list[dict[str, Any]]:
    """Fill data_view, query, language and filters from searchSourceJSON; returns the references not used."""
    data, source = result.data, dict(source)
    main = next((r for r in refs if r.get("name") == INDEX_REF_NAME and r.get("type") == "index-pattern"), None)
    if source.get("indexRefName") == INDEX_REF_NAME and main is not None:
        source.pop("indexRefName")
        data["data_view"] = main["id"]
        refs = [r for r in refs if r is not main]
    take_query(source, result)
    if isinstance(source.get("filter"), list):
        kibana_filters, used = inject(source.pop("filter"), refs)
        refs = [r for r in refs if not any(r is u for u in used)]
        if kibana_filters:
            data["filters"] = [_compact_or_kept(f, data.get("data_view"), result) for f in kibana_filters]
    if source:
        data["raw_search_source"] = source
        result.raw_parts += len(source)
    return refs


def _compact_or_kept(kibana_filter: Any, data_view: str | None, result: Decompiled) -> Any:
    compact = compact_filter(kibana_filter, data_view)
    if compact is None:
        result.raw_parts += 1
        return kibana_filter
    result.compact_parts += 1
    return compact


def _decompile_attributes(attrs: dict[str, Any], data: dict[str, Any]) -> None:
    """Move every attribute the YAML form can say exactly from ``attrs`` into ``data``; the rest stays."""
    # 7.x searches lack the attributes 8.x's Discover always writes: say so, so compile leaves them out too.
    unset = [key for key, attr in {"columns": "columns", "grid": "grid", **FLAGS}.items() if attr not in attrs]
    if unset:
        data["unset"] = unset
    if _is_str_list(attrs.get("columns")):
        columns = attrs.pop("columns")
        if columns:
            data["columns"] = columns
    if _is_sort(attrs.get("sort")):
        sort = attrs.pop("sort")
        if sort:
            data["sort"] = [{field: direction} for field, direction in sort]
    if isinstance(attrs.get("grid"), dict):
        grid = attrs.pop("grid")
        if grid:
            data["grid"] = grid
    for key, attr in {**FLAGS, **OPTIONAL}.items():
        if attr in attrs and _fits(key, attrs[attr]):
            value = attrs.pop(attr)
            if value != ATTRIBUTE_DEFAULTS.get(attr) or key in OPTIONAL:  # compile writes an optional one if set
                data[key] = value
    if _fits("time_range", attrs.get("timeRange")):
        data["time_range"] = attrs.pop("timeRange")
    if _fits("refresh_interval", attrs.get("refreshInterval")):
        data["refresh_interval"] = attrs.pop("refreshInterval")


def _fits(key: str, value: Any) -> bool:
    """Whether ``value`` is exactly what the YAML field ``key`` holds (so compile writes it back unchanged)."""
    if value is None:
        return False
    try:
        parsed = SearchModel.model_validate({"title": "x", key: value})
    except ValueError:
        return False
    field_value = getattr(parsed, key)
    dumped = field_value.model_dump(by_alias=True) if hasattr(field_value, "model_dump") else field_value
    return dumped == value and type(dumped) is type(value)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_sort(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and p[1] in ("asc", "desc") for p in value)
