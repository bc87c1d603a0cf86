"""What Kibana 8.11 enforces on the attributes of a saved object it writes (create, bulk_create, import, update).

Two mechanisms, and nothing else (visualization, lens, map, links and dashboard register no `schemas` in 8.11):
* the type's validation `schemas`: only `search` has one (`schemas['8.8.0']`,
  `src/plugins/saved_search/server/saved_objects/search.ts`, reference 2.7). `SavedObjectsTypeValidator` picks the
  newest schema <= the Kibana version and validates the whole document with config-schema, so paths start with
  `attributes.`; the repository turns a failure into a decorated Bad Request (`<message>: Bad Request`). The
  validated value is discarded: defaults are not written (reference-objects-es 0.2).
* Elasticsearch's mapping: the `.kibana*` root mapping is `dynamic: strict` (core `build_active_mappings.ts`), and
  a type mapping without `dynamic: false` (dashboard, lens, map, tag; `so_types.py`) inherits it, so an attribute
  the mapping does not declare fails the index request with `strict_dynamic_mapping_exception`.
"""

from __future__ import annotations

from typing import Any

from .so_types import TYPES, Mapping
from .validation import js_type

_DECLARED = object()


class _Invalid(Exception):
    pass


def _fail(path: str, message: str) -> None:
    raise _Invalid(f"[{path}]: {message}")


def _type_error(path: str, kind: str, value: Any) -> None:
    _fail(path, f"expected value of type [{kind}] but got [{'undefined' if value is _DECLARED else js_type(value)}]")


def _string(value: Any, path: str, *, required: bool) -> None:
    if value is _DECLARED and not required:
        return
    if not isinstance(value, str):
        _type_error(path, "string", value)


def _number(value: Any, path: str) -> None:
    """config-schema numbers accept numeric strings (Joi convert)."""
    if value is _DECLARED or (isinstance(value, int | float) and not isinstance(value, bool)):
        return
    if isinstance(value, str):
        try:
            float(value)
            return
        except ValueError:
            pass
    _type_error(path, "number", value)


def _boolean(value: Any, path: str) -> None:
    if value is _DECLARED or isinstance(value, bool) or value in ("true", "false"):
        return
    _type_error(path, "boolean", value)


def _object(value: Any, path: str, keys: dict[str, Any]) -> None:
    """config-schema object: declared keys in declaration order, then unknown keys (Joi `keys` rule)."""
    if value is _DECLARED:
        value = {}  # an object schema without maybe() defaults to {} and validates its children (inferred)
    if not isinstance(value, dict):
        _fail(path, f"expected a plain object value, but found [{js_type(value)}] instead.")
    for key, check in keys.items():
        check(value.get(key, _DECLARED), f"{path}.{key}")
    for key in value:
        if key not in keys:
            _fail(f"{path}.{key}", "definition for this key is missing")


def _maybe(check: Any) -> Any:
    return lambda value, path: None if value is _DECLARED else check(value, path)


def _string_array(value: Any, path: str) -> None:
    if value is _DECLARED:
        return
    if not isinstance(value, list):
        _type_error(path, "array", value)
    for index, item in enumerate(value):
        _string(item, f"{path}.{index}", required=True)


def _sort(value: Any, path: str) -> None:
    """oneOf([arrayOf(arrayOf(string, 2..2)), arrayOf(string, 2..2)]); only the outer type is checked (the
    nested alternatives' wording is not pinned down)."""
    if value is _DECLARED or isinstance(value, list):
        return
    got = js_type(value)
    _fail(path, "types that failed validation:\n"
                f"- [{path}.0]: expected value of type [array] but got [{got}]\n"
                f"- [{path}.1]: expected value of type [array] but got [{got}]")


def _view_mode(value: Any, path: str) -> None:
    if value is _DECLARED or value in ("documents", "aggregated"):
        return
    _fail(path, "types that failed validation:\n"
                f"- [{path}.0]: expected value to equal [documents]\n"
                f"- [{path}.1]: expected value to equal [aggregated]")


def _grid(value: Any, path: str) -> None:
    def columns(cols: Any, cols_path: str) -> None:
        if cols is _DECLARED:
            return
        if not isinstance(cols, dict):
            _fail(cols_path, f"expected a plain object value, but found [{js_type(cols)}] instead.")
        for name, column in cols.items():
            _object(column, f"{cols_path}.{name}", {"width": _maybe(_number)})

    _object(value, path, {"columns": columns})


def _req_string(value: Any, path: str) -> None:
    _string(value, path, required=True)


def _opt_string(value: Any, path: str) -> None:
    _string(value, path, required=False)


# schemas['8.8.0'] of `search`, keys in the declaration order of search.ts
SEARCH_SCHEMA: dict[str, Any] = {
    "title": _req_string,
    "description": _opt_string,
    "columns": _string_array,
    "sort": _sort,
    "grid": lambda value, path: None if value is _DECLARED else _grid(value, path),
    "rowHeight": _maybe(_number),
    "rowsPerPage": _maybe(_number),
    "hideChart": _boolean,
    "breakdownField": _opt_string,
    "kibanaSavedObjectMeta": lambda value, path: _object(value, path, {"searchSourceJSON": _req_string}),
    "isTextBasedQuery": _boolean,
    "usesAdHocDataView": _boolean,
    "timeRestore": _boolean,
    "timeRange": _maybe(lambda value, path: _object(value, path, {"from": _req_string, "to": _req_string})),
    "refreshInterval": _maybe(lambda value, path: _object(
        value, path, {"pause": lambda v, p: _boolean(v, p) if v is not _DECLARED else _type_error(p, "boolean", v),
                      "value": lambda v, p: _number(v, p) if v is not _DECLARED else _type_error(p, "number", v)})),
    "viewMode": _view_mode,
    "hideAggregatedPreview": _boolean,
    "hits": _maybe(_number),
    "version": _maybe(_number),
}
SEARCH_ATTRIBUTES = frozenset(SEARCH_SCHEMA)


def attribute_error(type_: str, attributes: dict[str, Any]) -> str | None:
    """The decorated Bad Request message for attributes the type's schema rejects, or None."""
    if type_ != "search":
        return None
    try:
        _object(attributes, "attributes", SEARCH_SCHEMA)
    except _Invalid as invalid:
        return f"{invalid}: Bad Request"
    return None


def mapping_error(type_: str, attributes: dict[str, Any]) -> str | None:
    """Elasticsearch's reason when the strict mapping rejects an attribute, or None. `within [...]` names the
    object's full path, whose root is the type name (the `.kibana` document stores attributes under it)."""
    so_type = TYPES.get(type_)
    return _strict(attributes, so_type.mapping, type_) if so_type else None


def _strict(value: Any, mapping: Mapping, path: str) -> str | None:
    if mapping is None or not isinstance(value, dict):
        return None
    for key, child in value.items():
        if key not in mapping:
            return f"mapping set to strict, dynamic introduction of [{key}] within [{path}] is not allowed"
        found = _strict(child, mapping[key], f"{path}.{key}")
        if found:
            return found
    return None


def bulk_mapping_failure(reason: str) -> dict[str, Any]:
    """How the repository reports a failed item of an ES bulk request it does not recognise
    (`getBulkOperationError`, default branch): a 500 payload quoting ES' status, type and reason."""
    return {"statusCode": 500, "error": "Internal Server Error",
            "message": f"Unexpected bulk response [400] strict_dynamic_mapping_exception: {reason}"}


def single_mapping_failure(reason: str) -> str:
    """The message of a single create/update the mapping rejects: `decorateEsError` -> decorateBadRequestError
    prefixes ES' reason to the ES client's ResponseError message (type + root causes) (inferred)."""
    return (f"{reason}: strict_dynamic_mapping_exception\n\tRoot causes:\n\t\t"
            f"strict_dynamic_mapping_exception: {reason}")
