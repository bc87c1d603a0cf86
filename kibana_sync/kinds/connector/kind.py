"""Connectors (``objects/connectors/``): where rule actions send notifications (reference.md 6).

Secret values never live in the repo: YAML names the environment variable that holds each one
(``secrets: {password: {env: ALERTMANAGER_PASSWORD}}``). ``compile`` writes each as a placeholder
(``"secrets": {"password": "${ALERTMANAGER_PASSWORD}"}``): the body keeps the shape
``POST /api/actions/connector/{id}`` accepts (``envsubst`` makes it postable by hand), ``dist/`` holds no
value, and ``resolve_secrets`` substitutes the values at push time.

Each connector type Kibana knows is a small config model in ``_connector_types.CONNECTOR_TYPES``; any other
type is passed through verbatim (``config`` as Kibana stores it), so export can keep every connector.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from kibana_sync.kinds.base import Decompiled, Entry, Kind
from kibana_sync.kinds.connector.types import CONNECTOR_TYPES, ConnectorConfig, WebhookConfig
from kibana_sync.source.diagnostics import Diagnostic, Severity
from kibana_sync.source.model import Model

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# A secret pasted into YAML by mistake must not show up in pydantic's error text either.
_HIDE_INPUT = ConfigDict(**Model.model_config, hide_input_in_errors=True)


class SecretFromEnv(Model):
    model_config = _HIDE_INPUT
    env: str

    @field_validator("env", mode="before")
    @classmethod
    def _is_variable_name(cls, value: Any) -> str:
        # The message must not echo the value: a person may have pasted the secret itself here.
        if not isinstance(value, str) or not _ENV_NAME.match(value):
            raise ValueError("expected an environment variable name (letters, digits and _, not starting with a "
                             "digit)")
        return value


def _not_a_literal(value: Any) -> Any:
    if not isinstance(value, dict):
        # Never echo the value: it is most likely the secret itself.
        raise ValueError("secret values are never written in YAML; name the environment variable that holds it, "
                         "e.g. {env: ALERTMANAGER_PASSWORD}")
    return value


Secret = Annotated[SecretFromEnv, BeforeValidator(_not_a_literal)]


def _secrets_mapping(value: Any) -> Any:
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of secret name -> {env: VARIABLE}, e.g. "
                         "{password: {env: ALERTMANAGER_PASSWORD}}")
    return value


class ConnectorModel(Model):
    model_config = _HIDE_INPUT
    id: str | None = None
    name: str = Field(min_length=1)
    type: str = Field(pattern=r"^\.?[A-Za-z0-9_-]+$", description="connector type id, e.g. .webhook")
    config: dict[str, Any] = Field(
        default_factory=dict, description="type-specific settings (see CONNECTOR_TYPES); verbatim for other types")
    raw_config: dict[str, Any] = Field(
        default_factory=dict, description="Kibana config keys kept verbatim from an export, merged over config")
    secrets: Annotated[dict[str, Secret], BeforeValidator(_secrets_mapping)] = Field(
        default_factory=dict, description="secret name -> {env: VARIABLE}")


def env_name_for(connector_id: str, secret: str) -> str:
    """The variable name export proposes for a secret: ``alert-manager`` + ``password`` -> ALERT_MANAGER_PASSWORD."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", connector_id).strip("_").upper() or "CONNECTOR"
    if stem[0].isdigit():
        stem = f"C_{stem}"
    return f"{stem}_{re.sub(r'(?<!^)(?=[A-Z])', '_', secret).upper()}"


class MissingSecretsError(Exception):
    """Push cannot send a connector because environment variables that hold its secrets are not set."""


_PLACEHOLDER = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


def placeholder(variable: str) -> str:
    return "${" + variable + "}"


def secret_variables(body: dict[str, Any]) -> dict[str, str]:
    """Secret name -> the environment variable its placeholder names, for a compiled connector body."""
    out = {}
    for name, value in (body.get("secrets") or {}).items():
        match = _PLACEHOLDER.match(value) if isinstance(value, str) else None
        if match:
            out[name] = match.group(1)
    return out


def missing_secret_variables(body: dict[str, Any], environ: Mapping[str, str]) -> list[str]:
    return sorted({var for var in secret_variables(body).values() if not environ.get(var)})


def resolve_secrets(body: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """The body push sends: the compiled body with every secret placeholder replaced by its variable's value."""
    missing = missing_secret_variables(body, environ)
    if missing:
        raise MissingSecretsError(f"connector {body['name']!r} needs the environment variable(s) "
                                  f"{', '.join(missing)} (not set or empty)")
    wanted = secret_variables(body)
    secrets = {name: environ[wanted[name]] if name in wanted else value
               for name, value in (body.get("secrets") or {}).items()}
    return {"name": body["name"], "connector_type_id": body["connector_type_id"], "config": body["config"],
            "secrets": secrets}


def normalised_config(connector_type_id: str, config: dict[str, Any]) -> dict[str, Any]:
    """Kibana's defaults filled and unset (null) keys dropped, so a sent and a returned config compare equal."""
    spec = CONNECTOR_TYPES.get(connector_type_id)
    merged = {**(spec.defaults if spec else {}), **config}
    return {k: v for k, v in merged.items() if v is not None}


class ConnectorKind(Kind):
    name = "connector"
    folder = "connectors"
    model = ConnectorModel
    store = "connectors"

    def check(self, entry: Entry, project: Any) -> list[Diagnostic]:
        m: ConnectorModel = entry.model
        spec = CONNECTOR_TYPES.get(m.type)
        if spec is None:
            return []
        try:
            config = spec.config_model.model_validate(m.config)
        except ValidationError as exc:
            return [entry.diagnostic(("config", *err["loc"]), _config_error_message(spec.config_model, err))
                    for err in exc.errors()]
        out: list[Diagnostic] = []
        problem = config.secrets_problem(set(m.secrets))
        if problem:
            out.append(entry.diagnostic(("secrets",), problem))
        if isinstance(config, WebhookConfig):
            out.extend(_check_webhook_auth(entry, config, set(m.secrets)))
            out.extend(_check_webhook_url(entry, config))
        return out

    def compile(self, entry: Entry, project: Any) -> dict[str, Any]:
        m: ConnectorModel = entry.model
        spec = CONNECTOR_TYPES.get(m.type)
        config = spec.config_model.model_validate(m.config).to_kibana() if spec else dict(m.config)
        return {"name": m.name, "connector_type_id": m.type, "config": {**config, **m.raw_config},
                "secrets": {name: placeholder(ref.env) for name, ref in m.secrets.items()}}

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        # Secrets are write-only: only the name, the type and the config can be compared.
        type_id = obj.get("connector_type_id", "")
        return {"name": obj.get("name"), "connector_type_id": type_id,
                "config": normalised_config(type_id, obj.get("config") or {})}

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        type_id = obj.get("connector_type_id", "")
        config = obj.get("config") or {}
        data: dict[str, Any] = {"id": obj["id"], "name": obj.get("name", ""), "type": type_id}
        result = Decompiled(data)
        spec = CONNECTOR_TYPES.get(type_id)
        if spec is None:
            if config:
                data["config"] = dict(config)
                result.raw_parts += 1
            result.warnings.append(f"connector {obj['id']!r}: {type_id} connectors are kept verbatim; if the type "
                                   "needs secrets, add a secrets block naming their environment variables")
            return result
        yaml_config, rest = spec.config_model.from_kibana(config)
        if yaml_config:
            data["config"] = yaml_config
        if rest:
            data["raw_config"] = rest
            result.raw_parts += 1
        result.compact_parts += 1
        # Kibana never returns secrets, so names are derived; a built file (dist/) still holds its placeholders.
        named = secret_variables(obj)
        secrets = {name: {"env": named.get(name) or env_name_for(obj["id"], name)}
                   for name in spec.config_model.secrets_in_use(config)}
        if secrets:
            data["secrets"] = secrets
            names = ", ".join(s["env"] for s in secrets.values())
            result.warnings.append(f"connector {obj['id']!r}: Kibana does not return secrets; set {names} "
                                   "before push")
        return result


def _check_webhook_auth(entry: Entry, config: WebhookConfig, secrets: set[str]) -> list[Diagnostic]:
    if config.has_auth is False and config.auth_type is not None:
        return [entry.diagnostic(("config", "auth_type"), "must be unset when has_auth is false (Kibana rejects it)")]
    uses_auth = config.to_kibana()["hasAuth"]
    if secrets and not uses_auth:
        return [entry.diagnostic(("secrets",), "these secrets are never sent: set config.auth_type (basic or ssl) "
                                              "or has_auth: true", Severity.WARNING)]
    if config.auth_type == "basic" and secrets != {"user", "password"}:
        return [entry.diagnostic(("secrets",), "auth_type basic expects secrets user and password",
                                 Severity.WARNING)]
    return []


# Webhook paths whose receiver is known to have removed them: the connector saves fine, and every action then
# fails at the receiver, so only the first incident shows it.
GONE_WEBHOOK_PATHS = {
    "/api/v1/alerts": "Alertmanager 0.27 and later removed the v1 API and answer 410 Gone; post the same array of "
                      "alerts to /api/v2/alerts",
}


def _check_webhook_url(entry: Entry, config: WebhookConfig) -> list[Diagnostic]:
    path = urlsplit(config.url).path.rstrip("/")
    gone = GONE_WEBHOOK_PATHS.get(path)
    if gone is None:
        return []
    return [entry.diagnostic(("config", "url"), f"{path} is gone: {gone}", Severity.WARNING)]


def _config_error_message(model: type[ConnectorConfig], err: Any) -> str:
    if err["type"] == "extra_forbidden":
        allowed = ", ".join(sorted(model.model_fields))
        return f"unknown key {err['loc'][-1]!r}; expected one of: {allowed}"
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"] == "value_error":
        return err["msg"].removeprefix("Value error, ")
    return f"{err['msg']} (got {err['input']!r})"
