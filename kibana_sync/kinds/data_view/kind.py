"""Data views (``objects/data_views/``), stored by Kibana as ``index-pattern`` saved objects.

The declared ``fields`` are the repo's knowledge of the mapping (from the index template): they let ``validate``
check the fields queries and panels name, and give Lens columns their data types. Kibana loads the real field
list from Elasticsearch, so the compiled object stores ``fields: "[]"`` as Kibana itself does (reference 3.1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from kibana_sync.kibana.format import dumps_embedded, loads_embedded, saved_object, strip_server_fields
from kibana_sync.kinds.base import Decompiled, Entry, Kind
from kibana_sync.source.model import Model

FieldType = Literal[
    "keyword", "text", "match_only_text", "wildcard", "constant_keyword", "date", "date_nanos", "long", "integer",
    "short", "byte", "double", "float", "half_float", "scaled_float", "unsigned_long", "boolean", "ip",
    "geo_point", "geo_shape", "object", "nested", "flattened", "version", "histogram",
]

# Attributes whose value Kibana stores as an embedded JSON string, with the value an empty one holds.
_EMBEDDED = {"fieldAttrs": {}, "fieldFormatMap": {}, "fields": [], "runtimeFieldMap": {}, "sourceFilters": [],
             "typeMeta": {}}


class RuntimeField(Model):
    type: Literal["keyword", "long", "double", "date", "ip", "boolean", "geo_point", "composite"]
    script: str


class DataViewModel(Model):
    id: str | None = None
    index_pattern: str = Field(min_length=1, description="the indices this data view reads, e.g. 'genesis-*'")
    name: str | None = Field(default=None, description="display name; Kibana shows the index pattern if unset")
    time_field: str | None = None
    fields: dict[str, FieldType] = Field(default_factory=dict, description="field name -> mapping type")
    runtime_fields: dict[str, RuntimeField] = Field(default_factory=dict)
    field_formats: dict[str, dict[str, Any]] = Field(default_factory=dict)
    custom_labels: dict[str, str] = Field(default_factory=dict)
    source_filters: list[str] = Field(default_factory=list)
    allow_no_index: bool | None = None
    unset: list[Literal["fieldAttrs", "fieldFormatMap", "fields", "runtimeFieldMap", "sourceFilters", "typeMeta"]] = \
        Field(default_factory=list, description="attributes this data view does not carry (made before Kibana "
                                                 "wrote them, or by an API client): compile leaves them out while "
                                                 "they are empty, as Kibana held it")
    raw_attributes: dict[str, Any] = Field(
        default_factory=dict, description="attributes kept verbatim from an export (e.g. a stored field list)")

    def field_type(self, field_name: str) -> str | None:
        if field_name in self.fields:
            return self.fields[field_name]
        if field_name in self.runtime_fields:
            return self.runtime_fields[field_name].type
        return None


class DataViewKind(Kind):
    name = "data_view"
    folder = "data_views"
    model = DataViewModel
    saved_object_type = "index-pattern"

    def title(self, model: DataViewModel) -> str:
        return model.name or model.index_pattern

    def compile(self, entry: Entry, project: Any) -> dict[str, Any]:
        m: DataViewModel = entry.model
        runtime = {k: {"type": v.type, "script": {"source": v.script}} for k, v in m.runtime_fields.items()}
        attrs: dict[str, Any] = {
            "fieldAttrs": dumps_embedded({k: {"customLabel": v} for k, v in m.custom_labels.items()}),
            "fieldFormatMap": dumps_embedded(m.field_formats),
            "fields": "[]",
            "runtimeFieldMap": dumps_embedded(runtime),
            "sourceFilters": dumps_embedded([{"value": v} for v in m.source_filters]),
            "timeFieldName": m.time_field,
            "title": m.index_pattern,
            "typeMeta": "{}",
        }
        if m.name is not None:
            attrs["name"] = m.name
        if m.time_field is None:
            del attrs["timeFieldName"]
        if m.allow_no_index is not None:
            attrs["allowNoIndex"] = m.allow_no_index
        for key in m.unset:
            if attrs.get(key) == dumps_embedded(_EMBEDDED[key]):
                del attrs[key]
        attrs.update(m.raw_attributes)
        return saved_object("index-pattern", entry.id, attrs, [])

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        out = strip_server_fields(obj)
        attrs = dict(out.get("attributes", {}))
        for key, empty in _EMBEDDED.items():
            attrs[key] = loads_embedded(attrs.get(key, dumps_embedded(empty)))
        # Kibana stores a missing reference list as [] (reference.md 2.1), so the two compare equal.
        return {**out, "attributes": attrs, "references": out.get("references", [])}

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        attrs = dict(obj.get("attributes", {}))
        data: dict[str, Any] = {"id": obj["id"], "index_pattern": attrs.pop("title", "")}
        unset = [key for key in _EMBEDDED if key not in attrs]
        if "name" in attrs:
            data["name"] = attrs.pop("name")
        if "timeFieldName" in attrs:
            data["time_field"] = attrs.pop("timeFieldName")
        labels = _take_embedded(attrs, "fieldAttrs", _is_custom_labels)
        if labels:
            data["custom_labels"] = {k: v["customLabel"] for k, v in labels.items()}
        runtime = _take_embedded(attrs, "runtimeFieldMap", _is_simple_runtime)
        if runtime:
            data["runtime_fields"] = {k: {"type": v["type"], "script": v["script"]["source"]}
                                      for k, v in runtime.items()}
        formats = _take_embedded(attrs, "fieldFormatMap", lambda value: isinstance(value, dict))
        if formats:
            data["field_formats"] = formats
        filters = _take_embedded(attrs, "sourceFilters", _is_simple_filters)
        if filters:
            data["source_filters"] = [f["value"] for f in filters]
        for key in ("fields", "typeMeta"):
            if attrs.get(key) == dumps_embedded(_EMBEDDED[key]):
                attrs.pop(key)
        if "allowNoIndex" in attrs and isinstance(attrs["allowNoIndex"], bool):
            data["allow_no_index"] = attrs.pop("allowNoIndex")
        if unset:
            data["unset"] = unset
        if attrs:  # anything left is kept verbatim so the round trip loses nothing
            data["raw_attributes"] = attrs
        return Decompiled(data)


def _take_embedded(attrs: dict[str, Any], key: str, fits: Callable[[Any], bool]) -> Any:
    """The decoded value of an embedded-JSON attribute, removed from ``attrs``, when the YAML can say it and
    compile writes back the very same string; else None, and the attribute stays to be kept verbatim."""
    stored = attrs.get(key)
    value = loads_embedded(stored)
    if not isinstance(stored, str) or not fits(value) or stored != dumps_embedded(value):
        return None
    del attrs[key]
    return value


def _is_custom_labels(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(v, dict) and set(v) == {"customLabel"} and isinstance(v["customLabel"], str)
        for v in value.values())


def _is_simple_runtime(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(v, dict) and set(v) == {"type", "script"} and isinstance(v["script"], dict)
        and set(v["script"]) == {"source"} and v["type"] in RuntimeField.model_fields["type"].annotation.__args__
        for v in value.values())


def _is_simple_filters(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) and set(v) == {"value"} for v in value)

