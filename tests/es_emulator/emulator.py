"""The emulated Elasticsearch 8.11: state, the pure `handle()` entry point, the request log and test helpers.

HTTP plumbing (routing, transports, faults, request log) is the Kibana emulator's; `kibana_emulator.adapters`
only needs an object with `handle(method, path, query, headers, body)`, which this class provides.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
from kibana_emulator.adapters import transport
from kibana_emulator.faults import ConnectionDropped, Faults
from kibana_emulator.requestlog import LoggedRequest
from kibana_emulator.routing import Router

from .auth import authenticate
from .config import EsConfig
from .data_streams import DataStreamsApi, _uuid
from .errors import Cause, EsError, error
from .ilm import IlmApi
from .pipelines import PipelinesApi
from .state import Cluster, Index
from .templates import TemplatesApi
from .xjson import Spans, parse, similarity

Query = str | Mapping[str, list[str]]
JSON = "application/json"
# Parameters every REST handler accepts (RestController/RestRequest consume them before the handler runs).
GLOBAL_PARAMS = frozenset({"pretty", "human", "error_trace", "filter_path"})


def java_instant(moment: datetime) -> str:
    """`ZonedDateTime.toString()` in UTC at millisecond precision: seconds and fraction only when non-zero."""
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M")
    millis = moment.microsecond // 1000
    if moment.second or millis:
        text += f":{moment.second:02d}"
    if millis:
        text += f".{millis:03d}"
    return text + "Z"


class ElasticsearchEmulator:
    def __init__(self, config: EsConfig | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.config = config or EsConfig()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self.faults = Faults()
        self.requests: list[LoggedRequest] = []
        self.unexpected_errors: list[str] = []  # emulator bugs, answered with a 500
        self.cluster = Cluster()
        self.ilm = IlmApi(self.cluster, self.config, lambda: java_instant(self._clock()))
        self.templates = TemplatesApi(self.cluster, self.config)
        self.pipelines = PipelinesApi(self.cluster)
        self.data_streams = DataStreamsApi(self.cluster, self.config, self._clock)
        self.router = Router()
        self._params: dict[tuple[str, str], frozenset[str]] = {}
        self._register()

    # --- routes ---------------------------------------------------------------------------------------------

    def _route(self, methods: str, pattern: str, handler: Callable[..., tuple[int, Any]], params: str = "") -> None:
        for method in methods.split(","):
            self.router.add(method, pattern, handler)
            self._params[(method, pattern)] = frozenset(params.split()) | GLOBAL_PARAMS

    def _register(self) -> None:
        t, mt = "timeout master_timeout", "master_timeout"
        self._route("GET", "/", lambda r: (200, self._info()))
        self._route("PUT", "/_ilm/policy/{name}",
                    lambda r: (200, self.ilm.put(r["name"], r["body"], r["spans"], r["principal"])), t)
        self._route("GET", "/_ilm/policy/{name?}", lambda r: (200, self.ilm.get(r.get("name"))), t)
        self._route("DELETE", "/_ilm/policy/{name}", lambda r: (200, self.ilm.delete(r["name"])), t)
        self._route("PUT,POST", "/_component_template/{name}",
                    lambda r: (200, self.templates.put_component(r["name"], r["body"], r["spans"],
                                                                 r["flag"]("create"))), f"create {mt}")
        self._route("GET", "/_component_template/{name?}",
                    lambda r: self.templates.get_component(r.get("name"), r["flag"]("flat_settings")),
                    f"{mt} local flat_settings include_defaults")
        self._route("DELETE", "/_component_template/{name}",
                    lambda r: (200, self.templates.delete_component(r["name"])), t)
        self._route("PUT,POST", "/_index_template/{name}",
                    lambda r: (200, self.templates.put_index_template(r["name"], r["body"], r["spans"],
                                                                      r["flag"]("create"))), f"create cause {mt}")
        self._route("GET", "/_index_template/{name?}",
                    lambda r: self.templates.get_index_template(r.get("name"), r["flag"]("flat_settings")),
                    f"{mt} local flat_settings include_defaults")
        self._route("DELETE", "/_index_template/{name}",
                    lambda r: (200, self.templates.delete_index_template(r["name"])), t)
        self._route("PUT", "/_ingest/pipeline/{id}",
                    lambda r: (200, self.pipelines.put(r["id"], r["body"], r["first"]("if_version"))),
                    f"{t} if_version")
        self._route("GET", "/_ingest/pipeline/{id?}", lambda r: self.pipelines.get(r.get("id")), f"{mt} summary")
        self._route("DELETE", "/_ingest/pipeline/{id}", lambda r: (200, self.pipelines.delete(r["id"])), t)
        self._route("PUT", "/_data_stream/{name}", lambda r: (200, self.data_streams.put(r["name"])), t)
        self._route("GET", "/_data_stream/{name?}", lambda r: (200, self.data_streams.get(r.get("name"))),
                    f"{mt} expand_wildcards include_defaults")
        self._route("DELETE", "/_data_stream/{name}", lambda r: (200, self.data_streams.delete(r["name"])),
                    f"{mt} expand_wildcards")

    def _info(self) -> dict[str, Any]:
        """RestMainAction / MainResponse: the cluster info document."""
        c = self.config
        return {"name": c.node_name, "cluster_name": c.cluster_name, "cluster_uuid": c.cluster_uuid,
                "version": {"number": c.version, "build_flavor": c.build_flavor, "build_type": c.build_type,
                            "build_hash": c.build_hash, "build_date": c.build_date, "build_snapshot": False,
                            "lucene_version": c.lucene_version,
                            "minimum_wire_compatibility_version": c.minimum_wire_compatibility_version,
                            "minimum_index_compatibility_version": c.minimum_index_compatibility_version},
                "tagline": "You Know, for Search"}

    # --- the HTTP entry point -------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: Query, headers: Mapping[str, str],
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one request like Elasticsearch would. Raises ConnectionDropped when a drop fault is armed."""
        method = method.upper()
        raw_path = path.split("?", 1)[0]
        query_string = query if isinstance(query, str) else "&".join(f"{k}={v}" for k, vs in query.items()
                                                                      for v in vs)
        query_map = parse_qs(query_string, keep_blank_values=True)
        headers = {k.lower(): v for k, v in headers.items()}
        if self.faults.latency_ms:
            time.sleep(self.faults.latency_ms / 1000)
        with self._lock:
            def log(status: int | None) -> None:
                self.requests.append(LoggedRequest(method, raw_path, "", query_map, status))

            drop = self.faults.take_drop(raw_path, raw_path)
            if drop:
                log(None)
                raise ConnectionDropped(drop)
            failure = self.faults.take_failure(raw_path, raw_path)
            if failure:
                extra = {"retry-after": failure.retry_after} if failure.retry_after else {}
                injected = error(failure.status, "injected_failure", "Injected failure")
                status, out_headers, payload = failure.status, extra, injected.payload()
            else:
                status, out_headers, payload = self._dispatch(method, raw_path, query_string, query_map, headers,
                                                              body)
            log(status)
            pretty = "pretty" in query_map and query_map["pretty"][0] != "false"
            content = b"" if method == "HEAD" else _encode(payload, pretty)
            if status != 401:
                out_headers = {"x-elastic-product": "Elasticsearch", **out_headers}
            return status, {"content-type": JSON, **out_headers}, content

    def _dispatch(self, method: str, raw_path: str, query_string: str, query: dict[str, list[str]],
                  headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], Any]:
        lookup = "GET" if method == "HEAD" else method
        resolved = self.router.resolve(lookup, raw_path)
        if resolved is None:  # RestController answers before any handler (and before security) runs
            allowed = [m for m in ("GET", "PUT", "POST", "DELETE", "HEAD") if self.router.resolve(m, raw_path)]
            if allowed:
                return 405, {"allow": ",".join(allowed)}, {
                    "error": f"Incorrect HTTP method for uri [{_uri(raw_path, query_string)}] and method [{method}], "
                             f"allowed: {_jlist(allowed)}", "status": 405}
            return 400, {}, {"error": f"no handler found for uri [{_uri(raw_path, query_string)}] and method "
                                      f"[{method}]", "status": 400}
        route, params = resolved
        try:
            principal = authenticate(headers, self.config, _uri(raw_path, query_string))
            self._check_params(raw_path, query, self._params[(lookup, route.pattern)])
            request: dict[str, Any] = dict(params)
            request.update(principal=principal, first=lambda k: (query.get(k) or [None])[0],
                           flag=lambda k: k in query and (query[k][0] or "true") != "false")
            if method in ("PUT", "POST") and route.pattern != "/_data_stream/{name}":
                request["body"], request["spans"] = parse(body)
            else:
                request["body"], request["spans"] = None, Spans({}, {}, {})
            status, payload = route.handler(request)
            return status, {}, payload
        except EsError as err:
            return err.status, err.headers, err.payload()
        except Exception:  # noqa: BLE001 - an emulator bug; ES would answer a 500 for an unexpected exception
            self.unexpected_errors.append(traceback.format_exc())
            return 500, {}, EsError(500, [Cause("exception", "emulator bug (see unexpected_errors)")]).payload()

    @staticmethod
    def _check_params(path: str, query: dict[str, list[str]], accepted: frozenset[str]) -> None:
        """BaseRestHandler.unrecognized: every unconsumed parameter, with Levenshtein suggestions (> 0.5)."""
        invalid = [k for k in query if k not in accepted]
        if not invalid:
            return
        parts = []
        for name in invalid:
            scored = sorted(((similarity(name, c), c) for c in accepted if similarity(name, c) > 0.5),
                            key=lambda t: (-t[0], t[1]))
            text = f"[{name}]"
            if scored:
                keys = [c for _, c in scored]
                text += f" -> did you mean [{keys[0]}]?" if len(keys) == 1 else f" -> did you mean any of {_jlist(keys)}?"
            parts.append(text)
        plural = "s" if len(invalid) > 1 else ""
        raise error(400, "illegal_argument_exception",
                    f"request [{path}] contains unrecognized parameter{plural}: {', '.join(parts)}")

    def transport(self) -> httpx.MockTransport:
        """An httpx transport that answers in-process: `httpx.Client(transport=emulator.transport())`."""
        return transport(self)  # type: ignore[arg-type]  # duck-typed on handle()

    # --- request log ----------------------------------------------------------------------------------------

    def writes(self) -> list[LoggedRequest]:
        return [r for r in self.requests if r.is_write]

    def reset_log(self) -> None:
        self.requests.clear()

    # --- state helpers for tests ("someone changed the cluster") ---------------------------------------------

    def add_index(self, name: str, settings: Mapping[str, Any] | None = None) -> None:
        """A plain index with (flat or nested) settings, e.g. `index.default_pipeline` or `index.lifecycle.name`."""
        from .indexsettings import normalize_settings

        with self._lock:
            self.cluster.indices[name] = Index(name, _uuid(), normalize_settings(dict(settings or {})))

    def add_snapshot_repository(self, name: str) -> None:
        self.config.snapshot_repositories.add(name)

    def policy(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            return self.ilm.get(name)[name] if name in self.cluster.policies else None


def _encode(payload: Any, pretty: bool) -> bytes:
    if pretty:  # Jackson's default pretty printer: `"key" : value`, two-space indent, trailing newline
        return (json.dumps(payload, ensure_ascii=False, indent=2, separators=(",", " : ")) + "\n").encode()
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _uri(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def _jlist(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"
