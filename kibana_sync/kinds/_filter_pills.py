"""The Kibana filter objects that searches and dashboards both store: the filter bar's pills (Kibana 8.x's
``buildPhraseFilter``, ``buildPhrasesFilter``, ``buildRangeFilter`` and ``buildExistsFilter`` plus the editor's
``meta``), and the move of each filter's data view to a reference and back (``extract_references.ts``).

Each kind keeps its own compact YAML for a pill; both compile to these shapes.
"""

from __future__ import annotations

from typing import Any, Literal

from kibana_sync.kinds.base import External, Ref, ref_id, reference

PillType = Literal["phrase", "phrases", "range", "exists"]


def pill(field: str, type_: PillType, operand: Any, *, negate: bool, disabled: bool, alias: str | None,
         index: str | None) -> dict[str, Any]:
    """The filter as Kibana keeps it in memory (``meta.index`` still the data view id, omitted when None)."""
    meta: dict[str, Any] = {"alias": alias, "negate": negate, "disabled": disabled}
    if index is not None:
        meta["index"] = index
    meta["key"] = field
    if type_ == "phrase":
        meta.update(params={"query": operand}, type="phrase")
        query: dict[str, Any] = {"match_phrase": {field: operand}}
    elif type_ == "phrases":
        meta.update(params=list(operand), type="phrases")
        query = {"bool": {"minimum_should_match": 1, "should": [{"match_phrase": {field: v}} for v in operand]}}
    elif type_ == "range":
        meta.update(params=operand, type="range")
        query = {"range": {field: operand}}
    else:
        meta.update(type="exists", value="exists")
        query = {"exists": {"field": field}}
    return {"meta": meta, "query": query, "$state": {"store": "appState"}}


def ref_name(i: int) -> str:
    """The reference name Kibana gives the data view of the i-th filter of a search source."""
    return f"kibanaSavedObjectMeta.searchSourceJSON.filter[{i}].meta.index"


def inline_index(kibana_filter: Any) -> Ref | None:
    """The data view a Kibana filter names in ``meta.index`` (``{external: id}`` allowed in YAML)."""
    meta = kibana_filter.get("meta") if isinstance(kibana_filter, dict) else None
    index = meta.get("index") if isinstance(meta, dict) else None
    if isinstance(index, dict) and set(index) == {"external"}:
        return External.model_validate(index)
    return index if isinstance(index, str) else None


def extract(filters: list[Any]) -> tuple[list[Any], list[dict[str, str]]]:
    """Move each inline ``meta.index`` into a reference, as Kibana does when it saves."""
    out, refs = [], []
    for i, f in enumerate(filters):
        index = inline_index(f)
        if index is None:
            out.append(f)
            continue
        name = ref_name(i)
        refs.append(reference("index-pattern", ref_id(index), name))
        meta = {k: v for k, v in f["meta"].items() if k != "index"}
        out.append({**f, "meta": {**meta, "indexRefName": name}})
    return out, refs


def inject(filters: list[Any], references: list[dict[str, Any]]) -> tuple[list[Any], list[dict[str, Any]]]:
    """The inverse of ``extract``: inline ``meta.index`` from the references; returns the references used.

    A filter whose ``indexRefName`` has no matching reference is left as it is. Of two references with one
    name the first counts, as in Kibana's ``injectReferences``.
    """
    by_name: dict[Any, dict[str, Any]] = {}
    for r in references:
        if r.get("type") == "index-pattern":
            by_name.setdefault(r.get("name"), r)
    out, used = [], []
    for i, f in enumerate(filters):
        meta = f.get("meta") if isinstance(f, dict) else None
        ref = by_name.get(ref_name(i))
        if not isinstance(meta, dict) or meta.get("indexRefName") != ref_name(i) or ref is None or "index" in meta:
            out.append(f)
            continue
        used.append(ref)
        restored = {k: v for k, v in meta.items() if k != "indexRefName"}
        out.append({**f, "meta": {**restored, "index": ref["id"]}})
    return out, used
