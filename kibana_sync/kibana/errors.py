"""The error every Kibana (and Elasticsearch) API call raises, in a module of its own: the stores catch it, and
`build`, which uses the stores only to mark objects and name files, then does not load the HTTP client (httpx)."""

from __future__ import annotations


class KibanaError(Exception):
    """Kibana refused or failed a request. ``body`` is its parsed Boom error body when it sent one."""

    def __init__(self, message: str, status: int | None = None, body: dict | None = None):
        super().__init__(message)
        self.message, self.status, self.body = message, status, body
