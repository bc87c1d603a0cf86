"""Aggregations in the compact form: ``metrics: [count, avg(bytes)]`` and ``buckets: [{terms: host.keyword,
size: 5}]`` stand for Kibana's ``visState.aggs`` list (reference-objects-es.md 1.1).

An entry is ``name`` or ``name(field)`` when the agg has no other params, else a mapping: ``{<agg type>: field,
<param>: value, ...}`` or, for aggs without a field, ``{type: <agg type>, <param>: value, ...}``. Params keep
Kibana's names and values as stored (``customLabel``, ``orderBy``, ...): agg params have no defaults here, so
nothing is invented. ``id``, ``schema`` and ``enabled`` are written only when they are not what their position
gives: ids count from "1" over the stored list, metrics have schema ``metric``, buckets the type's usual
bucket schema, and every agg is enabled.

Kibana stores the list metrics first, then buckets, when its editor saves it; older objects and package builders
interleave them (a metric after a bucket). The editor lists the aggs in the stored order, so that order is kept:
``agg_order: [bucket, metric]`` says which list each stored agg comes from, written only when it is not metrics
then buckets.
"""

from __future__ import annotations

import json
import re
from typing import Any

METRIC_AGGS = frozenset({
    "count", "avg", "sum", "min", "max", "cardinality", "median", "percentiles", "percentile_ranks", "top_hits",
    "std_deviation", "value_count", "sum_bucket", "avg_bucket", "max_bucket", "min_bucket", "cumulative_sum",
    "derivative", "moving_avg", "serial_diff", "geo_bounds", "geo_centroid", "filtered_metric",
    "single_percentile", "rate", "top_metrics"})
BUCKET_AGGS = frozenset({
    "terms", "significant_terms", "date_histogram", "histogram", "range", "date_range", "ip_range", "filters",
    "geohash_grid", "geotile_grid", "multi_terms", "rare_terms", "significant_text", "diversified_sampler",
    "sampler"})
AGG_TYPES = METRIC_AGGS | BUCKET_AGGS
_RESERVED = frozenset({"id", "schema", "enabled", "type"})
_AGG_KEYS = frozenset({"id", "enabled", "type", "schema", "params"})
_SHORT = re.compile(r"^([a-z_]+)(?:\(([^()]+)\))?$")
METRIC_SCHEMA = "metric"
_BUCKET_SCHEMAS = {"table": "bucket", "metric": "group", "gauge": "group", "goal": "group"}


def bucket_schema(vis_type: str) -> str:
    return _BUCKET_SCHEMAS.get(vis_type, "segment")


METRIC, BUCKET = "metric", "bucket"


def compile_aggs(metrics: list[Any], buckets: list[Any], vis_type: str,
                 order: list[str] | None = None) -> list[dict[str, Any]]:
    """Kibana's agg list: metrics then buckets, or interleaved as ``order`` says (one ``metric``/``bucket`` per
    agg, taken from the front of its list)."""
    queues = {METRIC: [(e, METRIC_SCHEMA) for e in metrics], BUCKET: [(e, bucket_schema(vis_type)) for e in buckets]}
    if order is None:
        order = [METRIC] * len(metrics) + [BUCKET] * len(buckets)
    entries = [queues[which].pop(0) for which in order]
    return [compile_agg(e, str(i + 1), schema) for i, (e, schema) in enumerate(entries)]


def compile_agg(entry: str | dict[str, Any], default_id: str, default_schema: str) -> dict[str, Any]:
    id_, schema, enabled = default_id, default_schema, True
    if isinstance(entry, str):
        match = _SHORT.match(entry)
        if match is None:
            raise ValueError(f"expected `name` or `name(field)`, e.g. avg(bytes), got {entry!r}")
        type_, params = match.group(1), ({"field": match.group(2)} if match.group(2) else {})
    else:
        rest = dict(entry)
        id_ = rest.pop("id", id_)
        schema = rest.pop("schema", schema)
        enabled = rest.pop("enabled", enabled)
        if "type" in rest:
            type_, params = rest.pop("type"), rest
        else:
            named = [k for k in rest if k in AGG_TYPES]
            if len(named) != 1:
                raise ValueError("an aggregation mapping names its type once, e.g. {terms: host.keyword, size: 5} "
                                 f"or {{type: filters, filters: [...]}}; got keys {sorted(rest)}")
            type_ = named[0]
            params = {"field": rest.pop(type_), **rest}
    return {"id": id_, "enabled": enabled, "type": type_, "params": params, "schema": schema}


def decompile_aggs(aggs: Any, vis_type: str) -> tuple[list[Any], list[Any], list[str] | None] | None:
    """``metrics``, ``buckets`` and ``agg_order`` (None for metrics then buckets) that compile to exactly
    ``aggs``, or None when the compact form cannot say it (an agg type it does not know, an agg with keys of its
    own, params that clash with the reserved keys)."""
    if not isinstance(aggs, list) or not all(_plain_agg(a) and a["type"] in AGG_TYPES for a in aggs):
        return None
    order = [METRIC if a["type"] in METRIC_AGGS else BUCKET for a in aggs]
    lists: dict[str, list[Any]] = {METRIC: [], BUCKET: []}
    for i, (agg, which) in enumerate(zip(aggs, order, strict=True)):
        default_schema = METRIC_SCHEMA if which == METRIC else bucket_schema(vis_type)
        entry = _compact_agg(agg, str(i + 1), default_schema)
        if entry is None or _dumps(compile_agg(entry, str(i + 1), default_schema)) != _dumps(agg):
            return None
        lists[which].append(entry)
    stored_order = None if order == sorted(order, key=lambda w: w != METRIC) else order
    return lists[METRIC], lists[BUCKET], stored_order


def canonical_order(aggs: list[Any]) -> list[Any]:
    """Metrics first, then buckets, each in their stored order: the order Kibana runs them in (it stably moves
    metrics after buckets before building the request and the response columns, ``AggConfigs.getRequestAggs`` in
    src/plugins/data/common/search/aggs/agg_configs.ts). The editor still lists them as stored, so the
    visualization kind keeps the stored order; lists with an agg type we do not know are left as they are."""
    if not all(isinstance(a, dict) and a.get("type") in AGG_TYPES for a in aggs):
        return list(aggs)
    return [a for a in aggs if a["type"] in METRIC_AGGS] + [a for a in aggs if a["type"] not in METRIC_AGGS]


def _plain_agg(agg: Any) -> bool:
    return (isinstance(agg, dict) and set(agg) == _AGG_KEYS and isinstance(agg["id"], str)
            and isinstance(agg["type"], str) and isinstance(agg["schema"], str)
            and isinstance(agg["enabled"], bool) and isinstance(agg["params"], dict))


def _compact_agg(agg: dict[str, Any], default_id: str, default_schema: str) -> str | dict[str, Any] | None:
    type_, params = agg["type"], agg["params"]
    extras = {k: agg[k] for k, default in (("id", default_id), ("schema", default_schema), ("enabled", True))
              if agg[k] != default}
    if _RESERVED & set(params):
        return None
    field = params.get("field")
    if type_ in AGG_TYPES and not extras and (params == {} or (set(params) == {"field"} and isinstance(field, str)
                                                               and _SHORT.match(f"{type_}({field})"))):
        return f"{type_}({field})" if params else type_
    if type_ in AGG_TYPES and isinstance(field, str) and not (AGG_TYPES & set(params)):
        return {type_: field, **{k: v for k, v in params.items() if k != "field"}, **extras}
    return {"type": type_, **params, **extras}


def agg_fields(metrics: list[Any], buckets: list[Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """The fields the compact aggregations name, with where they are written (for the field check)."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    for key, entries in (("metrics", metrics), ("buckets", buckets)):
        for i, entry in enumerate(entries):
            try:
                field = compile_agg(entry, "1", METRIC_SCHEMA)["params"].get("field")
            except ValueError:
                continue
            if isinstance(field, str) and field:
                out.append(((key, i), field))
    return out


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
