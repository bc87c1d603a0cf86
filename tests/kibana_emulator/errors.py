"""Boom-shaped HTTP errors (reference 1.4): every error body is {statusCode, error, message[, attributes]}."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

INTERNAL_ERROR_MESSAGE = "An internal server error occurred."  # 8.x wording (reference 1.4)


def reason_phrase(status: int) -> str:
    return HTTPStatus(status).phrase


def boom_payload(status: int, message: str, attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"statusCode": status, "error": reason_phrase(status), "message": message}
    if attributes is not None:
        payload["attributes"] = attributes
    return payload


class HttpError(Exception):
    """Raised anywhere in a handler; the emulator turns it into a Boom response."""

    def __init__(self, status: int, message: str, attributes: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.attributes = attributes
        self.headers = headers or {}

    def payload(self) -> dict[str, Any]:
        return boom_payload(self.status, self.message, self.attributes)


def not_found_object(type_: str, id_: str) -> HttpError:
    return HttpError(404, f"Saved object [{type_}/{id_}] not found")


def conflict_object(type_: str, id_: str) -> HttpError:
    return HttpError(409, f"Saved object [{type_}/{id_}] conflict")


def internal_error() -> HttpError:
    """A non-Boom exception inside Kibana (e.g. a migration function that throws) surfaces like this."""
    return HttpError(500, INTERNAL_ERROR_MESSAGE)


def object_error(status: int, message: str) -> dict[str, Any]:
    """The per-object `error` payload used inside bulk responses (reference 2.7)."""
    return boom_payload(status, message)
