"""Authentication (reference 1.3) and the xsrf / kbn-version header rules for writes (reference 1.2)."""

from __future__ import annotations

import base64
import binascii

from .config import EmulatorConfig
from .errors import HttpError
from .wire import Principal

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# ES answers failed authentication with this challenge and Kibana copies it onto its 401.
WWW_AUTHENTICATE = 'Basic realm="security", charset="UTF-8", ApiKey'


def has_credentials(headers: dict[str, str]) -> bool:
    return bool(headers.get("authorization", "").strip())


def authenticate(headers: dict[str, str], config: EmulatorConfig) -> Principal:
    header = headers.get("authorization", "").strip()
    if not header:
        raise HttpError(401, "Unauthorized")
    scheme, _, token = header.partition(" ")
    decoded = _decode(token.strip())
    name, sep, secret = decoded.partition(":") if decoded is not None else ("", "", "")
    if sep and scheme.lower() == "basic" and config.users.get(name) == secret:
        return Principal(name)
    if sep and scheme.lower() == "apikey":
        grant = config.api_keys.get(name)
        if grant is not None and grant.key == secret:
            return Principal(grant.owner, via_api_key=True)
    raise _rejected(name if scheme.lower() == "basic" else None)


def _decode(token: str) -> str | None:
    try:
        return base64.b64decode(token, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def _rejected(username: str | None) -> HttpError:
    """Kibana wraps the ES security_exception as `[<es message>]: <reason>` (reference 1.3, exact text inferred)."""
    if username:
        reason = f"unable to authenticate user [{username}] for REST request [/_security/_authenticate]"
    else:
        reason = "unable to authenticate with provided credentials and anonymous access is not allowed for this request"
    message = f"[security_exception\n\tRoot causes:\n\t\tsecurity_exception: {reason}]: {reason}"
    return HttpError(401, message, headers={"www-authenticate": WWW_AUTHENTICATE})


def check_write_headers(method: str, headers: dict[str, str], kibana_version: str) -> None:
    """A write needs `kbn-xsrf`, or a `kbn-version` that equals the server version exactly."""
    version = headers.get("kbn-version")
    if version is not None and version != kibana_version:
        raise HttpError(
            400,
            f'Browser client is out of date, please refresh the page ("kbn-version" header was "{version}" '
            f'but should be "{kibana_version}")',
            {"expected": kibana_version, "got": version},
        )
    if method in SAFE_METHODS:
        return
    if "kbn-xsrf" not in headers and version is None:
        raise HttpError(400, "Request must contain a kbn-xsrf header.")
