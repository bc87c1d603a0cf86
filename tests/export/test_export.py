"""Export from an NDJSON file into YAML files: what lands where, what is reported, what is never lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kibana_sync.export.from_file import read_export_file
from kibana_sync.export.pipeline import ExportReport, KibanaObject, export_objects
from kibana_sync.export.raw_report import raw_warning
from kibana_sync.export.select import Selection, select
from kibana_sync.kibana.ownership import MANAGED_TAG_REF, managed_tag_object
from kibana_sync.kinds.registry import kind_named
from kibana_sync.project.build import Build, compile_project
from kibana_sync.project.id_suffix import with_id_suffix
from kibana_sync.project.loader import load_project
from kibana_sync.source.diagnostics import Severity


def tag(id_: str, name: str, references: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"attributes": {"color": "#D36086", "description": "", "name": name}, "coreMigrationVersion": "8.8.0",
            "id": id_, "managed": False, "references": references or [], "type": "tag",
            "typeMigrationVersion": "8.0.0"}


def data_view(id_: str, pattern: str, name: str | None = None) -> dict[str, Any]:
    attrs = {"fieldAttrs": "{}", "fieldFormatMap": "{}", "fields": "[]", "runtimeFieldMap": "{}",
             "sourceFilters": "[]", "timeFieldName": "@timestamp", "title": pattern, "typeMeta": "{}"}
    if name:
        attrs["name"] = name
    return {"attributes": attrs, "coreMigrationVersion": "8.8.0", "id": id_, "managed": False, "references": [],
            "type": "index-pattern", "typeMigrationVersion": "8.0.0"}


def write_ndjson(path: Path, lines: list[Any]) -> Path:
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line, sort_keys=True) for line in lines),
                    encoding="utf-8")
    return path


def export_file(path: Path, out: Path) -> ExportReport:
    report = ExportReport()
    return export_objects(read_export_file(path, report), out, report)


def test_each_object_becomes_one_yaml_file_named_after_its_title_in_its_kind_folder(tmp_path: Path) -> None:
    ndjson = write_ndjson(tmp_path / "export.ndjson", [
        data_view("genesis-logs", "genesis-*", "GENESIS logs"), tag("t1", "Trading / Ops")])
    report = export_file(ndjson, tmp_path / "objects")

    assert not report.findings
    assert report.written_by_type() == {"index-pattern": 1, "tag": 1}
    assert yaml.safe_load((tmp_path / "objects/data_views/genesis-logs.yaml").read_text()) == {
        "id": "genesis-logs", "index_pattern": "genesis-*", "name": "GENESIS logs", "time_field": "@timestamp"}
    assert yaml.safe_load((tmp_path / "objects/tags/trading-ops.yaml").read_text())["id"] == "t1"


def test_exported_yaml_builds_back_to_the_same_objects(tmp_path: Path) -> None:
    originals = [data_view("dv", "logs-*"), tag("t1", "ops")]
    export_file(write_ndjson(tmp_path / "e.ndjson", originals), tmp_path / "objects")
    project = load_project(tmp_path / "objects")
    assert project.ok, [str(d) for d in project.diagnostics.errors]
    built = {o["id"]: o for o in compile_project(project).saved_objects}
    for original in originals:
        kind = kind_named("tag" if original["type"] == "tag" else "data_view")
        assert kind.normalise(built[original["id"]]) == kind.normalise({**original, "references": [MANAGED_TAG_REF]})


def test_the_ownership_marker_never_reaches_the_yaml(tmp_path: Path) -> None:
    marked = data_view("dv", "logs-*")
    marked["references"] = [MANAGED_TAG_REF]
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [managed_tag_object(), marked]), tmp_path / "objects")

    assert [w.id for w in report.written] == ["dv"]  # the managed tag object itself is not an object of the repo
    assert not (tmp_path / "objects/tags").exists()
    assert "kibana-sync" not in (tmp_path / "objects/data_views/logs.yaml").read_text()


def test_the_ownership_marker_of_an_id_suffix_never_reaches_the_yaml_either(tmp_path: Path) -> None:
    """Exporting a space pushed with --id-suffix -staging: its marker tag and references carry the suffix."""
    build = Build()
    for obj in (managed_tag_object(), {**data_view("dv", "logs-*"), "references": [MANAGED_TAG_REF]}):
        build.add("saved_objects", obj["id"], obj)
    suffixed = with_id_suffix(build, "-staging")
    report = export_file(write_ndjson(tmp_path / "e.ndjson", suffixed.saved_objects), tmp_path / "objects")

    assert [w.id for w in report.written] == ["dv-staging"]
    assert not (tmp_path / "objects/tags").exists()
    assert "kibana-sync" not in (tmp_path / "objects/data_views/logs.yaml").read_text()


def test_an_object_from_a_newer_kibana_is_refused_naming_its_version_and_the_rest_is_written(tmp_path: Path) -> None:
    newer = {**data_view("dv", "logs-*"), "typeMigrationVersion": "10.2.0"}
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [newer, tag("t1", "ops")]), tmp_path / "objects")

    (error,) = report.findings
    assert error.severity is Severity.ERROR and "'dv'" in error.subject
    assert error.message == ("not written: Kibana 8.11 cannot read index-pattern model version 10.2.0 "
                             "(Kibana 8.11.0 reads up to 8.0.0)")
    assert [w.id for w in report.written] == ["t1"] and report.failed


def test_an_attribute_the_target_does_not_know_is_named(tmp_path: Path) -> None:
    # A Discover session from 9.x: its tabs are not something 8.11's search schema accepts (reference 3.2).
    search = saved_search("s", "dv")
    search["attributes"]["tabs"] = [{"id": "t", "label": "Untitled"}]
    search["attributes"]["density"] = "compact"
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [data_view("dv", "logs-*"), search]), tmp_path / "objects")

    (error,) = report.findings
    assert "search 's'" in error.subject
    assert "attribute 'tabs' from Discover sessions with tabs (Kibana 9.x), which Kibana 8.11.0 does not know" \
        in error.message
    assert "attribute 'density' from search model version 10.5.0 (Kibana 8.16+)" in error.message
    assert not (tmp_path / "objects/searches").exists()


def test_a_7_0_dashboard_loses_ui_state_json_as_kibanas_7_3_migration_drops_it(tmp_path: Path) -> None:
    # migrations_730.ts reads uiStateJSON only for pre-6.3 panels, then deletes it; 8.11's mapping has no such field.
    panel = {"panelIndex": "1", "gridData": {"x": 0, "y": 0, "w": 24, "h": 15, "i": "1"}, "embeddableConfig": {},
             "panelRefName": "panel_0", "version": "7.0.0"}
    board = {"attributes": {"title": "Old", "description": "", "panelsJSON": json.dumps([panel]), "timeRestore": False,
                            "optionsJSON": "{}", "version": 1, "uiStateJSON": '{"P-1":{"vis":null}}',
                            "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}},
             "id": "old", "type": "dashboard", "migrationVersion": {"dashboard": "7.0.0"},
             "references": [{"id": "dv", "name": "panel_0", "type": "index-pattern"}]}
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [board]), tmp_path / "objects")
    assert not report.failed, [str(f) for f in report.findings]
    assert "uiStateJSON" not in (tmp_path / "objects/dashboards/old.yaml").read_text()

    board["attributes"]["panelsJSON"] = json.dumps([{"panelIndex": "1", "col": 1, "row": 1, "size_x": 6,
                                                     "size_y": 3, "type": "visualization", "id": "v"}])
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [board]), tmp_path / "pre63")
    (error,) = report.findings  # a 6.0 grid needs the panel migration, which export does not do: refused, named
    assert "attribute 'uiStateJSON'" in error.message


def test_a_bad_line_is_reported_with_its_line_and_the_rest_is_exported(tmp_path: Path) -> None:
    ndjson = write_ndjson(tmp_path / "e.ndjson", [
        tag("t1", "one"), '{"type": "tag", "id": "t2", "attributes": {', tag("t3", "three"), '[1, 2]',
        '{"attributes": {}}', tag("t1", "one again"),
        {"excludedObjects": [], "excludedObjectsCount": 0, "exportedCount": 3, "missingRefCount": 0,
         "missingReferences": []}])
    report = export_file(ndjson, tmp_path / "objects")

    assert sorted(w.id for w in report.written) == ["t1", "t3"]
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    assert [f.subject for f in errors] == [f"{ndjson}:2", f"{ndjson}:4", f"{ndjson}:5", f"{ndjson}:6"]
    assert "not valid JSON" in errors[0].message
    assert "without type and id" in errors[2].message
    assert "first on line 1" in errors[3].message
    assert report.failed


def test_missing_references_in_the_export_details_are_a_warning(tmp_path: Path) -> None:
    ndjson = write_ndjson(tmp_path / "e.ndjson", [
        tag("t1", "one"),
        {"exportedCount": 1, "missingRefCount": 1, "missingReferences": [{"id": "logs-*", "type": "index-pattern"}]}])
    report = export_file(ndjson, tmp_path / "objects")
    assert not report.failed
    assert ["index-pattern 'logs-*'" in f.message for f in report.findings] == [True]


def test_an_object_type_without_a_kind_is_skipped_with_a_warning_naming_it(tmp_path: Path) -> None:
    vis = {"type": "canvas-workpad", "id": "w1", "attributes": {"name": "Trading wall"}, "references": []}
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [vis, tag("t1", "one")]), tmp_path / "objects")

    assert [w.id for w in report.written] == ["t1"]
    assert [(o.type, o.id) for o in report.skipped] == [("canvas-workpad", "w1")]
    (warning,) = report.findings
    assert warning.severity is Severity.WARNING
    assert warning.subject == f"canvas-workpad 'w1' 'Trading wall' ({tmp_path / 'e.ndjson'}:1)"
    assert not report.failed


def test_an_object_its_kind_cannot_read_is_an_error_and_the_rest_is_exported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kind = kind_named("tag")
    real = kind.decompile

    def fussy(obj: dict[str, Any]) -> Any:
        if obj["id"] == "bad":
            raise ValueError("panelsJSON is not valid JSON")
        return real(obj)

    monkeypatch.setattr(kind, "decompile", fussy)
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [tag("bad", "Broken"), tag("ok", "Fine")]),
                         tmp_path / "objects")

    assert [w.id for w in report.written] == ["ok"]
    (error,) = report.findings
    assert error.severity is Severity.ERROR
    assert error.subject.startswith("tag 'bad' 'Broken' (")
    assert "panelsJSON is not valid JSON" in error.message


def test_exporting_twice_writes_identical_files_and_reports_no_change(tmp_path: Path) -> None:
    ndjson = write_ndjson(tmp_path / "e.ndjson", [tag("a", "Same"), tag("b", "Same"), data_view("dv", "x-*")])
    first = export_file(ndjson, tmp_path / "objects")
    snapshot = {p: p.read_bytes() for p in (tmp_path / "objects").rglob("*.yaml")}
    second = export_file(ndjson, tmp_path / "objects")

    assert {p: p.read_bytes() for p in (tmp_path / "objects").rglob("*.yaml")} == snapshot
    assert all(w.changed for w in first.written)
    assert not any(w.changed for w in second.written)
    assert sorted(p.name for p in (tmp_path / "objects/tags").iterdir()) == ["same-2.yaml", "same.yaml"]


def test_a_file_holding_another_object_is_never_overwritten(tmp_path: Path) -> None:
    mine = tmp_path / "objects/tags/ops.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("id: my-own-tag\nname: ops\n# hand-written\n")
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [tag("kibana-tag", "Ops")]), tmp_path / "objects")

    assert mine.read_text() == "id: my-own-tag\nname: ops\n# hand-written\n"
    assert report.written[0].path == tmp_path / "objects/tags/ops-2.yaml"
    (warning,) = report.findings
    assert "holds another object (id 'my-own-tag')" in warning.message and "ops-2.yaml" in warning.message


def test_a_file_without_id_holds_the_object_its_path_names(tmp_path: Path) -> None:
    # load_project derives the id "ops" from tags/ops.yaml, so it is the same object and may be updated.
    existing = tmp_path / "objects/tags/ops.yaml"
    existing.parent.mkdir(parents=True)
    existing.write_text("name: ops\ncolor: '#000000'\n")
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [tag("ops", "Ops")]), tmp_path / "objects")

    assert not report.findings
    assert yaml.safe_load(existing.read_text())["color"] == "#D36086"


def test_an_object_keeps_the_file_it_already_has_even_under_another_name(tmp_path: Path) -> None:
    renamed = tmp_path / "objects/tags/team/operations.yaml"
    renamed.parent.mkdir(parents=True)
    renamed.write_text("id: t1\nname: old name\n")
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [tag("t1", "New name")]), tmp_path / "objects")

    assert report.written[0].path == renamed
    assert yaml.safe_load(renamed.read_text())["name"] == "New name"
    assert not (tmp_path / "objects/tags/new-name.yaml").exists()


def test_titles_become_safe_file_names(tmp_path: Path) -> None:
    ndjson = write_ndjson(tmp_path / "e.ndjson", [tag("a", "Übersicht: Trading (EU) / 2024"), tag("b", "日本語"),
                                                   tag("c", "../../etc/passwd")])
    report = export_file(ndjson, tmp_path / "objects")
    assert sorted(w.path.name for w in report.written) == ["b.yaml", "etc-passwd.yaml",
                                                           "ubersicht-trading-eu-2024.yaml"]
    assert all(w.path.parent == tmp_path / "objects/tags" for w in report.written)


def obj(type_: str, id_: str, title: str, refs: list[tuple[str, str]] = ()) -> KibanaObject:
    body = {"type": type_, "id": id_, "attributes": {"title": title},
            "references": [{"type": t, "id": i, "name": f"r{n}"} for n, (t, i) in enumerate(refs)]}
    return KibanaObject("saved_objects", type_, id_, body)


def test_selection_brings_everything_the_chosen_objects_use() -> None:
    pool = [obj("index-pattern", "dv", "logs-*"), obj("index-pattern", "other", "metrics-*"),
            obj("search", "s1", "Errors", [("index-pattern", "dv")]),
            obj("dashboard", "d1", "GENESIS trading", [("search", "s1"), ("tag", "missing")]),
            obj("dashboard", "d2", "Audit", [("index-pattern", "other")])]

    def chosen(selection: Selection) -> list[str]:
        return [o.id for o in select(pool, selection)]

    assert chosen(Selection(titles=("genesis*",))) == ["dv", "s1", "d1"]
    assert chosen(Selection(ids=("d2",))) == ["other", "d2"]
    assert chosen(Selection(types=("data_view",))) == ["dv", "other"]
    assert chosen(Selection(types=("search",), titles=("Audit",))) == []
    assert chosen(Selection()) == ["dv", "other", "s1", "d1", "d2"]


def test_a_rule_brings_its_connectors_and_the_data_view_of_its_search() -> None:
    rule = KibanaObject("rules", "rule", "r1", {
        "id": "r1", "name": "Tilt", "actions": [{"id": "hook", "group": "g"}],
        "params": {"searchType": "searchSource", "searchConfiguration": {"index": "dv", "query": {}}}})
    hook = KibanaObject("connectors", "connector", "hook", {"id": "hook", "name": "Webhook"})
    other = KibanaObject("connectors", "connector", "mail", {"id": "mail", "name": "Mail"})
    pool = [obj("index-pattern", "dv", "logs-*"), obj("index-pattern", "other", "x-*"), hook, other, rule]
    assert [o.id for o in select(pool, Selection(types=("rule",)))] == ["dv", "hook", "r1"]


def test_a_file_that_already_builds_to_the_object_is_left_as_the_person_wrote_it(tmp_path: Path) -> None:
    hand_written = ("# GENESIS logs; fields from the index template\n"
                    "id: dv\nindex_pattern: genesis-*\ntime_field: \"@timestamp\"\nfields:\n  level: keyword\n")
    path = tmp_path / "objects/data_views/genesis.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(hand_written)

    same = export_file(write_ndjson(tmp_path / "same.ndjson", [data_view("dv", "genesis-*")]), tmp_path / "objects")
    assert path.read_text() == hand_written
    assert [w.changed for w in same.written] == [False]

    moved = data_view("dv", "genesis-*")
    moved["attributes"]["timeFieldName"] = "timestamp"
    changed = export_file(write_ndjson(tmp_path / "changed.ndjson", [moved]), tmp_path / "objects")
    assert [w.changed for w in changed.written] == [True]
    assert yaml.safe_load(path.read_text())["time_field"] == "timestamp"


def saved_search(id_: str, data_view_id: str) -> dict[str, Any]:
    source = {"query": {"query": "level:error", "language": "kuery"}, "filter": [],
              "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index"}
    return {"attributes": {"columns": ["message"], "description": "", "grid": {}, "hideChart": False,
                           "isTextBasedQuery": False, "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)},
                           "sort": [["@timestamp", "desc"]], "title": "Errors"},
            "coreMigrationVersion": "8.8.0", "id": id_, "managed": False, "type": "search",
            "references": [{"id": data_view_id, "name": "kibanaSavedObjectMeta.searchSourceJSON.index",
                            "type": "index-pattern"}], "typeMigrationVersion": "8.0.0"}


def test_a_reference_to_an_object_outside_the_export_is_written_as_external(tmp_path: Path) -> None:
    # A Fleet data view such as logs-* exists only in Kibana: the YAML must say so, and still build the same.
    original = saved_search("errors", "logs-*")
    export_file(write_ndjson(tmp_path / "e.ndjson", [original]), tmp_path / "objects")

    written = yaml.safe_load((tmp_path / "objects/searches/errors.yaml").read_text())
    assert written["data_view"] == {"external": "logs-*"}
    project = load_project(tmp_path / "objects")
    assert project.ok
    assert ["external data_view 'logs-*'" in d.message for d in project.diagnostics.warnings] == [True]
    built = next(o for o in compile_project(project).saved_objects if o["id"] == "errors")
    kind = kind_named("search")
    assert kind.normalise(built) == kind.normalise({**original, "references": [*original["references"],
                                                                                MANAGED_TAG_REF]})


def test_references_to_exported_or_already_present_objects_stay_plain_ids(tmp_path: Path) -> None:
    export_file(write_ndjson(tmp_path / "dv.ndjson", [data_view("dv", "logs-*")]), tmp_path / "objects")
    export_file(write_ndjson(tmp_path / "s.ndjson", [saved_search("errors", "dv")]), tmp_path / "objects")
    assert yaml.safe_load((tmp_path / "objects/searches/errors.yaml").read_text())["data_view"] == "dv"
    assert load_project(tmp_path / "objects").ok


def test_what_is_kept_verbatim_is_named_in_a_warning(tmp_path: Path) -> None:
    newer = data_view("dv", "logs-*")
    newer["attributes"]["allowHidden"] = False  # an 8.12+ attribute the YAML has no key for
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [newer]), tmp_path / "objects")
    (warning,) = report.findings
    assert warning.message == ("kept verbatim (raw passthrough) because the compact YAML form cannot say it "
                               "exactly: raw_attributes (allowHidden)")


def test_raw_parts_of_a_7x_object_are_blamed_on_its_version() -> None:
    data = {"id": "d", "panels": [{"title": "a", "raw": {"type": "visualization", "panelRefName": "panel_0"}},
                                  {"chart": "line"}, {"raw": {"type": "lens"}}], "raw_attributes": {}}
    message = raw_warning(data, {"migrationVersion": {"dashboard": "7.3.0"}})
    assert message == ("kept verbatim (raw passthrough) because it was saved by Kibana 7.3.0 and 7.x formats "
                       "(legacy visualizations, visState, Lens 'indexpattern' layers) are kept as stored: "
                       "panels[0].raw (visualization), panels[2].raw (lens)")
    assert raw_warning({"id": "d", "panels": [{"chart": "line"}]}, {}) is None


def test_data_views_are_selected_and_named_by_their_display_name(tmp_path: Path) -> None:
    named = KibanaObject("saved_objects", "index-pattern", "dv", data_view("dv", "genesis-*", "GENESIS logs"))
    assert named.title == "GENESIS logs"
    assert select([named], Selection(titles=("GENESIS*",))) == [named]
    report = export_objects([named], tmp_path / "objects")
    assert report.written[0].path.name == "genesis-logs.yaml"


def test_a_dashboard_whose_panels_json_is_not_json_is_kept_as_is_with_a_warning_naming_it(tmp_path: Path) -> None:
    broken = {"attributes": {"title": "Broken", "description": "", "panelsJSON": "[{not json", "optionsJSON": "{}",
                             "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}, "timeRestore": False, "version": 1},
              "coreMigrationVersion": "8.8.0", "id": "broken", "references": [], "type": "dashboard",
              "typeMigrationVersion": "8.9.0"}
    ndjson = write_ndjson(tmp_path / "e.ndjson", [tag("t1", "fine"), broken])
    report = export_file(ndjson, tmp_path / "objects")

    assert sorted(w.id for w in report.written) == ["broken", "t1"]  # kept raw: the round trip loses nothing
    about = [f for f in report.findings if f.subject == f"dashboard 'broken' 'Broken' ({ndjson}:2)"]
    assert any("panelsJSON" in f.message and "not valid JSON" in f.message for f in about), about


def test_a_dashboard_and_a_search_sharing_an_id_both_export_validate_and_build(tmp_path: Path) -> None:
    # Kibana keys saved objects by (type, id); 7.x packages such as network_traffic give a dashboard and the saved
    # search it shows one id. Each reference names the kind it points at, so both load and the panel finds the
    # search, not the dashboard.
    panel = {"panelIndex": "1", "gridData": {"x": 0, "y": 0, "w": 24, "h": 15, "i": "1"}, "embeddableConfig": {},
             "panelRefName": "panel_1", "type": "search", "version": "8.11.0"}
    board = {"attributes": {"title": "NFS", "description": "", "panelsJSON": json.dumps([panel]), "timeRestore": False,
                            "optionsJSON": "{}", "version": 1, "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}},
             "coreMigrationVersion": "8.8.0", "id": "nfs", "managed": False, "type": "dashboard",
             "references": [{"id": "nfs", "name": "1:panel_1", "type": "search"}], "typeMigrationVersion": "8.9.0"}
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [data_view("dv", "logs-*"), saved_search("nfs", "dv"),
                                                              board]), tmp_path / "objects")
    assert not report.failed, [str(f) for f in report.findings]
    assert sorted(w.type for w in report.written) == ["dashboard", "index-pattern", "search"]

    project = load_project(tmp_path / "objects")
    assert project.ok, [str(d) for d in project.diagnostics.errors]
    assert project.get("nfs", "search").kind.name == "search"
    assert project.get("nfs", "dashboard").kind.name == "dashboard"
    built = {(o["type"], o["id"]): o for o in compile_project(project).saved_objects}
    assert {("dashboard", "nfs"), ("search", "nfs")} <= set(built)
    assert {"id": "nfs", "name": "1:panel_1", "type": "search"} in built[("dashboard", "nfs")]["references"]


def test_two_objects_of_one_kind_with_one_id_are_still_refused(tmp_path: Path) -> None:
    (tmp_path / "objects/tags").mkdir(parents=True)
    (tmp_path / "objects/tags/a.yaml").write_text("id: same\nname: A\n")
    (tmp_path / "objects/tags/b.yaml").write_text("id: same\nname: B\n")
    errors = load_project(tmp_path / "objects").diagnostics.errors
    assert sorted(Path(e.file).name for e in errors) == ["a.yaml", "b.yaml"]
    assert all("duplicate tag id 'same'" in e.message for e in errors)


def test_a_reference_to_an_id_held_only_by_another_kind_says_which_kind_it_is(tmp_path: Path) -> None:
    (tmp_path / "objects/tags").mkdir(parents=True)
    (tmp_path / "objects/searches").mkdir(parents=True)
    (tmp_path / "objects/tags/a.yaml").write_text("id: dv\nname: A\n")
    (tmp_path / "objects/searches/s.yaml").write_text("id: s\ntitle: S\ndata_view: dv\n")
    errors = load_project(tmp_path / "objects").diagnostics.errors
    assert ["'dv' is a tag, expected a data_view" in e.message for e in errors] == [True]


def test_the_secret_warning_names_the_variables_the_connector_file_already_uses(tmp_path: Path) -> None:
    # Kibana never returns secrets: export proposes AM_PASSWORD, but this repo already says AM_PASS.
    folder = tmp_path / "objects/connectors"
    folder.mkdir(parents=True)
    (folder / "am.yaml").write_text("# ours\nid: am\nname: AM\ntype: .webhook\nconfig:\n  url: http://am:9093/\n"
                                    "  method: post\n  auth_type: basic\n"
                                    "secrets: {user: {env: AM_USER}, password: {env: AM_PASS}}\n")
    live = {"id": "am", "name": "AM", "connector_type_id": ".webhook", "is_preconfigured": False,
            "config": {"url": "http://elsewhere:9093/", "method": "post", "hasAuth": True,
                       "authType": "webhook-authentication-basic"}}
    report = export_objects([KibanaObject("connectors", "connector", "am", live)], tmp_path / "objects")

    secrets = [f.message for f in report.findings if "secrets" in f.message]
    assert secrets == ["connector 'am': Kibana does not return secrets; set AM_USER, AM_PASS before push"]
    text = (folder / "am.yaml").read_text()
    assert "secrets: {user: {env: AM_USER}, password: {env: AM_PASS}}" in text and text.startswith("# ours\n")
    assert "url: http://elsewhere:9093/" in text


def test_a_new_connector_file_names_the_variables_the_warning_names(tmp_path: Path) -> None:
    live = {"id": "alert-manager", "name": "AM", "connector_type_id": ".webhook", "is_preconfigured": False,
            "config": {"url": "http://am:9093/", "method": "post", "hasAuth": True,
                       "authType": "webhook-authentication-basic"}}
    report = export_objects([KibanaObject("connectors", "connector", "alert-manager", live)], tmp_path / "objects")
    written = yaml.safe_load(report.written[0].path.read_text())["secrets"]
    (message,) = [f.message for f in report.findings if "secrets" in f.message]
    assert all(s["env"] in message for s in written.values())
    assert written == {"user": {"env": "ALERT_MANAGER_USER"}, "password": {"env": "ALERT_MANAGER_PASSWORD"}}


def test_validate_refuses_an_attribute_the_target_cannot_read_before_anything_is_sent(tmp_path: Path) -> None:
    (tmp_path / "objects/searches").mkdir(parents=True)
    (tmp_path / "objects/data_views").mkdir(parents=True)
    (tmp_path / "objects/data_views/dv.yaml").write_text("id: dv\nindex_pattern: logs-*\n")
    (tmp_path / "objects/searches/s.yaml").write_text("id: s\ntitle: S\ndata_view: dv\n"
                                                      "raw_attributes:\n  tabs: [{id: t}]\n")
    (error,) = load_project(tmp_path / "objects").diagnostics.errors
    assert (Path(error.file).name, error.line) == ("s.yaml", 4)
    assert "Kibana 8.11.0 cannot read what this compiles to: attribute 'tabs'" in error.message


def test_a_data_view_without_the_embedded_attributes_builds_back_without_them(tmp_path: Path) -> None:
    # A 7.x or API-made data view carries only title/timeFieldName/fields; 8.11 stores it so, adds nothing.
    bare = {"attributes": {"title": "logs-*", "timeFieldName": "@timestamp", "fields": "[]"}, "id": "dv",
            "references": [], "type": "index-pattern", "typeMigrationVersion": "8.0.0"}
    export_file(write_ndjson(tmp_path / "e.ndjson", [bare]), tmp_path / "objects")
    written = yaml.safe_load((tmp_path / "objects/data_views/logs.yaml").read_text())
    assert written["unset"] == ["fieldAttrs", "fieldFormatMap", "runtimeFieldMap", "sourceFilters", "typeMeta"]
    (built,) = [o for o in compile_project(load_project(tmp_path / "objects")).saved_objects if o["id"] == "dv"]
    assert built["attributes"] == bare["attributes"]


def test_a_dashboards_tag_and_library_panel_outside_the_export_build_as_external_references(tmp_path: Path) -> None:
    panel = {"panelIndex": "1", "gridData": {"x": 0, "y": 0, "w": 24, "h": 15, "i": "1"}, "embeddableConfig": {},
             "panelRefName": "panel_1", "type": "visualization", "version": "8.11.0"}
    refs = [{"id": "v-elsewhere", "name": "1:panel_1", "type": "visualization"},
            {"id": "t-elsewhere", "name": "tag-ref-t-elsewhere", "type": "tag"}]
    board = {"attributes": {"title": "B", "description": "", "panelsJSON": json.dumps([panel]), "timeRestore": False,
                            "optionsJSON": "{}", "version": 1, "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}},
             "coreMigrationVersion": "8.8.0", "id": "b", "type": "dashboard", "references": refs,
             "typeMigrationVersion": "8.9.0"}
    report = export_file(write_ndjson(tmp_path / "e.ndjson", [board]), tmp_path / "objects")
    assert not report.findings

    written = yaml.safe_load((tmp_path / "objects/dashboards/b.yaml").read_text())
    assert written["tags"] == [{"external": "t-elsewhere"}]
    assert written["panels"][0]["visualization"] == {"external": "v-elsewhere"}
    project = load_project(tmp_path / "objects")
    assert project.ok and len(project.diagnostics.warnings) == 2  # both named as expected to exist in Kibana
    (built,) = [o for o in compile_project(project).saved_objects if o["id"] == "b"]
    assert all(ref in built["references"] for ref in refs)
