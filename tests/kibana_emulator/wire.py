"""Framework-free request/response values shared by every route module."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .errors import HttpError


@dataclass(frozen=True)
class Principal:
    """Who made the request: the user name, and whether they came with an API key (rules reuse it, reference 5.1)."""

    username: str
    via_api_key: bool = False


@dataclass
class Request:
    method: str
    path: str  # the API path with any /s/{space} prefix removed
    space: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    principal: Principal | None = None

    def first(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        """The JSON body, or None when the body is empty (config-schema then reports the missing object)."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as err:
            # hapi rejects unparsable JSON payloads before any route code runs.
            raise HttpError(400, "Invalid request payload JSON format") from err

    @property
    def username(self) -> str:
        return self.principal.username if self.principal else "anonymous"


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body, {"content-type": "application/json; charset=utf-8", **(headers or {})})


def no_content() -> Response:
    return Response(204)
