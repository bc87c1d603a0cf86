"""``push`` then ``export`` against the Kibana emulator (served on loopback): what comes back from a live Kibana
builds to what was pushed, and exporting into the repo that was pushed changes no file."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner
from kibana_emulator import KibanaEmulator, serve

from kibana_sync.cli.main import main
from kibana_sync.kibana.ownership import unmark_rule, unmark_saved_object
from kibana_sync.kinds.registry import all_kinds, kind_for_saved_object_type
from kibana_sync.project.build import Build, compile_project
from kibana_sync.project.loader import load_project

pytestmark = pytest.mark.slow  # end to end or corpus-wide: run by the full suite, not the fast set

REPO_OBJECTS = Path(__file__).resolve().parents[2] / "objects"
KIBANA_STORES = ("saved_objects", "rules", "connectors")


@pytest.fixture
def pushed(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An emulated Kibana holding the GENESIS objects, pushed by kibana-sync from a copy of objects/."""
    tree = tmp_path / "objects"
    for kind in all_kinds():  # Kibana's objects only: Elasticsearch's need an Elasticsearch to push to
        if kind.store in KIBANA_STORES and (REPO_OBJECTS / kind.folder).is_dir():
            shutil.copytree(REPO_OBJECTS / kind.folder, tree / kind.folder)
    with serve(KibanaEmulator()) as url:
        result = invoke(url, "push", "--objects", str(tree))
        assert result.exit_code == 0, result.output
        yield url, tree


def invoke(url: str, *args: str) -> Any:
    unset = {k: None for k in os.environ if k.startswith("KIBANA")}
    env = {**unset, "KIBANA_URL": url, "KIBANA_USERNAME": "elastic", "KIBANA_PASSWORD": "changeme"}
    return CliRunner().invoke(main, list(args), env=env)


def build_of(tree: Path) -> Build:
    project = load_project(tree)
    assert project.ok, [str(d) for d in project.diagnostics.errors]
    return compile_project(project)


def test_a_live_export_builds_to_what_was_pushed(pushed: tuple[str, Path], tmp_path: Path) -> None:
    url, tree = pushed
    result = invoke(url, "export", "--all", "--out", str(tmp_path / "exported"), "--output", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["errors"] == []
    # GENESIS dashboards are written compactly, so every panel comes back compact.
    panels = sum(len(yaml.safe_load(p.read_text()).get("panels", [])) for p in (tree / "dashboards").glob("*.yaml"))
    assert report["parts"]["dashboard"] == {"compact": panels, "raw": 0}

    before, after = build_of(tree), build_of(tmp_path / "exported")
    assert {(o["type"], o["id"]) for o in after.saved_objects} == {(o["type"], o["id"]) for o in before.saved_objects}
    again = {(o["type"], o["id"]): o for o in after.saved_objects}
    for obj in before.saved_objects:
        kind = kind_for_saved_object_type(obj["type"])
        assert kind is not None
        assert kind.normalise(unmark_saved_object(again[(obj["type"], obj["id"])])) == \
            kind.normalise(unmark_saved_object(obj)), obj["id"]
    rules = next(k for k in all_kinds() if k.store == "rules")
    assert set(after.rules) == set(before.rules)
    for id_, body in before.rules.items():
        assert rules.normalise(unmark_rule(after.rules[id_])) == rules.normalise(unmark_rule(body)), id_
    assert after.connectors == before.connectors


def test_exporting_into_the_repo_that_was_pushed_changes_no_file(pushed: tuple[str, Path]) -> None:
    url, tree = pushed
    snapshot = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    result = invoke(url, "export", "--all", "--out", str(tree), "--output", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changed_files"] == 0
    assert {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()} == snapshot


def test_a_panel_title_changed_in_kibana_changes_one_line_of_one_file_and_comments_survive(
        pushed: tuple[str, Path]) -> None:
    url, tree = pushed
    with httpx.Client(base_url=url, auth=("elastic", "changeme"), headers={"kbn-xsrf": "test"}) as kibana:
        stored = kibana.get("/api/saved_objects/dashboard/genesis-security").json()
        panels = json.loads(stored["attributes"]["panelsJSON"])
        (panel,) = [p for p in panels if p.get("title") == "Permission denials"]
        panel["title"] = "Denied permissions"  # what renaming a panel in the UI saves
        kibana.put("/api/saved_objects/dashboard/genesis-security",
                   json={"attributes": {**stored["attributes"], "panelsJSON": json.dumps(panels)}}).raise_for_status()
    snapshot = {p: p.read_text() for p in tree.rglob("*.yaml")}

    result = invoke(url, "export", "--all", "--out", str(tree), "--output", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["changed_files"] == 1
    after = {p: p.read_text() for p in tree.rglob("*.yaml")}
    changed = [p for p in snapshot if after[p] != snapshot[p]]
    assert [p.name for p in changed] == ["security.yaml"]
    diff = [line for line in difflib.unified_diff(snapshot[changed[0]].splitlines(), after[changed[0]].splitlines(),
                                                  lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    # Panel ids are derived from titles (kinds/dashboard), so the renamed panel's id, which Kibana kept, is now
    # written out: without it the next push would give the panel a new panelIndex.
    assert diff[:2] == ["-  - title: Permission denials", "+  - title: Denied permissions"]
    assert len(diff) == 3 and re.fullmatch(r"\+    id: [0-9a-f-]{36}", diff[2]), diff
    assert "# security reviews look at a week, not a day" in after[changed[0]]  # comments elsewhere stay


def test_a_dashboard_exported_by_title_brings_its_data_view_and_tag(
        pushed: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = pushed
    out = tmp_path / "one"
    result = invoke(url, "export", "--type", "dashboard", "--title", "*Security*", "--out", str(out))

    assert result.exit_code == 0, result.output
    folders = {p.parent.name for p in out.rglob("*.yaml")}
    # what the Security dashboard uses comes along, and nothing else (no rule, connector or other dashboard)
    assert {"dashboards", "data_views", "tags"} <= folders <= {"dashboards", "data_views", "tags", "searches"}
    assert [p.name for p in (out / "dashboards").iterdir()] == ["genesis-security.yaml"]
    assert load_project(out).ok


def test_a_rule_exported_by_title_brings_its_connector_and_data_view(pushed: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = pushed
    out = tmp_path / "one"
    result = invoke(url, "export", "--type", "rule", "--title", "*slow executions*", "--out", str(out))

    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.yaml"))
    assert written == ["alerts/genesis-slow-executions.yaml", "connectors/genesis-alertmanager.yaml",
                       "data_views/genesis-logs.yaml"]
    assert load_project(out).ok
