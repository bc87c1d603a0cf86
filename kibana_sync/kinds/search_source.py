"""Reading the query of a stored ``searchSourceJSON`` into YAML keys: shared by saved searches and legacy
visualizations, which store it the same way."""

from __future__ import annotations

from typing import Any

from kibana_sync.kibana.format import loads_embedded
from kibana_sync.kinds.base import Decompiled
from kibana_sync.query import kql

LANGUAGES = ("kuery", "lucene")


def take_search_source(attrs: dict[str, Any]) -> dict[str, Any] | None:
    """The decoded ``searchSourceJSON``, taken out of ``attrs`` when ``kibanaSavedObjectMeta`` holds nothing else
    (anything more stays in ``attrs``, to be kept raw); None otherwise."""
    meta = attrs.get("kibanaSavedObjectMeta")
    if not (isinstance(meta, dict) and set(meta) == {"searchSourceJSON"}):
        return None
    source = loads_embedded(meta["searchSourceJSON"])
    if not isinstance(source, dict):
        return None
    attrs.pop("kibanaSavedObjectMeta")
    return source


def take_query(source: dict[str, Any], result: Decompiled, *, dsl: bool = False) -> None:
    """Move a ``{query, language}`` query out of ``source`` into ``result.data`` (``query``, and ``language``
    unless KQL), warning when the KQL does not parse. With ``dsl``, a Lucene query stored as a query-DSL object
    (as old visualizations do) is taken too. Any other shape stays in ``source``, to be kept raw."""
    query = source.get("query")
    if not (isinstance(query, dict) and set(query) == {"query", "language"} and query["language"] in LANGUAGES):
        return
    text = query["query"]
    if not (isinstance(text, str) or (dsl and isinstance(text, dict) and query["language"] == "lucene")):
        return
    source.pop("query")
    if text:
        result.data["query"] = text
    if query["language"] != "kuery":
        result.data["language"] = query["language"]
    if query["language"] == "kuery" and isinstance(text, str):
        try:
            kql.parse(text)
        except kql.KQLSyntaxError as exc:
            result.warnings.append(f"query is not valid KQL (Kibana would reject it): {exc.message}")
