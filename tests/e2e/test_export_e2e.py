"""``push`` then ``export`` against the Kibana emulator (served on loopback): what comes back from a live Kibana
builds to what was pushed, and exporting into the repo that was pushed changes no file."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture
def pushed(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An emulated Kibana holding the GENESIS objects, pushed by kibana-sync from a copy of objects/."""
    tree = tmp_path / "objects"
    shutil.copytree(REPO_OBJECTS, tree)
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


def test_a_dashboard_exported_by_title_brings_its_data_view_and_tag(
        pushed: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = pushed
    out = tmp_path / "one"
    result = invoke(url, "export", "--type", "dashboard", "--title", "*Security*", "--out", str(out))

    assert result.exit_code == 0, result.output
    folders = {p.parent.name for p in out.rglob("*.yaml")}
    assert folders == {"dashboards", "data_views", "tags"}  # GENESIS dashboards use no saved search
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
