"""Elasticsearch's error envelope (reference-objects-es.md section 7, first lines).

ES renders an exception as `{"error":{"root_cause":[...],"type","reason",<metadata>,"caused_by"?,"header"?},
"status":N}` (`ElasticsearchException.generateFailureXContent`). An error here is the Java cause chain, outermost
first, so the emulator can reproduce both `caused_by` nesting and ES's root-cause guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Exception classes that are *not* ElasticsearchException subclasses: the root-cause guess treats them differently.
# (IllegalArgumentException, XContentParseException and its subclass NamedObjectNotFoundException,
# ActionRequestValidationException which extends IllegalArgumentException, IllegalStateException.)
_PARSE_TYPES = frozenset({"x_content_parse_exception", "named_object_not_found_exception"})
_NON_ES_TYPES = _PARSE_TYPES | {"illegal_argument_exception", "action_request_validation_exception",
                                "number_format_exception",
                                "illegal_state_exception"}


@dataclass
class Cause:
    type: str
    reason: str
    metadata: dict[str, Any] = field(default_factory=dict)  # `es.`-prefixed metadata, rendered as plain fields
    header: dict[str, list[str]] = field(default_factory=dict)  # rendered under "header"

    @property
    def is_es(self) -> bool:
        return self.type not in _NON_ES_TYPES

    @property
    def is_parse(self) -> bool:
        return self.type in _PARSE_TYPES

    def render(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "reason": self.reason, **self.metadata}
        return body


class EsError(Exception):
    """An error answer: HTTP status plus the cause chain (outermost first)."""

    def __init__(self, status: int, chain: list[Cause], headers: dict[str, str] | None = None) -> None:
        super().__init__(chain[0].reason)
        self.status = status
        self.chain = chain
        self.headers = headers or {}

    @property
    def type(self) -> str:
        return self.chain[0].type

    @property
    def reason(self) -> str:
        return self.chain[0].reason

    def root_cause(self) -> Cause:
        """`ElasticsearchException.guessRootCauses(Throwable)` (server/.../ElasticsearchException.java):
        an ES exception walks down while its cause is an ES exception; an XContentParseException walks down
        while its cause is another parse exception or an ES exception; anything else is its own root cause."""
        i = 0
        while True:
            current = self.chain[i]
            nxt = self.chain[i + 1] if i + 1 < len(self.chain) else None
            if current.is_es:
                if nxt is not None and nxt.is_es:
                    i += 1
                    continue
                return current
            if current.is_parse and nxt is not None and (nxt.is_parse or nxt.is_es):
                i += 1
                continue
            return current

    def payload(self) -> dict[str, Any]:
        root = self.root_cause()
        root_body = root.render()
        if root.header:
            root_body["header"] = root.header
        return {"error": {"root_cause": [root_body], **_render_chain(self.chain)}, "status": self.status}


def _render_chain(chain: list[Cause]) -> dict[str, Any]:
    head = chain[0].render()
    if len(chain) > 1:
        head["caused_by"] = _render_chain(chain[1:])
    if chain[0].header:
        head["header"] = chain[0].header
    return head


def error(status: int, type_: str, reason: str, caused_by: list[Cause] | None = None,
          **metadata: Any) -> EsError:
    return EsError(status, [Cause(type_, reason, dict(metadata)), *(caused_by or [])])


def bad_request(reason: str, caused_by: list[Cause] | None = None) -> EsError:
    """A raw IllegalArgumentException: ES maps it to 400 (`ExceptionsHelper.status`)."""
    return error(400, "illegal_argument_exception", reason, caused_by)


def not_found(reason: str, **metadata: Any) -> EsError:
    return error(404, "resource_not_found_exception", reason, **metadata)


def invalid_template(name: str, cause: str) -> EsError:
    """`InvalidIndexTemplateException`: message `index_template [<name>] invalid, cause [<cause>]`."""
    return error(400, "invalid_index_template_exception", f"index_template [{name}] invalid, cause [{cause}]")


def validation_failed(errors: list[str]) -> str:
    """`ValidationException.getMessage()`: `Validation Failed: 1: a;2: b;`."""
    return "Validation Failed: " + "".join(f"{i}: {e};" for i, e in enumerate(errors, 1))


def java_list(items: Any) -> str:
    """Java's `List.toString()` / `Arrays.toString()`: `[a, b]`."""
    return "[" + ", ".join(str(i) for i in items) + "]"
