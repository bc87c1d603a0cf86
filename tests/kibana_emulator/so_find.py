"""`GET /api/saved_objects/_find` (reference 2.6): search on the type's default field, has_reference, paging."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import HttpError
from .so_types import TYPES
from .store import SavedObjectStore, StoredObject
from .validation import check_result_window, invalid, query_int
from .wire import Request

WORD = re.compile(r"[\w]+", re.UNICODE)
TERM = re.compile(r'"([^"]*)"|(\S+)')


def matches_search(obj: StoredObject, search: str, fields: list[str] | None) -> bool:
    """simple_query_string with OR between terms; `foo*` is a prefix, `"a b"` a phrase, `*` everything."""
    names = [f.split("^")[0] for f in fields] if fields else [TYPES[obj.type].search_field]
    texts = [str(obj.attributes.get(name, "")).lower() for name in names]
    words = [w for text in texts for w in WORD.findall(text)]
    for phrase, term in TERM.findall(search.lower()):
        if phrase and any(phrase in text for text in texts):
            return True
        term = term.strip("+-|()")
        if term == "*" or (term.endswith("*") and any(w.startswith(term[:-1]) for w in words)):
            return True
        if term and not term.endswith("*") and term in words:
            return True
    return False


def _references_filter(raw: str | None, name: str) -> list[dict[str, str]] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError as err:
        raise invalid(f"request query.{name}", "could not parse object value from json input") from err
    return [value] if isinstance(value, dict) else list(value)


def _has_reference(obj: StoredObject, wanted: list[dict[str, str]], operator: str) -> bool:
    present = [{"type": r.get("type"), "id": r.get("id")} for r in obj.references]
    hits = [w in present for w in ({"type": w.get("type"), "id": w.get("id")} for w in wanted)]
    return all(hits) if operator == "AND" else any(hits)


def find(store: SavedObjectStore, request: Request) -> dict[str, Any]:
    types = request.query.get("type")
    if not types:
        raise invalid("request query.type", "expected at least one defined value but got [undefined]")
    per_page = query_int(request, "per_page", 20, minimum=0)
    page = query_int(request, "page", 1, minimum=0)
    namespaces = request.query.get("namespaces") or [request.space]
    spaces = None if "*" in namespaces else namespaces
    found = store.in_spaces(spaces, [t for t in types if t in TYPES])
    if request.first("search"):
        fields = request.query.get("search_fields")
        found = [o for o in found if matches_search(o, request.first("search"), fields)]
    wanted = _references_filter(request.first("has_reference"), "has_reference")
    if wanted is not None:
        operator = request.first("has_reference_operator") or "OR"
        found = [o for o in found if _has_reference(o, wanted, operator)]
    unwanted = _references_filter(request.first("has_no_reference"), "has_no_reference")
    if unwanted is not None:
        operator = request.first("has_no_reference_operator") or "OR"
        found = [o for o in found if not _has_reference(o, unwanted, operator)]
    if request.first("filter"):
        raise HttpError(400, "The Kibana emulator does not evaluate `filter` on _find; use search/has_reference")
    found = _sorted(found, request.first("sort_field"), request.first("sort_order") or "asc")
    check_result_window(page, per_page)
    window = found[(page - 1) * per_page: page * per_page] if page > 0 else []
    fields = request.query.get("fields")
    return {"page": page, "per_page": per_page, "total": len(found),
            "saved_objects": [{**o.to_api(fields), "score": 0} for o in window]}


def _sorted(objects: list[StoredObject], field: str | None, order: str) -> list[StoredObject]:
    """Without sort_field the emulator keeps creation order (ES would order by relevance/index order)."""
    if not field:
        return objects

    def key(o: StoredObject) -> Any:
        if field in ("updated_at", "created_at", "type", "id"):
            return {"updated_at": o.updated_at, "created_at": o.created_at, "type": o.type, "id": o.id}[field]
        return str(o.attributes.get(field, ""))

    return sorted(objects, key=key, reverse=order == "desc")
