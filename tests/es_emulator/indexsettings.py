"""The `template` section shared by component and index templates: settings, mappings, aliases, lifecycle.

Sources: `server/.../cluster/metadata/Template.java` (parser `template`, fields settings/mappings/aliases/
lifecycle; settings normalised to the `index.` prefix; mappings stored wrapped in `_doc` and shown unwrapped),
`MetadataIndexTemplateService.validateTemplate` (settings and mapping checked on a temporary index),
`IndexScopedSettings.validate` (unknown-setting message), `RootObjectMapper`/`ObjectMapper` (mapping errors).
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import Cause, EsError
from .units import UnitError, parse_time
from .xjson import ObjectParsing, Path

UNKNOWN_SETTING = ("unknown setting [{}] please check that any required plugins are installed, or check the "
                   "breaking changes documentation for removed settings")

# Index settings ES 8.11 registers, by the segment after `index.`. Families are accepted wholesale (their
# members are many and plugin-dependent); anything else is rejected as ES does. Extra keys: EsConfig.
_SETTING_FAMILIES = frozenset({
    "analysis", "similarity", "routing", "indexing", "search", "merge", "blocks", "translog", "sort", "lifecycle",
    "mapping", "query", "time_series", "unassigned", "queries", "requests", "highlight", "store", "soft_deletes",
    "shard", "write", "allocation", "fielddata", "recovery", "default_pipeline", "final_pipeline", "hidden",
    "number_of_shards", "number_of_replicas", "number_of_routing_shards", "auto_expand_replicas",
    "refresh_interval", "codec", "mode", "routing_path", "priority", "max_result_window",
    "max_inner_result_window", "max_rescore_window", "max_docvalue_fields_search", "max_script_fields",
    "max_ngram_diff", "max_shingle_diff", "max_refresh_listeners", "max_terms_count", "max_regex_length",
    "max_slices_per_scroll", "max_adjacency_matrix_filters", "routing_partition_size", "gc_deletes",
    "load_fixed_bitset_filters_eagerly", "look_ahead_time", "look_back_time", "format", "frozen", "dense_vector",
    "ignore_malformed", "verified_before_close", "xpack", "flush_after_merge", "bloom_filter_for_id_field",
})

# Mapping field types of the 8.11 default distribution (server mappers plus x-pack mapper plugins).
FIELD_TYPES = frozenset({
    "binary", "boolean", "keyword", "constant_keyword", "wildcard", "long", "integer", "short", "byte", "double",
    "float", "half_float", "scaled_float", "unsigned_long", "date", "date_nanos", "alias", "object", "flattened",
    "nested", "join", "integer_range", "float_range", "long_range", "double_range", "date_range", "ip_range", "ip",
    "version", "aggregate_metric_double", "histogram", "text", "match_only_text", "completion",
    "search_as_you_type", "token_count", "dense_vector", "sparse_vector", "rank_feature", "rank_features",
    "geo_point", "geo_shape", "point", "shape", "percolator",
})
RUNTIME_TYPES = frozenset({"keyword", "long", "double", "date", "ip", "boolean", "geo_point", "composite", "lookup"})
_ROOT_MAPPING_KEYS = frozenset({
    "properties", "dynamic", "_source", "_routing", "_meta", "dynamic_templates", "date_detection",
    "numeric_detection", "dynamic_date_formats", "runtime", "_field_names", "_data_stream_timestamp", "enabled",
    "subobjects", "_doc_count", "_index", "_id", "_tsid", "_ignored", "_seq_no", "_version", "_size",
})
_ALIAS_FIELDS = ("filter", "index_routing", "search_routing", "is_write_index", "is_hidden")
TEMPLATE_FIELDS = ["settings", "mappings", "aliases", "lifecycle"]


# --- settings --------------------------------------------------------------------------------------------------

def java_value(value: Any) -> Any:
    """Settings store strings: numbers and booleans are rendered as Java prints them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [java_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


def normalize_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Flat `index.`-prefixed keys with string values (`Settings.builder().normalizePrefix("index.")`)."""
    flat: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            elif value is not None:
                flat[f"{prefix}{key}"] = java_value(value)

    walk(settings, "")
    return {(k if k.startswith("index.") else f"index.{k}"): v for k, v in flat.items()}


def nested_settings(flat: dict[str, Any]) -> dict[str, Any]:
    """How GET renders settings without `flat_settings=true`: nested objects, string values."""
    out: dict[str, Any] = {}
    for key in sorted(flat):
        node = out
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = flat[key]
    return out


def settings_errors(flat: dict[str, Any], extra: set[str]) -> list[str]:
    """`IndexScopedSettings.validate(settings, true)` plus the number parsers of the two shard settings."""
    errors = []
    for key, value in flat.items():
        family = key.split(".")[1] if "." in key else key
        if family not in _SETTING_FAMILIES and key not in extra:
            errors.append(UNKNOWN_SETTING.format(key))
            continue
        if key in ("index.number_of_shards", "index.number_of_replicas"):
            minimum = 1 if key.endswith("shards") else 0
            try:
                number = int(value)
            except (TypeError, ValueError):
                errors.append(f"Failed to parse value [{value}] for setting [{key}]")
                continue
            if number < minimum:
                errors.append(f"Failed to parse value [{value}] for setting [{key}] must be >= {minimum}")
            elif key.endswith("shards") and number > 1024:
                errors.append(f"Failed to parse value [{value}] for setting [{key}] must be <= 1024")
    return errors


# --- mappings --------------------------------------------------------------------------------------------------

def unwrap_mappings(mappings: dict[str, Any]) -> dict[str, Any]:
    """Template mappings may be sent as `{"_doc": {...}}`; ES stores them wrapped and prints them unwrapped."""
    if len(mappings) == 1 and isinstance(mappings.get("_doc"), dict):
        return mappings["_doc"]
    return mappings


def mapping_error(reason: str) -> EsError:
    """MapperService wraps the mapper's own MapperParsingException (`Failed to parse mapping: <msg>`)."""
    return EsError(400, [Cause("mapper_parsing_exception", f"Failed to parse mapping: {reason}"),
                         Cause("mapper_parsing_exception", reason)])


def java_str(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_str(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(java_str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def validate_mappings(mappings: dict[str, Any]) -> None:
    root = unwrap_mappings(mappings)
    unknown = {k: v for k, v in root.items() if k not in _ROOT_MAPPING_KEYS}
    if unknown:
        remaining = "".join(f" [{k} : {java_str(v)}]" for k, v in unknown.items())
        raise mapping_error(f"Root mapping definition has unsupported parameters: {remaining}")
    _validate_properties(root.get("properties") or {}, "")
    runtime_section = root.get("runtime") or {}
    if not isinstance(runtime_section, dict):
        raise mapping_error("runtime must be a map type")  # RootObjectMapper (wording inferred)
    for name, runtime in runtime_section.items():
        if not isinstance(runtime, dict):
            raise mapping_error(f"Expected map for runtime field [{name}] definition but got a {_java_class(runtime)}")
        kind = runtime.get("type")
        if kind is None:
            raise mapping_error(f"No type specified for field [{name}]")
        if kind not in RUNTIME_TYPES:
            raise mapping_error(f"No handler for type [{kind}] declared on runtime field [{name}]")


def _validate_properties(properties: dict[str, Any], prefix: str) -> None:
    if not isinstance(properties, dict):
        raise mapping_error(f"Expected map for property [properties] on field [{prefix.rstrip('.')}] but got a "
                            f"{_java_class(properties)}")
    for name, spec in properties.items():
        full = f"{prefix}{name}"
        if not isinstance(spec, dict):
            raise mapping_error(f"Expected map for property [fields] on field [{name}] but got a "
                                f"{_java_class(spec)}")
        kind = spec.get("type", "object" if "properties" in spec or "type" not in spec else None)
        if not isinstance(kind, str):
            raise mapping_error(f"No type specified for field [{name}]")
        if kind not in FIELD_TYPES:
            raise mapping_error(f"No handler for type [{kind}] declared on field [{name}]")
        if kind in ("object", "nested"):
            _validate_properties(spec.get("properties") or {}, f"{full}.")
        fields = spec.get("fields") or {}
        if not isinstance(fields, dict):
            raise mapping_error(f"Expected map for property [fields] on field [{name}] but got a {_java_class(fields)}")
        for sub_name, sub in fields.items():
            sub_kind = sub.get("type") if isinstance(sub, dict) else None
            if sub_kind is not None and sub_kind not in FIELD_TYPES:
                raise mapping_error(f"No handler for type [{sub_kind}] declared on field [{sub_name}]")


def _java_class(value: Any) -> str:
    kinds = {str: "class java.lang.String", bool: "class java.lang.Boolean", int: "class java.lang.Integer",
             float: "class java.lang.Double", list: "class java.util.ArrayList"}
    return kinds.get(type(value), "class java.lang.Object")


def merge_mappings(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Composition: components in order, then the template's own; later definitions replace earlier ones per
    field (MergeReason.INDEX_TEMPLATE), objects merge recursively."""
    merged: dict[str, Any] = {}
    for part in parts:
        _deep_merge(merged, copy.deepcopy(unwrap_mappings(part)))
    return merged


def _deep_merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = value


# --- the template section --------------------------------------------------------------------------------------

def parse_template(body: Any, path: Path, frames: list[tuple[str, str]], parsing: ObjectParsing,
                   extra_settings: set[str]) -> dict[str, Any]:
    """Parse a `template` object. Returns the stored form: flat settings, unwrapped mappings, aliases,
    lifecycle, each only when sent."""
    if not isinstance(body, dict):
        parsing.expect_object(frames, "template", path, body)
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key not in TEMPLATE_FIELDS:
            raise parsing.unknown_field(frames, "template", (*path, key), TEMPLATE_FIELDS)
        if not isinstance(value, dict) and value is not None:
            raise parsing.bad_type(frames, "template", (*path, key), value)
    if body.get("settings") is not None:
        out["settings"] = normalize_settings(body["settings"])
    if body.get("mappings") is not None:
        out["mappings"] = copy.deepcopy(unwrap_mappings(body["mappings"]))
    if body.get("aliases") is not None:
        for name, spec in body["aliases"].items():
            if spec is not None and not isinstance(spec, dict):
                parsing.expect_object([*frames, ("template", "aliases")], "alias", (*path, "aliases", name), spec)
        out["aliases"] = {name: _alias(spec or {}) for name, spec in body["aliases"].items()}
    if body.get("lifecycle") is not None:
        out["lifecycle"] = _lifecycle(body["lifecycle"], (*path, "lifecycle"), [*frames, ("template", "lifecycle")],
                                      parsing)
    return out


def _alias(spec: dict[str, Any]) -> dict[str, Any]:
    """AliasMetadata.toXContent: only the properties that are set; `routing` sets both routings."""
    out: dict[str, Any] = {}
    if "filter" in spec:
        out["filter"] = spec["filter"]
    index_routing = spec.get("index_routing", spec.get("routing"))
    search_routing = spec.get("search_routing", spec.get("routing"))
    if index_routing is not None:
        out["index_routing"] = str(index_routing)
    if search_routing is not None:
        out["search_routing"] = str(search_routing)
    for key in ("is_write_index", "is_hidden"):
        if key in spec:
            out[key] = spec[key]
    return out


def _lifecycle(body: dict[str, Any], path: Path, frames: list[tuple[str, str]],
               parsing: ObjectParsing) -> dict[str, Any]:
    """Data stream lifecycle (technical preview in 8.11, accepted without a feature flag since 8.11)."""
    known = ["enabled", "data_retention", "downsampling"]
    for key in body:
        if key not in known:
            raise parsing.unknown_field(frames, "lifecycle", (*path, key), known)
    out: dict[str, Any] = {"enabled": body.get("enabled", True) is not False}
    if body.get("data_retention") is not None:
        try:
            out["data_retention"] = parse_time(body["data_retention"], "data_retention")[1]
        except UnitError as err:
            raise parsing.value_error([*frames, ("lifecycle", "data_retention")], (*path, "data_retention"),
                                      err.cause) from None
    if body.get("downsampling") is not None:
        out["downsampling"] = body["downsampling"]
    return out


def render_template(stored: dict[str, Any], flat_settings: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "settings" in stored:
        out["settings"] = dict(stored["settings"]) if flat_settings else nested_settings(stored["settings"])
    for key in ("mappings", "aliases", "lifecycle"):
        if key in stored:
            out[key] = copy.deepcopy(stored[key])
    return out


def validate_template_content(stored: dict[str, Any], extra_settings: set[str]) -> list[str]:
    """Setting problems (collected, as `validate()` does); a bad mapping raises the mapper error."""
    if stored.get("mappings"):
        validate_mappings(stored["mappings"])
    return settings_errors(stored.get("settings") or {}, extra_settings)
