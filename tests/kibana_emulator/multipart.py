"""multipart/form-data parsing for `_import` (stdlib email parser; hapi rejects other media types with 415)."""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.parser import BytesParser

from .errors import HttpError


@dataclass(frozen=True)
class FilePart:
    name: str
    filename: str | None
    content: bytes


def parse_form(content_type: str, body: bytes) -> dict[str, FilePart]:
    if not content_type.lower().startswith("multipart/form-data"):
        raise HttpError(415, "Unsupported Media Type")
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise HttpError(400, "Invalid multipart payload format")
    parts: dict[str, FilePart] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        parts[str(name)] = FilePart(str(name), part.get_filename(), payload)
    return parts
