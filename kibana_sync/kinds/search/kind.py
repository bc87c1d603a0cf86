"""Saved searches (``objects/searches/``), Kibana's ``search`` saved object (Discover sessions).

The query, filters and data view live in ``kibanaSavedObjectMeta.searchSourceJSON`` (a JSON string); the data
views are references, named as Kibana's ``extract_references.ts`` names them (reference.md section 3).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from kibana_sync.kibana.format import (
    dumps_embedded,
    loads_embedded,
    reference,
    reference_order,
    saved_object,
    strip_server_fields,
    tag_reference,
)
from kibana_sync.kinds.base import Decompiled, Entry, Kind
from kibana_sync.kinds.search.check import check_search
from kibana_sync.kinds.search.decompile import decompile_search
from kibana_sync.kinds.search.model import (
    ATTRIBUTE_DEFAULTS,
    DEFAULT_QUERY,
    FLAGS,
    INDEX_REF_NAME,
    OPTIONAL,
    SearchModel,
)
from kibana_sync.query.filters import compile_filters, filter_references
from kibana_sync.source.diagnostics import Diagnostic
from kibana_sync.source.model import RefUse, ref_id

if TYPE_CHECKING:
    from kibana_sync.kinds.base import Project


class SearchKind(Kind):
    name = "search"
    folder = "searches"
    model = SearchModel
    saved_object_type = "search"

    def references(self, entry: Entry) -> list[RefUse]:
        m: SearchModel = entry.model
        uses = [RefUse("data_view", m.data_view, ("data_view",))] if m.data_view is not None else []
        uses.extend(filter_references(m.filters))
        uses.extend(RefUse("tag", t, ("tags", i)) for i, t in enumerate(m.tags))
        return uses

    def check(self, entry: Entry, project: Project) -> list[Diagnostic]:
        return check_search(entry, project)

    def compile(self, entry: Entry, project: Any) -> dict[str, Any]:
        m: SearchModel = entry.model
        kibana_filters, refs = compile_filters(m.filters, m.data_view)
        source: dict[str, Any] = {"query": {"query": m.query, "language": m.language}, "filter": kibana_filters}
        source.update(copy.deepcopy(m.raw_search_source))
        if m.data_view is not None:
            source["indexRefName"] = INDEX_REF_NAME
            refs.insert(0, reference("index-pattern", ref_id(m.data_view), INDEX_REF_NAME))
        refs.extend(tag_reference(ref_id(t)) for t in m.tags)
        refs.extend(copy.deepcopy(m.raw_references))
        attrs: dict[str, Any] = {
            "columns": list(m.columns),
            "description": m.description,
            "grid": copy.deepcopy(m.grid),
            "kibanaSavedObjectMeta": {"searchSourceJSON": dumps_embedded(source)},
            "sort": m.sort_pairs(),
            "title": m.title,
        }
        attrs.update({attr: getattr(m, key) for key, attr in FLAGS.items() if key not in m.unset})
        for key in ("grid", "columns"):
            if key in m.unset:
                del attrs[key]
        attrs.update({attr: getattr(m, key) for key, attr in OPTIONAL.items() if getattr(m, key) is not None})
        if m.time_range is not None:
            attrs["timeRange"] = m.time_range.model_dump(by_alias=True)
        if m.refresh_interval is not None:
            attrs["refreshInterval"] = m.refresh_interval.model_dump()
        attrs.update(copy.deepcopy(m.raw_attributes))
        return saved_object("search", entry.id, attrs, refs)

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        out = strip_server_fields(obj)
        attrs = {**copy.deepcopy(ATTRIBUTE_DEFAULTS), **out.get("attributes", {})}
        meta = attrs.get("kibanaSavedObjectMeta")
        if isinstance(meta, dict) and "searchSourceJSON" in meta:
            source = loads_embedded(meta["searchSourceJSON"])
            if isinstance(source, dict):
                source = {"query": dict(DEFAULT_QUERY), "filter": [], **source}
            attrs["kibanaSavedObjectMeta"] = {**meta, "searchSourceJSON": source}
        refs = sorted(out.get("references", []), key=reference_order)
        return {**out, "attributes": attrs, "references": refs}

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        return decompile_search(obj)

