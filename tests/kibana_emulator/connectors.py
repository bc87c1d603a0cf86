"""Connectors API (reference 6): secrets are write-only, config comes back with defaults, license gate."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .config import EmulatorConfig
from .connector_types import CONNECTOR_TYPES, ConnectorType, SchemaError
from .errors import HttpError, conflict_object
from .routing import Router
from .validation import expect, invalid, reject_unknown_keys, require_object
from .wire import Request, Response, json_response, no_content

CREATE_KEYS = ("name", "connector_type_id", "config", "secrets")
UPDATE_KEYS = ("name", "config", "secrets")


@dataclass
class Connector:
    id: str
    space: str
    name: str
    type_id: str
    config: dict[str, Any]
    secrets: dict[str, Any] = field(repr=False)
    is_missing_secrets: bool = False

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "connector_type_id": self.type_id,
                "config": copy.deepcopy(self.config), "is_preconfigured": False, "is_deprecated": False,
                "is_missing_secrets": self.is_missing_secrets}


def not_found(connector_id: str) -> HttpError:
    return HttpError(404, f"Saved object [action/{connector_id}] not found")


class ConnectorsApi:
    def __init__(self, config: EmulatorConfig, now: Callable[[], str], new_id: Callable[[], str]) -> None:
        self._config, self._now, self._new_id = config, now, new_id
        self.connectors: dict[str, Connector] = {}  # `action` ids are global across spaces
        self.reference_count: Callable[[str, str], int] = lambda connector_id, space: 0

    def register(self, router: Router) -> None:
        router.add("POST", "/api/actions/connector/{id?}", self.create)
        router.add("PUT", "/api/actions/connector/{id}", self.update)
        router.add("GET", "/api/actions/connector/{id}", self.get)
        router.add("DELETE", "/api/actions/connector/{id}", self.delete)
        router.add("GET", "/api/actions/connectors", self.list)
        router.add("GET", "/api/actions/connector_types", self.types)
        router.add("POST", "/api/actions/connector/{id}/_execute", self.execute)

    def lookup(self, connector_id: str, space: str) -> Connector | None:
        connector = self.connectors.get(connector_id)
        return connector if connector is not None and connector.space == space else None

    def snapshot(self, connector_id: str) -> dict[str, Any] | None:
        connector = self.connectors.get(connector_id)
        return connector.to_api() if connector else None

    # --- routes ---------------------------------------------------------------------------------------------

    def create(self, request: Request) -> Response:
        body = require_object(request.json())
        reject_unknown_keys(body, CREATE_KEYS, "request body")
        name = _name(body)
        type_id = expect(body.get("connector_type_id"), "string", "request body.connector_type_id")
        _reject_empty_strings(type_id, "request body.connector_type_id")
        _check_records(body)
        connector_type = self._type(type_id)
        config, secrets = self._validated(connector_type, body)
        connector_id = request.params.get("id") or self._new_id()
        if connector_id in self.connectors:
            raise conflict_object("action", connector_id)
        connector = Connector(connector_id, request.space, name, type_id, config, secrets)
        self.connectors[connector_id] = connector
        return json_response(connector.to_api())

    def update(self, request: Request) -> Response:
        body = require_object(request.json())
        reject_unknown_keys(body, UPDATE_KEYS, "request body")
        name = _name(body)
        _check_records(body)
        connector = self._existing(request)
        connector_type = self._type(connector.type_id)
        config, secrets = self._validated(connector_type, body)
        # PUT replaces config and secrets wholesale (absent secrets default to {}), and always stores
        # isMissingSecrets: false (`application/connector/methods/update/update.ts`)
        connector.name, connector.config, connector.secrets = name, config, secrets
        connector.is_missing_secrets = False
        return json_response(connector.to_api())

    def get(self, request: Request) -> Response:
        return json_response(self._existing(request).to_api())

    def delete(self, request: Request) -> Response:
        del self.connectors[self._existing(request).id]
        return no_content()

    def list(self, request: Request) -> Response:
        found = sorted((c for c in self.connectors.values() if c.space == request.space), key=lambda c: c.name)
        return json_response([{**c.to_api(), "referenced_by_count": self.reference_count(c.id, request.space)}
                              for c in found])

    def types(self, request: Request) -> Response:
        return json_response([t.describe(self._config.license) for t in CONNECTOR_TYPES.values()])

    def execute(self, request: Request) -> Response:
        connector = self._existing(request)
        self._check_license(CONNECTOR_TYPES[connector.type_id])
        return json_response({"status": "ok", "connector_id": connector.id})

    # --- helpers --------------------------------------------------------------------------------------------

    def _existing(self, request: Request) -> Connector:
        connector = self.lookup(request.params["id"], request.space)
        if connector is None:
            raise not_found(request.params["id"])
        return connector

    def _type(self, type_id: str) -> ConnectorType:
        if type_id not in CONNECTOR_TYPES:
            raise HttpError(400, f'Action type "{type_id}" is not registered.')
        return CONNECTOR_TYPES[type_id]

    def _check_license(self, connector_type: ConnectorType) -> None:
        license_ = self._config.license
        if not connector_type.enabled_in_license(license_):
            raise HttpError(403, f"Action type {connector_type.id} is disabled because your {license_} license "
                                 "does not support it. Please upgrade your license.")

    def _validated(self, connector_type: ConnectorType, body: dict[str, Any]
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
        config = require_object(body.get("config", {}), "request body.config")
        secrets = require_object(body.get("secrets", {}), "request body.secrets")
        try:
            config = connector_type.validate_config(config, self._config.allowed_hosts)
        except SchemaError as err:
            raise HttpError(400, f"error validating action type config: {err}") from err
        try:
            secrets = connector_type.validate_secrets(secrets)
        except SchemaError as err:
            raise HttpError(400, f"error validating action type secrets: {err}") from err
        # ensureActionTypeEnabled runs after validation in the actions client's create and update
        self._check_license(connector_type)
        return config, secrets


def _name(body: dict[str, Any]) -> str:
    name = expect(body.get("name"), "string", "request body.name")
    _reject_empty_strings(name, "request body.name")
    return name


def _check_records(body: dict[str, Any]) -> None:
    """The body schema's `recordOf(string, any({validate: validateEmptyStrings}))` for config and secrets."""
    for part in ("config", "secrets"):
        values = require_object(body.get(part, {}), f"request body.{part}")
        for key, value in values.items():
            _reject_empty_strings(value, f"request body.{part}.{key}")


def _reject_empty_strings(value: Any, path: str) -> None:
    """validateEmptyStrings on name, connector_type_id and every config/secrets value, nested values included
    (`x-pack/plugins/actions/common/validate_empty_strings.ts`, used by the create/update body schemas)."""
    if isinstance(value, str):
        if not value.strip():
            raise invalid(path, "value '' is not valid")
    elif isinstance(value, list):
        for item in value:
            _reject_empty_strings(item, path)
    elif isinstance(value, dict):
        for item in value.values():
            _reject_empty_strings(item, path)
