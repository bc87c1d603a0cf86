"""Component templates (``objects/component_templates/``): ``PUT _component_template/<name>`` (reference 7.2).

Building blocks index templates are composed of (``composed_of``)::

    name: genesis-logs-mappings
    template:
      settings: {index.lifecycle.name: genesis-logs}
      mappings:
        properties:
          level: {type: keyword}

Checked: the name, unknown mapping field types and root parameters, shard counts. The mapping's field
parameters are left to Elasticsearch (push shows its message).
"""

from __future__ import annotations

from typing import Any, ClassVar

from kibana_sync.kinds.base import Entry, Project
from kibana_sync.kinds.es_objects import (
    EsKind,
    EsModel,
    TemplateSection,
    check_section,
    meta_field,
    normal_section,
    readable_section,
)
from kibana_sync.source.diagnostics import Diagnostic


class ComponentTemplate(EsModel):
    """A component template: a ``template`` block (settings, mappings, aliases, lifecycle), ``version``, ``_meta``."""

    template: TemplateSection
    version: int | None = None
    meta: dict[str, Any] | None = meta_field()


class ComponentTemplateKind(EsKind):
    name: ClassVar[str] = "component_template"
    folder: ClassVar[str] = "component_templates"
    model: ClassVar = ComponentTemplate
    api_path: ClassVar[str] = "/_component_template"

    def body(self, model: ComponentTemplate) -> dict[str, Any]:
        out: dict[str, Any] = {"template": model.template.body()}
        if model.version is not None:
            out["version"] = model.version
        if model.meta is not None:
            out["_meta"] = model.meta
        return out

    def check(self, entry: Entry, project: Project) -> list[Diagnostic]:
        return [*self.check_name(entry), *check_section(entry, entry.model.template, ("template",))]

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.name, "id": obj.get("id"), "template": normal_section(obj.get("template"))}
        for key in ("version", "_meta"):
            if obj.get(key) is not None:
                out[key] = obj[key]
        return out

    def yaml_form(self, normal: dict[str, Any]) -> dict[str, Any]:
        return {**normal, "template": readable_section(normal.get("template") or {})}
