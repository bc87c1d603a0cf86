"""What the Elasticsearch kinds (ILM policies, component and index templates, ingest pipelines) share: the
compiled form sync handles, the ownership marker in ``_meta``, and the ``template`` section (settings,
mappings, aliases, lifecycle) of both template kinds with its checks and its comparable form.

A compiled Elasticsearch object is the API request body plus its identity: ``{"type": <kind name>, "id":
<name>, **body}`` (no body of these APIs has a top-level ``type`` or ``id``); the store strips the two before
sending. Elasticsearch rewrites what it stores (settings ``index.``-prefixed with string values, ILM
defaults such as ``min_age: 0ms``, ``data_stream`` booleans), so each kind's ``normalise`` maps both the sent
and the read form to one comparable form, and ``decompile`` writes that form back as YAML.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field, model_validator

from kibana_sync.kibana.elasticsearch_format import ES_STORE, flat_settings, unmark_meta
from kibana_sync.kinds.base import Decompiled, Entry, Kind, Project
from kibana_sync.source.diagnostics import Diagnostic
from kibana_sync.source.model import Model

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
ROOT_MAPPING_KEYS = frozenset({
    "properties", "dynamic", "_source", "_routing", "_meta", "dynamic_templates", "date_detection",
    "numeric_detection", "dynamic_date_formats", "runtime", "_field_names", "_data_stream_timestamp", "enabled",
    "subobjects", "_doc_count", "_index", "_id", "_tsid", "_ignored", "_seq_no", "_version", "_size",
})
# Index settings 8.11 registers, by the segment after ``index.`` (IndexScopedSettings): a family is accepted
# whole (its members are many and plugin-dependent), anything else Elasticsearch refuses as an unknown setting.
SETTING_FAMILIES = frozenset({
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
# Names Elasticsearch refuses for templates (MetadataIndexTemplateService.validate) and ILM policies.
_BAD_NAME = re.compile(r'[\s,#*\\<>|/?"]')


class EsModel(Model):
    """The identity every Elasticsearch object's YAML may give: its name, as ``name:`` or ``id:`` (export writes
    ``id:`` like for every kind); the file name otherwise."""

    id: str | None = Field(None, description="The object's name in Elasticsearch (default: the file name).")
    name: str | None = Field(None, description="Same as id, for those who think of it as the name.")

    @model_validator(mode="after")
    def _one_name(self) -> EsModel:
        if self.id is not None and self.name is not None and self.id != self.name:
            raise ValueError(f"id {self.id!r} and name {self.name!r} differ; give one of them")
        if self.id is None:
            self.id = self.name
        return self


class TemplateSection(Model):
    """The ``template`` block of component and index templates, in Elasticsearch's own terms."""

    settings: dict[str, Any] | None = Field(None, description="Index settings, nested or dotted "
                                                              "(`number_of_shards: 1`, `index.lifecycle.name: x`).")
    mappings: dict[str, Any] | None = Field(None, description="Mappings: `properties`, `dynamic`, `runtime`, ...")
    aliases: dict[str, dict[str, Any] | None] | None = None
    lifecycle: dict[str, Any] | None = Field(None, description="Data stream lifecycle (8.11 technical preview).")

    def body(self) -> dict[str, Any]:
        out = self.model_dump(exclude_none=True)
        if self.aliases is not None:
            out["aliases"] = {k: v or {} for k, v in self.aliases.items()}
        return out


class EsKind(Kind):
    """An Elasticsearch object kind: the name is the entry id, the marker lives in ``_meta``."""

    store: ClassVar = ES_STORE
    api_path: ClassVar[str]  # "/_index_template"

    def compile(self, entry: Entry, project: Project) -> dict[str, Any]:
        return {"type": self.name, "id": entry.id, **self.body(entry.model)}

    def body(self, model: Any) -> dict[str, Any]:
        return model.model_dump(by_alias=True, exclude_none=True, exclude={"id", "name"})

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        normal = unmark_meta(self.normalise(obj))
        data = {"id": obj["id"]} if obj.get("id") else {}
        data.update({k: v for k, v in self.yaml_form(normal).items() if k not in ("type", "id")})
        return Decompiled(data, compact_parts=1)

    def title(self, model: Any) -> str:
        return model.id or ""

    def yaml_form(self, normal: dict[str, Any]) -> dict[str, Any]:
        """The normalised object as a person writes it (settings flat, strings back to numbers)."""
        return normal

    def check_name(self, entry: Entry) -> list[Diagnostic]:
        name = entry.id
        if _BAD_NAME.search(name) or name.startswith("_") or name != name.lower() or len(name.encode()) > 255:
            path = ("id",) if "id" in entry.source.data else ("name",) if "name" in entry.source.data else ()
            return [entry.diagnostic(path, f"invalid {self.name.replace('_', ' ')} name [{name}]: Elasticsearch "
                                           "names are lowercase, at most 255 bytes, do not start with '_' and "
                                           "contain no spaces or any of , # * \\ < > | / ? \"")]
        return []


def java_string(value: Any) -> Any:
    """Elasticsearch stores setting values as strings, rendered as Java prints them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [java_string(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


def readable(value: Any) -> Any:
    """A stored setting value as a person would write it: ``"1"`` -> 1, ``"true"`` -> true."""
    if isinstance(value, list):
        return [readable(v) for v in value]
    if value in ("true", "false"):
        return value == "true"
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value):
        return int(value)
    return value


def normal_section(section: Any) -> dict[str, Any]:
    """The comparable form of a ``template`` block: settings flat with string values, mappings unwrapped from
    ``_doc``, empty parts and the lifecycle's ``enabled: true`` default left out."""
    if not isinstance(section, dict):
        return {}
    out: dict[str, Any] = {}
    settings = {k: java_string(v) for k, v in flat_settings(section.get("settings")).items()}
    if settings:
        out["settings"] = settings
    mappings = section.get("mappings")
    if isinstance(mappings, dict) and set(mappings) == {"_doc"} and isinstance(mappings["_doc"], dict):
        mappings = mappings["_doc"]
    if mappings:
        out["mappings"] = mappings
    aliases = section.get("aliases")
    if aliases:
        out["aliases"] = {k: v or {} for k, v in aliases.items()}
    lifecycle = section.get("lifecycle")
    if isinstance(lifecycle, dict):
        lifecycle = {k: v for k, v in lifecycle.items() if not (k == "enabled" and v is True)}
        out["lifecycle"] = lifecycle
    return out


def readable_section(section: dict[str, Any]) -> dict[str, Any]:
    out = dict(section)
    if "settings" in out:
        out["settings"] = {k: readable(v) for k, v in out["settings"].items()}
    return out


def check_section(entry: Entry, section: TemplateSection | None, path: tuple[str | int, ...]) -> list[Diagnostic]:
    """What Elasticsearch 8.11 refuses in a ``template`` block without a cluster: unknown mapping types and root
    parameters, shard counts that are not numbers in range."""
    if section is None:
        return []
    out: list[Diagnostic] = []
    mappings = section.mappings or {}
    if set(mappings) == {"_doc"} and isinstance(mappings["_doc"], dict):
        mappings, path_m = mappings["_doc"], (*path, "mappings", "_doc")
    else:
        path_m = (*path, "mappings")
    for key in mappings:
        if key not in ROOT_MAPPING_KEYS:
            out.append(entry.diagnostic((*path_m, key), f"Root mapping definition has unsupported parameters: "
                                                        f"[{key}] (Elasticsearch refuses the mapping)"))
    out.extend(_check_properties(entry, mappings.get("properties"), (*path_m, "properties"), ""))
    runtime = mappings.get("runtime")
    for name, field in (runtime or {}).items() if isinstance(runtime, dict) else ():
        type_ = field.get("type") if isinstance(field, dict) else None
        if not isinstance(type_, str) or type_ not in RUNTIME_TYPES:
            out.append(entry.diagnostic((*path_m, "runtime", name, "type") if type_ else (*path_m, "runtime", name),
                                        f"No handler for type [{type_}] declared on runtime field [{name}]; "
                                        f"expected one of: {', '.join(sorted(RUNTIME_TYPES))}"))
    for key, value, where in _settings_with_paths(section.settings, ()):
        if key.split(".")[1] not in SETTING_FAMILIES:
            out.append(entry.diagnostic((*path, "settings", *where), f"unknown setting [{key}] please check that any "
                                                             "required plugins are installed, or check the "
                                                             "breaking changes documentation for removed settings"))
            continue
        if key in ("index.number_of_shards", "index.number_of_replicas"):
            low = 1 if key.endswith("shards") else 0
            try:
                number = int(str(value))
            except ValueError:
                number = None
            if number is None or number < low or (key.endswith("shards") and number > 1024):
                out.append(entry.diagnostic((*path, "settings", *where), f"Failed to parse value [{value}] for setting "
                                                                 f"[{key}]: expected a whole number >= {low}"))
    return out


def _settings_with_paths(settings: Any, where: tuple[str, ...]) -> list[tuple[str, Any, tuple[str, ...]]]:
    """Each setting as (``index.``-prefixed dotted key, value, path of keys as written)."""
    out = []
    for key, value in (settings or {}).items() if isinstance(settings, dict) else ():
        if isinstance(value, dict):
            out.extend(_settings_with_paths(value, (*where, key)))
        elif value is not None:
            dotted = ".".join((*where, key))
            out.append((dotted if dotted.startswith("index.") else f"index.{dotted}", value, (*where, key)))
    return out


def _check_properties(entry: Entry, properties: Any, path: tuple[str | int, ...], prefix: str) -> list[Diagnostic]:
    if properties is None:
        return []
    if not isinstance(properties, dict):
        return [entry.diagnostic(path, "expected a mapping of field names to field definitions")]
    out: list[Diagnostic] = []
    for name, field in properties.items():
        full = f"{prefix}{name}"
        here = (*path, name)
        if not isinstance(field, dict):
            out.append(entry.diagnostic(here, f"Expected map for property [fields] on field [{full}] but got a "
                                              f"{type(field).__name__}"))
            continue
        type_ = field.get("type")
        if type_ is not None and not isinstance(type_, str):
            out.append(entry.diagnostic((*here, "type"), f"Expected a field type name for [type] on field [{full}] "
                                                         f"but got a {type(type_).__name__}"))
        elif type_ is not None and type_ not in FIELD_TYPES:
            out.append(entry.diagnostic((*here, "type"), f"No handler for type [{type_}] declared on field "
                                                         f"[{full}] (Elasticsearch 8.11 has no such field type)"))
        out.extend(_check_properties(entry, field.get("properties"), (*here, "properties"), f"{full}."))
        out.extend(_check_properties(entry, field.get("fields"), (*here, "fields"), f"{full}."))
    return out


def mapped_fields(mappings: dict[str, Any] | None) -> dict[str, str]:
    """Every field a mapping defines, dotted path -> Elasticsearch type (objects by their leaves, multi-fields
    as ``name.sub``): what a data view built on the template's indices would list."""
    found: dict[str, str] = {}
    if not isinstance(mappings, dict):
        return found
    if set(mappings) == {"_doc"} and isinstance(mappings["_doc"], dict):
        mappings = mappings["_doc"]

    def walk(properties: Any, prefix: str) -> None:
        for name, field in (properties or {}).items() if isinstance(properties, dict) else ():
            if not isinstance(field, dict):
                continue
            full = f"{prefix}{name}"
            if isinstance(field.get("properties"), dict):
                walk(field["properties"], f"{full}.")
                if field.get("type") == "nested":
                    found[full] = "nested"
            else:
                found[full] = str(field.get("type", "object"))
            walk(field.get("fields"), f"{full}.")

    walk(mappings.get("properties"), "")
    for name, field in (mappings.get("runtime") or {}).items():
        if isinstance(field, dict):
            found[name] = str(field.get("type", "keyword"))
    return found


def meta_field() -> Any:
    return Field(None, alias="_meta", description="Free-form metadata Elasticsearch keeps with the object "
                                                  "(kibana-sync adds `managed_by: kibana-sync`).")
