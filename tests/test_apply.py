"""Applying a plan, in-process against the Kibana emulator: every object gets a truthful outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
from kibana_emulator import EmulatorConfig, KibanaEmulator

from kibana_sync.apply import apply_plan
from kibana_sync.build import Build, compile_project
from kibana_sync.client import KibanaClient, KibanaError
from kibana_sync.connection import ConnectionSettings
from kibana_sync.plan import Action
from kibana_sync.project import load_project
from kibana_sync.sync import check_target, make_plan

SECRETS = {"HOOK_USER": "u", "HOOK_PASSWORD": "p"}
FILES = {
    "data_views/logs.yaml": "id: logs\nindex_pattern: genesis-*\ntime_field: '@timestamp'\n",
    "searches/errors.yaml": "id: errors\ntitle: Errors\ndata_view: logs\nquery: 'level:ERROR'\n",
    "connectors/hook.yaml": "id: hook\nname: Hook\ntype: .webhook\nconfig: {url: 'https://hooks.example.com/x', "
                            "auth_type: basic}\nsecrets: {user: {env: HOOK_USER}, password: {env: HOOK_PASSWORD}}\n",
    "alerts/tilt.yaml": "id: tilt\nname: Tilt\nquery: {kql: 'tilt_score >= 90', data_view: logs}\nwindow: 5m\n"
                        "actions: [{connector: hook, params: {body: tilt}}]\n",
}


def build_of(root: Path, files: dict[str, str]) -> Build:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    project = load_project(root)
    assert project.ok, [str(d) for d in project.diagnostics.errors]
    return compile_project(project)


def kibana(config: EmulatorConfig | None = None) -> tuple[KibanaEmulator, KibanaClient]:
    emulator = KibanaEmulator(config)
    settings = ConnectionSettings(url="http://kibana.test:5601", username="elastic", password="changeme")
    return emulator, KibanaClient(settings, transport=emulator.transport(), sleep=lambda _: None)


@pytest.fixture
def build(tmp_path: Path) -> Build:
    return build_of(tmp_path / "objects", FILES)


def push(client: KibanaClient, build: Build, **plan_options: bool) -> dict[str, tuple[bool, str]]:
    outcomes = apply_plan(client, make_plan(client, build, **plan_options), environ=SECRETS)
    return {o.change.id: (o.ok, o.message) for o in outcomes}


def test_one_import_for_all_saved_objects_then_rules_after_their_connector(build):
    emulator, client = kibana()
    assert push(client, build) == {"kibana-sync-managed": (True, "created"), "logs": (True, "created"),
                                   "errors": (True, "created"), "hook": (True, "created"),
                                   "tilt": (True, "created")}
    writes = [(r.method, r.path) for r in emulator.writes()]
    assert writes == [("POST", "/api/saved_objects/_import"), ("POST", "/api/actions/connector/hook"),
                      ("POST", "/api/alerting/rule/tilt")]


def test_an_import_error_names_the_object_and_reports_the_rest_as_not_written(tmp_path):
    broken = build_of(tmp_path / "objects", {
        **FILES, "searches/errors.yaml": "id: errors\ntitle: Errors\ndata_view: {external: gone}\n"})
    emulator, client = kibana()
    results = push(client, broken)
    assert results["errors"] == (False, "references objects Kibana does not have: index-pattern 'gone'")
    assert results["logs"][0] is False and "all or nothing" in results["logs"][1]
    assert emulator.get_object("index-pattern", "logs") is None


def test_a_webhook_on_a_basic_license_fails_with_a_clear_message(build):
    _emulator, client = kibana(EmulatorConfig(license="basic"))
    ok, message = push(client, build)["hook"]
    assert not ok and "Gold" in message and "license" in message


def test_a_rule_whose_consumer_changed_in_kibana_is_recreated(build):
    emulator, client = kibana()
    push(client, build)
    emulator.put_rule({**emulator.get_rule("tilt"), "consumer": "stackAlerts"})
    plan = make_plan(client, build)
    assert [(c.action, c.id) for c in plan.changes] == [(Action.RECREATE, "tilt")]
    assert push(client, build) == {"tilt": (True, "recreated")}
    assert emulator.get_rule("tilt")["consumer"] == "alerts"


def test_update_secrets_rewrites_connectors_with_a_put(build):
    emulator, client = kibana()
    push(client, build)
    emulator.reset_log()
    assert push(client, build) == {}
    assert push(client, build, update_secrets=True) == {"hook": (True, "updated")}
    assert [(r.method, r.path) for r in emulator.writes()] == [("PUT", "/api/actions/connector/hook")]


def test_only_supported_versions_and_existing_spaces_are_written_to():
    _emulator, old = kibana(EmulatorConfig(version="8.10.4"))
    with pytest.raises(KibanaError, match="not supported"):
        check_target(old)
    emulator, client = kibana()
    nowhere = KibanaClient(client.settings.model_copy(update={"space": "nowhere"}),
                           transport=emulator.transport())
    with pytest.raises(KibanaError, match="space 'nowhere' does not exist"):
        check_target(nowhere)
