"""Composable index templates (``objects/index_templates/``): ``PUT _index_template/<name>`` (reference 7.3).

::

    name: genesis-logs-trading
    index_patterns: [genesis-logs-trading-*]
    data_stream: {}                   # a data stream per matching name; rollover needs no alias
    composed_of: [genesis-logs-base, {external: logs@settings}]
    priority: 200
    template:
      settings: {index.lifecycle.name: genesis-logs}
      mappings: {properties: {data: {properties: {symbol: {type: keyword}}}}}

Checked as Elasticsearch 8.11 would refuse it: a ``composed_of`` entry that is neither a component template
of this repo nor ``{external: name}``, the mapping's field types, aliases together with a data stream, and two
of the repo's templates whose patterns overlap at the same priority (Elasticsearch refuses the second).
An ILM policy or ingest pipeline named in settings but not in the repo is a warning: Elasticsearch does not
check them at PUT, indexing fails later.
"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from pydantic import Field

from kibana_sync.kibana.elasticsearch_format import flat_settings
from kibana_sync.kinds.base import Entry, Project
from kibana_sync.kinds.es_objects import (
    EsKind,
    EsModel,
    TemplateSection,
    check_section,
    mapped_fields,
    meta_field,
    normal_section,
    readable_section,
)
from kibana_sync.source.diagnostics import Diagnostic, Severity
from kibana_sync.source.model import Model, Ref, RefUse, ref_id


class DataStream(Model):
    hidden: bool | None = None
    allow_custom_routing: bool | None = None


class IndexTemplate(EsModel):
    """A composable index template."""

    index_patterns: list[str] = Field(min_length=1)
    composed_of: list[Ref] | None = Field(None, description="Component templates, merged in order; a component "
                                                           "this repo does not manage is {external: name}.")
    priority: int | None = Field(None, ge=0)
    version: int | None = None
    data_stream: DataStream | None = Field(None, description="{} makes matching names data streams.")
    template: TemplateSection | None = None
    allow_auto_create: bool | None = None
    ignore_missing_component_templates: list[str] | None = None
    meta: dict[str, Any] | None = meta_field()


class IndexTemplateKind(EsKind):
    name: ClassVar[str] = "index_template"
    folder: ClassVar[str] = "index_templates"
    model: ClassVar = IndexTemplate
    api_path: ClassVar[str] = "/_index_template"

    def body(self, model: IndexTemplate) -> dict[str, Any]:
        out: dict[str, Any] = {"index_patterns": list(model.index_patterns)}
        if model.composed_of is not None:
            out["composed_of"] = [ref_id(r) for r in model.composed_of]
        for key in ("priority", "version", "allow_auto_create", "ignore_missing_component_templates"):
            if getattr(model, key) is not None:
                out[key] = getattr(model, key)
        if model.data_stream is not None:
            out["data_stream"] = model.data_stream.model_dump(exclude_none=True)
        if model.template is not None:
            out["template"] = model.template.body()
        if model.meta is not None:
            out["_meta"] = model.meta
        return out

    def references(self, entry: Entry) -> list[RefUse]:
        """Each component in ``composed_of``: the project refuses one that is neither in the repo nor
        ``{external: name}`` (Elasticsearch would: "specifies component templates [..] that do not exist"),
        and export writes components it does not bring as external."""
        model: IndexTemplate = entry.model
        ignored = set(model.ignore_missing_component_templates or ())
        return [RefUse("component_template", ref, ("composed_of", i)) for i, ref in enumerate(model.composed_of or ())
                if not (isinstance(ref, str) and ref in ignored)]

    def check(self, entry: Entry, project: Project) -> list[Diagnostic]:
        model: IndexTemplate = entry.model
        out = [*self.check_name(entry), *check_section(entry, model.template, ("template",))]
        if model.data_stream is not None and model.template is not None and model.template.aliases:
            out.append(entry.diagnostic(("template", "aliases"), f"template [{entry.id}] has alias and data stream "
                                                                 "definitions: a data stream cannot have aliases "
                                                                 "here"))
        out.extend(_named_objects(entry, project, model.template))
        out.extend(_overlaps(entry, project))
        return out

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.name, "id": obj.get("id"),
                               "index_patterns": list(obj.get("index_patterns") or [])}
        if obj.get("composed_of"):
            out["composed_of"] = list(obj["composed_of"])
        for key in ("priority", "version", "allow_auto_create", "_meta"):
            if obj.get(key) is not None:
                out[key] = obj[key]
        if obj.get("ignore_missing_component_templates"):
            out["ignore_missing_component_templates"] = obj["ignore_missing_component_templates"]
        if isinstance(obj.get("data_stream"), dict):
            # Elasticsearch always shows both booleans, false when they were left out.
            out["data_stream"] = {k: v for k, v in obj["data_stream"].items() if v is not False}
        section = normal_section(obj.get("template"))
        if section:
            out["template"] = section
        return out

    def yaml_form(self, normal: dict[str, Any]) -> dict[str, Any]:
        out = dict(normal)
        if "template" in out:
            out["template"] = readable_section(out["template"])
        return out


def fields_of_index_template(entry: Entry, project: Project) -> dict[str, str]:
    """Every field the template maps, dotted path -> Elasticsearch type: its components' mappings in
    ``composed_of`` order, then its own (later ones win, as Elasticsearch merges them). Components not in the
    repo contribute nothing. For checks that a field a search or panel uses is mapped."""
    model: IndexTemplate = entry.model
    fields: dict[str, str] = {}
    for ref in model.composed_of or ():
        component = _entry(project, "component_template", ref) if isinstance(ref, str) else None
        if component is not None:
            fields.update(mapped_fields(component.model.template.mappings))
    if model.template is not None:
        fields.update(mapped_fields(model.template.mappings))
    return fields


def _named_objects(entry: Entry, project: Project, section: TemplateSection | None) -> list[Diagnostic]:
    if section is None:
        return []
    out = []
    settings = flat_settings(section.settings)
    wanted = [("index.lifecycle.name", "ilm_policy", "ILM policy"),
              ("index.default_pipeline", "ingest_pipeline", "ingest pipeline"),
              ("index.final_pipeline", "ingest_pipeline", "ingest pipeline")]
    for key, kind, label in wanted:
        name = settings.get(key)
        if not isinstance(name, str) or name == "_none":
            continue
        if _entry(project, kind, name) is None:
            out.append(entry.diagnostic(("template", "settings"), f"{key} names {label} {name!r}, which this repo "
                                                                  "does not have: it must exist in Elasticsearch "
                                                                  "(Elasticsearch does not check at PUT; indexing "
                                                                  "or rollover fails later)", Severity.WARNING))
    return out


def _entry(project: Project, kind: str, name: str) -> Entry | None:
    # Names are unique per kind only: a policy and a template may share one.
    return next((e for e in project.of_kind(kind) if e.id == name), None)


def _overlaps(entry: Entry, project: Project) -> list[Diagnostic]:
    model: IndexTemplate = entry.model
    mine = model.priority or 0
    out = []
    for other in project.of_kind("index_template"):
        if other is entry or (other.model.priority or 0) != mine:
            continue
        pairs = [(p, q) for p in model.index_patterns for q in other.model.index_patterns if patterns_overlap(p, q)]
        if pairs:
            shown = ", ".join(f"{p} / {q}" for p, q in pairs)
            out.append(entry.diagnostic(("index_patterns",), f"index template [{entry.id}] has index patterns "
                                                             f"matching patterns from template [{other.id}] "
                                                             f"({shown}) that have the same priority [{mine}]: "
                                                             "multiple index templates may not match during index "
                                                             "creation, please use a different priority"))
    return out


def patterns_overlap(a: str, b: str) -> bool:
    """Whether some index name matches both ``*`` wildcard patterns."""

    @cache
    def meet(i: int, j: int) -> bool:
        if i == len(a):
            return all(c == "*" for c in b[j:])
        if j == len(b):
            return all(c == "*" for c in a[i:])
        if a[i] == "*":
            return meet(i + 1, j) or meet(i, j + 1)
        if b[j] == "*":
            return meet(i, j + 1) or meet(i + 1, j)
        return a[i] == b[j] and meet(i + 1, j + 1)

    return meet(0, 0)
