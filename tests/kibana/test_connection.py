"""Connection settings: where Kibana is, which space, how to log in, and that secrets never leak."""

from __future__ import annotations

import base64
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from kibana_sync.kibana.connection import (
    ConnectionConfigError,
    ConnectionRequest,
    ConnectionSettings,
    connection_options,
    kibana_url_from_cloud_id,
    resolve_settings,
)

API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
PASSWORD = "s3cr3t-Pa55"


def cloud_id(decoded: str, name: str = "genesis") -> str:
    return f"{name}:{base64.b64encode(decoded.encode()).decode()}"


def resolve(flags: dict | None = None, environ: dict | None = None, config: Path | None = None,
            env_name: str | None = None) -> ConnectionSettings:
    return resolve_settings(flags or {}, environ or {}, config, env_name)


def write_profiles(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kibana-sync.yaml"
    path.write_text(text)
    return path


PROFILES = """\
environments:
  dev:
    url: http://localhost:5601
  prod:
    url: https://kibana.prod.example.com
    space: genesis
    api_key_env: PROD_KIBANA_API_KEY
"""


# --- cloud id ------------------------------------------------------------------------------------------------------

def test_cloud_id_from_the_elastic_docs_decodes_to_the_kibana_host() -> None:
    # The example cloud id from Elastic's "Configure Beats/Logstash with Cloud ID" documentation.
    example = ("staging:dXMtZWFzdC0xLmF3cy5mb3VuZC5pbyRjZWM2ZjI2MWE3NGJmMjRjZTMzYmI4ODExYjg0Mjk0ZiRjNmMyY2E2ZDA0"
               "MjI0OWFmMGNjN2Q3YTllOTYyNTc0Mw==")
    assert kibana_url_from_cloud_id(example) == "https://c6c2ca6d042249af0cc7d7a9e9625743.us-east-1.aws.found.io"


@pytest.mark.parametrize(("decoded", "url"), [
    ("eu-west-1.aws.found.io:9243$es1$kb1", "https://kb1.eu-west-1.aws.found.io:9243"),
    ("eu-west-1.aws.found.io:443$es1$kb1", "https://kb1.eu-west-1.aws.found.io"),
    ("eu-west-1.aws.found.io$es1:9200$kb1:9243", "https://kb1.eu-west-1.aws.found.io:9243"),
])
def test_cloud_id_ports(decoded: str, url: str) -> None:
    assert kibana_url_from_cloud_id(cloud_id(decoded)) == url


def test_cloud_id_name_may_contain_colons() -> None:
    assert kibana_url_from_cloud_id(cloud_id("h.io$es$kb", name="team:prod")) == "https://kb.h.io"


@pytest.mark.parametrize(("value", "expected"), [
    (cloud_id("eu-west-1.aws.found.io$es1"), "no Kibana component"),
    (cloud_id("eu-west-1.aws.found.io$es1$"), "no Kibana component"),
    ("genesis:%%%not-base64", "not valid base64"),
    ("no-colon-at-all", "deployment name"),
    (cloud_id("h.io:https$es$kb"), "not a number"),
])
def test_bad_cloud_ids_say_what_is_wrong(value: str, expected: str) -> None:
    with pytest.raises(ConnectionConfigError, match=expected) as err:
        resolve(environ={"KIBANA_CLOUD_ID": value})
    assert "KIBANA_CLOUD_ID" in err.value.message


def test_cloud_id_flag_gives_the_url() -> None:
    settings = resolve(flags={"cloud_id": cloud_id("h.io$es$kb")})
    assert settings.url == "https://kb.h.io"


# --- url, space, tls, timeout ----------------------------------------------------------------------------------------

def test_url_is_required_and_the_error_names_every_way_to_give_it() -> None:
    with pytest.raises(ConnectionConfigError) as err:
        resolve()
    for way in ("--kibana-url", "--cloud-id", "KIBANA_URL", "KIBANA_CLOUD_ID", "--env"):
        assert way in err.value.message


def test_url_and_cloud_id_at_the_same_level_conflict() -> None:
    with pytest.raises(ConnectionConfigError, match="KIBANA_URL and KIBANA_CLOUD_ID"):
        resolve(environ={"KIBANA_URL": "https://k", "KIBANA_CLOUD_ID": cloud_id("h$e$k")})


def test_url_flag_beats_cloud_id_variable() -> None:
    settings = resolve(flags={"kibana_url": "https://flag:5601/"}, environ={"KIBANA_CLOUD_ID": cloud_id("h$e$k")})
    assert settings.url == "https://flag:5601"


@pytest.mark.parametrize("url", ["kibana:5601", "ftp://kibana", "https://kibana/s/ops"])
def test_malformed_urls_are_rejected(url: str) -> None:
    with pytest.raises(ConnectionConfigError, match="--kibana-url"):
        resolve(flags={"kibana_url": url})


def test_url_with_credentials_is_rejected_without_echoing_them() -> None:
    with pytest.raises(ConnectionConfigError, match="contains credentials") as err:
        resolve(flags={"kibana_url": f"https://elastic:{PASSWORD}@kibana:5601"})
    assert PASSWORD not in err.value.message


@pytest.mark.parametrize("url", [f"HTTPS://elastic:{PASSWORD}@kibana:5601", f"ftp://elastic:{PASSWORD}@kibana"])
def test_url_with_credentials_and_an_unexpected_scheme_is_not_echoed_either(url: str) -> None:
    with pytest.raises(ConnectionConfigError, match="contains credentials") as err:
        resolve(flags={"kibana_url": url})
    assert PASSWORD not in err.value.message


def test_url_may_carry_a_base_path() -> None:
    assert resolve(flags={"kibana_url": "https://proxy/kibana/"}).url == "https://proxy/kibana"


@pytest.mark.parametrize(("space", "prefix"), [(None, ""), ("default", ""), ("ops-team_2", "/s/ops-team_2")])
def test_space_prefix(space: str | None, prefix: str) -> None:
    flags = {"kibana_url": "https://k", "space": space}
    assert resolve(flags=flags).space_prefix == prefix


@pytest.mark.parametrize("space", ["Ops", "ops team", "ops/x", ""])
def test_invalid_space_ids_name_the_source_and_the_rule(space: str) -> None:
    with pytest.raises(ConnectionConfigError) as err:
        resolve(flags={"kibana_url": "https://k", "space": space})
    assert "--space" in err.value.message
    assert "lowercase letters, digits" in err.value.message


def test_tls_options(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    default = resolve(flags={"kibana_url": "https://k"})
    assert (default.insecure, default.ca_cert) == (False, None)
    assert resolve(flags={"kibana_url": "https://k", "insecure": True}).insecure
    assert resolve(flags={"kibana_url": "https://k"}, environ={"KIBANA_CA_CERT": str(ca)}).ca_cert == ca


def test_missing_ca_cert_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConnectionConfigError, match="ca_cert .from --ca-cert.*does not exist"):
        resolve(flags={"kibana_url": "https://k", "ca_cert": tmp_path / "nope.pem"})


def test_timeout_from_environment_must_be_a_number() -> None:
    assert resolve(flags={"kibana_url": "https://k"}, environ={"KIBANA_TIMEOUT": "5"}).timeout == 5.0
    with pytest.raises(ConnectionConfigError, match="KIBANA_TIMEOUT='soon' is not a number"):
        resolve(flags={"kibana_url": "https://k"}, environ={"KIBANA_TIMEOUT": "soon"})


# --- credentials ---------------------------------------------------------------------------------------------------

def test_api_key_from_environment() -> None:
    settings = resolve(environ={"KIBANA_URL": "https://k", "KIBANA_API_KEY": API_KEY})
    assert settings.authorization == f"ApiKey {API_KEY}"
    assert settings.credentials_source == "KIBANA_API_KEY"


def test_username_and_password_from_environment() -> None:
    settings = resolve(environ={"KIBANA_URL": "https://k", "KIBANA_USERNAME": "elastic",
                                "KIBANA_PASSWORD": PASSWORD})
    assert settings.authorization == "Basic " + base64.b64encode(f"elastic:{PASSWORD}".encode()).decode()


def test_no_credentials_means_no_authorization_header() -> None:
    assert resolve(environ={"KIBANA_URL": "https://k"}).authorization is None


def test_empty_variables_count_as_unset() -> None:
    settings = resolve(environ={"KIBANA_URL": "https://k", "KIBANA_API_KEY": "", "KIBANA_SPACE": ""})
    assert (settings.authorization, settings.space) == (None, "default")


def test_api_key_and_password_together_are_refused_without_echoing_either() -> None:
    with pytest.raises(ConnectionConfigError, match="set only one") as err:
        resolve(environ={"KIBANA_URL": "https://k", "KIBANA_API_KEY": API_KEY, "KIBANA_USERNAME": "elastic",
                         "KIBANA_PASSWORD": PASSWORD})
    assert API_KEY not in err.value.message and PASSWORD not in err.value.message


def test_an_api_key_read_with_a_line_break_works_and_one_that_cannot_be_a_header_is_refused_unechoed() -> None:
    settings = resolve(environ={"KIBANA_URL": "https://k", "KIBANA_API_KEY": f"{API_KEY}\n"})
    assert settings.authorization == f"ApiKey {API_KEY}"
    for bad in (f"{API_KEY}\r\nX-Injected: 1", f"{API_KEY}é"):
        with pytest.raises(ConnectionConfigError, match="API key .* non-ASCII") as err:
            resolve(environ={"KIBANA_URL": "https://k", "KIBANA_API_KEY": bad})
        assert API_KEY not in err.value.message


def test_validation_errors_of_the_settings_never_quote_the_credentials() -> None:
    with pytest.raises(ValidationError) as err:
        ConnectionSettings(url="https://k", api_key=API_KEY, username="elastic", password=PASSWORD)
    assert API_KEY not in str(err.value) and PASSWORD not in str(err.value)
    assert API_KEY[:3] not in str(err.value)


def test_username_without_password_names_the_missing_half() -> None:
    with pytest.raises(ConnectionConfigError, match="password is missing"):
        resolve(environ={"KIBANA_URL": "https://k", "KIBANA_USERNAME": "elastic"})


def test_secrets_are_masked_in_repr_str_and_dumps() -> None:
    settings = resolve(environ={"KIBANA_URL": "https://k", "KIBANA_USERNAME": "elastic",
                                "KIBANA_PASSWORD": PASSWORD})
    keyed = resolve(environ={"KIBANA_URL": "https://k", "KIBANA_API_KEY": API_KEY})
    for text in (repr(settings), str(settings), settings.model_dump_json(), repr(keyed), str(keyed),
                 keyed.model_dump_json(), str(keyed.model_dump())):
        assert PASSWORD not in text and API_KEY not in text
    assert "elastic" in repr(settings)  # the username is not a secret and helps debugging


# --- profiles and precedence ---------------------------------------------------------------------------------------

def test_profile_gives_url_space_and_the_named_credentials(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, PROFILES)
    settings = resolve(environ={"PROD_KIBANA_API_KEY": API_KEY}, config=config, env_name="prod")
    assert (settings.url, settings.space) == ("https://kibana.prod.example.com", "genesis")
    assert settings.authorization == f"ApiKey {API_KEY}"
    assert settings.credentials_source == "PROD_KIBANA_API_KEY"


def test_precedence_flags_over_environment_over_profile(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, PROFILES)
    environ = {"PROD_KIBANA_API_KEY": "profile-key", "KIBANA_SPACE": "from-env", "KIBANA_URL": "https://env"}
    from_env = resolve(environ=environ, config=config, env_name="prod")
    assert (from_env.url, from_env.space) == ("https://env", "from-env")
    from_flags = resolve(flags={"kibana_url": "https://flag", "space": "from-flag"}, environ=environ,
                         config=config, env_name="prod")
    assert (from_flags.url, from_flags.space) == ("https://flag", "from-flag")
    with_env_key = resolve(environ={**environ, "KIBANA_API_KEY": "env-key"}, config=config, env_name="prod")
    assert with_env_key.authorization == "ApiKey env-key"


def test_credentials_come_whole_from_one_level(tmp_path: Path) -> None:
    # KIBANA_USERNAME/PASSWORD in the shell replace the profile's API key rather than clash with it.
    config = write_profiles(tmp_path, PROFILES)
    settings = resolve(environ={"PROD_KIBANA_API_KEY": API_KEY, "KIBANA_USERNAME": "u", "KIBANA_PASSWORD": "p"},
                       config=config, env_name="prod")
    assert settings.authorization is not None and settings.authorization.startswith("Basic ")


@pytest.mark.parametrize("key", ["api_key", "password", "username"])
def test_profile_rejects_inline_credentials_with_position_and_advice(tmp_path: Path, key: str) -> None:
    config = write_profiles(tmp_path, f"environments:\n  prod:\n    url: https://k\n    {key}: {PASSWORD}\n")
    with pytest.raises(ConnectionConfigError) as err:
        resolve(config=config, env_name="prod")
    message = err.value.message
    assert f"{config}:4:5: error: environments.prod.{key}: credentials do not belong" in message
    assert f"{key}_env" in message
    assert PASSWORD not in message


def test_profile_rejects_a_secret_pasted_into_a_variable_name(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, f"environments:\n  prod:\n    url: https://k\n    api_key_env: {API_KEY}\n")
    with pytest.raises(ConnectionConfigError, match="NAME of an environment variable") as err:
        resolve(config=config, env_name="prod")
    assert API_KEY not in err.value.message


def test_profile_unknown_key_lists_the_allowed_ones(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, "environments:\n  dev:\n    uri: https://k\n")
    with pytest.raises(ConnectionConfigError, match=r":3:5: error: environments.dev.uri: unknown key; .*url"):
        resolve(config=config, env_name="dev")


def test_profile_without_environments_key(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, "dev:\n  url: https://k\n")
    with pytest.raises(ConnectionConfigError, match="environments"):
        resolve(config=config, env_name="dev")


def test_profile_yaml_syntax_error_has_a_position(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, "environments:\n  dev: [unclosed\n")
    with pytest.raises(ConnectionConfigError, match=r"kibana-sync.yaml:\d+:\d+: error: invalid YAML"):
        resolve(config=config, env_name="dev")


def test_unknown_environment_lists_the_known_ones(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, PROFILES)
    with pytest.raises(ConnectionConfigError, match=r"no environment 'staging' \(it has: dev, prod\)"):
        resolve(config=config, env_name="staging")


def test_profile_naming_an_unset_variable_says_which(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, PROFILES)
    with pytest.raises(ConnectionConfigError, match="PROD_KIBANA_API_KEY, but that environment variable is not set"):
        resolve(config=config, env_name="prod")


def test_unset_profile_variable_is_fine_when_the_shell_gives_credentials(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, PROFILES)
    settings = resolve(environ={"KIBANA_API_KEY": API_KEY}, config=config, env_name="prod")
    assert settings.credentials_source == "KIBANA_API_KEY"


def test_profile_tls_and_timeout(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, "environments:\n  dev:\n    url: https://k\n    insecure: true\n"
                                      "    timeout: 90\n")
    settings = resolve(config=config, env_name="dev")
    assert (settings.insecure, settings.timeout) == (True, 90.0)
    assert not resolve(flags={"insecure": False}, config=config, env_name="dev").insecure


def test_env_without_a_profile_file(tmp_path: Path) -> None:
    with pytest.raises(ConnectionConfigError, match="does not exist"):
        resolve(config=tmp_path / "missing.yaml", env_name="prod")


def test_config_without_env_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConnectionConfigError, match="without --env"):
        resolve(flags={"kibana_url": "https://k"}, config=write_profiles(tmp_path, PROFILES))


def test_profile_ca_cert_is_relative_to_the_profile_file(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_text("pem")
    config = write_profiles(tmp_path, "environments:\n  dev:\n    url: https://k\n    ca_cert: certs/ca.pem\n")
    assert resolve(config=config, env_name="dev").ca_cert == tmp_path / "certs" / "ca.pem"


def test_profile_values_are_validated_with_their_source(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, "environments:\n  dev:\n    url: https://k\n    space: Dev Space\n")
    with pytest.raises(ConnectionConfigError, match=r"space \(from .*environments.dev\)"):
        resolve(config=config, env_name="dev")


# --- the shared click options --------------------------------------------------------------------------------------

@click.command()
@click.option("--objects", default="objects")
@connection_options
def probe(objects: str, connection: ConnectionRequest) -> None:
    settings = connection.resolve()
    click.echo(f"{objects} {settings.url} {settings.space} {settings.insecure} {settings.timeout} "
               f"{settings.authorization is not None}")


def test_connection_options_resolve_flags_and_environment() -> None:
    result = CliRunner().invoke(probe, ["--kibana-url", "https://k:5601", "--space", "ops", "--insecure",
                                        "--timeout", "7"], env={"KIBANA_API_KEY": API_KEY})
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "objects https://k:5601 ops True 7.0 True"


def test_connection_options_report_errors_with_exit_code_2() -> None:
    result = CliRunner().invoke(probe, ["--kibana-url", "https://k", "--space", "Ops"],
                                env={"KIBANA_API_KEY": API_KEY})
    assert result.exit_code == 2
    assert "not a space id" in result.output
    assert API_KEY not in result.output


def test_connection_options_pick_a_profile(tmp_path: Path) -> None:
    config = write_profiles(tmp_path, PROFILES)
    result = CliRunner().invoke(probe, ["--env", "prod", "--config", str(config)],
                                env={"PROD_KIBANA_API_KEY": API_KEY, "KIBANA_URL": None, "KIBANA_SPACE": None})
    assert result.exit_code == 0, result.output
    assert "https://kibana.prod.example.com genesis" in result.output


def test_credentials_have_no_command_line_option() -> None:
    result = CliRunner().invoke(probe, ["--api-key", API_KEY])
    assert result.exit_code == 2 and "No such option" in result.output
