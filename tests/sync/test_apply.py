"""Applying a plan, in-process against the Kibana emulator: every object gets a truthful outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kibana_emulator import EmulatorConfig, KibanaEmulator

from kibana_sync.kibana.client import KibanaClient, KibanaError
from kibana_sync.kibana.connection import ConnectionSettings
from kibana_sync.project.build import Build, compile_project
from kibana_sync.project.loader import load_project
from kibana_sync.sync.apply import apply_plan
from kibana_sync.sync.plan import Action
from kibana_sync.sync.target import check_target, make_plan

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


def push(client: KibanaClient, build: Build, **plan_options: Any) -> dict[str, tuple[bool, str]]:
    outcomes = apply_plan(client, make_plan(client, build, **plan_options), environ=SECRETS)
    return {o.change.id: (o.ok, o.message) for o in outcomes}


def test_one_import_per_dependency_level_then_rules_after_their_connector(build):
    """The data view (and tag) go first, the search that uses it in a second import (so a failed data view
    stops it), then the connector, then the rule that calls it."""
    emulator, client = kibana()
    assert push(client, build) == {"kibana-sync-managed": (True, "created"), "logs": (True, "created"),
                                   "errors": (True, "created"), "hook": (True, "created"),
                                   "tilt": (True, "created")}
    writes = [(r.method, r.path) for r in emulator.writes()]
    assert writes == [("POST", "/api/saved_objects/_import"), ("POST", "/api/saved_objects/_import"),
                      ("POST", "/api/actions/connector/hook"), ("POST", "/api/alerting/rule/tilt")]


def test_an_import_error_names_the_object_and_the_rest_goes_again_without_it(tmp_path):
    """Kibana writes nothing from an import with a missing reference (all or nothing), so the objects it held
    back are sent once more without the one it refused."""
    broken = build_of(tmp_path / "objects", {
        **FILES, "searches/errors.yaml": "id: errors\ntitle: Errors\ndata_view: {external: gone}\n"})
    emulator, client = kibana()
    results = push(client, broken)
    assert results["errors"] == (False, "references objects Kibana does not have: index-pattern 'gone'")
    assert results["logs"] == (True, "created")
    assert emulator.get_object("index-pattern", "logs") is not None
    imports = [r for r in emulator.writes() if r.path == "/api/saved_objects/_import"]
    assert len(imports) == 2


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


def test_a_recreate_whose_create_fails_puts_the_old_rule_back_and_a_rerun_converges(build, monkeypatch):
    emulator, client = kibana()
    push(client, build)
    emulator.put_rule({**emulator.get_rule("tilt"), "consumer": "stackAlerts", "name": "Tilt (edited in Kibana)"})
    create = client.create_rule

    def kibana_refuses_the_new_rule(id_: str, body: dict) -> dict:
        if body["consumer"] == "alerts":
            raise KibanaError("Kibana answered 400 to POST /api/alerting/rule/tilt: params invalid: nope", 400)
        return create(id_, body)

    monkeypatch.setattr(client, "create_rule", kibana_refuses_the_new_rule)
    ok, message = push(client, build)["tilt"]
    assert not ok and "params invalid: nope" in message and "old rule was created again" in message
    restored = emulator.get_rule("tilt")
    assert (restored["consumer"], restored["name"], restored["enabled"]) == ("stackAlerts", "Tilt (edited in Kibana)",
                                                                             True)
    assert [(a["id"], a["params"]) for a in restored["actions"]] == [("hook", {"body": "tilt"})]
    monkeypatch.undo()
    assert push(client, build) == {"tilt": (True, "recreated")}
    assert push(client, build) == {}


def test_a_connector_error_that_quotes_a_secret_does_not_show_it(build, monkeypatch):
    _emulator, client = kibana()
    secret = "https://hooks.slack.com/services/T0/B0/s3cr3t"

    def kibana_quotes_it(id_: str, body: dict) -> dict:
        raise KibanaError(f'Kibana answered 400: error validating action type secrets: target url "{secret}" is '
                          "not added to the Kibana config xpack.actions.allowedHosts", 400)

    monkeypatch.setattr(client, "create_connector", kibana_quotes_it)
    outcomes = apply_plan(client, make_plan(client, build), environ={"HOOK_USER": "u", "HOOK_PASSWORD": secret})
    (hook,) = [o for o in outcomes if o.change.id == "hook"]
    assert not hook.ok and "allowedHosts" in hook.message and "***" in hook.message
    assert all(secret not in o.message for o in outcomes)


def test_pruning_a_rule_that_is_already_gone_counts_as_deleted(build, tmp_path):
    emulator, client = kibana()
    push(client, build)
    without_rule = build_of(tmp_path / "fewer", {k: v for k, v in FILES.items() if not k.startswith("alerts/")})
    plan = make_plan(client, without_rule, prune=True, max_delete=1)  # the repo has no rule left at all
    client.delete_rule("tilt")  # someone else deletes it between the plan and the push
    outcomes = apply_plan(client, plan, environ=SECRETS)
    assert [(o.change.id, o.ok, o.message) for o in outcomes] == [("tilt", True, "deleted")]


def test_a_connector_that_lost_its_secrets_in_kibana_gets_them_back(build):
    emulator, client = kibana()
    push(client, build)
    emulator.drop_connector_secrets("hook")  # as a saved-object import of the connector leaves it
    assert push(client, build) == {"hook": (True, "updated")}
    assert emulator.get_connector("hook")["is_missing_secrets"] is False
    assert push(client, build) == {}


def test_a_connector_recreate_whose_create_fails_says_it_is_gone_until_the_next_push(build):
    emulator, client = kibana(EmulatorConfig(license="basic"))
    client.create_connector("hook", {"name": "Hook", "connector_type_id": ".index", "config": {"index": "x"},
                                     "secrets": {}})
    plan = make_plan(client, build)
    assert [c.action for c in plan.changes if c.id == "hook"] == [Action.RECREATE]
    (hook,) = [o for o in apply_plan(client, plan, environ=SECRETS) if o.change.id == "hook"]
    assert not hook.ok and "deleted, but creating it again failed" in hook.message and "license" in hook.message
    assert emulator.get_connector("hook") is None
    assert [c.action for c in make_plan(client, build).changes if c.id == "hook"] == [Action.CREATE]


def test_prune_does_not_delete_an_object_shared_to_other_spaces(build, tmp_path):
    emulator, client = kibana()
    emulator.create_space("team")
    push(client, build)
    emulator.store.find_any_space("search", "errors").namespaces.append("team")  # shared in Kibana's UI
    without_search = build_of(tmp_path / "fewer", {k: v for k, v in FILES.items() if not k.startswith("searches/")})
    ok, message = push(client, without_search, prune=True, max_delete=1)["errors"]
    assert not ok and "shared to other spaces" in message
    assert emulator.store.find_any_space("search", "errors").namespaces == ["default", "team"]
