"""Authentication as ES security does it for REST requests (Basic and `ApiKey base64(id:key)`).

A failure is a 401 `security_exception` whose error object carries the challenges under `header`
(`{"WWW-Authenticate": [...]}`, also in `root_cause`) and as HTTP headers. Reasons:
`missing authentication credentials for REST request [<uri>]` (no credentials),
`unable to authenticate user [<u>] for REST request [<uri>]` (bad Basic credentials),
`unable to authenticate with provided credentials and anonymous access is not allowed for this request`
(an API key that does not authenticate). `<uri>` is the request URI with its query string.
"""

from __future__ import annotations

import base64
import binascii

from .config import EsConfig
from .errors import Cause, EsError


def authenticate(headers: dict[str, str], config: EsConfig, uri: str) -> str:
    """-> an identity string (ILM stores the caller's security headers with a policy)."""
    header = headers.get("authorization", "").strip()
    if not header:
        raise _rejected(f"missing authentication credentials for REST request [{uri}]", config)
    scheme, _, token = header.partition(" ")
    decoded = _decode(token.strip())
    name, sep, secret = decoded.partition(":") if decoded is not None else ("", "", "")
    if scheme.lower() == "basic":
        if sep and config.users.get(name) == secret:
            return f"user:{name}"
        raise _rejected(f"unable to authenticate user [{name}] for REST request [{uri}]", config)
    if scheme.lower() == "apikey" and sep and config.api_keys.get(name) == secret:
        return f"api_key:{name}"
    raise _rejected("unable to authenticate with provided credentials and anonymous access is not allowed for this "
                    "request", config)


def _decode(token: str) -> str | None:
    try:
        return base64.b64decode(token, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def _rejected(reason: str, config: EsConfig) -> EsError:
    challenges = list(config.www_authenticate)
    cause = Cause("security_exception", reason, header={"WWW-Authenticate": challenges})
    # One header line per challenge in ES; joined here because the adapters carry one value per header name.
    return EsError(401, [cause], headers={"www-authenticate": ", ".join(challenges)})
