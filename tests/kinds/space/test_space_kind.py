"""Spaces: the body the spaces API accepts, the description's ownership marker, export's inverse, and the
checks that stop a space Kibana would refuse (or must never be managed) before anything is sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

from kibana_sync.cli.main import main
from kibana_sync.kibana.ownership import Marker, is_marked_space
from kibana_sync.kibana.stores.spaces import SpaceStore
from kibana_sync.kinds.space.kind import SpaceKind
from kibana_sync.project.build import compile_project, render
from kibana_sync.project.loader import load_project

KIND = SpaceKind()
STORE = SpaceStore()
SPACE = """\
name: Trading
description: The trading desk's dashboards
color: "#6092C0"
initials: TR
disabled_features: [canvas, maps]
"""


def built(tmp_path: Path, text: str = SPACE, rel: str = "spaces/trading.yaml") -> Any:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    project = load_project(tmp_path)
    assert project.ok, project.diagnostics.items
    return compile_project(project)


def test_a_space_builds_to_the_body_the_spaces_api_takes_with_the_marker_in_its_description(tmp_path: Path) -> None:
    build = built(tmp_path)
    assert build.spaces == {"trading": {
        "id": "trading", "name": "Trading", "color": "#6092C0", "initials": "TR",
        "disabledFeatures": ["canvas", "maps"],
        "description": "The trading desk's dashboards [managed-by-kibana-sync]"}}
    assert "spaces/trading.json" in render(build)


def test_the_spaces_api_accepts_the_body_and_answers_what_diff_compares_equal(
        tmp_path: Path, emulator_http: httpx.Client) -> None:
    body = built(tmp_path).spaces["trading"]
    created = emulator_http.post("/api/spaces/space", json=body)
    assert created.status_code == 200, created.text
    assert KIND.normalise(created.json()) == KIND.normalise(body)
    answer = emulator_http.get("/api/spaces/space/trading").json()
    assert KIND.normalise(answer) == KIND.normalise(body)


def test_export_gives_back_the_yaml_without_the_marker(tmp_path: Path) -> None:
    body = built(tmp_path).spaces["trading"]
    data = KIND.decompile(body).data
    assert data == {"id": "trading", "name": "Trading", "description": "The trading desk's dashboards",
                    "color": "#6092C0", "initials": "TR", "disabled_features": ["canvas", "maps"]}
    bare = KIND.decompile({"id": "x", "name": "X", "description": "[managed-by-kibana-sync]",
                           "disabledFeatures": []}).data
    assert bare == {"id": "x", "name": "X"}


def test_only_marked_spaces_are_owned_and_the_default_space_never_is() -> None:
    mine = {"id": "trading", "name": "T", "description": "desk [managed-by-kibana-sync]"}
    by_hand = {"id": "ops", "name": "Ops", "description": "made in the UI"}
    default = {"id": "default", "name": "Default", "description": "This is your default space!", "_reserved": True}
    assert STORE.is_marked(mine, Marker()) and STORE.is_marked(mine, Marker("-staging"))
    assert not STORE.is_marked(by_hand, Marker()) and not is_marked_space(by_hand)
    assert not STORE.is_marked({**default, "description": "x [managed-by-kibana-sync]"}, Marker())
    # Other spaces are none of a push's business: not listed as hand-made objects of the pushed space.
    assert STORE.is_builtin(default) and STORE.is_builtin(by_hand) and not STORE.is_builtin(mine)


def test_ids_kibana_refuses_and_the_default_space_fail_validate(tmp_path: Path) -> None:
    (tmp_path / "spaces").mkdir()
    (tmp_path / "spaces" / "desk.yaml").write_text("id: Trading.Desk\nname: Trading\n")
    (tmp_path / "spaces" / "default.yaml").write_text("name: Default\n")
    (tmp_path / "spaces" / "bad.yaml").write_text("name: Bad\ncolor: blue\ninitials: ABC\n")
    result = CliRunner().invoke(main, ["validate", "--objects", str(tmp_path)])
    assert result.exit_code == 2
    out = result.output
    assert ("desk.yaml:1:1: error: id: space id 'Trading.Desk': Kibana allows only lower case a-z, 0-9, '_' "
            "and '-'") in out, out
    assert "default.yaml:1:1: error: id: the default space is Kibana's own" in out, out
    assert "bad.yaml:2:1: error: color:" in out and "bad.yaml:3:1: error: initials:" in out, out
