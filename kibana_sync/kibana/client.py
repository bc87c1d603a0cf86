"""The Kibana 8.11 HTTP API as kibana-sync uses it: saved objects, rules, connectors, spaces and status.

One job: turn method calls into HTTP requests and Kibana's answers (or Boom error bodies) into Python values
or ``KibanaError``. Requests that are safe to repeat are retried on overload and dropped connections.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import ipaddress
import json
import logging
import random
import re
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import quote, quote_plus, urlsplit

import httpx

from kibana_sync import __version__
from kibana_sync.kibana.connection import DEFAULT_SPACE, ConnectionConfigError, ConnectionSettings
from kibana_sync.kibana.errors import KibanaError
from kibana_sync.kibana.ndjson import parse_ndjson

log = logging.getLogger(__name__)

SUPPORTED = ((8, 11), (9, 0))  # [from, to)
SUPPORTED_TEXT = "Kibana 8.11 or a later 8.x release"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
RETRY_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError)
MAX_WAIT = 60.0  # seconds; also caps a server's Retry-After
BULK_GET_CHUNK = 1000
FIND_PER_PAGE_RULES = 100
# Kibana's defaults for savedObjects.maxImportExportSize and savedObjects.maxImportPayloadBytes (reference 2.8).
MAX_IMPORT_EXPORT_OBJECTS = 10_000
MAX_IMPORT_BYTES = 26_214_400
MULTIPART_OVERHEAD = 1024  # boundary and part headers around the NDJSON file


class UnsupportedKibana(KibanaError):
    """The Kibana version is outside the range kibana-sync knows the object formats of."""


@dataclass
class ImportResult:
    """One ``_import`` response. ``success`` is the truth: when it is false Kibana may have written nothing."""

    success: bool
    success_results: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    response: httpx.Response
    retried: bool  # an earlier attempt of this request may have reached Kibana


class HttpApiClient:
    """The transport the Kibana and Elasticsearch clients share: authentication, TLS, retries of requests that
    are safe to repeat, transport errors that say what to check, secrets scrubbed from every message."""

    product = "Kibana"  # who answers, in messages
    tls_setting = "server.ssl.enabled"

    def __init__(self, settings: ConnectionSettings, transport: httpx.BaseTransport | None = None,
                 retries: int = 4, backoff: float = 0.5, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.retries, self.backoff, self._sleep = retries, backoff, sleep
        self.requests_sent = 0
        headers = {"User-Agent": f"kibana-sync/{__version__}"}
        if settings.authorization is not None:
            headers["Authorization"] = settings.authorization
        self._http = httpx.Client(base_url=settings.url, headers=headers, timeout=settings.timeout,
                                  verify=_tls(settings), transport=transport, follow_redirects=False)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- transport ---------------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, scoped: bool = True, retry_safe: bool = True,
              accept: Sequence[int] = (), **kwargs: Any) -> Answer:
        """Send one logical request, retrying when that is safe; raise KibanaError unless 2xx or in ``accept``.

        Every caller except a non-overwriting import is safe to repeat (reads, PUT, DELETE, enable/disable,
        overwrite imports, explicit-id creates whose 409 ``_create`` handles).
        """
        url = (self.settings.space_prefix if scoped else "") + path
        headers = self._headers(method)
        attempts = 1 + (self.retries if retry_safe else 0)
        attempt = 0
        while True:
            attempt += 1
            self.requests_sent += 1
            try:
                response = self._http.request(method, url, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                if attempt == attempts or not _worth_retrying(exc):
                    raise self._transport_error(exc, method, url) from None
                wait, reason = self._backoff(attempt), type(exc).__name__
            else:
                status = response.status_code
                log.debug("%s %s -> %s", method, url, status)
                if status < 300 or status in accept:
                    return Answer(response, retried=attempt > 1)
                if attempt == attempts or status not in RETRY_STATUSES:
                    raise self._error(response)
                wait = _retry_after(response) if "Retry-After" in response.headers else self._backoff(attempt)
                reason = f"HTTP {status}"
            log.info("%s %s: %s; retry %d of %d in %.1fs", method, url, reason, attempt, attempts - 1, wait)
            self._sleep(min(wait, MAX_WAIT))

    def _headers(self, method: str) -> dict[str, str]:
        return {} if method == "GET" else {"kbn-xsrf": "kibana-sync"}

    def _backoff(self, attempt: int) -> float:
        # Exponential with jitter so parallel runs do not retry in lockstep.
        return min(MAX_WAIT, self.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)

    def _transport_error(self, exc: httpx.HTTPError, method: str, url: str) -> KibanaError:
        where = f"{self.product} at {self.settings.url} ({method} {url})"
        detail = self._scrub(str(exc)) or type(exc).__name__
        if _plain_http_answer(exc) and self.settings.url.startswith("https://"):
            plain = "http://" + self.settings.url.removeprefix("https://")
            return KibanaError(f"{where} answered in plain HTTP on an https:// URL (no TLS there): use {plain} "
                               f"or enable TLS in {self.product} ({self.tls_setting})")
        if _tls_failure(exc):
            return KibanaError(f"cannot verify the TLS certificate of {where}: {detail}; give the CA that signed "
                               "it with --ca-cert or KIBANA_CA_CERT (or --insecure for a throwaway test stack)")
        if isinstance(exc, httpx.TimeoutException):
            return KibanaError(f"{where} did not answer within {self.settings.timeout:g}s; "
                               f"raise --timeout or KIBANA_TIMEOUT if {self.product} is just slow")
        if isinstance(exc, RETRY_ERRORS):
            return KibanaError(f"cannot reach {where}: {detail}")
        return KibanaError(f"request to {where} failed: {detail}")

    def _json(self, answer: Answer) -> Any:
        try:
            return answer.response.json()
        except ValueError:
            request = answer.response.request
            raise KibanaError(f"{self.product} answered {request.method} {request.url.path} with a body that is "
                              "not JSON", answer.response.status_code) from None

    def _error(self, response: httpx.Response) -> KibanaError:
        body = _boom(response)
        request = response.request
        status = response.status_code
        detail = self._scrub(str(body.get("message") or body.get("error") or response.reason_phrase))
        where = f"{request.method} {request.url.path}"
        if status == 401 and self.settings.authorization is None:
            message = (f"authentication failed ({where} -> 401): Kibana needs credentials and none are set; "
                       f"set {self.settings.credentials_source}")
        elif status == 401:
            # Kibana wraps Elasticsearch's multi-line security_exception as "[<root causes>]: <reason>".
            reason = detail.rsplit("]: ", 1)[-1]
            what = ("the username and password must be correct" if self.settings.api_key is None else
                    "the API key must be valid (base64 'id:key' as Elasticsearch returns it)")
            message = f"authentication failed ({where} -> 401: {reason}); check {self.settings.credentials_source}: {what}"
        elif status == 403:
            message = f"permission denied ({where} -> 403): {detail}"
        else:
            message = f"Kibana answered {status} to {where}: {detail}"
        return KibanaError(message, status, body or None)

    def _scrub(self, text: str) -> str:
        return scrub_secrets(text, self.settings.secrets())


class KibanaClient(HttpApiClient):
    """A synchronous client for one Kibana space. Close it (or use ``with``) to release connections."""

    max_import_objects = MAX_IMPORT_EXPORT_OBJECTS
    max_import_bytes = MAX_IMPORT_BYTES
    # Set by the command line when the repo has Elasticsearch objects (``--es-url``): the Elasticsearch store
    # talks to it, every other store to Kibana.
    elasticsearch: HttpApiClient | None = None

    def close(self) -> None:
        super().close()
        if self.elasticsearch is not None:
            self.elasticsearch.close()

    # --- status and spaces -------------------------------------------------------------------------------------

    def version(self) -> str:
        """Kibana's version number; raises UnsupportedKibana outside 8.11 <= v < 9."""
        body = self._json(self._call("GET", "/api/status", scoped=False))
        number = (body.get("version") or {}).get("number") if isinstance(body, dict) else None
        if not number:
            raise KibanaError(f"Kibana at {self.settings.url} did not report its version: /api/status answers "
                              "anonymous requests with a redacted status, so the request was not authenticated. "
                              f"Set {self.settings.credentials_source}.")
        parsed = _version_tuple(number)
        if parsed is None or not SUPPORTED[0] <= parsed[:2] < SUPPORTED[1]:
            raise UnsupportedKibana(f"Kibana {number} is not supported: kibana-sync supports {SUPPORTED_TEXT} "
                                    "(>= 8.11, < 9.0)")
        return number

    def space_exists(self) -> bool:
        """Whether the configured space exists (Kibana accepts writes to a missing space, so check first)."""
        if not self.settings.space_prefix:
            return True
        answer = self._call("GET", f"/api/spaces/space/{_seg(self.settings.space)}", scoped=False, accept=(404,))
        return answer.response.status_code != 404

    # --- saved objects -----------------------------------------------------------------------------------------

    def list_spaces(self) -> list[str]:
        """The ids of the spaces this user can see."""
        return [s["id"] for s in self._json(self._call("GET", "/api/spaces/space", scoped=False))]

    def spaces(self) -> list[dict]:
        """Every space this user can see, in full (spaces are global: never scoped to this client's space)."""
        return self._json(self._call("GET", "/api/spaces/space", scoped=False))

    def create_space(self, body: dict) -> dict:
        return self._json(self._call("POST", "/api/spaces/space", scoped=False, json=body))

    def update_space(self, id: str, body: dict) -> dict:
        """PUT replaces the whole space (reference 8); the id is the URL's."""
        return self._json(self._call("PUT", f"/api/spaces/space/{_seg(id)}", scoped=False, json=body))

    def delete_space(self, id: str) -> None:
        """Deletes the space and every object in it."""
        self._call("DELETE", f"/api/spaces/space/{_seg(id)}", scoped=False)

    def bulk_get(self, objects: list[tuple[str, str]], namespaces: list[str] | None = None) -> list[dict]:
        """The objects that exist, in request order; missing ones are left out, any other error raises.

        ``namespaces`` looks in those spaces instead of this one (reference 2.7); the answer's ``namespaces``
        says where each object lives.
        """
        found: list[dict] = []
        extra: dict[str, Any] = {"namespaces": namespaces} if namespaces else {}
        for chunk in _chunks(objects, BULK_GET_CHUNK):
            body = [{"type": t, "id": i, **extra} for t, i in chunk]
            for obj in self._json(self._call("POST", "/api/saved_objects/_bulk_get", json=body))["saved_objects"]:
                error = obj.get("error")
                if error is None:
                    found.append(obj)
                elif error.get("statusCode") != 404:
                    raise KibanaError(f"cannot read {obj.get('type')}/{obj.get('id')}: {error.get('message')}",
                                      error.get("statusCode"), error)
        return found

    def export(self, objects: list[tuple[str, str]] | None = None, types: list[str] | None = None,
               include_references_deep: bool = False) -> list[dict]:
        """Objects as ``_export`` gives them (key-sorted, references first), without the export-details line."""
        if (objects is None) == (types is None):
            raise ValueError("export needs exactly one of objects or types")
        selections: Iterator[dict[str, Any]] = (
            ({"objects": [{"type": t, "id": i} for t, i in chunk]} for chunk in _chunks(objects, MAX_IMPORT_EXPORT_OBJECTS))
            if objects is not None else iter([{"type": types}]))
        exported: dict[tuple[str, str], dict] = {}
        for selection in selections:
            answer = self._call("POST", "/api/saved_objects/_export",
                                json={**selection, "includeReferencesDeep": include_references_deep})
            parsed = parse_ndjson(answer.response.text)
            if parsed.problems:
                first = parsed.problems[0]
                raise KibanaError(f"Kibana's _export answer is not the NDJSON expected, line {first.line}: "
                                  f"{first.message}", answer.response.status_code)
            for item in parsed.objects:
                # Chunks of a deep export can share referenced objects; keep each once, first place wins.
                exported.setdefault((item.obj["type"], item.obj["id"]), item.obj)
        return list(exported.values())

    def find(self, types: list[str], has_reference: dict | list[dict] | None = None, per_page: int = 1000,
             fields: list[str] | None = None) -> list[dict]:
        """Every object of the given types (optionally referencing ``has_reference``), all pages; ``fields``
        limits the attributes returned."""
        params: dict[str, Any] = {"type": types, "per_page": per_page}
        if fields:
            params["fields"] = fields
        if has_reference is not None:
            params["has_reference"] = json.dumps(has_reference)
        return self._pages("/api/saved_objects/_find", params, "saved_objects")

    def import_objects(self, objects: list[dict], overwrite: bool = True) -> list[ImportResult]:
        """Import in order, in as few requests as Kibana's count and size limits allow; one result per request.

        Objects are never reordered and a chunk ends only between objects, so when callers pass referenced
        objects first, each reference is in the same or an earlier request.
        """
        results = []
        # Serialise everything first, so an object too big to import stops the run before anything is written.
        for ndjson in list(self._import_payloads(objects)):
            answer = self._call("POST", "/api/saved_objects/_import", params={"overwrite": _flag(overwrite)},
                                files={"file": ("export.ndjson", ndjson, "application/ndjson")},
                                retry_safe=overwrite)
            body = self._json(answer)
            results.append(ImportResult(success=bool(body.get("success")),
                                        success_results=body.get("successResults", []),
                                        errors=body.get("errors", [])))
        return results

    def _import_payloads(self, objects: list[dict]) -> Iterator[bytes]:
        budget = self.max_import_bytes - MULTIPART_OVERHEAD
        lines: list[bytes] = []
        size = 0
        for obj in objects:
            line = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
            if len(line) > budget:
                raise KibanaError(f"saved object {obj.get('type')}/{obj.get('id')} is {len(line)} bytes, more than "
                                  f"Kibana accepts in one import ({self.max_import_bytes} bytes, "
                                  "savedObjects.maxImportPayloadBytes)")
            if lines and (len(lines) == self.max_import_objects or size + 1 + len(line) > budget):
                yield b"\n".join(lines)
                lines, size = [], 0
            size += len(line) + (1 if lines else 0)  # the newline that joins it to the previous line
            lines.append(line)
        if lines:
            yield b"\n".join(lines)

    def bulk_delete(self, objects: list[tuple[str, str]], force: bool = True) -> list[dict]:
        """Per-object statuses (``{success, id, type, error?}``); a missing object is a status, not an exception."""
        statuses: list[dict] = []
        for chunk in _chunks(objects, BULK_GET_CHUNK):
            answer = self._call("POST", "/api/saved_objects/_bulk_delete", params={"force": _flag(force)},
                                json=[{"type": t, "id": i} for t, i in chunk])
            statuses.extend(self._json(answer)["statuses"])
        return statuses

    # --- rules -------------------------------------------------------------------------------------------------

    def find_rules(self, filter: str | None = None, space: str | None = None) -> list[dict]:
        """Rules of this space, or of ``space`` (rule ids are global, so another space's matter for creates)."""
        params: dict[str, Any] = {"per_page": FIND_PER_PAGE_RULES}
        if filter is not None:
            params["filter"] = filter
        return self._pages(_in_space(space) + "/api/alerting/rules/_find", params, "data", scoped=space is None)

    def get_rule(self, id: str) -> dict | None:
        return self._get_or_none(f"/api/alerting/rule/{_seg(id)}")

    def create_rule(self, id: str, body: dict) -> dict:
        return self._create(f"/api/alerting/rule/{_seg(id)}", body)

    def update_rule(self, id: str, body: dict) -> dict:
        return self._json(self._call("PUT", f"/api/alerting/rule/{_seg(id)}", json=body))

    def delete_rule(self, id: str) -> None:
        self._delete(f"/api/alerting/rule/{_seg(id)}")

    def enable_rule(self, id: str) -> None:
        self._call("POST", f"/api/alerting/rule/{_seg(id)}/_enable")

    def disable_rule(self, id: str) -> None:
        self._call("POST", f"/api/alerting/rule/{_seg(id)}/_disable")

    # --- connectors --------------------------------------------------------------------------------------------

    def list_connectors(self, space: str | None = None) -> list[dict]:
        return self._json(self._call("GET", _in_space(space) + "/api/actions/connectors", scoped=space is None))

    def get_connector(self, id: str) -> dict | None:
        return self._get_or_none(f"/api/actions/connector/{_seg(id)}")

    def create_connector(self, id: str, body: dict) -> dict:
        with _license_hint(body.get("connector_type_id")):
            return self._create(f"/api/actions/connector/{_seg(id)}", body)

    def update_connector(self, id: str, body: dict) -> dict:
        with _license_hint(body.get("connector_type_id")):
            return self._json(self._call("PUT", f"/api/actions/connector/{_seg(id)}", json=body))

    def delete_connector(self, id: str) -> None:
        self._delete(f"/api/actions/connector/{_seg(id)}")

    # --- shared request patterns -------------------------------------------------------------------------------

    def _get_or_none(self, path: str) -> dict | None:
        answer = self._call("GET", path, accept=(404,))
        return None if answer.response.status_code == 404 else self._json(answer)

    def _create(self, path: str, body: dict) -> dict:
        """Create with an explicit id. Retried like any write; a 409 after a retry means an earlier attempt
        landed (the connection dropped before its answer), so the object is fetched and returned."""
        answer = self._call("POST", path, json=body, accept=(409,))
        if answer.response.status_code == 409:
            existing = self._get_or_none(path) if answer.retried else None
            if existing is None:
                raise self._error(answer.response)
            return existing
        return self._json(answer)

    def _delete(self, path: str) -> None:
        answer = self._call("DELETE", path, accept=(404,))
        if answer.response.status_code == 404 and not answer.retried:
            raise self._error(answer.response)

    def _pages(self, path: str, params: dict[str, Any], key: str, scoped: bool = True) -> list[dict]:
        items: list[dict] = []
        page = 1
        while True:
            body = self._json(self._call("GET", path, params={**params, "page": page}, scoped=scoped))
            batch = body.get(key, [])
            items.extend(batch)
            if not batch or len(items) >= body.get("total", 0):
                return items
            page += 1


def secret_forms(secret: str) -> set[str]:
    """Every encoding of ``secret`` that could end up in a message: as is, URL-encoded, and for an API key (base64
    ``id:key``) the decoded pair and its key half."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    try:
        decoded = base64.b64decode(secret + "=" * (-len(secret) % 4), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if ":" in decoded and decoded.isprintable():
        forms |= {decoded, decoded.split(":", 1)[1], quote(decoded, safe="")}
    return {f for f in forms if f}


# Shorter secrets are replaced only as whole words, so a short test value does not mangle every word holding it.
MIN_SECRET_ANYWHERE = 6


def scrub_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known encoding of every secret replaced by ``***``, longest first."""
    forms = sorted({f for s in secrets if s for f in secret_forms(s)}, key=len, reverse=True)
    for form in forms:
        if len(form) >= MIN_SECRET_ANYWHERE:
            text = text.replace(form, "***")
        else:
            text = re.sub(rf"(?<!\w){re.escape(form)}(?!\w)", "***", text)
    return text


def connection_warnings(settings: ConnectionSettings) -> list[str]:
    """What a platform team should hear about before credentials are sent: no certificate check, or a password
    sent in clear text to another machine."""
    warnings = []
    if settings.insecure and settings.url.startswith("https://"):
        warnings.append("--insecure: Kibana's TLS certificate is not verified, so anyone on the path can pose as "
                        "Kibana, read the credentials and change what is pushed; give its CA with --ca-cert instead")
    host = urlsplit(settings.url).hostname or ""
    if settings.url.startswith("http://") and settings.authorization is not None and not _is_loopback(host):
        what = "an API key" if settings.api_key is not None else "a username and password (basic auth)"
        warnings.append(f"{what} is sent over plain http to {host}, readable by anyone on the network; "
                        "use an https:// URL")
    return warnings


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _boom(response: httpx.Response) -> dict:
    """Kibana's error payload ``{statusCode, error, message, attributes?}``, or {} when the body is not one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@contextmanager
def _license_hint(connector_type: str | None) -> Iterator[None]:
    """Say why Kibana refuses a ``.webhook`` connector with 403: it needs a Gold or better license."""
    try:
        yield
    except KibanaError as exc:
        if exc.status == 403 and (connector_type == ".webhook" or ".webhook" in exc.message):
            raise KibanaError(f"{exc.message} Hint: .webhook connectors need a Gold, Platinum or Enterprise license (or "
                              "a trial): start a trial in Stack Management > License Management",
                              exc.status, exc.body) from None
        raise


def _worth_retrying(exc: httpx.HTTPError) -> bool:
    """Dropped or refused connections may succeed next time; a certificate Kibana does not match never will."""
    return isinstance(exc, RETRY_ERRORS) and not _tls_failure(exc)


def _plain_http_answer(exc: BaseException) -> bool:
    """A TLS handshake answered with plain HTTP: OpenSSL reads "HTTP/1.1 400" as a bad record header."""
    seen: BaseException | None = exc
    while seen is not None:
        text = str(seen).lower()
        if isinstance(seen, ssl.SSLError) and any(m in text for m in (
                "wrong_version_number", "wrong version number", "http_request", "record_layer_failure",
                "packet length too long", "unknown protocol")):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _retry_after(response: httpx.Response) -> float:
    """Seconds to wait from a ``Retry-After`` header given as seconds or as an HTTP date."""
    value = response.headers["Retry-After"].strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, when.timestamp() - time.time())


def _tls(settings: ConnectionSettings) -> ssl.SSLContext | bool:
    if settings.insecure:
        return False
    if settings.ca_cert is None:
        return True
    try:
        return ssl.create_default_context(cafile=str(settings.ca_cert))
    except ssl.SSLError as exc:
        raise ConnectionConfigError(f"cannot use {settings.ca_cert} as a CA certificate (expected PEM): {exc}") from None


def _version_tuple(number: str) -> tuple[int, int, int] | None:
    parts = number.split("-", 1)[0].split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:3]):
        return None
    major, minor, *rest = (int(p) for p in parts[:3])
    return major, minor, rest[0] if rest else 0


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _in_space(space: str | None) -> str:
    """The URL prefix of another space than the client's own ("" for the client's: ``_call`` adds that)."""
    if space is None or space == DEFAULT_SPACE:
        return ""
    return f"/s/{_seg(space)}"


def _seg(value: str) -> str:
    """One URL path segment: ids may contain '/', '?' or spaces."""
    return quote(value, safe="")


def _flag(value: bool) -> str:
    return "true" if value else "false"
