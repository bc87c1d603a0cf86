"""Lens visualizations saved to the library (``objects/lenses/``), Kibana's ``lens`` saved object.

A library Lens holds ``title``, ``description``, ``visualizationType`` and ``state`` and keeps its references on
the saved object (reference-objects-es.md section 2); a by-value panel holds the same plus ``type: lens`` and
its references inside the attributes. Compile and read go through that by-value shape, so both share one
compact chart syntax (``kibana_sync.lens``).
"""

from __future__ import annotations

import copy
from typing import Any

from kibana_sync.kibana.format import (
    is_tag_reference,
    reference_order,
    saved_object,
    strip_server_fields,
    tag_reference,
)
from kibana_sync.kinds import checks
from kibana_sync.kinds.base import Decompiled, Entry, Kind, Project
from kibana_sync.kinds.lens.model import LensModel
from kibana_sync.lens import (
    compact_filter_data_views,
    compile_lens,
    decompile_lens,
    lens_fields,
    lens_queries,
    normalise_lens,
)
from kibana_sync.lens.columns import FieldType, unknown_field_type
from kibana_sync.source.diagnostics import Diagnostic
from kibana_sync.source.model import RefUse

# Keys a library Lens stores; the by-value panel form adds ``type`` and ``references``.
LIBRARY_ATTRIBUTES = ("title", "description", "visualizationType", "state")


class LensKind(Kind):
    name = "lens"
    folder = "lenses"
    model = LensModel
    saved_object_type = "lens"

    def references(self, entry: Entry) -> list[RefUse]:
        m: LensModel = entry.model
        uses = [RefUse("tag", t, ("tags", i)) for i, t in enumerate(m.tags)]
        if not m.is_raw:
            if m.data_view is not None:
                uses.append(RefUse("data_view", m.data_view, ("data_view",)))
            uses.extend(RefUse("data_view", ref, path) for path, ref in compact_filter_data_views(m.filters))
        return uses

    def check(self, entry: Entry, project: Project) -> list[Diagnostic]:
        m: LensModel = entry.model
        if m.is_raw:
            return []
        chart = m.as_chart()
        fields = checks.declared_fields(project, m.data_view)
        where = checks.data_view_label(m.data_view)
        out = checks.field_warnings(entry, [(_file_path(path), f) for path, f in lens_fields(chart)], fields, where)
        for path, query in lens_queries(chart):
            problems = checks.kql_problems(entry, _file_path(path), query)
            out.extend(problems or checks.field_warnings(
                entry, [(_file_path(path), f) for f in checks.kql_fields(query)], fields, where))
        return out

    def compile(self, entry: Entry, project: Project) -> dict[str, Any]:
        m: LensModel = entry.model
        tags = [tag_reference(project.resolve(t)) for t in m.tags]
        if m.is_raw:
            attributes = {"title": m.title, "description": m.description,
                          "visualizationType": m.visualization_type, "state": copy.deepcopy(m.state),
                          **copy.deepcopy(m.raw_attributes)}
            return _with_stored_description(
                saved_object("lens", entry.id, attributes, [*copy.deepcopy(m.references), *tags]), m)
        data_view = project.resolve(m.data_view) if m.data_view is not None else None
        field_types = _field_types(project, data_view) if data_view is not None else unknown_field_type
        by_value = compile_lens(m.as_chart(), data_view, field_types)
        return _with_stored_description(library_object(entry.id, by_value, m.title, m.description, tags), m)

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        attributes = obj.get("attributes", {})
        refs = obj.get("references", [])
        tags = [r for r in refs if is_tag_reference(r)]
        data: dict[str, Any] = {"id": obj["id"], "title": attributes.get("title", "")}
        if attributes.get("description"):
            data["description"] = attributes["description"]
        if tags:
            data["tags"] = [r["id"] for r in tags]
        chart = decompile_lens(by_value_attributes(attributes, [r for r in refs if r not in tags]))
        if chart is not None and set(attributes) <= set(LIBRARY_ATTRIBUTES):
            if "tags" in chart:
                chart["words"] = chart.pop("tags")
            _keep_missing_description(attributes, chart)
            data.update(chart)
            return Decompiled(data, compact_parts=1)
        data["visualization_type"] = attributes.get("visualizationType")
        data["state"] = attributes.get("state")
        other = [r for r in refs if r not in tags]
        if other:
            data["references"] = other
        _keep_missing_description(attributes, data)
        extra = {k: v for k, v in attributes.items() if k not in LIBRARY_ATTRIBUTES}
        warnings = [f"lens {obj['id']}: kept as raw state (the compact chart keys cannot say it exactly)"]
        if extra:
            data["raw_attributes"] = extra
            warnings.append(f"lens {obj['id']}: attributes {', '.join(sorted(extra))} are not library Lens "
                            "attributes (Lens's editor refuses them); kept as they are")
        return Decompiled(data, warnings, raw_parts=1)

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        out = strip_server_fields(obj)
        attributes = out.get("attributes", {})
        refs = out.get("references", [])
        tags = [r for r in refs if is_tag_reference(r)]
        normal = normalise_lens(by_value_attributes(attributes, [r for r in refs if r not in tags]))
        kept = {k: v for k, v in attributes.items() if k not in (*LIBRARY_ATTRIBUTES, "type", "references")}
        return {**out, "attributes": {**kept, **{k: normal[k] for k in LIBRARY_ATTRIBUTES if k in normal}},
                "references": sorted([*normal.get("references", []), *tags], key=reference_order)}


def by_value_attributes(attributes: dict[str, Any], references: list[dict[str, str]]) -> dict[str, Any]:
    """The attributes a by-value panel would hold for this library Lens (its references moved inside); title
    and description stay on the file, so the chart keys never carry them."""
    return {**{k: v for k, v in attributes.items() if k not in ("title", "description")},
            "title": "", "description": "", "type": "lens", "references": references}


def library_object(id_: str, by_value: dict[str, Any], title: str, description: str,
                   tags: list[dict[str, str]]) -> dict[str, Any]:
    """The ``lens`` saved object for compiled by-value attributes: references move out to the object."""
    attributes = {k: v for k, v in by_value.items() if k not in ("type", "references")}
    attributes.update(title=title, description=description)
    return saved_object("lens", id_, attributes, [*by_value.get("references", []), *tags])


def _keep_missing_description(attributes: dict[str, Any], data: dict[str, Any]) -> None:
    """Packages and old editors stored no description, or null; Kibana keeps either as it was."""
    if "description" in attributes and attributes["description"] is not None:
        return
    stored = data.setdefault("stored", {})
    if "description" in attributes:
        stored["set"] = {**stored.get("set", {}), "description": None}
    else:
        stored["unset"] = [*stored.get("unset", []), "description"]


def _with_stored_description(obj: dict[str, Any], m: LensModel) -> dict[str, Any]:
    if m.stored is not None and "description" in m.stored.unset:
        del obj["attributes"]["description"]
    elif m.stored is not None and "description" in m.stored.set:
        obj["attributes"]["description"] = m.stored.set["description"]
    return obj


def _field_types(project: Project, data_view_id: str) -> FieldType:
    entry = project.get(data_view_id, "data_view")
    if entry is None:
        return unknown_field_type
    return entry.model.field_type


def _file_path(path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """A chart path as written in a library Lens file (a tag cloud's ``tags`` is ``words`` there)."""
    return ("words", *path[1:]) if path[:1] == ("tags",) else path
