"""Connector types with their config/secrets schemas and minimum license (reference 6)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from .validation import js_type

LICENSE_ORDER = ("basic", "standard", "gold", "platinum", "enterprise", "trial")


class SchemaError(ValueError):
    """A config or secrets validation failure; the route prefixes it with what was being validated."""


def _fields(value: dict[str, Any], allowed: dict[str, tuple[str, ...]]) -> None:
    """`allowed` maps key -> accepted JSON kinds; unknown keys and wrong kinds fail like config-schema."""
    for key, item in value.items():
        if key not in allowed:
            raise SchemaError(f"[{key}]: definition for this key is missing")
        kinds = allowed[key]
        ok = (item is None and "null" in kinds) or any(
            {"string": isinstance(item, str), "boolean": isinstance(item, bool),
             "object": isinstance(item, dict)}.get(k, False) for k in kinds)
        if not ok:
            raise SchemaError(f"[{key}]: expected value of type [{kinds[0]}] but got [{js_type(item)}]")


def _webhook_config(config: dict[str, Any], allowed_hosts: tuple[str, ...]) -> dict[str, Any]:
    _fields(config, {"url": ("string",), "method": ("string",), "headers": ("object", "null"),
                     "hasAuth": ("boolean",), "authType": ("string", "null"), "certType": ("string",),
                     "ca": ("string",), "verificationMode": ("string",)})
    if "url" not in config:
        raise SchemaError("[url]: expected value of type [string] but got [undefined]")
    result = {"method": "post", "headers": None, "hasAuth": True, **config}
    if result["method"] not in ("post", "put"):
        raise SchemaError("[method]: types that failed validation:\n- [method.0]: expected value to equal [post]"
                          "\n- [method.1]: expected value to equal [put]")
    if result.get("authType") not in (None, "webhook-authentication-basic", "webhook-authentication-ssl"):
        raise SchemaError(f"[authType]: unknown authType [{result['authType']}]")
    if result.get("verificationMode") not in (None, "none", "certificate", "full"):
        raise SchemaError(f"[verificationMode]: unknown verificationMode [{result['verificationMode']}]")
    parsed = urlparse(result["url"])
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise SchemaError(f"error configuring webhook action: unable to parse url: TypeError: Invalid URL: "
                          f"{result['url']}")
    if "*" not in allowed_hosts and parsed.hostname not in allowed_hosts:
        raise SchemaError(f'error configuring webhook action: target url "{result["url"]}" is not added to '
                          "the Kibana config xpack.actions.allowedHosts")
    if not result["hasAuth"] and result.get("authType"):
        raise SchemaError("authType must be null or undefined if hasAuth is false")
    return result


def _webhook_secrets(secrets: dict[str, Any]) -> dict[str, Any]:
    _fields(secrets, {k: ("string", "null") for k in ("user", "password", "crt", "key", "pfx")})
    given = frozenset(k for k, v in secrets.items() if v)
    allowed = (frozenset(), frozenset({"user", "password"}), frozenset({"crt", "key"}),
               frozenset({"crt", "key", "password"}), frozenset({"pfx"}), frozenset({"pfx", "password"}))
    if given not in allowed:
        raise SchemaError("must specify one of the following schemas: user and password; crt and key (with "
                          "optional password); or pfx (with optional password)")
    return secrets


def _index_config(config: dict[str, Any], _hosts: tuple[str, ...]) -> dict[str, Any]:
    _fields(config, {"index": ("string",), "refresh": ("boolean",), "executionTimeField": ("string", "null")})
    if "index" not in config:
        raise SchemaError("[index]: expected value of type [string] but got [undefined]")
    return {"refresh": False, "executionTimeField": None, **config}


def _no_config(config: dict[str, Any], _hosts: tuple[str, ...]) -> dict[str, Any]:
    _fields(config, {})
    return config


def _no_secrets(secrets: dict[str, Any]) -> dict[str, Any]:
    _fields(secrets, {})
    return secrets


@dataclass(frozen=True)
class ConnectorType:
    id: str
    name: str
    minimum_license: str
    validate_config: Callable[[dict[str, Any], tuple[str, ...]], dict[str, Any]]
    validate_secrets: Callable[[dict[str, Any]], dict[str, Any]]

    def enabled_in_license(self, license_: str) -> bool:
        return LICENSE_ORDER.index(license_) >= LICENSE_ORDER.index(self.minimum_license)

    def describe(self, license_: str) -> dict[str, Any]:
        enabled = self.enabled_in_license(license_)
        return {"id": self.id, "name": self.name, "enabled": enabled, "enabled_in_config": True,
                "enabled_in_license": enabled, "minimum_license_required": self.minimum_license,
                "supported_feature_ids": ["alerting"], "is_system_action_type": False}


CONNECTOR_TYPES: dict[str, ConnectorType] = {
    t.id: t for t in (
        ConnectorType(".webhook", "Webhook", "gold", _webhook_config, _webhook_secrets),
        ConnectorType(".index", "Index", "basic", _index_config, _no_secrets),
        ConnectorType(".server-log", "Server log", "basic", _no_config, _no_secrets),
    )
}
