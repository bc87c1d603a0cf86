"""Where Kibana is and how to log in: flags, environment variables and the optional ``kibana-sync.yaml`` profiles,
merged into one validated ``ConnectionSettings``.

Precedence is flags > environment variables > profile. Credentials are only ever read from environment variables
(a profile may name which ones), so they never end up in shell history or in a committed file.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from kibana_sync.source.diagnostics import Diagnostic
from kibana_sync.source.yaml_reader import SourceFile, YAMLSourceError, read_yaml

DEFAULT_CONFIG = Path("kibana-sync.yaml")
DEFAULT_SPACE = "default"
DEFAULT_TIMEOUT = 30.0
SPACE_ID = re.compile(r"^[a-z0-9_\-]+$")
ENV_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

API_KEY_VAR, USERNAME_VAR, PASSWORD_VAR = "KIBANA_API_KEY", "KIBANA_USERNAME", "KIBANA_PASSWORD"
# Settings other than credentials that an environment variable can give.
ENV_VARS = {"url": "KIBANA_URL", "cloud_id": "KIBANA_CLOUD_ID", "space": "KIBANA_SPACE",
            "ca_cert": "KIBANA_CA_CERT", "timeout": "KIBANA_TIMEOUT", "es_url": "ES_URL"}
# Elasticsearch (only for repos with Elasticsearch objects) takes the same credentials as Kibana unless these
# are set: an Elasticsearch API key works for both, but a deployment may give the two different users.
ES_API_KEY_VAR, ES_USERNAME_VAR, ES_PASSWORD_VAR = "ES_API_KEY", "ES_USERNAME", "ES_PASSWORD"
# Keys a person might be tempted to write into the profile file; it is committed, so they are refused.
INLINE_SECRET_KEYS = {"api_key": "api_key_env", "apikey": "api_key_env", "password": "password_env",
                      "username": "username_env", "user": "username_env", "token": "api_key_env",
                      "secret": "api_key_env"}


class ConnectionConfigError(click.ClickException):
    """The connection settings are missing or wrong; the message names what and where. Exits with code 2."""

    exit_code = 2


class ConnectionSettings(BaseModel):
    """Everything needed to talk to one Kibana space. Secrets are ``SecretStr``: masked in repr, str and dumps."""

    # pydantic would otherwise quote the input, credentials included, in its error messages.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    url: str
    space: str = DEFAULT_SPACE
    api_key: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    # Which environment variables held the credentials, so an authentication error can say what to check.
    credentials_source: str = f"{API_KEY_VAR} or {USERNAME_VAR}/{PASSWORD_VAR}"
    ca_cert: Path | None = None
    insecure: bool = False
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        url = url.strip().rstrip("/")
        if re.match(r"^([a-z][a-z0-9+.-]*://)?[^/]*@", url, re.IGNORECASE):
            # Not echoed: the part before '@' is a username and password.
            raise ValueError("the URL contains credentials; remove them and set KIBANA_API_KEY or "
                             "KIBANA_USERNAME/KIBANA_PASSWORD instead")
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"expected an http:// or https:// URL such as https://kibana.example.com:5601, got {url!r}")
        if re.search(r"/s/[^/]+$", url):
            raise ValueError(f"{url!r} ends in a space path; give the Kibana root URL and the space with --space")
        return url

    @field_validator("space")
    @classmethod
    def _space_id(cls, space: str) -> str:
        if not SPACE_ID.match(space):
            raise ValueError(f"{space!r} is not a space id: expected lowercase letters, digits, '_' or '-' "
                             "(the id from the space's URL, not its display name)")
        return space

    @field_validator("api_key")
    @classmethod
    def _header_safe_api_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is None:
            return None
        # A key read from a file often ends in a line break; left in, httpx refuses the header and quotes it.
        value = key.get_secret_value().strip()
        if not value or not all(" " < c < "\x7f" for c in value):
            # Not echoed, not even in part.
            raise ValueError("the API key is empty or contains a space, line break or non-ASCII character; "
                             "expected the base64 'id:key' value Elasticsearch returns")
        return SecretStr(value)

    @field_validator("ca_cert")
    @classmethod
    def _ca_cert_exists(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"CA certificate file {str(path)!r} does not exist")
        return path

    @model_validator(mode="after")
    def _one_way_to_log_in(self) -> ConnectionSettings:
        if self.api_key is not None and (self.username is not None or self.password is not None):
            raise ValueError(f"both an API key and a username/password are set ({self.credentials_source}); "
                             "set only one")
        if (self.username is None) != (self.password is None):
            missing = "password" if self.password is None else "username"
            raise ValueError(f"a username and a password go together; the {missing} is missing "
                             f"({self.credentials_source})")
        return self

    @property
    def space_prefix(self) -> str:
        """URL prefix that puts API calls in the space; the default space has none."""
        return "" if self.space == DEFAULT_SPACE else f"/s/{self.space}"

    @property
    def authorization(self) -> str | None:
        """The ``Authorization`` header value, or None when no credentials are configured."""
        if self.api_key is not None:
            return f"ApiKey {self.api_key.get_secret_value()}"
        if self.username is not None and self.password is not None:
            pair = f"{self.username}:{self.password.get_secret_value()}".encode()
            return f"Basic {base64.b64encode(pair).decode()}"
        return None

    def secrets(self) -> list[str]:
        """Every secret string, including the encoded header, so callers can scrub text before showing it."""
        values = [s.get_secret_value() for s in (self.api_key, self.password) if s is not None]
        header = self.authorization
        if header is not None:
            values.append(header.split(" ", 1)[1])
        return [v for v in values if v]


def kibana_url_from_cloud_id(cloud_id: str) -> str:
    """Decode an Elastic Cloud id, ``name:base64(host[:port]$es_uuid$kibana_uuid[:port])``, into Kibana's URL."""
    parts = _cloud_id_parts(cloud_id)
    if len(parts) < 3 or not parts[2]:
        raise ValueError("this cloud id has no Kibana component (the deployment has no Kibana instance); "
                         "use --kibana-url instead")
    return _cloud_url(parts[0], parts[2])


def elasticsearch_url_from_cloud_id(cloud_id: str) -> str:
    """The Elasticsearch URL of the same cloud id (its second component)."""
    parts = _cloud_id_parts(cloud_id)
    if not parts[1]:
        raise ValueError("the decoded cloud id has no Elasticsearch component; use --es-url instead")
    return _cloud_url(parts[0], parts[1])


def _cloud_url(host_part: str, component: str) -> str:
    host, _, host_port = host_part.partition(":")
    uuid, _, own_port = component.partition(":")
    port = own_port or host_port
    if port and not port.isdigit():
        raise ValueError(f"the port {port!r} in the cloud id is not a number")
    suffix = f":{port}" if port and port != "443" else ""
    return f"https://{uuid}.{host}{suffix}"


def _cloud_id_parts(cloud_id: str) -> list[str]:
    _name, sep, encoded = cloud_id.strip().rpartition(":")
    if not sep or not encoded:
        raise ValueError("expected '<deployment name>:<base64 data>' as shown in the Elastic Cloud console")
    try:
        decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError("the part after the last ':' is not valid base64") from None
    parts = decoded.split("$")
    if len(parts) < 2 or not parts[0]:
        raise ValueError("the decoded cloud id has no '<host>$<elasticsearch id>' part")
    return parts


class Profile(BaseModel):
    """One environment in ``kibana-sync.yaml``. Holds the NAMES of credential variables, never their values."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    es_url: str | None = None
    cloud_id: str | None = None
    space: str | None = None
    ca_cert: Path | None = None
    insecure: bool | None = None
    timeout: float | None = None
    api_key_env: str | None = None
    username_env: str | None = None
    password_env: str | None = None

    @field_validator("api_key_env", "username_env", "password_env")
    @classmethod
    def _variable_name(cls, name: str | None) -> str | None:
        if name is not None and not ENV_VAR_NAME.match(name):
            # Do not echo the value: it may be a pasted secret.
            raise ValueError("expected the NAME of an environment variable (letters, digits, '_'), "
                             "e.g. PROD_KIBANA_API_KEY; never the credential itself")
        return name


class ProfileFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    environments: dict[str, Profile]


@dataclass(frozen=True)
class Value:
    """A setting together with where it came from, for error messages."""

    value: Any
    source: str


Layer = dict[str, Value]


def resolve_settings(flags: Mapping[str, Any], environ: Mapping[str, str], config_path: Path | None,
                     env_name: str | None) -> ConnectionSettings:
    """Merge flags > environment variables > the ``env_name`` profile into validated settings.

    ``flags`` uses the option names without dashes (``kibana_url``, ``cloud_id``, ``space``, ``ca_cert``,
    ``insecure``, ``timeout``); None means "not given". Raises ConnectionConfigError naming the problem.
    """
    layers = [_flag_layer(flags), _environment_layer(environ)]
    if env_name is not None:
        layers.append(_profile_layer(config_path or DEFAULT_CONFIG, env_name, environ))
    elif config_path is not None:
        raise ConnectionConfigError(f"--config {config_path} was given without --env; pick an environment from it")

    settings: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in ("space", "ca_cert", "insecure", "timeout"):
        chosen = _first(layers, name)
        if chosen is not None:
            settings[name], sources[name] = chosen.value, chosen.source
    settings["url"], sources["url"] = _kibana_url(layers)
    credentials, sources["credentials"] = _credentials(layers)
    settings.update(credentials)
    if credentials:
        settings["credentials_source"] = sources["credentials"]
    try:
        return ConnectionSettings(**settings)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "credentials"
            where = sources.get(field, sources["credentials"])
            problems.append(f"{field} (from {where}): {_reason(error)}")
        raise ConnectionConfigError("invalid connection settings:\n  " + "\n  ".join(problems)) from None


def _reason(error: Mapping[str, Any]) -> str:
    # Pydantic prefixes messages from our validators with "Value error, "; the input itself is never shown.
    return str(error["msg"]).removeprefix("Value error, ")


def _first(layers: list[Layer], name: str) -> Value | None:
    return next((layer[name] for layer in layers if name in layer), None)


def _flag_layer(flags: Mapping[str, Any]) -> Layer:
    # Every flag is named after its setting, except --kibana-url (the setting is "url").
    return {("url" if flag == "kibana_url" else flag): Value(flags[flag], "--" + flag.replace("_", "-"))
            for flag in _FLAG_NAMES if flags.get(flag) is not None}


def _environment_layer(environ: Mapping[str, str]) -> Layer:
    layer: Layer = {}
    for field, var in ENV_VARS.items():
        raw = environ.get(var, "").strip()
        if not raw:
            continue
        if field == "timeout":
            try:
                layer[field] = Value(float(raw), var)
            except ValueError:
                raise ConnectionConfigError(f"{var}={raw!r} is not a number of seconds") from None
        else:
            layer[field] = Value(Path(raw) if field == "ca_cert" else raw, var)
    layer.update(_credential_values(environ, API_KEY_VAR, USERNAME_VAR, PASSWORD_VAR))
    return layer


def _credential_values(environ: Mapping[str, str], api_key_var: str | None, username_var: str | None,
                       password_var: str | None) -> Layer:
    """Credentials from the named variables; empty variables count as unset."""
    layer: Layer = {}
    for field, var in (("api_key", api_key_var), ("username", username_var), ("password", password_var)):
        if var and environ.get(var):
            layer[field] = Value(environ[var], var)
    return layer


def _kibana_url(layers: list[Layer]) -> tuple[str, str]:
    for layer in layers:
        url, cloud_id = layer.get("url"), layer.get("cloud_id")
        if url and cloud_id:
            raise ConnectionConfigError(f"both {url.source} and {cloud_id.source} are set; give only one")
        if url:
            return url.value, url.source
        if cloud_id:
            try:
                return kibana_url_from_cloud_id(cloud_id.value), cloud_id.source
            except ValueError as exc:
                raise ConnectionConfigError(f"invalid cloud id (from {cloud_id.source}): {exc}") from None
    raise ConnectionConfigError("no Kibana to talk to: give --kibana-url or --cloud-id, set KIBANA_URL or "
                                "KIBANA_CLOUD_ID, or pick a profile from kibana-sync.yaml with --env")


def _credentials(layers: list[Layer]) -> tuple[dict[str, Any], str]:
    """Credentials come as a whole from the highest layer that has any, so a key and a password never mix."""
    for layer in layers:
        found = {k: layer[k] for k in ("api_key", "username", "password") if k in layer}
        if found:
            values: dict[str, Any] = {k: v.value for k, v in found.items()}
            return values, "/".join(v.source for v in found.values())
        if "unset_credentials" in layer:
            # Only an error when nothing above the profile supplied credentials instead.
            raise ConnectionConfigError(layer["unset_credentials"].value)
    return {}, f"{API_KEY_VAR} or {USERNAME_VAR}/{PASSWORD_VAR}"


def _profile_layer(config_path: Path, env_name: str, environ: Mapping[str, str]) -> Layer:
    if not config_path.is_file():
        raise ConnectionConfigError(f"--env {env_name} needs a profile file, but {config_path} does not exist")
    try:
        source = read_yaml(config_path)
    except YAMLSourceError as exc:
        raise ConnectionConfigError(f"{config_path}:{exc.line}:{exc.column}: error: {exc.message}") from None
    profiles = _parse_profiles(source)
    if env_name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConnectionConfigError(f"{config_path} has no environment {env_name!r} (it has: {known})")
    profile = profiles[env_name]
    label = f"{config_path} environments.{env_name}"
    layer: Layer = {name: Value(value, label) for name, value in profile.model_dump(exclude_none=True).items()
                    if not name.endswith("_env")}
    if profile.ca_cert is not None and not profile.ca_cert.is_absolute():
        # A relative path in the file means relative to the file, not to wherever the command runs.
        layer["ca_cert"] = Value(config_path.parent / profile.ca_cert, label)
    unset = [f"{name}_env names {var}" for name, var in (("api_key", profile.api_key_env),
             ("username", profile.username_env), ("password", profile.password_env)) if var and not environ.get(var)]
    if unset:
        layer["unset_credentials"] = Value(f"{label}: {', '.join(unset)}, but that environment variable is not set",
                                           label)
    layer.update(_credential_values(environ, profile.api_key_env, profile.username_env, profile.password_env))
    return layer


def _parse_profiles(source: SourceFile) -> dict[str, Profile]:
    data = source.data
    diagnostics = _inline_secret_diagnostics(source)
    if not diagnostics:
        try:
            return ProfileFile.model_validate(data).environments
        except ValidationError as exc:
            for error in exc.errors():
                line, column, field = source.locate(error["loc"])
                diagnostics.append(Diagnostic(source.path, line, column, field, _profile_reason(error)))
    raise ConnectionConfigError("\n".join(str(d) for d in diagnostics))


def _inline_secret_diagnostics(source: SourceFile) -> list[Diagnostic]:
    environments = source.data.get("environments") if isinstance(source.data, dict) else None
    if not isinstance(environments, dict):
        return []
    found = []
    for env_name, profile in environments.items():
        for key in profile if isinstance(profile, dict) else ():
            if str(key).lower() in INLINE_SECRET_KEYS:
                line, column, field = source.locate(("environments", env_name, key))
                found.append(Diagnostic(source.path, line, column, field,
                                        f"credentials do not belong in {Path(source.path).name} (it is meant to be "
                                        f"committed); set `{INLINE_SECRET_KEYS[str(key).lower()]}: <VARIABLE NAME>` "
                                        "and export that variable instead"))
    return found


def _profile_reason(error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(Profile.model_fields) if len(error["loc"]) > 1 else "environments"
        return f"unknown key; expected one of: {allowed}"
    if error["type"] == "missing":
        return "missing; expected `environments:` with one mapping per environment (dev, staging, prod, ...)"
    return _reason(error)


@dataclass(frozen=True)
class ConnectionRequest:
    """What the command line asked for; resolved only when a command actually talks to Kibana."""

    flags: Mapping[str, Any]
    config_path: Path | None
    env_name: str | None

    def resolve(self, environ: Mapping[str, str] | None = None) -> ConnectionSettings:
        return resolve_settings(self.flags, os.environ if environ is None else environ, self.config_path,
                                self.env_name)

    def resolve_elasticsearch(self, kibana: ConnectionSettings,
                              environ: Mapping[str, str] | None = None) -> ConnectionSettings | None:
        """Elasticsearch's settings, or None when no Elasticsearch URL is given anywhere."""
        return resolve_elasticsearch_settings(self.flags, os.environ if environ is None else environ,
                                              self.config_path, self.env_name, kibana)


ES_URL_MISSING = ("the objects folder has Elasticsearch objects ({what}), so kibana-sync needs Elasticsearch's URL "
                  "too: give --es-url or set ES_URL (or --cloud-id / KIBANA_CLOUD_ID, which names both, or es_url "
                  "in the kibana-sync.yaml profile)")


def resolve_elasticsearch_settings(flags: Mapping[str, Any], environ: Mapping[str, str], config_path: Path | None,
                                   env_name: str | None, kibana: ConnectionSettings) -> ConnectionSettings | None:
    """Where Elasticsearch is: ``--es-url`` > ``ES_URL`` > the profile's ``es_url`` > the cloud id that gave
    Kibana's URL. TLS, timeout and credentials are Kibana's, unless ES_API_KEY or ES_USERNAME/ES_PASSWORD
    are set."""
    layers = [_flag_layer(flags), _environment_layer(environ)]
    if env_name is not None:
        layers.append(_profile_layer(config_path or DEFAULT_CONFIG, env_name, environ))
    chosen: Value | None = None
    for layer in layers:
        if "es_url" in layer:
            chosen = layer["es_url"]
            break
        if "url" in layer:
            continue  # an explicit Kibana URL at this level: a cloud id below it names another deployment
        if "cloud_id" in layer:
            try:
                chosen = Value(elasticsearch_url_from_cloud_id(layer["cloud_id"].value), layer["cloud_id"].source)
            except ValueError as exc:
                raise ConnectionConfigError(f"invalid cloud id (from {layer['cloud_id'].source}): {exc}") from None
            break
    if chosen is None:
        return None
    settings: dict[str, Any] = {"url": chosen.value, "ca_cert": kibana.ca_cert, "insecure": kibana.insecure,
                                "timeout": kibana.timeout, "api_key": kibana.api_key, "username": kibana.username,
                                "password": kibana.password, "credentials_source": kibana.credentials_source}
    own = _credential_values(environ, ES_API_KEY_VAR, ES_USERNAME_VAR, ES_PASSWORD_VAR)
    if own:
        settings.update(api_key=None, username=None, password=None)
        settings.update({k: v.value for k, v in own.items()})
        settings["credentials_source"] = "/".join(v.source for v in own.values())
    try:
        return ConnectionSettings(**settings)
    except ValidationError as exc:
        problems = [f"{error['loc'][0] if error['loc'] else 'credentials'} (from {chosen.source}): {_reason(error)}"
                    for error in exc.errors()]
        raise ConnectionConfigError("invalid Elasticsearch connection settings:\n  " + "\n  ".join(problems)) from None


_OPTIONS = [
    click.option("--kibana-url", metavar="URL", help="Kibana root URL, e.g. https://kibana.example.com:5601 [env KIBANA_URL]."),
    click.option("--cloud-id", metavar="ID", help="Elastic Cloud deployment id instead of a URL [env KIBANA_CLOUD_ID]."),
    click.option("--es-url", metavar="URL",
                 help="Elasticsearch URL, needed only when the repo has Elasticsearch objects (ILM policies, "
                      "templates, ingest pipelines) [env ES_URL]."),
    click.option("--space", metavar="ID", help="Kibana space id (default: the default space) [env KIBANA_SPACE]."),
    click.option("--ca-cert", metavar="FILE", type=click.Path(path_type=Path),
                 help="PEM file of the CA that signed Kibana's certificate [env KIBANA_CA_CERT]."),
    click.option("--insecure/--verify-tls", default=None,
                 help="Do not verify Kibana's TLS certificate (only for test stacks)."),
    click.option("--timeout", metavar="SECONDS", type=click.FloatRange(min=0, min_open=True),
                 help=f"Seconds to wait for each response (default {DEFAULT_TIMEOUT:g}) [env KIBANA_TIMEOUT]."),
    click.option("--env", "env_name", metavar="NAME", help="Profile from kibana-sync.yaml (e.g. dev, staging, prod)."),
    click.option("--config", "config_path", metavar="FILE", type=click.Path(path_type=Path),
                 help="Profile file (default: ./kibana-sync.yaml, read only with --env)."),
]
_FLAG_NAMES = ("kibana_url", "cloud_id", "space", "ca_cert", "insecure", "timeout", "es_url")


def connection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the connection options to a click command; it receives them as one ``connection: ConnectionRequest``.

    Credentials have no options on purpose: they come from KIBANA_API_KEY or KIBANA_USERNAME/KIBANA_PASSWORD
    (or the variables a profile names), never from the command line.
    """

    @functools.wraps(command)
    def with_connection(*args: Any, **kwargs: Any) -> Any:
        flags = {name: kwargs.pop(name) for name in _FLAG_NAMES}
        request = ConnectionRequest(flags, kwargs.pop("config_path"), kwargs.pop("env_name"))
        return command(*args, connection=request, **kwargs)

    for option in reversed(_OPTIONS):
        with_connection = option(with_connection)
    return with_connection
