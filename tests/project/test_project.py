"""Loading the objects tree: every problem reported with file:line:column and field, exit 2, nothing built."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kibana_sync.cli.main import main
from kibana_sync.project.loader import derived_id, load_project


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def messages(project) -> list[str]:
    return [str(d) for d in project.diagnostics.sorted()]


def test_reports_every_problem_not_only_the_first(tmp_path):
    write(tmp_path, "data_views/a.yaml", "index_pattern: a-*\nbogus: 1\n")
    write(tmp_path, "data_views/b.yaml", "index_pattern: b-*\nfields:\n  x: strnig\n")
    project = load_project(tmp_path)
    out = messages(project)
    assert len(project.diagnostics.errors) == 2
    assert out[0].startswith(f"{tmp_path}/data_views/a.yaml:2:1: error: bogus: unknown key 'bogus'; expected one of:")
    assert "index_pattern" in out[0]
    assert out[1].startswith(f"{tmp_path}/data_views/b.yaml:3:3: error: fields.x: Input should be")


def test_missing_required_field_names_the_field(tmp_path):
    write(tmp_path, "data_views/a.yaml", "name: No pattern\n")
    (diag,) = load_project(tmp_path).diagnostics.errors
    assert (diag.line, diag.field, diag.message) == (1, "index_pattern", "required field is missing")


def test_wrong_type_says_what_was_expected(tmp_path):
    write(tmp_path, "data_views/a.yaml", "index_pattern: a-*\nallow_no_index: maybe\n")
    (diag,) = load_project(tmp_path).diagnostics.errors
    assert diag.field == "allow_no_index" and diag.line == 2
    assert "valid boolean" in diag.message and "'maybe'" in diag.message


def test_invalid_yaml_and_non_mapping_files(tmp_path):
    write(tmp_path, "data_views/broken.yaml", "index_pattern: [a\n")
    write(tmp_path, "data_views/list.yaml", "- a\n- b\n")
    write(tmp_path, "data_views/empty.yaml", "")
    out = messages(load_project(tmp_path))
    assert any("broken.yaml:2:1: error: invalid YAML" in m for m in out)
    assert any("list.yaml:1:1: error: expected a mapping with the data_view's fields, got list" in m for m in out)
    assert any("empty.yaml:1:1: error: expected a mapping with the data_view's fields, got an empty file" in m
               for m in out)


def test_duplicate_ids_name_both_files(tmp_path):
    write(tmp_path, "data_views/one.yaml", "id: logs\nindex_pattern: a-*\n")
    write(tmp_path, "data_views/two.yaml", "id: logs\nindex_pattern: b-*\n")
    errors = load_project(tmp_path).diagnostics.errors
    assert len(errors) == 2
    assert {Path(e.file).name for e in errors} == {"one.yaml", "two.yaml"}
    assert all("duplicate data_view id 'logs'" in e.message and e.line == 1 for e in errors)


def test_ids_derive_from_paths_inside_the_kind_folder():
    assert derived_id(Path("dashboards/Team A/Trading Activity.yaml")) == "team-a-trading-activity"
    assert derived_id(Path("searches/failed-orders.yml")) == "failed-orders"


def test_files_outside_kind_folders_are_warned_about(tmp_path):
    write(tmp_path, "misc/x.yaml", "a: 1\n")
    project = load_project(tmp_path)
    assert project.ok
    assert "not in a known folder" in project.diagnostics.warnings[0].message


def test_cli_validate_exits_2_and_build_writes_nothing(tmp_path):
    write(tmp_path, "objects/data_views/a.yaml", "index_pattern: a-*\nbogus: 1\n")
    runner = CliRunner()
    result = runner.invoke(main, ["validate", "--objects", str(tmp_path / "objects")])
    assert result.exit_code == 2
    assert "a.yaml:2:1: error: bogus" in result.output
    result = runner.invoke(main, ["build", "--objects", str(tmp_path / "objects"), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 2
    assert not (tmp_path / "dist").exists()


def test_strict_turns_warnings_into_errors(tmp_path):
    write(tmp_path, "objects/misc/x.yaml", "a: 1\n")
    runner = CliRunner()
    assert runner.invoke(main, ["validate", "--objects", str(tmp_path / "objects")]).exit_code == 0
    assert runner.invoke(main, ["validate", "--strict", "--objects", str(tmp_path / "objects")]).exit_code == 2


def test_dangling_references_are_errors_at_the_reference(tmp_path):
    write(tmp_path, "data_views/logs.yaml", "id: logs\nindex_pattern: logs-*\n")
    write(tmp_path, "searches/errors.yaml", "title: Errors\ndata_view: log\nquery: 'level : ERROR'\n")
    write(tmp_path, "dashboards/ops.yaml",
          "title: Ops\ndata_view: logs\npanels:\n  - title: Errors\n    search: error\n")
    errors = {Path(d.file).name: d for d in load_project(tmp_path).diagnostics.errors}
    assert (errors["errors.yaml"].line, errors["errors.yaml"].field) == (2, "data_view")
    assert "unknown data_view 'log' (known: logs)" in errors["errors.yaml"].message
    assert (errors["ops.yaml"].line, errors["ops.yaml"].field) == (5, "panels[0].search")
    assert "unknown search 'error'" in errors["ops.yaml"].message


def test_a_reference_to_the_wrong_kind_says_what_was_expected(tmp_path):
    write(tmp_path, "tags/logs.yaml", "id: logs\nname: Logs\n")
    write(tmp_path, "searches/errors.yaml", "title: Errors\ndata_view: logs\n")
    (diag,) = load_project(tmp_path).diagnostics.errors
    assert diag.message == "'logs' is a tag, expected a data_view"


def test_external_references_are_accepted_with_a_warning(tmp_path):
    write(tmp_path, "searches/errors.yaml", "title: Errors\ndata_view: {external: logs-*}\n")
    project = load_project(tmp_path)
    assert project.ok
    (warning,) = project.diagnostics.warnings
    assert "external data_view 'logs-*' is not managed by this repo" in warning.message


def test_schema_prints_every_kinds_json_schema():
    runner = CliRunner()
    everything = json.loads(runner.invoke(main, ["schema"]).output)
    assert set(everything) >= {"data_views", "tags", "searches", "dashboards", "connectors", "alerts"}
    dashboard = json.loads(runner.invoke(main, ["schema", "--kind", "dashboard"]).output)
    assert dashboard["additionalProperties"] is False and "panels" in dashboard["properties"]


def _mixed_tree(root: Path) -> None:
    """Valid objects mixed with every way a file can fail, spread so each failure lands in a different chunk."""
    write(root, "data_views/logs.yaml", "id: logs\nindex_pattern: logs-*\nfields:\n  level: keyword\n")
    for i in range(150):
        write(root, f"searches/s{i:03}.yaml", f"title: S{i}\ndata_view: logs\nquery: 'level : ERROR'\n")
    write(root, "searches/s010x.yaml", "title: [unclosed\n")
    write(root, "searches/s040x.yaml", "title: a\ntitle: b\n")
    (root / "searches/s070x.yaml").write_bytes(b"title: \xff\n")
    write(root, "searches/s100x.yaml", "title: T\ndata_view: logs\nbogus: 1\n")
    write(root, "searches/s120x.yaml", "title: T\ndata_view: logs\nquery: 'nope :'\ncolumns: [missing]\n")
    write(root, "misc/s130x.yaml", "a: 1\n")
    write(root, "tags/empty.yaml", "")


def test_parallel_loading_gives_the_same_project_as_serial(tmp_path, monkeypatch):
    import multiprocessing

    from kibana_sync.project import loader as project_module

    _mixed_tree(tmp_path)
    serial = load_project(tmp_path)
    forked = []
    real_get_context = multiprocessing.get_context  # the loader imports multiprocessing only to fork
    monkeypatch.setattr(multiprocessing, "get_context",
                        lambda method: forked.append(method) or real_get_context(method))
    monkeypatch.setattr(project_module, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(project_module, "_CHUNK", 5)
    monkeypatch.setattr(project_module, "_usable_cpus", lambda: 2)
    parallel = load_project(tmp_path)
    if not project_module._can_fork():
        pytest.skip("no fork start method, or threads are running")
    assert forked == ["fork"]
    # Same diagnostics in the same (unsorted) order, same entries: workers only parse.
    assert parallel.diagnostics.items == serial.diagnostics.items
    assert len(serial.diagnostics.errors) == 6
    assert [(e.id, e.model, e.source.data, e.source.text) for e in parallel.entries] == \
        [(e.id, e.model, e.source.data, e.source.text) for e in serial.entries]


def test_a_broken_file_does_not_make_its_users_report_it_unknown(tmp_path):
    write(tmp_path, "data_views/logs.yaml", "id: logs\nindex_pattern: logs-*\nbogus: 1\n")
    write(tmp_path, "searches/errors.yaml", "title: Errors\ndata_view: logs\n")
    write(tmp_path, "searches/warnings.yaml", "title: Warnings\ndata_view: logz\n")
    errors = load_project(tmp_path).diagnostics.errors
    assert [(Path(e.file).name, e.field) for e in errors] == [("logs.yaml", "bogus"), ("warnings.yaml", "data_view")]


def test_repeated_diagnostics_are_reported_once_and_strict_escalates_them():
    from kibana_sync.source.diagnostics import Diagnostic, Diagnostics, Severity
    diagnostics = Diagnostics()
    items = [Diagnostic("f.yaml", i, 1, "x", "m", Severity.WARNING) for i in range(20_000)]
    diagnostics.extend(items + items[:10])
    assert diagnostics.items == items
    assert all(d.is_error for d in diagnostics.escalated().items)


def test_a_chart_filter_naming_an_unknown_data_view_is_an_error_at_the_filter(tmp_path):
    write(tmp_path, "data_views/logs.yaml", "id: logs\nindex_pattern: logs-*\n")
    write(tmp_path, "dashboards/ops.yaml",
          "title: Ops\ndata_view: logs\npanels:\n  - title: Errors\n    chart: metric\n    metric: count\n"
          "    filters:\n      - {field: level, is: ERROR, data_view: log}\n")
    (diag,) = load_project(tmp_path).diagnostics.errors
    assert (diag.line, diag.field) == (8, "panels[0].filters[0].data_view")
    assert "unknown data_view 'log'" in diag.message


def test_a_file_with_invalid_yaml_does_not_make_its_users_report_it_unknown(tmp_path):
    write(tmp_path, "data_views/logs.yaml", "id: genesis-logs\nindex_pattern: [logs-*\n")
    write(tmp_path, "searches/errors.yaml", "title: Errors\ndata_view: genesis-logs\n")
    errors = load_project(tmp_path).diagnostics.errors
    assert [Path(e.file).name for e in errors] == ["logs.yaml"]
