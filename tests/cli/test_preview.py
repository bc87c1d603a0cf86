"""``kibana-sync preview``: the SVG shows every panel where build puts it on the 48-column grid (checked against
the compiled ``gridData``, not against the picture code's own layout), with its title, and the controls bar."""

from __future__ import annotations

import json
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from kibana_sync.cli.main import main
from kibana_sync.preview.picture import picture_of_model, picture_of_saved_object
from kibana_sync.preview.svg import COLUMN_PX, ROW_PX, grid_origin, render_svg
from kibana_sync.project.loader import Project, load_project

REPO = Path(__file__).resolve().parents[2]
GENESIS_DASHBOARDS = sorted((REPO / "objects" / "dashboards").glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def genesis() -> Project:
    project = load_project(REPO / "objects")
    assert project.ok
    return project


def _stored_dashboard(project: Project, path: Path) -> dict:
    entry = next(e for e in project.of_kind("dashboard") if Path(e.source.path).resolve() == path.resolve())
    return project.compiled(entry)


def _panel_groups(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if g.get("class") == "panel"]


def test_genesis_has_dashboards_to_preview() -> None:
    assert len(GENESIS_DASHBOARDS) >= 3


@pytest.mark.parametrize("path", GENESIS_DASHBOARDS, ids=lambda p: p.stem)
def test_preview_panels_sit_at_their_grid_positions(path: Path, genesis: Project, tmp_path: Path) -> None:
    out = tmp_path / f"{path.stem}.svg"
    result = CliRunner().invoke(main, ["preview", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    svg = ET.parse(out).getroot()
    stored = _stored_dashboard(genesis, path)
    panels = json.loads(stored["attributes"]["panelsJSON"])
    has_controls = "controlGroupInput" in stored["attributes"]
    groups = _panel_groups(svg)
    assert len(groups) == len(panels)
    # Where grid cell (0, 0) is: below the title, and below the controls bar when there is one.
    left, top = grid_origin(picture_of_saved_object(stored))
    for group, panel in zip(groups, panels, strict=True):
        rect = next(r for r in group.iter(f"{SVG}rect") if r.get("class") == "panel-box")
        grid = panel["gridData"]
        assert (float(rect.get("x")), float(rect.get("y")), float(rect.get("width")), float(rect.get("height"))) == (
            left + grid["x"] * COLUMN_PX, top + grid["y"] * ROW_PX, grid["w"] * COLUMN_PX, grid["h"] * ROW_PX)
        texts = ["".join(t.itertext()) for t in group.iter(f"{SVG}text")]
        assert panel["title"] in texts, (texts, panel["title"])
    controls = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "controls"]
    assert len(controls) == (1 if has_controls else 0)
    if has_controls:
        expected = len(json.loads(stored["attributes"]["controlGroupInput"]["panelsJSON"]))
        assert len([r for r in controls[0].iter(f"{SVG}rect") if r.get("class") == "control"]) == expected


def test_flowed_panels_wrap_at_column_48(tmp_path: Path) -> None:
    objects = tmp_path / "objects"
    (objects / "dashboards").mkdir(parents=True)
    dashboard = objects / "dashboards" / "flow.yaml"
    dashboard.write_text(
        "title: Flow\npanels:\n"
        "  - {title: A, w: 30, h: 5, markdown: a}\n"
        "  - {title: B, w: 30, h: 8, markdown: b}\n"  # does not fit beside A: next row, below A
        "  - {title: C, w: 10, h: 2, markdown: c}\n"
        "  - {title: D, at: {x: 0, y: 40}, w: 12, h: 3, markdown: d}\n")
    out = tmp_path / "flow.svg"
    result = CliRunner().invoke(main, ["preview", str(dashboard), "--out", str(out)])
    assert result.exit_code == 0, result.output
    svg = ET.parse(out).getroot()
    left, top = 16, 16 + 36  # no controls: the grid starts right below the title
    boxes = [next(r for r in g.iter(f"{SVG}rect") if r.get("class") == "panel-box") for g in _panel_groups(svg)]
    grid = [((float(r.get("x")) - left) / COLUMN_PX, (float(r.get("y")) - top) / ROW_PX,
             float(r.get("width")) / COLUMN_PX, float(r.get("height")) / ROW_PX) for r in boxes]
    assert grid == [(0, 0, 30, 5), (0, 5, 30, 8), (30, 5, 10, 2), (0, 40, 12, 3)]


def test_picture_of_stored_dashboard_matches_the_yaml_picture(genesis: Project) -> None:
    # diff's before/after pictures read Kibana's stored form; it must draw what the YAML picture draws
    for entry in genesis.of_kind("dashboard"):
        from_yaml = picture_of_model(entry.model, lambda kind, id_: genesis.get(id_, kind).title)
        from_stored = picture_of_saved_object(genesis.compiled(entry))
        assert [(p.x, p.y, p.w, p.h, p.title) for p in from_stored.panels] == \
               [(p.x, p.y, p.w, p.h, p.title) for p in from_yaml.panels]
        assert [p.category for p in from_stored.panels] == [p.category for p in from_yaml.panels]
        assert len(from_stored.controls) == len(from_yaml.controls)
        assert from_stored.title == from_yaml.title


def test_panel_colours_differ_by_panel_type(genesis: Project) -> None:
    entry = genesis.get("genesis-trading-activity", "dashboard")
    svg = ET.fromstring(render_svg(picture_of_model(entry.model)))
    fills: dict[str, set[str]] = {}
    for group in _panel_groups(svg):
        rect = next(r for r in group.iter(f"{SVG}rect") if r.get("class") == "panel-box")
        fills.setdefault(group.get("data-category"), set()).add(rect.get("fill"))
    assert {"chart", "search"} <= set(fills)
    assert all(len(colours) == 1 for colours in fills.values())
    assert fills["chart"] != fills["search"]


def test_titles_are_escaped_for_xml(tmp_path: Path) -> None:
    objects = tmp_path / "objects" / "dashboards"
    objects.mkdir(parents=True)
    (objects / "x.yaml").write_text("title: 'R&D <errors>'\npanels:\n  - {title: 'a < b & \"c\"', markdown: x}\n")
    out = tmp_path / "x.svg"
    assert CliRunner().invoke(main, ["preview", str(objects / "x.yaml"), "--out", str(out)]).exit_code == 0
    svg = ET.parse(out).getroot()  # parses: nothing unescaped
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert "R&D <errors>" in texts and 'a < b & "c"' in texts


def test_invalid_dashboard_is_reported_at_its_line_and_exits_2(tmp_path: Path) -> None:
    objects = tmp_path / "objects" / "dashboards"
    objects.mkdir(parents=True)
    (objects / "bad.yaml").write_text("title: Bad\npanels:\n  - {title: A, w: 30, markdown: a, colour: red}\n")
    result = CliRunner().invoke(main, ["preview", str(objects / "bad.yaml"), "--out", str(tmp_path / "b.svg")])
    assert result.exit_code == 2
    assert "bad.yaml:3:" in result.output and "colour" in result.output
    assert not (tmp_path / "b.svg").exists()


def test_file_outside_a_dashboards_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("title: X\n")
    result = CliRunner().invoke(main, ["preview", str(tmp_path / "x.yaml"), "--out", str(tmp_path / "x.svg")])
    assert result.exit_code == 2
    assert "dashboards/" in result.output


def test_png_without_a_renderer_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setitem(sys.modules, "cairosvg", None)  # makes `import cairosvg` fail even where it is installed
    out = tmp_path / "x.png"
    result = CliRunner().invoke(main, ["preview", str(GENESIS_DASHBOARDS[0]), "--out", str(out)])
    assert result.exit_code == 2
    assert "rsvg-convert" in result.output and "cairosvg" in result.output
    assert not out.exists()


@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="rsvg-convert is not installed")
def test_png_with_rsvg_convert(tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    result = CliRunner().invoke(main, ["preview", str(GENESIS_DASHBOARDS[0]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _write_dashboard(objects: Path, second_panel_at: str) -> None:
    (objects / "dashboards").mkdir(parents=True, exist_ok=True)
    (objects / "dashboards" / "ops.yaml").write_text(
        "id: ops\ntitle: Ops\npanels:\n"
        "  - {title: Runbook, w: 24, h: 10, markdown: 'see the wiki'}\n"
        f"  - {{title: Notes, w: 24, h: 10, markdown: 'none yet'{second_panel_at}}}\n")


def _boxes(svg_path: Path) -> dict[str, tuple[float, ...]]:
    svg = ET.parse(svg_path).getroot()
    out = {}
    for group in _panel_groups(svg):
        rect = next(r for r in group.iter(f"{SVG}rect") if r.get("class") == "panel-box")
        title = next(t for t in group.iter(f"{SVG}text") if t.get("class") == "panel-title")
        out["".join(title.itertext())] = tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))
    return out


def test_markdown_diff_of_a_moved_panel_shows_before_and_after(tmp_path: Path, emulator_url: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIBANA_URL", emulator_url)
    monkeypatch.setenv("KIBANA_USERNAME", "elastic")
    monkeypatch.setenv("KIBANA_PASSWORD", "changeme")
    objects = tmp_path / "objects"
    _write_dashboard(objects, "")
    pushed = CliRunner().invoke(main, ["push", "--objects", str(objects)])
    assert pushed.exit_code == 0, pushed.output
    _write_dashboard(objects, ", at: {x: 0, y: 10}")  # Notes moves from beside Runbook to below it
    previews = tmp_path / "previews"
    result = CliRunner().invoke(main, ["diff", "--objects", str(objects), "--output", "markdown",
                                       "--previews", str(previews)])
    assert result.exit_code == 1, result.output
    before, after = previews / "ops.before.svg", previews / "ops.after.svg"
    assert f"![before]({before.as_posix()})" in result.output
    assert f"![after]({after.as_posix()})" in result.output
    left, top = 16, 16 + 36
    assert _boxes(before)["Notes"] == (left + 24 * COLUMN_PX, top, 24 * COLUMN_PX, 10 * ROW_PX)
    assert _boxes(after)["Notes"] == (left, top + 10 * ROW_PX, 24 * COLUMN_PX, 10 * ROW_PX)
    assert _boxes(before)["Runbook"] == _boxes(after)["Runbook"]


def test_previews_need_markdown_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["diff", "--output", "text", "--previews", str(tmp_path)])
    assert result.exit_code == 2
    assert "--output markdown" in result.output


def test_every_library_panel_type_reads_the_same_from_kibanas_stored_form(tmp_path: Path) -> None:
    # the "before" picture of a diff comes from the stored dashboard: each panel type must keep its colour
    (tmp_path / "dashboards").mkdir()
    panels = "".join(f"  - {{title: {key}, {key}: {{external: x-{key}}}}}\n"
                     for key in ("visualization", "lens", "map", "links", "search"))
    (tmp_path / "dashboards" / "d.yaml").write_text(
        f"id: d\ntitle: D\npanels:\n{panels}  - {{title: notes, markdown: hello}}\n")
    project = load_project(tmp_path)
    assert project.ok, [str(d) for d in project.diagnostics.errors]
    entry = project.get("d", "dashboard")
    from_yaml = picture_of_model(entry.model)
    from_stored = picture_of_saved_object(project.compiled(entry))
    assert [(p.category, p.label) for p in from_stored.panels] == [(p.category, p.label) for p in from_yaml.panels]
    assert [p.category for p in from_yaml.panels] == ["visualization", "lens", "map", "links", "search", "markdown"]


def test_unwritable_output_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["preview", str(GENESIS_DASHBOARDS[0]), "--out",
                                       str(tmp_path / "missing" / "x.svg")])
    assert result.exit_code == 2
    assert "cannot write" in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a traceback
