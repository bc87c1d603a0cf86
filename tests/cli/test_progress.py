"""Progress bars: drawn on a terminal for long work, never in a CI log or a pipe."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from kibana_sync.cli import progress
from kibana_sync.cli.main import main
from kibana_sync.cli.progress import MIN_ITEMS, with_progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_counts_items_on_a_terminal() -> None:
    stream = Terminal()
    items = list(range(MIN_ITEMS + 5))
    assert list(with_progress(items, "exporting", stream)) == items
    assert f"{len(items)}/{len(items)}" in stream.getvalue()
    assert "exporting" in stream.getvalue()


def test_nothing_drawn_when_not_a_terminal() -> None:
    stream = io.StringIO()
    items = list(range(MIN_ITEMS + 5))
    assert list(with_progress(items, "exporting", stream)) == items
    assert stream.getvalue() == ""


def test_nothing_drawn_for_a_few_items() -> None:
    stream = Terminal()
    assert list(with_progress([1, 2, 3], "exporting", stream)) == [1, 2, 3]
    assert stream.getvalue() == ""


@pytest.fixture
def many_objects_build(tmp_path: Path) -> Path:
    objects = tmp_path / "objects"
    (objects / "data_views").mkdir(parents=True)
    (objects / "data_views" / "logs.yaml").write_text("index_pattern: logs-*\nname: Logs\ntime_field: '@timestamp'\n")
    (objects / "searches").mkdir()
    for i in range(MIN_ITEMS + 5):
        (objects / "searches" / f"s{i}.yaml").write_text(f"title: Search {i}\ndata_view: logs\nquery: 'level : {i}'\n")
    out = tmp_path / "dist"
    result = CliRunner().invoke(main, ["build", "--objects", str(objects), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_export_shows_progress_only_on_a_terminal(many_objects_build: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["export", "--from-file", str(many_objects_build), "--out", str(tmp_path / "a")]
    quiet = CliRunner().invoke(main, args)
    assert quiet.exit_code == 0, quiet.output
    assert "exporting" not in quiet.stderr
    monkeypatch.setattr(progress, "is_terminal", lambda stream: True)
    shown = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "b")])
    assert shown.exit_code == 0, shown.output
    assert "exporting" in shown.stderr  # click prints the bar's label where it cannot draw the bar
    assert shown.stdout == quiet.stdout.replace(str(tmp_path / "a"), str(tmp_path / "b"))
