"""The emulated Kibana 8.11: state, the pure `handle()` entry point, the request log and test helpers."""

from __future__ import annotations

import copy
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import httpx

from .adapters import transport
from .auth import authenticate, check_write_headers, has_credentials
from .config import EmulatorConfig
from .connectors import ConnectorsApi
from .data_views import DataViewsApi
from .errors import HttpError, boom_payload, internal_error
from .faults import ConnectionDropped, Faults
from .migrations import MigrationGate
from .requestlog import LoggedRequest
from .routing import Router, split_space
from .rules import RulesApi
from .so_routes import SavedObjectsApi
from .spaces import SpacesApi
from .status import status_response
from .store import SavedObjectStore, StoredObject
from .wire import Request, Response, json_response

Query = str | Mapping[str, list[str]]


class KibanaEmulator:
    def __init__(self, config: EmulatorConfig | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.config = config or EmulatorConfig()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self.faults = Faults()
        self.requests: list[LoggedRequest] = []
        self.unexpected_errors: list[str] = []  # emulator bugs, answered with a Kibana-style 500
        self.store = SavedObjectStore()
        self.spaces = SpacesApi(on_delete=self.store.delete_namespace)
        self.connectors = ConnectorsApi(self.config, self.now, _new_id)
        self.rules = RulesApi(self.connectors, self.now, _new_id)
        self._saved_objects = SavedObjectsApi(self.store, self.config, self.now, _new_id)
        data_views = DataViewsApi(self.store, MigrationGate(self.config), self.now, _new_id)
        self.router = Router()
        self.router.add("GET", "/api/status", lambda r: status_response(r, self.config, self.now()),
                        auth="optional")
        for api in (self.spaces, self._saved_objects, data_views, self.rules, self.connectors):
            api.register(self.router)

    def now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    # --- the HTTP entry point -------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: Query, headers: Mapping[str, str],
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one request like Kibana would. Raises ConnectionDropped when a drop fault is armed."""
        method = method.upper()
        raw_path = path.split("?", 1)[0]
        query_map = parse_qs(query, keep_blank_values=True) if isinstance(query, str) else \
            {k: list(v) for k, v in query.items()}
        headers = {k.lower(): v for k, v in headers.items()}
        space, api_path = split_space(raw_path)
        if self.faults.latency_ms:
            time.sleep(self.faults.latency_ms / 1000)
        with self._lock:
            def log(status: int | None) -> None:
                self.requests.append(LoggedRequest(method, api_path, space, query_map, status))

            drop = self.faults.take_drop(raw_path, api_path)
            if drop:
                log(None)
                raise ConnectionDropped(drop)
            failure = self.faults.take_failure(raw_path, api_path)
            if failure:
                extra = {"retry-after": failure.retry_after} if failure.retry_after else {}
                response = json_response(boom_payload(failure.status, "Injected failure"), failure.status, extra)
            else:
                response = self._dispatch(method, api_path, space, query_map, headers, body)
            log(response.status)
            return response.status, {"kbn-name": self.config.server_name, **response.headers}, response.body

    def _dispatch(self, method: str, api_path: str, space: str, query: dict[str, list[str]],
                  headers: dict[str, str], body: bytes) -> Response:
        lookup_method = "GET" if method == "HEAD" else method  # hapi answers HEAD with the GET route
        resolved = self.router.resolve(lookup_method, api_path)
        if resolved is None:  # hapi routes before authenticating
            return json_response(boom_payload(404, "Not Found"), 404)
        route, params = resolved
        try:
            principal = None
            if route.auth == "required" or has_credentials(headers):
                principal = authenticate(headers, self.config)
            check_write_headers(method, headers, self.config.version)
            request = Request(method, api_path, space, query, headers, body, params, principal)
            if principal and principal.username in self.config.read_only_users and _is_write(request):
                # what Kibana answers when a route's required privilege (access tag) is missing
                raise HttpError(403, "Forbidden")
            response = route.handler(request)
        except HttpError as error:
            response = json_response(error.payload(), error.status, error.headers)
        except Exception:  # noqa: BLE001 - Kibana answers any unexpected failure with a generic 500
            self.unexpected_errors.append(traceback.format_exc())
            error = internal_error()
            response = json_response(error.payload(), error.status)
        if method == "HEAD":
            response.body = b""
        return response

    def transport(self) -> httpx.MockTransport:
        """An httpx transport that answers in-process: `httpx.Client(transport=emulator.transport())`."""
        return transport(self)

    # --- request log ----------------------------------------------------------------------------------------

    def writes(self) -> list[LoggedRequest]:
        return [r for r in self.requests if r.is_write]

    def reset_log(self) -> None:
        self.requests.clear()

    # --- state helpers for tests ("a person changes something in Kibana") ------------------------------------

    def get_object(self, type_: str, id_: str) -> dict[str, Any] | None:
        obj = self.store.find_any_space(type_, id_)
        return copy.deepcopy(obj.to_api()) if obj else None

    def put_object(self, obj: Mapping[str, Any], space: str = "default") -> dict[str, Any]:
        """Store `obj` (API or export shape) as if edited in Kibana's UI: new version and updated_at."""
        with self._lock:
            existing = self.store.find_any_space(obj["type"], obj["id"])
            now = self.now()
            latest = self.config.type_migration_versions.get(obj["type"], "8.0.0")
            stored = StoredObject(
                type=obj["type"], id=obj["id"], attributes=copy.deepcopy(dict(obj.get("attributes") or {})),
                references=copy.deepcopy(list(obj.get("references") or [])),
                namespaces=list(existing.namespaces) if existing else [space],
                core_migration_version="8.8.0", type_migration_version=latest,
                created_at=existing.created_at if existing else now, updated_at=now,
                managed=bool(obj.get("managed", False)), origin_id=obj.get("originId"))
            return self.store.save(stored).to_api()

    def delete_object(self, type_: str, id_: str) -> None:
        with self._lock:
            self.store.remove(type_, id_)

    def get_rule(self, rule_id: str) -> dict[str, Any] | None:
        return self.rules.snapshot(rule_id)

    def put_rule(self, rule: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            return self.rules.overwrite(rule)

    def get_connector(self, connector_id: str) -> dict[str, Any] | None:
        return self.connectors.snapshot(connector_id)

    def drop_connector_secrets(self, connector_id: str) -> None:
        """Leave a connector as a saved-object import of an `action` does: no secrets, `is_missing_secrets`
        true (reference 6). Only a later PUT with its secrets repairs it."""
        with self._lock:
            connector = self.connectors.connectors[connector_id]
            connector.secrets, connector.is_missing_secrets = {}, True

    def create_space(self, space_id: str, name: str | None = None) -> dict[str, Any]:
        with self._lock:
            return self.spaces.add({"id": space_id, "name": name or space_id})


def _is_write(request: Request) -> bool:
    return LoggedRequest(request.method, request.path, request.space, {}, None).is_write


def _new_id() -> str:
    return str(uuid.uuid4())
