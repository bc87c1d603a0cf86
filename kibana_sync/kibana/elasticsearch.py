"""The Elasticsearch 8.11 HTTP API as kibana-sync uses it: ILM policies, component and index templates, ingest
pipelines (reference-objects-es.md section 7).

Same transport as the Kibana client (``HttpApiClient``: auth, TLS, retries, scrubbing); only the paths, the
error envelope and the absence of Kibana's ``kbn-xsrf`` header differ. Every call here is safe to repeat: PUT
replaces the whole object and a DELETE that finds nothing after a retry means an earlier attempt landed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from kibana_sync.kibana.client import HttpApiClient, KibanaError

SUPPORTED_MAJOR = 8
SUPPORTED_MIN = (8, 11)


class ElasticsearchClient(HttpApiClient):
    """A synchronous client for one Elasticsearch cluster."""

    product = "Elasticsearch"
    tls_setting = "xpack.security.http.ssl.enabled"

    def _headers(self, method: str) -> dict[str, str]:
        return {}

    def version(self) -> str:
        """The cluster's version; raises KibanaError outside 8.11 <= v < 9 (the object formats known here)."""
        body = self._json(self._call("GET", "/"))
        number = str(((body or {}).get("version") or {}).get("number") or "")
        parts = number.split("-", 1)[0].split(".")
        try:
            major, minor = int(parts[0]), int(parts[1])
        except (IndexError, ValueError):
            raise KibanaError(f"Elasticsearch at {self.settings.url} did not report its version") from None
        if not (major == SUPPORTED_MAJOR and (major, minor) >= SUPPORTED_MIN):
            raise KibanaError(f"Elasticsearch {number} is not supported: kibana-sync supports Elasticsearch 8.11 "
                              "or a later 8.x release")
        return number

    # --- reads: everything of one type in one request ------------------------------------------------------

    def ilm_policies(self) -> dict[str, dict[str, Any]]:
        """name -> ``{version, modified_date, policy, in_use_by}``."""
        answer = self._call("GET", "/_ilm/policy", accept=(404,))
        return {} if answer.response.status_code == 404 else dict(self._json(answer) or {})

    def component_templates(self) -> dict[str, dict[str, Any]]:
        answer = self._call("GET", "/_component_template", accept=(404,))
        if answer.response.status_code == 404:
            return {}
        items = (self._json(answer) or {}).get("component_templates") or []
        return {i["name"]: i["component_template"] for i in items}

    def index_templates(self) -> dict[str, dict[str, Any]]:
        answer = self._call("GET", "/_index_template", accept=(404,))
        if answer.response.status_code == 404:
            return {}
        items = (self._json(answer) or {}).get("index_templates") or []
        return {i["name"]: i["index_template"] for i in items}

    def pipelines(self) -> dict[str, dict[str, Any]]:
        # No pipeline at all answers 404 with ``{}`` (GetPipelineResponse.status, reference 7.4).
        answer = self._call("GET", "/_ingest/pipeline", accept=(404,))
        return {} if answer.response.status_code == 404 else dict(self._json(answer) or {})

    # --- writes ----------------------------------------------------------------------------------------------

    def put(self, path: str, name: str, body: dict[str, Any], *, create: bool = False) -> None:
        """Create or replace; ``create`` (templates only) refuses to replace an existing object."""
        self._call("PUT", f"{path}/{quote(name, safe='')}", json=body, params={"create": "true"} if create else None)

    def delete(self, path: str, name: str) -> None:
        answer = self._call("DELETE", f"{path}/{quote(name, safe='')}", accept=(404,))
        if answer.response.status_code == 404 and not answer.retried:
            raise self._error(answer.response)

    # --- errors ----------------------------------------------------------------------------------------------

    def _error(self, response: httpx.Response) -> KibanaError:
        """Elasticsearch's envelope ``{"error": {type, reason, caused_by?, root_cause}, "status"}`` as one line:
        the reason and each cause, innermost last, so a mapping error says which field."""
        try:
            body = response.json()
        except ValueError:
            body = None
        request = response.request
        where = f"{request.method} {request.url.path}"
        status = response.status_code
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict):
            detail = _reasons(error)
        elif isinstance(error, str):
            detail = error
        else:
            detail = response.reason_phrase
        detail = self._scrub(detail)
        if status == 401:
            if self.settings.authorization is None:
                message = (f"authentication failed ({where} -> 401): Elasticsearch needs credentials and none are "
                           f"set; set {self.settings.credentials_source}")
            else:
                message = f"authentication failed ({where} -> 401: {detail}); check {self.settings.credentials_source}"
        elif status == 403:
            message = f"permission denied ({where} -> 403): {detail}"
        else:
            message = f"Elasticsearch answered {status} to {where}: {detail}"
        return KibanaError(message, status, body if isinstance(body, dict) else None)


def _reasons(error: dict[str, Any]) -> str:
    parts = []
    seen: dict[str, Any] | None = error
    while isinstance(seen, dict) and len(parts) < 5:
        reason = seen.get("reason") or ""
        parts.append(f"{seen.get('type', 'error')}: {reason}" if reason else str(seen.get("type", "error")))
        seen = seen.get("caused_by")
    return "; caused by ".join(parts)
