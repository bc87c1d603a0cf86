"""``build``: Kibana's export form, deterministic, atomic."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kibana_sync.cli.main import main
from kibana_sync.project import build as build_module
from kibana_sync.project.build import compile_project, render, to_ndjson, write_atomically
from kibana_sync.project.loader import load_project


def make_tree(root: Path) -> Path:
    (root / "data_views").mkdir(parents=True)
    (root / "tags").mkdir()
    (root / "data_views" / "sensors.yaml").write_text(
        "id: dv-sensors\nindex_pattern: sensor-*\nname: Sensors\ntime_field: '@timestamp'\n")
    (root / "tags" / "genesis.yaml").write_text("name: GENESIS\ncolor: '#E7664C'\n")
    return root


def test_data_view_has_the_shape_of_a_kibana_export(tmp_path):
    """reference.md 4.4, line 1: the attributes Kibana 8.11 exports for a data view, migration versions of 2.2."""
    build = compile_project(load_project(make_tree(tmp_path)))
    (dv,) = [o for o in build.saved_objects if o["type"] == "index-pattern"]
    assert dv["attributes"] == {
        "fieldAttrs": "{}", "fieldFormatMap": "{}", "fields": "[]", "name": "Sensors", "runtimeFieldMap": "{}",
        "sourceFilters": "[]", "timeFieldName": "@timestamp", "title": "sensor-*", "typeMeta": "{}"}
    assert (dv["coreMigrationVersion"], dv["typeMigrationVersion"]) == ("8.8.0", "8.0.0")
    assert dv["id"] == "dv-sensors" and dv["managed"] is False


def test_every_saved_object_carries_the_ownership_marker_and_referenced_objects_come_first(tmp_path):
    build = compile_project(load_project(make_tree(tmp_path)))
    assert build.saved_objects[0]["id"] == "kibana-sync-managed"
    types = [o["type"] for o in build.saved_objects]
    assert types == ["tag", "tag", "index-pattern"]
    for obj in build.saved_objects[1:]:
        assert {"type": "tag", "id": "kibana-sync-managed", "name": "tag-ref-kibana-sync-managed"} \
            in obj["references"]


def test_ndjson_is_key_sorted_one_object_per_line_without_trailing_newline():
    text = to_ndjson([{"b": 1, "a": {"d": 1, "c": 2}}, {"x": "é"}])
    assert text == '{"a":{"c":2,"d":1},"b":1}\n{"x":"é"}'


def test_two_builds_are_byte_identical(tmp_path):
    tree = make_tree(tmp_path / "objects")
    runner = CliRunner()
    outputs = []
    for name in ("one", "two"):
        result = runner.invoke(main, ["build", "--objects", str(tree), "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        outputs.append({p.relative_to(tmp_path / name): p.read_bytes()
                        for p in sorted((tmp_path / name).rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    assert Path("saved_objects.ndjson") in outputs[0]


def test_failed_write_leaves_the_previous_build_untouched(tmp_path, monkeypatch):
    out = tmp_path / "dist"
    write_atomically({"saved_objects.ndjson": "old"}, out)

    real_write_text = Path.write_text

    def failing_write_text(self, *args, **kwargs):
        if self.name == "b.json":
            raise OSError("disk full")
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing_write_text)
    with pytest.raises(OSError):
        write_atomically({"saved_objects.ndjson": "new", "rules/b.json": "{}"}, out)
    assert (out / "saved_objects.ndjson").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]  # no staging folder left behind


def test_genesis_objects_build(genesis_objects, tmp_path):
    project = load_project(genesis_objects)
    assert project.ok, [str(d) for d in project.diagnostics.errors]
    files = render(compile_project(project))
    lines = [json.loads(line) for line in files["saved_objects.ndjson"].split("\n")]
    assert {o["type"] for o in lines} >= {"tag", "index-pattern"}
    assert build_module.Build  # the module's public type stays importable for sync/export
