"""Connectors: the API body a push sends, secrets only by environment variable name, and export's inverse."""

import json
from pathlib import Path

import pytest
import yaml

from kibana_sync.kinds.connector.kind import (
    ConnectorKind,
    MissingSecretsError,
    missing_secret_variables,
    resolve_secrets,
)
from kibana_sync.project.build import compile_project, render
from kibana_sync.project.loader import load_project

KIND = ConnectorKind()
PASSWORD = "s3cr3t-Pa55word!"  # stands for a real secret: it must never leave the environment

WEBHOOK = """\
name: Alertmanager
type: .webhook
config:
  url: http://alertmanager:9093/api/v1/alerts
  headers:
    Content-Type: application/json
  auth_type: basic
secrets:
  user: {env: AM_USER}
  password: {env: AM_PASSWORD}
"""


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def load(root: Path, files: dict[str, str]):
    for rel, text in files.items():
        write(root, rel, text)
    return load_project(root)


def compiled(tmp_path: Path, text: str, name: str = "am") -> dict:
    project = load(tmp_path, {f"connectors/{name}.yaml": text})
    assert project.ok, [str(d) for d in project.diagnostics.items]
    return KIND.compile(project.get(name), project)


def errors(project) -> list[str]:
    return [str(d) for d in project.diagnostics.sorted() if d.is_error]


def test_webhook_compiles_to_the_create_body_with_env_names_instead_of_secrets(tmp_path):
    body = compiled(tmp_path, WEBHOOK)
    assert body == {
        "name": "Alertmanager",
        "connector_type_id": ".webhook",
        "config": {"url": "http://alertmanager:9093/api/v1/alerts", "method": "post", "hasAuth": True,
                   "headers": {"Content-Type": "application/json"}, "authType": "webhook-authentication-basic"},
        "secrets": {"user": "${AM_USER}", "password": "${AM_PASSWORD}"},
    }


def test_the_built_connector_file_is_a_body_kibana_accepts(tmp_path, emulator_http):
    """dist/connectors/<id>.json is documented as a POST /api/actions/connector/{id} body: as it is, and once
    envsubst has filled the placeholders (never with the value in the file)."""
    body = compiled(tmp_path, WEBHOOK)
    assert set(body) == {"name", "connector_type_id", "config", "secrets"}
    answer = emulator_http.post("/api/actions/connector/am", json=body)
    assert answer.status_code == 200, answer.text
    # What `envsubst < dist/connectors/am.json` gives.
    substituted = json.loads(json.dumps(body).replace("${AM_USER}", "kibana").replace("${AM_PASSWORD}", PASSWORD))
    assert emulator_http.post("/api/actions/connector/am2", json=substituted).status_code == 200
    assert resolve_secrets(body, {"AM_USER": "kibana", "AM_PASSWORD": PASSWORD}) == substituted


def test_secrets_are_placeholders_in_dist_never_values(tmp_path, monkeypatch):
    monkeypatch.setenv("AM_PASSWORD", PASSWORD)
    body = compiled(tmp_path, WEBHOOK)
    assert PASSWORD not in json.dumps(body)
    assert missing_secret_variables(body, {"AM_PASSWORD": PASSWORD}) == ["AM_USER"]


def test_resolve_secrets_reads_the_environment_into_the_api_body(tmp_path):
    body = compiled(tmp_path, WEBHOOK)
    api = resolve_secrets(body, {"AM_USER": "kibana", "AM_PASSWORD": PASSWORD, "OTHER": "x"})
    assert api == {"name": "Alertmanager", "connector_type_id": ".webhook", "config": body["config"],
                   "secrets": {"user": "kibana", "password": PASSWORD}}


def test_missing_env_vars_are_named_and_no_secret_value_is_shown(tmp_path):
    body = compiled(tmp_path, WEBHOOK)
    with pytest.raises(MissingSecretsError) as exc:
        resolve_secrets(body, {"AM_PASSWORD": PASSWORD, "AM_USER": ""})
    assert "AM_USER" in str(exc.value) and "'Alertmanager'" in str(exc.value)
    assert "AM_PASSWORD" not in str(exc.value) and PASSWORD not in str(exc.value)


def test_a_literal_secret_is_rejected_at_its_line_without_echoing_it(tmp_path):
    text = WEBHOOK.replace("password: {env: AM_PASSWORD}", f"password: {PASSWORD}")
    project = load(tmp_path, {"connectors/am.yaml": text})
    (error,) = errors(project)
    assert error.startswith(f"{tmp_path}/connectors/am.yaml:10:3: error: secrets.password:")
    assert "{env: ALERTMANAGER_PASSWORD}" in error
    assert all(PASSWORD not in str(d) for d in project.diagnostics.items)


@pytest.mark.parametrize("secrets", [PASSWORD, f"{{password: {{env: AM, value: {PASSWORD}}}}}",
                                     f"{{password: {{env: '{PASSWORD}'}}}}"])
def test_other_misplaced_secrets_never_reach_a_message(tmp_path, secrets):
    text = WEBHOOK.split("secrets:")[0] + f"secrets: {secrets}\n"
    project = load(tmp_path, {"connectors/am.yaml": text})
    assert errors(project) and all(PASSWORD not in str(d) for d in project.diagnostics.items)


def test_build_output_never_contains_secret_values(tmp_path, monkeypatch):
    monkeypatch.setenv("AM_PASSWORD", PASSWORD)
    project = load(tmp_path, {"connectors/am.yaml": WEBHOOK})
    files = render(compile_project(project))
    assert "AM_PASSWORD" in files["connectors/am.json"]
    assert all(PASSWORD not in content for content in files.values())


@pytest.mark.parametrize(("config", "line", "field", "expected"), [
    ("  url: alertmanager:9093\n", 4, "config.url", "expected an http(s) URL with a host"),
    ("  url: http://am\n  method: get\n", 5, "config.method", "'post' or 'put'"),
    ("  url: http://am\n  hasAuth: false\n", 5, "config.hasAuth", "unknown key 'hasAuth'; expected one of:"),
    ("  url: http://am\n  has_auth: false\n  auth_type: basic\n", 6, "config.auth_type", "must be unset"),
    ("  method: put\n", 3, "config.url", "required field is missing"),
])
def test_invalid_webhook_config_points_at_the_field(tmp_path, config, line, field, expected):
    project = load(tmp_path, {"connectors/am.yaml": f"name: AM\ntype: .webhook\nconfig:\n{config}"})
    (error,) = errors(project)
    assert error.startswith(f"{tmp_path}/connectors/am.yaml:{line}:")
    assert f"error: {field}: " in error and expected in error


def test_a_secret_combination_kibana_rejects_is_an_error(tmp_path):
    text = WEBHOOK.replace("password: {env: AM_PASSWORD}", "pfx: {env: AM_PFX}")
    (error,) = errors(load(tmp_path, {"connectors/am.yaml": text}))
    assert ":8:1: error: secrets: Kibana accepts one of: user and password;" in error and "pfx, user" in error


def test_normalise_fills_kibana_defaults_and_drops_what_the_server_adds(tmp_path):
    body = compiled(tmp_path, "name: AM\ntype: .webhook\nconfig:\n  url: http://am:9093/api/v1/alerts\n")
    live = {"id": "am", "name": "AM", "connector_type_id": ".webhook", "is_preconfigured": False,
            "is_deprecated": False, "is_missing_secrets": False, "referenced_by_count": 3,
            "config": {"url": "http://am:9093/api/v1/alerts", "method": "post", "hasAuth": False, "headers": None,
                       "authType": None, "certType": None, "ca": None, "verificationMode": None}}
    assert KIND.normalise(live) == KIND.normalise(body)
    changed = {**live, "config": {**live["config"], "url": "http://other:9093/api/v1/alerts"}}
    assert KIND.normalise(changed) != KIND.normalise(body)


def test_decompile_names_env_vars_after_the_id_and_round_trips(tmp_path):
    live = {"id": "pager-hook", "name": "Pager", "connector_type_id": ".webhook", "is_preconfigured": False,
            "is_missing_secrets": False,
            "config": {"url": "https://pager.example/hook", "method": "put", "hasAuth": True, "headers": None,
                       "authType": "webhook-authentication-basic"}}
    result = KIND.decompile(live)
    assert result.data["secrets"] == {"user": {"env": "PAGER_HOOK_USER"}, "password": {"env": "PAGER_HOOK_PASSWORD"}}
    assert any("PAGER_HOOK_USER, PAGER_HOOK_PASSWORD" in w for w in result.warnings)
    body = compiled(tmp_path, yaml.safe_dump(result.data), name="pager-hook")
    assert KIND.normalise(body) == KIND.normalise(live)


def test_decompile_without_auth_emits_no_secrets(tmp_path):
    live = {"id": "am", "name": "AM", "connector_type_id": ".webhook",
            "config": {"url": "http://am/api", "method": "post", "hasAuth": False, "headers": {"X-A": "1"}}}
    result = KIND.decompile(live)
    assert "secrets" not in result.data and not result.warnings
    assert KIND.normalise(compiled(tmp_path, yaml.safe_dump(result.data))) == KIND.normalise(live)


@pytest.mark.parametrize("live", [
    {"id": "idx", "name": "Audit index", "connector_type_id": ".index",
     "config": {"index": "alerts-audit", "refresh": False, "executionTimeField": None}},
    {"id": "slack", "name": "Slack", "connector_type_id": ".slack", "config": {}},
    {"id": "jira", "name": "Jira", "connector_type_id": ".jira",
     "config": {"apiUrl": "https://jira.example", "projectKey": "OPS"}},
])
def test_other_types_round_trip(tmp_path, live):
    result = KIND.decompile(live)
    body = compiled(tmp_path, yaml.safe_dump(result.data), name=live["id"])
    assert KIND.normalise(body) == KIND.normalise(live)


def test_genesis_alertmanager_connector(genesis_objects):
    project = load_project(genesis_objects)
    entry = project.get("genesis-alertmanager")
    assert not [d for d in project.diagnostics.items if "connectors/" in d.file]
    body = KIND.compile(entry, project)
    assert body["config"]["url"] == "http://alertmanager:9093/api/v2/alerts"
    assert body["config"]["method"] == "post" and body["secrets"] == {}


def test_export_of_a_built_connector_keeps_the_variable_names_its_placeholders_hold(tmp_path):
    body = compiled(tmp_path, WEBHOOK)
    data = KIND.decompile({**body, "id": "alert-hook"}).data
    assert data["secrets"] == {"user": {"env": "AM_USER"}, "password": {"env": "AM_PASSWORD"}}
    live = {k: v for k, v in body.items() if k != "secrets"}  # Kibana returns no secrets: names are derived
    assert KIND.decompile({**live, "id": "alert-hook"}).data["secrets"]["password"] == {"env": "ALERT_HOOK_PASSWORD"}
