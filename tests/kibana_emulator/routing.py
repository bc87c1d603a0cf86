"""Path-pattern routing with hapi's rules: literal segments beat parameters; `{name?}` may only end a pattern."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from .wire import Request, Response

Handler = Callable[[Request], Response]

SPACE_PREFIX = re.compile(r"^/s/([a-z0-9_\-]+)(/.*)$")  # space id syntax, reference 1.1


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Handler
    auth: str = "required"  # "required" | "optional" (GET /api/status, reference 1.5)

    @property
    def segments(self) -> list[str]:
        return self.pattern.strip("/").split("/")

    def match(self, method: str, parts: list[str]) -> dict[str, str] | None:
        if method != self.method:
            return None
        pattern = self.segments
        optional_tail = pattern[-1].endswith("?}")
        if not (len(parts) == len(pattern) or (optional_tail and len(parts) == len(pattern) - 1)):
            return None
        params: dict[str, str] = {}
        for expected, actual in zip(pattern, parts, strict=False):
            if expected.startswith("{"):
                if not actual:
                    return None
                params[expected.strip("{}?")] = unquote(actual)
            elif expected != actual:
                return None
        return params

    @property
    def literal_count(self) -> int:
        return sum(not s.startswith("{") for s in self.segments)


class Router:
    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler, auth: str = "required") -> None:
        self._routes.append(Route(method, pattern, handler, auth))

    def resolve(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        parts = path.strip("/").split("/")
        matches = [(route, params) for route in self._routes
                   if (params := route.match(method, parts)) is not None]
        if not matches:
            return None
        # `/api/saved_objects/_import` must not be taken for a create of type "_import".
        return max(matches, key=lambda m: m[0].literal_count)


def split_space(raw_path: str) -> tuple[str, str]:
    """`/s/team-a/api/x` -> ("team-a", "/api/x"); anything else is the default space."""
    match = SPACE_PREFIX.match(raw_path)
    if match:
        return match.group(1), match.group(2)
    return "default", raw_path
