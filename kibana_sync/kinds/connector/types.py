"""The config model of each connector type Kibana 8.11 knows (reference.md 6): the YAML keys, their Kibana
form, the defaults Kibana fills in, which secrets it accepts and which action params it takes.

Adding a type is adding a small ``ConnectorConfig`` subclass and one ``CONNECTOR_TYPES`` line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from kibana_sync.source.model import Model


class ConnectorConfig(Model):
    """The YAML form of one connector type's ``config``; ``to_kibana``/``from_kibana`` are an inverse pair."""

    def to_kibana(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_kibana(cls, config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(YAML config, Kibana keys this model cannot say, kept as ``raw_config``)."""
        raise NotImplementedError

    def secrets_problem(self, names: set[str]) -> str | None:
        """Why this set of secret names would be rejected or ignored, if it would."""
        return None

    @classmethod
    def secrets_in_use(cls, config: dict[str, Any]) -> tuple[str, ...]:
        """The secrets a connector read from Kibana (which never returns them) must have had."""
        return ()


_WEBHOOK_AUTH = {"basic": "webhook-authentication-basic", "ssl": "webhook-authentication-ssl"}
_WEBHOOK_CERT = {"crt-key": "ssl-crt-key", "pfx": "ssl-pfx"}
_WEBHOOK_SECRET_SETS = ({"user", "password"}, {"crt", "key"}, {"crt", "key", "password"}, {"pfx"},
                        {"pfx", "password"})


class WebhookConfig(ConnectorConfig):
    url: str
    method: Literal["post", "put"] = "post"
    headers: dict[str, str] | None = None
    has_auth: bool | None = Field(default=None, description="default: true exactly when auth_type is set")
    auth_type: Literal["basic", "ssl"] | None = None
    cert_type: Literal["crt-key", "pfx"] | None = None
    ca: str | None = Field(default=None, description="base64 CA certificate")
    verification_mode: Literal["none", "certificate", "full"] | None = None

    @field_validator("url")
    @classmethod
    def _parses(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"expected an http(s) URL with a host, got {url!r}")
        return url

    def to_kibana(self) -> dict[str, Any]:
        has_auth = self.has_auth if self.has_auth is not None else self.auth_type is not None
        out: dict[str, Any] = {"url": self.url, "method": self.method, "hasAuth": has_auth}
        if self.headers is not None:
            out["headers"] = self.headers
        if self.auth_type is not None:
            out["authType"] = _WEBHOOK_AUTH[self.auth_type]
        if self.cert_type is not None:
            out["certType"] = _WEBHOOK_CERT[self.cert_type]
        if self.ca is not None:
            out["ca"] = self.ca
        if self.verification_mode is not None:
            out["verificationMode"] = self.verification_mode
        return out

    @classmethod
    def from_kibana(cls, config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        rest = dict(config)
        out: dict[str, Any] = {"url": rest.pop("url", "")}
        if rest.get("method", "post") != "post":
            out["method"] = rest.pop("method")
        rest.pop("method", None)
        if rest.get("headers") is not None:
            out["headers"] = rest.pop("headers")
        rest.pop("headers", None)
        auth_type = rest.pop("authType", None)
        if auth_type is not None:
            out["auth_type"] = _key_for(_WEBHOOK_AUTH, auth_type)
        cert_type = rest.pop("certType", None)
        if cert_type is not None:
            out["cert_type"] = _key_for(_WEBHOOK_CERT, cert_type)
        for kibana_key, yaml_key in (("ca", "ca"), ("verificationMode", "verification_mode")):
            if rest.get(kibana_key) is not None:
                out[yaml_key] = rest.pop(kibana_key)
            rest.pop(kibana_key, None)
        has_auth = rest.pop("hasAuth", True)  # Kibana's default
        if has_auth != (auth_type is not None):
            out["has_auth"] = has_auth
        return out, rest

    def secrets_problem(self, names: set[str]) -> str | None:
        if names and names not in _WEBHOOK_SECRET_SETS:
            return ("Kibana accepts one of: user and password; crt and key (with optional password); or pfx (with "
                    f"optional password); got {', '.join(sorted(names))}")
        return None

    @classmethod
    def secrets_in_use(cls, config: dict[str, Any]) -> tuple[str, ...]:
        if not config.get("hasAuth", True):
            return ()
        if config.get("authType") == _WEBHOOK_AUTH["ssl"]:
            return ("pfx",) if config.get("certType") == _WEBHOOK_CERT["pfx"] else ("crt", "key")
        return ("user", "password")


class IndexConfig(ConnectorConfig):
    index: str = Field(min_length=1)
    refresh: bool = False
    execution_time_field: str | None = None

    def to_kibana(self) -> dict[str, Any]:
        return {"index": self.index, "refresh": self.refresh, "executionTimeField": self.execution_time_field}

    @classmethod
    def from_kibana(cls, config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        rest = dict(config)
        out: dict[str, Any] = {"index": rest.pop("index", "")}
        if rest.pop("refresh", False):
            out["refresh"] = True
        if rest.get("executionTimeField") is not None:
            out["execution_time_field"] = rest.pop("executionTimeField")
        rest.pop("executionTimeField", None)
        return out, rest

    def secrets_problem(self, names: set[str]) -> str | None:
        return f"an .index connector takes no secrets, got {', '.join(sorted(names))}" if names else None


class NoConfig(ConnectorConfig):
    """Types whose whole configuration is secret (``.slack``) or that have none (``.server-log``)."""

    required_secrets: ClassVar[tuple[str, ...]] = ()

    def to_kibana(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_kibana(cls, config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {}, dict(config)

    def secrets_problem(self, names: set[str]) -> str | None:
        if names != set(self.required_secrets):
            expected = ", ".join(self.required_secrets) or "no secrets"
            return f"expected {expected}, got {', '.join(sorted(names)) or 'none'}"
        return None

    @classmethod
    def secrets_in_use(cls, config: dict[str, Any]) -> tuple[str, ...]:
        return cls.required_secrets


class SlackConfig(NoConfig):
    required_secrets: ClassVar[tuple[str, ...]] = ("webhookUrl",)


@dataclass(frozen=True)
class ConnectorType:
    config_model: type[ConnectorConfig]
    defaults: dict[str, Any]  # what Kibana fills into a config it returns
    action_params: frozenset[str]  # the keys a rule action may pass to this connector


CONNECTOR_TYPES: dict[str, ConnectorType] = {
    ".webhook": ConnectorType(WebhookConfig, {"method": "post", "hasAuth": True, "headers": None},
                              frozenset({"body"})),
    ".index": ConnectorType(IndexConfig, {"refresh": False, "executionTimeField": None},
                            frozenset({"documents", "indexOverride"})),
    ".slack": ConnectorType(SlackConfig, {}, frozenset({"message"})),
    ".server-log": ConnectorType(NoConfig, {}, frozenset({"message", "level"})),
}


def _key_for(mapping: dict[str, str], value: str) -> str:
    return next((k for k, v in mapping.items() if v == value), value)
