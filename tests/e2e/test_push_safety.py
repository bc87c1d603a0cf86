"""Push never clobbers what it does not own, never writes what depends on a failure, and cannot wipe a space by
mistake (issue 10): each case by a test named after it, the CLI in-process over HTTP to the Kibana emulator
served on loopback."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from kibana_emulator import KibanaEmulator, serve

from kibana_sync.cli.main import main
from kibana_sync.kibana.client import KibanaClient
from kibana_sync.kibana.connection import ConnectionSettings
from kibana_sync.kibana.ownership import unmark_rule, unmark_saved_object
from kibana_sync.project.build import compile_project
from kibana_sync.project.loader import load_project

pytestmark = pytest.mark.slow  # end to end: run by the full suite, not the fast set

SECRETS = {"HOOK_USER": "hook-user", "HOOK_PASSWORD": "hook-password-42"}
FILES = {
    "data_views/logs.yaml": "id: logs\nname: Logs\nindex_pattern: logs-*\ntime_field: '@timestamp'\n",
    "data_views/metrics.yaml": "id: metrics\nname: Metrics\nindex_pattern: metrics-*\ntime_field: '@timestamp'\n",
    "searches/errors.yaml": "id: errors\ntitle: Errors\ndata_view: logs\nquery: 'level:ERROR'\n",
    "searches/slow.yaml": "id: slow\ntitle: Slow\ndata_view: logs\nquery: 'duration > 100'\n",
    "dashboards/ops.yaml": "id: ops\ntitle: Ops\ndata_view: logs\npanels:\n"
                           "  - {title: Errors table, search: errors}\n"
                           "  - {title: Count, chart: metric, metric: count}\n",
    "connectors/hook.yaml": "id: hook\nname: Hook\ntype: .webhook\nconfig: {url: 'https://hooks.example.com/x', "
                            "auth_type: basic}\nsecrets: {user: {env: HOOK_USER}, password: {env: HOOK_PASSWORD}}\n",
    "alerts/tilt.yaml": "id: tilt\nname: Tilt\nquery: {kql: 'tilt_score >= 90', data_view: logs}\nwindow: 5m\n"
                        "actions: [{connector: hook, params: {body: tilt}}]\n",
}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.fixture
def objects(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "objects", FILES)


@pytest.fixture
def kibana() -> Iterator[tuple[KibanaEmulator, str]]:
    emulator = KibanaEmulator()
    emulator.config.users["reader"] = "reader-password"
    with serve(emulator) as url:
        yield emulator, url


def invoke(url: str, tree: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    unset = {k: None for k in os.environ if k.startswith("KIBANA")}
    full_env = {**unset, "KIBANA_URL": url, "KIBANA_USERNAME": "elastic", "KIBANA_PASSWORD": "changeme",
                **SECRETS, **(env or {})}
    done = CliRunner().invoke(main, [*args, "--objects", str(tree)], env=full_env)
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return Result(done.exit_code, done.stdout, done.stderr)


def ok(result: Result, code: int = 0) -> str:
    assert result.returncode == code, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def client_for(url: str) -> KibanaClient:
    return KibanaClient(ConnectionSettings(url=url, username="elastic", password="changeme"))


def make_by_hand(emulator: KibanaEmulator, url: str, objects: Path) -> None:
    """A dashboard and a rule made by a person in Kibana that happen to use the repo's ids (no marker)."""
    build = compile_project(load_project(objects))
    dashboard = next(o for o in build.saved_objects if o["id"] == "ops")
    hand = unmark_saved_object(dashboard)
    emulator.put_object({**hand, "attributes": {**hand["attributes"], "title": "Ops (by hand)"}})
    with client_for(url) as client:
        client.create_rule("tilt", {**unmark_rule(build.rules["tilt"]), "name": "Tilt (by hand)",
                                    "actions": []})


def test_a_dashboard_and_a_rule_made_by_hand_with_a_repo_id_are_never_overwritten(kibana, objects):
    emulator, url = kibana
    make_by_hand(emulator, url, objects)
    out = ok(invoke(url, objects, "diff"), 1)
    assert '!  dashboard "Ops" (ops): conflict: exists in Kibana without kibana-sync\'s marker, last updated at ' in out
    assert '!  rule "Tilt" (tilt): conflict: exists in Kibana without kibana-sync\'s marker, last updated by elastic' in out
    assert "2 conflict(s)" in out
    emulator.reset_log()
    refused = invoke(url, objects, "push")
    assert refused.returncode == 2
    assert "Push stopped before writing anything: 2 object(s) cannot be written" in refused.stdout
    assert '(ops): conflict' in refused.stdout and '(tilt): conflict' in refused.stdout
    assert emulator.writes() == []
    assert emulator.get_object("dashboard", "ops")["attributes"]["title"] == "Ops (by hand)"
    assert emulator.get_rule("tilt")["name"] == "Tilt (by hand)"
    adopted = ok(invoke(url, objects, "push", "--adopt"))
    assert '~  dashboard "Ops" (ops): adopted: made without kibana-sync, managed from now on' in adopted
    assert emulator.get_object("dashboard", "ops")["attributes"]["title"] == "Ops"
    assert "In sync" in ok(invoke(url, objects, "diff"))


def test_an_object_made_by_hand_that_equals_the_yaml_is_left_alone_and_listed_not_a_conflict(kibana, objects):
    emulator, url = kibana
    build = compile_project(load_project(objects))
    emulator.put_object(unmark_saved_object(next(o for o in build.saved_objects if o["id"] == "ops")))
    hand = emulator.get_object("dashboard", "ops")
    line = ('=  dashboard "Ops" (ops): unchanged, not managed (made without kibana-sync; `--adopt` takes it over)')
    out = ok(invoke(url, objects, "diff"), 1)  # the other objects are still to create
    assert line in out and "conflict" not in out
    document = json.loads(ok(invoke(url, objects, "diff", "--output", "json"), 1))
    assert [(c["id"], c["note"]) for c in document["not_managed"]] == [("ops", line.split("): ", 1)[1])]
    assert not any(c["id"] == "ops" for c in document["changes"])
    emulator.reset_log()
    pushed = ok(invoke(url, objects, "push"))
    assert line in pushed
    assert not any("/ops" in str(w) or "'ops'" in str(w) for w in emulator.writes())
    assert emulator.get_object("dashboard", "ops") == hand  # not written: still the hand-made object, unmarked
    again = ok(invoke(url, objects, "diff"))
    assert "In sync" in again and line in again
    # Not managed means a change to it in the repo is a conflict then, as for any object made by hand ...
    (objects / "dashboards" / "ops.yaml").write_text(FILES["dashboards/ops.yaml"].replace("title: Ops", "title: Ops 2"))
    changed = invoke(url, objects, "push")
    assert changed.returncode == 2 and '!  dashboard "Ops 2" (ops): conflict: exists in Kibana without' in changed.stdout
    assert emulator.get_object("dashboard", "ops") == hand
    # ... until it is adopted.
    (objects / "dashboards" / "ops.yaml").write_text(FILES["dashboards/ops.yaml"])
    adopted = ok(invoke(url, objects, "push", "--adopt"))
    assert '~  dashboard "Ops" (ops): adopted: made without kibana-sync, managed from now on' in adopted
    final = ok(invoke(url, objects, "diff"))
    assert "In sync" in final and "not managed" not in final


def test_an_object_made_by_hand_that_differs_from_the_yaml_stays_a_conflict(kibana, objects):
    emulator, url = kibana
    build = compile_project(load_project(objects))
    view = unmark_saved_object(next(o for o in build.saved_objects if o["id"] == "logs"))
    emulator.put_object({**view, "attributes": {**view["attributes"], "timeFieldName": "event.created"}})
    emulator.reset_log()
    refused = invoke(url, objects, "push")
    assert refused.returncode == 2
    assert '!  data view "Logs" (logs): conflict: exists in Kibana without kibana-sync\'s marker' in refused.stdout
    assert "not managed" not in refused.stdout
    assert emulator.writes() == []
    assert emulator.get_object("index-pattern", "logs")["attributes"]["timeFieldName"] == "event.created"


def test_adopt_true_in_the_yaml_takes_over_that_object_only(kibana, objects):
    emulator, url = kibana
    make_by_hand(emulator, url, objects)
    emulator.reset_log()
    (objects / "dashboards" / "ops.yaml").write_text("adopt: true\n" + FILES["dashboards/ops.yaml"])
    out = ok(invoke(url, objects, "diff"), 1)
    assert '~  dashboard "Ops" (ops): adopted' in out
    assert '!  rule "Tilt" (tilt): conflict' in out
    assert invoke(url, objects, "push").returncode == 2  # the rule is still someone else's
    assert emulator.writes() == []
    (objects / "alerts" / "tilt.yaml").write_text("adopt: true\n" + FILES["alerts/tilt.yaml"])
    ok(invoke(url, objects, "push"))
    assert emulator.get_rule("tilt")["name"] == "Tilt"
    assert "In sync" in ok(invoke(url, objects, "diff"))
    (objects / "alerts" / "tilt.yaml").write_text("adopt: yes please\n" + FILES["alerts/tilt.yaml"])
    bad = invoke(url, objects, "diff")
    assert bad.returncode == 2 and "tilt.yaml:1:1: error: adopt: expected true or false" in bad.stderr


def test_when_every_import_fails_no_rule_is_created_and_a_rerun_converges(kibana, objects):
    emulator, url = kibana
    emulator.config.max_import_payload_bytes = 100  # every _import answers 413
    failed = invoke(url, objects, "push")
    assert failed.returncode == 2
    assert "413" in failed.stdout
    assert "FAILED rule \"Tilt\" (tilt): not attempted: data view 'logs' failed" in failed.stdout
    assert "not attempted because something they need failed" in failed.stdout
    assert not [w for w in emulator.writes() if "/api/alerting/rule" in w.path]
    emulator.config.max_import_payload_bytes = 26_214_400
    ok(invoke(url, objects, "push"))
    assert "In sync" in ok(invoke(url, objects, "diff"))


def test_a_dashboard_whose_search_failed_is_not_written(kibana, objects):
    emulator, url = kibana
    # A data view made outside the repo that nobody created: Kibana refuses the search's import.
    (objects / "searches" / "errors.yaml").write_text("id: errors\ntitle: Errors\ndata_view: {external: gone}\n")
    failed = invoke(url, objects, "push")
    assert failed.returncode == 2
    assert "FAILED search \"Errors\" (errors): references objects Kibana does not have: index-pattern 'gone'" \
        in failed.stdout
    assert "FAILED dashboard \"Ops\" (ops): not attempted: search 'errors' failed" in failed.stdout
    assert emulator.get_object("dashboard", "ops") is None
    assert emulator.get_object("index-pattern", "logs") is not None  # what does not depend on it is written
    emulator.put_object({"type": "index-pattern", "id": "gone", "references": [],
                         "attributes": {"title": "gone-*", "name": "Gone"}})
    ok(invoke(url, objects, "push"))
    assert "In sync" in ok(invoke(url, objects, "diff"))


def test_prune_with_an_empty_or_mistyped_objects_folder_is_refused(kibana, objects, tmp_path):
    emulator, url = kibana
    ok(invoke(url, objects, "push"))
    emulator.reset_log()
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = invoke(url, empty, "push", "--prune")
    assert refused.returncode == 2
    assert "the objects folder holds no objects" in refused.stdout and "--max-delete" in refused.stdout
    assert emulator.writes() == []
    assert invoke(url, tmp_path / "objcts", "push", "--prune").returncode == 2
    assert emulator.writes() == []
    assert emulator.get_object("dashboard", "ops") is not None


def test_prune_of_every_object_of_a_kind_is_refused_unless_max_delete_allows_it(kibana, objects):
    emulator, url = kibana
    ok(invoke(url, objects, "push"))
    (objects / "alerts" / "tilt.yaml").unlink()
    refused = invoke(url, objects, "push", "--prune")
    assert refused.returncode == 2
    assert "the objects folder has no rule at all, and --prune would delete 1 of them" in refused.stdout
    assert emulator.get_rule("tilt") is not None
    assert ok(invoke(url, objects, "diff", "--prune"), 2)
    ok(invoke(url, objects, "push", "--prune", "--max-delete", "1"))
    assert emulator.get_rule("tilt") is None


def test_prune_of_more_than_half_the_managed_objects_is_refused(kibana, objects):
    emulator, url = kibana
    ok(invoke(url, objects, "push"))
    for rel in ("searches/slow.yaml", "dashboards/ops.yaml", "data_views/metrics.yaml", "alerts/tilt.yaml"):
        (objects / rel).unlink()
    refused = invoke(url, objects, "push", "--prune")
    assert refused.returncode == 2
    assert "--prune would delete 4 of the 7 managed objects in the space, more than half" in refused.stdout
    assert emulator.get_object("search", "slow") is not None
    assert invoke(url, objects, "push", "--prune", "--max-delete", "3").returncode == 2
    ok(invoke(url, objects, "push", "--prune", "--max-delete", "4"))
    assert emulator.get_object("search", "slow") is None


def test_prune_never_deletes_a_data_view_a_hand_made_dashboard_uses(kibana, objects):
    emulator, url = kibana
    ok(invoke(url, objects, "push"))
    emulator.put_object({"type": "dashboard", "id": "by-hand", "attributes": {
        "title": "Metrics by hand", "panelsJSON": "[]", "optionsJSON": "{}", "timeRestore": False,
        "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}},
        "references": [{"type": "index-pattern", "id": "metrics", "name": "kibanaSavedObjectMeta.searchSourceJSON.index"}]})
    (objects / "data_views" / "metrics.yaml").unlink()
    out = ok(invoke(url, objects, "push", "--prune"))
    assert ('=  data view "Metrics" (metrics): not deleted: still used by dashboard "Metrics by hand" (by-hand), '
            "made without kibana-sync") in out
    assert emulator.get_object("index-pattern", "metrics") is not None


def test_diff_lists_objects_made_by_hand_with_a_hint_to_export_them(kibana, objects):
    emulator, url = kibana
    ok(invoke(url, objects, "push"))
    emulator.put_object({"type": "dashboard", "id": "by-hand", "references": [], "attributes": {
        "title": "Made in the UI", "panelsJSON": "[]", "optionsJSON": "{}", "timeRestore": False,
        "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}}})
    out = ok(invoke(url, objects, "diff"))
    assert "In Kibana but not in the repo (made by hand): 1 object(s); bring them into the repo with " \
           "`kibana-sync export --all`" in out
    assert '?  dashboard "Made in the UI" (by-hand)' in out
    assert ok(invoke(url, objects, "diff", "--fail-on-unmanaged"), 1)
    doc = json.loads(ok(invoke(url, objects, "diff", "--output", "json")))
    assert doc["unmanaged"] == [{"kind": "dashboard", "type": "dashboard", "id": "by-hand", "title": "Made in the UI"}]


def test_a_user_without_write_privileges_gets_one_message_at_the_first_403(kibana, objects):
    emulator, url = kibana
    emulator.config.read_only_users = frozenset({"reader"})
    result = invoke(url, objects, "push", env={"KIBANA_USERNAME": "reader", "KIBANA_PASSWORD": "reader-password"})
    assert result.returncode == 2
    text = result.stdout + result.stderr
    assert text.count("403") == 1, text
    assert "cannot write saved objects in this space: it needs the Kibana feature privilege All" in text
    assert "Push stopped at the first refusal" in text
    assert not any(w.status and w.status < 300 for w in emulator.writes())


def test_an_https_url_answered_by_plain_http_is_named_as_such(kibana, objects):
    _emulator, url = kibana
    result = invoke(url.replace("http://", "https://"), objects, "diff")
    assert result.returncode == 2
    assert "answered in plain HTTP on an https:// URL" in result.stderr and "TLS certificate" not in result.stderr
    assert url in result.stderr  # the http:// URL to use instead


def test_two_pushes_at_once_are_named_a_concurrent_change_not_another_space(kibana, objects):
    emulator, url = kibana
    from kibana_sync.sync.apply import apply_plan
    from kibana_sync.sync.target import make_plan

    build = compile_project(load_project(objects))
    with client_for(url) as first, client_for(url) as second:
        plan = make_plan(first, build)
        apply_plan(second, make_plan(second, build), environ=SECRETS)  # the other push lands first
        outcomes = {o.change.id: o for o in apply_plan(first, plan, environ=SECRETS)}
    hook = outcomes["hook"]  # one request per connector: Kibana answers the second create with 409
    assert not hook.ok
    assert "409 version conflict" in hook.message and "while this push ran" in hook.message
    assert "another space" not in hook.message and not hook.id_taken_elsewhere


def test_the_objects_folder_from_the_repo_pushes_and_diffs_clean(kibana, tmp_path):
    """The guards do not get in the way of the ordinary path (the repo's own objects, a second push)."""
    _emulator, url = kibana
    tree = tmp_path / "objects"
    # Kibana's objects only: the Elasticsearch ones need an Elasticsearch (tests/genesis pushes the whole repo).
    shutil.copytree(Path(__file__).resolve().parents[2] / "objects", tree, ignore=shutil.ignore_patterns(
        "ilm_policies", "ingest_pipelines", "component_templates", "index_templates"))
    build = compile_project(load_project(tree))
    env = {var.strip("${}"): "x" for body in build.connectors.values()
           for var in (body.get("secrets") or {}).values()}
    ok(invoke(url, tree, "push", env=env))
    assert "In sync" in ok(invoke(url, tree, "diff", "--prune", "--fail-on-unmanaged"))


def test_a_panel_added_by_hand_reads_as_title_type_and_position_and_nothing_else_moves(kibana, objects):
    emulator, url = kibana
    (objects / "dashboards" / "ops.yaml").write_text(
        "id: ops\ntitle: Ops\ndata_view: logs\npanels:\n"
        "  - {title: A, chart: metric, metric: count}\n"
        "  - {title: B, markdown: two}\n"
        "  - {title: C, markdown: three}\n")
    ok(invoke(url, objects, "push"))
    dashboard = emulator.get_object("dashboard", "ops")
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    added = json.loads(json.dumps(panels[2]))
    added["embeddableConfig"]["savedVis"]["params"]["markdown"] = "written in Kibana"
    added.update(title="By hand", panelIndex="by-hand", gridData={**added["gridData"], "i": "by-hand", "y": 45})
    del panels[1]  # B removed in Kibana: C stays where it was, no longer where the flow would put it
    dashboard["attributes"]["panelsJSON"] = json.dumps([*panels, added])
    emulator.put_object(dashboard)
    out = ok(invoke(url, objects, "diff"), 1)
    assert '~  dashboard "Ops" › panel "By hand": removed (markdown at x=0, y=45, 24×15)' in out
    assert '~  dashboard "Ops" › panel "B": added (markdown at x=24, y=0, 24×15)' in out
    assert "at:" not in out and "panel \"C\"" not in out  # C did not move
    assert "{" not in out  # no JSON blob
