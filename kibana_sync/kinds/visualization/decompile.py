"""``export`` for legacy visualizations: a Kibana ``visualization`` object back to the YAML a person would write.

The exact inverse of ``VisualizationKind.compile``: what the compact form cannot say exactly (aggs it cannot
write as metrics/buckets, visState or searchSource keys of their own, legacy attributes, references it does not
know) is kept structured in ``aggs`` / ``raw_vis_state`` / ``raw_search_source`` / ``raw_attributes`` /
``raw_references``, never dropped and never as escaped JSON.
"""

from __future__ import annotations

from typing import Any

from kibana_sync.kibana.format import is_tag_reference, loads_embedded
from kibana_sync.kinds.base import Decompiled
from kibana_sync.kinds.search_source import take_query, take_search_source
from kibana_sync.kinds.visualization.aggs import decompile_aggs
from kibana_sync.kinds.visualization.controls import inject_controls
from kibana_sync.kinds.visualization.filter_values import (
    all_carry_display_values,
    display_value,
    without_display_value,
)
from kibana_sync.kinds.visualization.model import INDEX_REF_NAME, SEARCH_REF_NAME
from kibana_sync.kinds.visualization.params import PARAM_DEFAULTS, absent_defaults, params_without_defaults
from kibana_sync.query.filters import compact_filter, inject, normalise_filter

# The types the compact form covers; the others (TSVB, vega, timelion, maps, ...) are written structured.
COMPACT_TYPES = frozenset({"markdown", "metric", "pie", "line", "area", "histogram", "horizontal_bar", "table",
                           "tagcloud", "gauge", "goal", "input_control_vis"})


def decompile_visualization(obj: dict[str, Any]) -> Decompiled:
    attrs = dict(obj.get("attributes", {}))
    refs = list(obj.get("references", []))
    data: dict[str, Any] = {"id": obj["id"], "title": attrs.pop("title", "")}
    result = Decompiled(data)
    vis_state = loads_embedded(attrs.pop("visState", None))
    if not isinstance(vis_state, dict) or not isinstance(vis_state.get("type"), str):
        raise ValueError("visState has no vis type")
    if isinstance(attrs.get("description"), str):
        description = attrs.pop("description")
        if description:
            data["description"] = description
    data["type"] = vis_state["type"]
    if attrs.get("version") == 1 and type(attrs["version"]) is int:
        del attrs["version"]
    _decompile_vis_state(dict(vis_state), data)
    if "uiStateJSON" not in attrs:
        data["unset"] = [*data.get("unset", []), "ui_state"]
    ui_state = loads_embedded(attrs.get("uiStateJSON"))
    if isinstance(ui_state, dict):
        del attrs["uiStateJSON"]
        if ui_state:
            data["ui_state"] = ui_state
    source = take_search_source(attrs)
    if source is not None:
        refs = _decompile_source(source, refs, result)
    search = _only(refs, SEARCH_REF_NAME, "search")
    if attrs.get("savedSearchRefName") == SEARCH_REF_NAME and search is not None:
        del attrs["savedSearchRefName"]
        data["search"] = search["id"]
        refs = [r for r in refs if r is not search]
    refs = _data_view_refs(refs, data)
    if isinstance(data.get("params"), dict) and data.get("data_view_refs"):
        data["params"], used = inject_controls(data["type"], data["params"], data["data_view_refs"])
        data["data_view_refs"] = {k: v for k, v in data["data_view_refs"].items() if k not in used}
        if not data["data_view_refs"]:
            del data["data_view_refs"]
    tags = [r for r in refs if is_tag_reference(r)]
    if tags:
        data["tags"] = [r["id"] for r in tags]
        refs = [r for r in refs if r not in tags]
    if attrs:
        data["raw_attributes"] = attrs
    if refs:
        data["raw_references"] = refs
    result.data = data = _in_reading_order(data)
    compact = data["type"] in COMPACT_TYPES and "aggs" not in data and not any(
        k.startswith("raw_") for k in data) and result.raw_parts == 0
    result.compact_parts, result.raw_parts = (1, 0) if compact else (0, 1)
    return result


_KEY_ORDER = ("id", "title", "description", "type", "vis_title", "data_view", "search", "query", "language",
              "filters", "filter_display_values", "metrics", "buckets", "agg_order", "aggs", "params", "unset_params", "ui_state",
              "data_view_refs", "tags")


def _in_reading_order(data: dict[str, Any]) -> dict[str, Any]:
    """What the visualization shows and where its data comes from first, then how, then what is kept raw."""
    ordered = {k: data[k] for k in _KEY_ORDER if k in data}
    return {**ordered, **{k: v for k, v in data.items() if k not in ordered}}


def _decompile_vis_state(vis_state: dict[str, Any], data: dict[str, Any]) -> None:
    type_ = vis_state.pop("type")
    if "title" not in vis_state:
        data["unset"] = ["vis_title"]  # package builders leave it out; Kibana shows attributes.title
    title = vis_state.pop("title", None)
    if title is not None and title != data["title"]:
        data["vis_title"] = title
    if "aggs" in vis_state:
        aggs = vis_state.pop("aggs")
        compact = decompile_aggs(aggs, type_)
        if compact is None:
            data["aggs"] = aggs
        else:
            metrics, buckets, order = compact
            if metrics:
                data["metrics"] = metrics
            if buckets:
                data["buckets"] = buckets
            if order is not None:
                data["agg_order"] = order
    if isinstance(vis_state.get("params"), dict):
        params = vis_state.pop("params")
        unset = absent_defaults(type_, params)
        params = params_without_defaults(type_, params) if type_ in PARAM_DEFAULTS else params
        if params:
            data["params"] = params
        if unset:
            data["unset_params"] = unset
    if vis_state:
        data["raw_vis_state"] = vis_state


def _decompile_source(source: dict[str, Any], refs: list[dict[str, Any]], result: Decompiled) -> list[dict[str, Any]]:
    """Fill data_view, query, language and filters from searchSourceJSON; returns the references not used."""
    data, source = result.data, dict(source)
    # Package builders and older Kibanas leave query/filter out; Kibana 8.11 keeps them out: so does compile.
    unset = [key for key in ("query", "filter") if key not in source]
    if unset:
        data["unset"] = [*data.get("unset", []), *unset]
    main = _only(refs, INDEX_REF_NAME, "index-pattern")
    if source.get("indexRefName") == INDEX_REF_NAME and main is not None:
        source.pop("indexRefName")
        data["data_view"] = main["id"]
        refs = [r for r in refs if r is not main]
    take_query(source, result, dsl=True)
    if isinstance(source.get("filter"), list):
        kibana_filters, used = inject(source.pop("filter"), refs)
        refs = [r for r in refs if not any(r is u for u in used)]
        if kibana_filters:
            values = all_carry_display_values(kibana_filters)
            data["filters"] = [_compact_or_kept(f, data.get("data_view"), result, values) for f in kibana_filters]
            if values and any(isinstance(f, dict) and "meta" not in f and ("is" in f or "is_one_of" in f)
                              for f in data["filters"]):
                data["filter_display_values"] = True
    if source:
        data["raw_search_source"] = source
    return refs


def _data_view_refs(refs: list[dict[str, Any]], data: dict[str, Any]) -> list[dict[str, Any]]:
    """Data-view references that params name (input controls, TSVB) move to ``data_view_refs`` by name; a name
    used twice stays raw, since a mapping holds it once."""
    names = [r.get("name") for r in refs]
    moved = {}
    for r in refs:
        if r.get("type") == "index-pattern" and isinstance(r.get("name"), str) and isinstance(r.get("id"), str) \
                and set(r) == {"id", "name", "type"} and names.count(r["name"]) == 1:
            moved[r["name"]] = r["id"]
    if moved:
        data["data_view_refs"] = moved
    return [r for r in refs if r.get("name") not in moved]


def _only(refs: list[dict[str, Any]], name: str, type_: str) -> dict[str, Any] | None:
    """The one reference with this name and type (two with one name cannot be told apart: none)."""
    found = [r for r in refs if r.get("name") == name]
    if len(found) == 1 and found[0].get("type") == type_ and set(found[0]) == {"id", "name", "type"}:
        return found[0]
    return None


def _as_compiled(kibana_filter: Any) -> Any:
    """What the compact form must compile back to: the filter as Kibana reads it, but with the display value a
    7.x phrases filter stored (``meta.value``), which the compact form does not write: such a filter stays as
    stored."""
    out = normalise_filter(kibana_filter)
    meta = kibana_filter.get("meta") if isinstance(kibana_filter, dict) else None
    if isinstance(meta, dict) and "value" in meta and isinstance(out, dict):
        out = {**out, "meta": {**out["meta"], "value": meta["value"]}}
    return out


def _compact_or_kept(kibana_filter: Any, data_view: str | None, result: Decompiled, values: bool) -> Any:
    """The compact filter, or the filter as stored. With ``values`` (filter_display_values), a phrase/phrases
    filter's stored display text is what compile writes back, so the compact form is checked without it."""
    if values and display_value(kibana_filter) is not None:
        compact = compact_filter(without_display_value(kibana_filter), data_view, _as_compiled)
    else:
        compact = compact_filter(kibana_filter, data_view, _as_compiled)
    if compact is None:
        result.raw_parts += 1
        return kibana_filter
    return compact
