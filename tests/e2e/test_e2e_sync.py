"""``diff`` and ``push`` end to end: the CLI against the Kibana emulator served on loopback, on a temp copy of
the repo's ``objects/`` plus a small dashboard, search, connector and rule of this test's own.

The main story runs the CLI as a subprocess, exactly as CI would. The other scenarios run
the same command in-process (click's runner, still over HTTP to the served emulator): a subprocess costs
seconds of interpreter start-up each, and those scenarios test the sync logic, not the process boundary.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from kibana_emulator import KibanaEmulator, serve

from kibana_sync.cli.main import main
from kibana_sync.kinds.connector.kind import secret_variables
from kibana_sync.project.build import compile_project
from kibana_sync.project.loader import load_project

pytestmark = pytest.mark.slow  # end to end or corpus-wide: run by the full suite, not the fast set

REPO_OBJECTS = Path(__file__).resolve().parents[2] / "objects"
CLI = [sys.executable, "-c", "from kibana_sync.cli.main import main; main()"]
PANEL = "Volume by symbol"

E2E_FILES = {
    "dashboards/e2e-trading.yaml": f"""\
id: e2e-trading
title: E2E trading
data_view: genesis-logs
panels:
  - title: {PANEL}
    chart: bar
    x: {{terms: data.symbol}}
    metric: count
  - title: Orders
    chart: metric
    metric: count
""",
    "searches/e2e-failed-orders.yaml": """\
id: e2e-failed-orders
title: E2E failed orders
data_view: genesis-logs
query: "level:ERROR"
columns: [component, message]
""",
    "connectors/e2e-hook.yaml": """\
id: e2e-hook
name: E2E webhook
type: .webhook
config: {url: "https://hooks.example.com/e2e", auth_type: basic}
secrets: {user: {env: E2E_HOOK_USER}, password: {env: E2E_HOOK_PASSWORD}}
""",
    "alerts/e2e-tilt.yaml": """\
id: e2e-tilt
name: E2E tilt too high
query: {kql: "tilt_score >= 90", data_view: genesis-logs}
window: 5m
actions: [{connector: e2e-hook, params: {body: "tilt {{context.value}}"}}]
""",
}


@pytest.fixture
def objects(tmp_path: Path) -> Path:
    tree = tmp_path / "objects"
    # Kibana's objects only: the Elasticsearch ones need an Elasticsearch (tests/genesis pushes the whole repo).
    shutil.copytree(REPO_OBJECTS, tree, ignore=shutil.ignore_patterns(
        "ilm_policies", "ingest_pipelines", "component_templates", "index_templates"))
    for rel, text in E2E_FILES.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(text)
    return tree


@pytest.fixture
def kibana() -> Iterator[tuple[KibanaEmulator, str]]:
    emulator = KibanaEmulator()
    with serve(emulator) as url:
        yield emulator, url


def secrets_for(tree: Path) -> dict[str, str]:
    """A value for every secret variable the connectors name (the repo's own and this test's)."""
    project = load_project(tree)
    if not project.ok:  # the command will refuse the tree before it needs any secret
        return {}
    build = compile_project(project)
    return {var: f"secret-{var.lower()}" for body in build.connectors.values()
            for var in secret_variables(body).values()}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def cli_env(url: str, tree: Path, env: dict[str, str] | None) -> dict[str, str]:
    return {"KIBANA_URL": url, "KIBANA_USERNAME": "elastic", "KIBANA_PASSWORD": "changeme",
            **secrets_for(tree), **(env or {})}


def run(url: str, tree: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """The CLI as a subprocess."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KIBANA")}
    done = subprocess.run([*CLI, *args, "--objects", str(tree)], env={**clean, **cli_env(url, tree, env)},
                          capture_output=True, text=True, timeout=120, check=False)
    return Result(done.returncode, done.stdout, done.stderr)


def invoke(url: str, tree: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """The same command in-process."""
    unset = {k: None for k in os.environ if k.startswith("KIBANA")}
    done = CliRunner().invoke(main, [*args, "--objects", str(tree)], env={**unset, **cli_env(url, tree, env)})
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return Result(done.exit_code, done.stdout, done.stderr)


def ok(result: Result, code: int = 0) -> str:
    assert result.returncode == code, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def edit_panel_metric(emulator: KibanaEmulator, dashboard_id: str) -> None:
    """As a person would in Lens: change the panel's metric from Count to Sum of data.quantity."""
    dashboard = emulator.get_object("dashboard", dashboard_id)
    assert dashboard is not None
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    (panel,) = [p for p in panels if p.get("title") == PANEL]
    layers = panel["embeddableConfig"]["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
    for layer in layers.values():
        for column in layer["columns"].values():
            if column["operationType"] == "count":
                column.update(operationType="sum", sourceField="data.quantity", label="Sum of data.quantity")
    dashboard["attributes"]["panelsJSON"] = json.dumps(panels)
    emulator.put_object(dashboard)


def test_push_is_idempotent_and_restores_a_panel_edited_in_kibana(kibana, objects):
    emulator, url = kibana
    out = ok(run(url, objects, "push"))
    assert "Push complete" in out and "FAILED" not in out
    assert emulator.get_object("dashboard", "e2e-trading") is not None
    assert emulator.get_rule("e2e-tilt")["enabled"] is True
    assert "In sync" in ok(run(url, objects, "diff"))
    emulator.reset_log()
    ok(run(url, objects, "push"))
    assert emulator.writes() == []

    edit_panel_metric(emulator, "e2e-trading")
    out = ok(run(url, objects, "diff", "--no-color"), 1)
    lines = [line for line in out.splitlines() if f'dashboard "E2E trading" › panel "{PANEL}" ›' in line]
    assert lines, out
    assert any("sum" in line and "count" in line for line in lines), out
    assert "\\\"" not in out  # no escaped JSON strings
    assert "panel \"Orders\"" not in out  # the untouched panel is not mentioned
    assert "Plan: 0 to create, 1 to update, 0 to delete" in out
    ok(run(url, objects, "push"))
    assert "In sync" in ok(run(url, objects, "diff"))


def test_push_converges_through_a_burst_of_503s(kibana, objects):
    emulator, url = kibana
    emulator.faults.fail_next(3, status=503, retry_after=0)
    ok(invoke(url, objects, "push"))
    assert sum(r.status == 503 for r in emulator.requests) == 3
    assert "In sync" in ok(invoke(url, objects, "diff"))


def test_markdown_and_json_outputs(kibana, objects):
    emulator, url = kibana
    ok(invoke(url, objects, "push"))
    edit_panel_metric(emulator, "e2e-trading")
    markdown = ok(invoke(url, objects, "diff", "--output", "markdown"), 1)
    assert markdown.startswith("### kibana-sync plan for space `default`") and "```diff\n!" in markdown
    doc = json.loads(ok(invoke(url, objects, "diff", "--output", "json"), 1))
    assert doc["summary"]["update"] == 1 and doc["changes"][0]["id"] == "e2e-trading"


def test_rule_disabled_in_kibana_is_enabled_again(kibana, objects):
    emulator, url = kibana
    ok(invoke(url, objects, "push"))
    emulator.put_rule({**emulator.get_rule("e2e-tilt"), "enabled": False})
    assert 'rule "E2E tilt too high" › enabled: false → true' in ok(invoke(url, objects, "diff"), 1)
    ok(invoke(url, objects, "push"))
    assert emulator.get_rule("e2e-tilt")["enabled"] is True


def test_prune_deletes_only_marked_objects_the_repo_no_longer_has(kibana, objects):
    emulator, url = kibana
    ok(invoke(url, objects, "push"))
    hand_made = {"type": "search", "id": "made-by-hand", "references": [],
                 "attributes": {"title": "Made by hand", "columns": [], "sort": [],
                                "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}}}
    emulator.put_object(hand_made)
    (objects / "searches" / "e2e-failed-orders.yaml").unlink()
    (objects / "alerts" / "e2e-tilt.yaml").unlink()
    assert "In sync" in ok(invoke(url, objects, "diff"))  # without --prune nothing is deleted
    out = ok(invoke(url, objects, "diff", "--prune"), 1)
    assert '-  search "E2E failed orders" (e2e-failed-orders)' in out
    assert '-  rule "E2E tilt too high" (e2e-tilt)' in out
    assert "-  search \"Made by hand\"" not in out
    assert '?  search "Made by hand" (made-by-hand)' in out  # listed as made by hand, never deleted
    ok(invoke(url, objects, "push", "--prune"))
    assert emulator.get_object("search", "e2e-failed-orders") is None
    assert emulator.get_rule("e2e-tilt") is None
    assert emulator.get_object("search", "made-by-hand") is not None
    assert "In sync" in ok(invoke(url, objects, "diff", "--prune"))


def test_one_repo_in_two_spaces_needs_an_id_suffix(kibana, objects):
    emulator, url = kibana
    emulator.create_space("staging")
    ok(invoke(url, objects, "push"))
    refused = invoke(url, objects, "push", "--space", "staging")
    assert refused.returncode == 2
    assert 'dashboard "E2E trading" (e2e-trading): id already used in another space' in refused.stdout
    assert 'rule "E2E tilt too high" (e2e-tilt): id already used in another space' in refused.stdout
    assert "--id-suffix -staging" in refused.stdout
    assert "already exists in space 'default'" in refused.stdout
    assert not [w for w in emulator.writes() if w.space == "staging"]  # no copies under random ids
    ok(invoke(url, objects, "push", "--space", "staging", "--id-suffix", "-staging"))
    assert emulator.get_object("dashboard", "e2e-trading-staging")["namespaces"] == ["staging"]
    assert "In sync" in ok(invoke(url, objects, "diff", "--space", "staging", "--id-suffix", "-staging"))
    assert "In sync" in ok(invoke(url, objects, "diff"))  # the default space is untouched


def test_diff_into_a_second_space_names_the_ids_other_spaces_hold(kibana, objects):
    emulator, url = kibana
    ok(invoke(url, objects, "push"))
    emulator.create_space("staging")
    emulator.reset_log()
    out = invoke(url, objects, "diff", "--space", "staging")
    assert out.returncode == 2
    assert ("!  dashboard \"E2E trading\" (e2e-trading): id already used in another space: 'e2e-trading' already "
            "exists in space 'default'; push this repo into a second space with --id-suffix") in out.stdout
    assert '!  connector "E2E webhook" (e2e-hook): id already used in another space' in out.stdout
    assert "push writes nothing until they are fixed" in out.stdout
    emulator.reset_log()
    assert "In sync" in ok(invoke(url, objects, "diff"))  # no creates: no cross-space read
    paths = [r.path for r in emulator.requests]
    # One listing of the spaces, for the repo's objects/spaces/; none of the other spaces' objects.
    assert paths.count("/api/spaces/space") == 1 and paths.count("/api/saved_objects/_bulk_get") == 1
    assert {r.space for r in emulator.requests} == {"default"}


def test_a_rerun_after_a_partial_failure_converges(kibana, objects):
    emulator, url = kibana
    emulator.config.license = "basic"  # .webhook connectors fail with 403: a failure found only by writing
    failed = invoke(url, objects, "push")
    assert failed.returncode == 2
    assert "Gold" in failed.stdout and "Push incomplete" in failed.stdout
    assert emulator.get_object("dashboard", "e2e-trading") is not None  # the rest was written
    emulator.config.license = "platinum"
    ok(invoke(url, objects, "push"))
    assert "In sync" in ok(invoke(url, objects, "diff"))


def test_rules_whose_connector_failed_are_not_attempted(kibana, objects):
    emulator, url = kibana
    emulator.config.license = "basic"
    failed = invoke(url, objects, "push")
    assert failed.returncode == 2
    assert 'FAILED rule "E2E tilt too high" (e2e-tilt): not attempted: connector \'e2e-hook\' failed' in failed.stdout
    assert "404" not in failed.stdout
    assert not [w for w in emulator.writes() if "/api/alerting/rule/" in w.path]


def test_missing_secret_variables_stop_push_before_any_write(kibana, objects):
    emulator, url = kibana
    failed = invoke(url, objects, "push", env={"E2E_HOOK_PASSWORD": ""})
    assert failed.returncode == 2
    assert ('!  connector "E2E webhook" (e2e-hook): needs the environment variable(s) E2E_HOOK_PASSWORD '
            "(not set or empty)") in failed.stdout
    assert "Push stopped before writing anything" in failed.stdout
    assert emulator.writes() == []
    assert ok(invoke(url, objects, "diff", env={"E2E_HOOK_PASSWORD": ""}), 1)  # diff needs no secrets


def test_nothing_is_written_to_a_space_that_does_not_exist(kibana, objects):
    emulator, url = kibana
    result = invoke(url, objects, "push", "--space", "nope")
    assert result.returncode == 2 and "space 'nope' does not exist" in result.stderr
    assert emulator.writes() == []


def test_dry_run_prints_the_plan_and_writes_nothing(kibana, objects):
    emulator, url = kibana
    out = ok(invoke(url, objects, "push", "--dry-run"), 1)
    assert '+  dashboard "E2E trading" (e2e-trading)' in out
    assert emulator.writes() == []


def test_bad_yaml_and_bad_credentials_exit_2(kibana, objects):
    _emulator, url = kibana
    bad = objects / "dashboards" / "broken.yaml"
    bad.write_text("title: Broken\npanels: [{title: x, chart: nope}]\n")
    result = invoke(url, objects, "diff")
    assert result.returncode == 2 and "broken.yaml:2:" in result.stderr
    bad.unlink()
    result = invoke(url, objects, "diff", env={"KIBANA_PASSWORD": "wrong"})
    assert result.returncode == 2 and "authentication failed" in result.stderr



def test_push_json_reports_each_result_and_stays_parseable_on_failure(kibana, objects):
    _emulator, url = kibana
    failed = invoke(url, objects, "push", "--output", "json", env={"E2E_HOOK_PASSWORD": ""})
    assert failed.returncode == 2
    doc = json.loads(failed.stdout)
    (hook,) = [r for r in doc["results"] if r["id"] == "e2e-hook"]
    assert not hook["ok"] and "E2E_HOOK_PASSWORD" in hook["message"]
    assert doc["failed"] == sum(not r["ok"] for r in doc["results"]) >= 1
    assert doc["target"] == {"url": url, "space": "default"} and doc["summary"]["create"] == len(doc["changes"])
    doc = json.loads(ok(invoke(url, objects, "push", "--output", "json")))
    assert doc["failed"] == 0 and all(r["ok"] for r in doc["results"])
