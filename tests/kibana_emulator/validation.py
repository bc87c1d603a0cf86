"""Request validation with config-schema's wording (reference 1.4): `[request body.foo]: ...` messages, 400."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import HttpError
from .wire import Request

DURATION = re.compile(r"^[1-9][0-9]*[smhd]$")


def js_type(value: Any) -> str:
    """The type name config-schema prints in `expected value of type [x] but got [y]`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "Array"
    return "Object"


def invalid(path: str, message: str) -> HttpError:
    return HttpError(400, f"[{path}]: {message}")


def require_object(value: Any, path: str = "request body") -> dict[str, Any]:
    if not isinstance(value, dict):
        found = "null" if value is None else js_type(value)
        raise invalid(path, f"expected a plain object value, but found [{found}] instead.")
    return value


def reject_unknown_keys(value: dict[str, Any], allowed: Iterable[str], path: str) -> None:
    allowed = set(allowed)
    for key in value:
        if key not in allowed:
            raise invalid(f"{path}.{key}", "definition for this key is missing")


def expect(value: Any, kind: str, path: str, *, optional: bool = False, nullable: bool = False) -> Any:
    """Check a JSON value's type; `kind` is one of string, number, boolean, array, object."""
    if value is None and (nullable or optional):
        return value
    ok = {
        "string": isinstance(value, str),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }[kind]
    if not ok:
        got = "undefined" if value is None else js_type(value)
        raise invalid(path, f"expected value of type [{kind}] but got [{got}]")
    return value


def expect_one_of(value: Any, choices: Iterable[str], path: str) -> str:
    choices = list(choices)
    if value not in choices:
        lines = "\n".join(f"- [{path}.{i}]: expected value to equal [{c}]" for i, c in enumerate(choices))
        raise invalid(path, f"types that failed validation:\n{lines}")
    return value


def expect_duration(value: Any, path: str) -> str:
    expect(value, "string", path)
    if not DURATION.match(value):
        raise invalid(path, f"string is not a valid duration: {value}")
    return value


def duration_ms(duration: str) -> int:
    unit_ms = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
    return int(duration[:-1]) * unit_ms[duration[-1]]


# --- query strings -------------------------------------------------------------------------------------------

def query_bool(request: Request, name: str, default: bool = False) -> bool:
    raw = request.first(name)
    if raw is None:
        return default
    if raw in ("true", "false"):
        return raw == "true"
    raise invalid(f"request query.{name}", "expected value of type [boolean] but got [string]")


def query_int(request: Request, name: str, default: int, minimum: int | None = None) -> int:
    raw = request.first(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as err:
        raise invalid(f"request query.{name}", "expected value of type [number] but got [string]") from err
    if minimum is not None and value < minimum:
        raise invalid(f"request query.{name}", f"Value must be equal to or greater than [{minimum}].")
    return value


MAX_RESULT_WINDOW = 10000  # ES index.max_result_window behind every _find (reference 2.6, 2.8, 5.4)


def check_result_window(page: int, per_page: int) -> None:
    """`from + size` past the window fails in Elasticsearch; Kibana passes it on as a 400."""
    if page * per_page > MAX_RESULT_WINDOW:
        raise HttpError(400, f"Result window is too large, from + size must be less than or equal to: "
                             f"[{MAX_RESULT_WINDOW}] but was [{page * per_page}]. See the scroll api for a more "
                             "efficient way to request large data sets. This limit can be set by changing the "
                             "[index.max_result_window] index level setting.")
