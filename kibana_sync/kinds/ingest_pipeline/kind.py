"""Ingest pipelines (``objects/ingest_pipelines/``): ``PUT _ingest/pipeline/<id>`` (reference 7.4).

::

    name: genesis-logs
    description: Parse GENESIS timestamps
    processors:
      - date: {field: timestamp, formats: [ISO8601]}
      - rename: {field: msg, target_field: message, ignore_missing: true}

Elasticsearch stores the body as sent and returns it unchanged, ``_meta`` included (8.x), so the marker sits
there like on templates. Checked: each processor is one ``type: {options}`` mapping of a type the 8.11 default
distribution has, and the required options of the common processors (as ``ConfigurationUtils`` reads them).
"""

from __future__ import annotations

from typing import Any, ClassVar

from kibana_sync.kinds.base import Entry, Project
from kibana_sync.kinds.es_objects import EsKind, EsModel, meta_field
from kibana_sync.source.diagnostics import Diagnostic

# Processor types of the 8.11 default distribution (ingest-common, ingest-geoip, ingest-user-agent, x-pack).
PROCESSOR_TYPES = frozenset({
    "append", "attachment", "bytes", "circle", "community_id", "convert", "csv", "date", "date_index_name",
    "dissect", "dot_expander", "drop", "enrich", "fail", "fingerprint", "foreach", "geo_grid", "geoip", "grok",
    "gsub", "html_strip", "inference", "join", "json", "kv", "lowercase", "network_direction", "pipeline", "redact",
    "registered_domain", "remove", "rename", "reroute", "script", "set", "set_security_user", "sort", "split",
    "trim", "uppercase", "uri_parts", "urldecode", "user_agent",
})
# Options a processor cannot do without (its factory's readStringProperty/readList without default).
REQUIRED_OPTIONS: dict[str, tuple[str, ...]] = {
    "set": ("field",), "rename": ("field", "target_field"), "remove": ("field",), "date": ("field", "formats"),
    "grok": ("field", "patterns"), "json": ("field",), "convert": ("field", "type"), "append": ("field", "value"),
    "dissect": ("field", "pattern"), "gsub": ("field", "pattern", "replacement"), "pipeline": ("name",),
    "foreach": ("field", "processor"), "fail": ("message",), "split": ("field", "separator"),
    "join": ("field", "separator"), "kv": ("field", "field_split", "value_split"), "lowercase": ("field",),
    "uppercase": ("field",), "trim": ("field",),
}


class IngestPipeline(EsModel):
    """An ingest pipeline: processors in order, optional ``on_failure`` handlers."""

    description: str | None = None
    processors: list[dict[str, Any]]
    on_failure: list[dict[str, Any]] | None = None
    version: int | None = None
    meta: dict[str, Any] | None = meta_field()


class IngestPipelineKind(EsKind):
    name: ClassVar[str] = "ingest_pipeline"
    folder: ClassVar[str] = "ingest_pipelines"
    model: ClassVar = IngestPipeline
    api_path: ClassVar[str] = "/_ingest/pipeline"

    def check(self, entry: Entry, project: Project) -> list[Diagnostic]:
        model: IngestPipeline = entry.model
        out = self.check_name(entry)
        out.extend(_check_processors(entry, model.processors, ("processors",)))
        if model.on_failure is not None:
            if not model.on_failure:
                out.append(entry.diagnostic(("on_failure",), "pipeline [on_failure] must not be empty: leave it "
                                                             "out instead"))
            out.extend(_check_processors(entry, model.on_failure, ("on_failure",)))
        return out

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        return {"type": self.name, "id": obj.get("id"),
                **{k: v for k, v in obj.items() if k not in ("type", "id") and v is not None}}

    def check_name(self, entry: Entry) -> list[Diagnostic]:
        # Pipeline ids may hold uppercase letters; only what breaks the URL or the API is refused.
        if any(c in entry.id for c in " ,#*\\<>|/?\"") or entry.id.startswith("_"):
            return super().check_name(entry)
        return []


def _check_processors(entry: Entry, processors: list[Any], path: tuple[str | int, ...]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for i, processor in enumerate(processors):
        here = (*path, i)
        if not isinstance(processor, dict) or len(processor) != 1:
            out.append(entry.diagnostic(here, "each processor is one mapping `<type>: {options}`, e.g. "
                                              "`- set: {field: a, value: b}`"))
            continue
        (type_, options), = processor.items()
        if type_ not in PROCESSOR_TYPES:
            out.append(entry.diagnostic((*here, type_), f"No processor type exists with name [{type_}]"))
            continue
        if options is None:
            options = {}
        if not isinstance(options, dict):
            out.append(entry.diagnostic((*here, type_), f"[{type_}] expected a mapping of options"))
            continue
        for option in REQUIRED_OPTIONS.get(type_, ()):
            if option not in options and not (type_ == "set" and option == "value"):
                out.append(entry.diagnostic((*here, type_), f"[{option}] required property is missing "
                                                            f"(processor [{type_}])"))
        if type_ == "set" and "value" not in options and "copy_from" not in options:
            out.append(entry.diagnostic((*here, type_), "[value] required property is missing (processor [set]; "
                                                        "or give copy_from)"))
        if type_ == "script" and "source" not in options and "id" not in options:
            out.append(entry.diagnostic((*here, type_), "must specify either [source] for an inline script or [id] "
                                                        "for a stored script (processor [script])"))
        if isinstance(options.get("on_failure"), list):
            out.extend(_check_processors(entry, options["on_failure"], (*here, type_, "on_failure")))
        if type_ == "foreach" and isinstance(options.get("processor"), dict):
            out.extend(_check_processors(entry, [options["processor"]], (*here, type_, "processor")))
    return out
