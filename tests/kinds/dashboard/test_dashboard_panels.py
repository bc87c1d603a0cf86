"""Dashboard panel types, each on real corpus panels (../shared/corpus, read-only): library references,
by-value legacy visualizations and maps, drilldowns, controls, and the losses export used to make."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from kibana_sync.kibana.format import is_tag_reference
from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.dashboard.kind import DashboardKind
from kibana_sync.project.loader import Project, load_project
from kibana_sync.source.yaml_reader import SourceFile

KIND = DashboardKind()


def corpus_object(corpus_dir: Path, rel: str) -> dict[str, Any]:
    return json.loads((corpus_dir / "kibana-objects" / rel).read_text(encoding="utf-8"))


def build(data: dict[str, Any]) -> dict[str, Any]:
    entry = Entry(KIND, data["id"], KIND.model.model_validate(data), SourceFile("x.yaml", data))
    return KIND.compile(entry, Project(root=Path("."), entries=[entry]))


def panels_of(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return json.loads(obj["attributes"]["panelsJSON"])


def source_of(obj: dict[str, Any]) -> dict[str, Any]:
    return json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])


def exported_and_built(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The YAML data export writes and what build makes of it, checked against the round-trip law."""
    data = KIND.decompile(obj).data
    built = build(data)
    assert KIND.normalise(built) == KIND.normalise(obj)
    return data, built


# --- library references --------------------------------------------------------------------------------------

def test_a_7x_panel_named_by_its_reference_becomes_a_library_visualization(corpus_dir: Path) -> None:
    # HELK 7.3: panels carry no type, only panelRefName "panel_0" and a reference of type visualization
    obj = corpus_object(corpus_dir, "helk/helk/dashboard/0afcb130-6f8b-11e8-8945-7d43ba9ddc77.json")
    stored = json.loads(obj["attributes"]["panelsJSON"])[0]
    assert "type" not in stored and stored["panelRefName"] == "panel_0"
    target = next(r for r in obj["references"] if r["name"] == "panel_0")
    data, built = exported_and_built(obj)
    assert data["panels"][0]["visualization"] == target["id"]
    # and compiles back named as Kibana 7 named it, not renumbered by panelIndex (which is "1" here)
    assert data["panel_ref_names"] == "by_position"
    panel = panels_of(built)[0]
    assert "type" not in panel and panel["panelRefName"] == "panel_0"
    assert target in built["references"]
    # without the key, Kibana 8's naming
    del data["panel_ref_names"]
    panel = panels_of(build(data))[0]
    index = panel["panelIndex"]
    assert (panel["type"], panel["panelRefName"]) == ("visualization", f"panel_{index}")


@pytest.mark.parametrize("key", ["visualization", "lens", "map", "links", "search"])
def test_library_panels_compile_as_kibana_8_stores_them(key: str) -> None:
    built = build({"id": "d", "title": "D", "panels": [{key: {"external": "x"}, "id": "p1", "title": "T"}]})
    [panel] = panels_of(built)
    assert panel == {"type": key, "gridData": {"x": 0, "y": 0, "w": 24, "h": 15, "i": "p1"}, "panelIndex": "p1",
                     "embeddableConfig": {"enhancements": {}}, "title": "T", "panelRefName": "panel_p1"}
    assert built["references"] == [{"id": "x", "name": "p1:panel_p1", "type": key}]


def test_a_search_panel_says_its_columns_and_sort(corpus_dir: Path) -> None:
    obj = next(o for o in _corpus_dashboards(corpus_dir) for p in json.loads(o["attributes"]["panelsJSON"])
               if p.get("type") == "search" and "columns" in p.get("embeddableConfig", {}))
    data, _ = exported_and_built(obj)
    panel = next(p for p in data["panels"] if "columns" in p)
    assert panel["search"] and panel["sort"] and "raw_config" not in panel


def test_library_references_are_checked_like_any_reference(tmp_path: Path) -> None:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "d.yaml").write_text(textwrap.dedent("""\
        title: D
        panels:
          - lens: missing-lens
          - map: {external: a-map}
        """), encoding="utf-8")
    project = load_project(tmp_path)
    errors = [(d.line, d.field) for d in project.diagnostics.errors]
    assert errors == [(3, "panels[0].lens")], [str(d) for d in project.diagnostics.items]


def test_a_newer_kibanas_saved_object_ref_panel_is_read_by_reference(corpus_dir: Path) -> None:
    # package-storage 8.8+ content names the reference "<panelIndex>:savedObjectRef" and has no panelRefName
    obj = next(o for o in _corpus_dashboards(corpus_dir)
               if any(r["name"].endswith(":savedObjectRef") and r["type"] == "lens" for r in o["references"]))
    data, _ = exported_and_built(obj)
    assert any("lens" in p for p in data["panels"])


def test_an_esql_chart_panel_needs_no_data_view_and_reads_back_compactly(tmp_path: Path) -> None:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "d.yaml").write_text(textwrap.dedent("""\
        title: D
        panels:
          - title: Top hosts
            chart: table
            esql: |
              FROM logs-*
              | STATS c = COUNT(*) BY host.name
            rows: [host.name]
            metric: c
        """), encoding="utf-8")
    project = load_project(tmp_path)
    assert not project.diagnostics.errors, [str(d) for d in project.diagnostics.errors]
    built = KIND.compile(project.get("d"), project)
    state = panels_of(built)[0]["embeddableConfig"]["attributes"]["state"]
    assert "textBased" in state["datasourceStates"]
    [panel] = KIND.decompile(built).data["panels"]
    assert panel["esql"].startswith("FROM logs-*") and panel["chart"] == "table"


# --- by-value legacy visualizations and maps ------------------------------------------------------------------

def test_by_value_legacy_visualizations_take_the_visualization_syntax_and_keep_their_titles(corpus_dir: Path) -> None:
    obj = corpus_object(corpus_dir, "package-storage/1password/dashboard/1password-item-usages-full-dashboard.json")
    data, built = exported_and_built(obj)
    stored = [p for p in json.loads(obj["attributes"]["panelsJSON"])
              if p.get("embeddableConfig", {}).get("savedVis", {}).get("title")
              and p["embeddableConfig"]["savedVis"]["type"] != "markdown"]
    assert stored, "the 1password dashboard has titled by-value visualizations"
    by_index = {p["panelIndex"]: p for p in panels_of(built)}
    for original in stored:
        assert by_index[original["panelIndex"]]["embeddableConfig"]["savedVis"]["title"] == \
            original["embeddableConfig"]["savedVis"]["title"]
    vis_panels = [p for p in data["panels"] if "vis" in p]
    assert len(vis_panels) == len(stored)
    # the keys of objects/visualizations/ files: the saved search it reads (reference `search_0`), aggregations
    for panel in vis_panels:
        assert panel["vis"]["search"] == "1password-item-usages" and panel["inner_title"]
        assert panel["vis"]["type"] in ("line", "table") and ("metrics" in panel["vis"] or "aggs" in panel["vis"])


def test_a_vis_panel_compiles_like_the_library_visualization_with_the_same_keys(tmp_path: Path) -> None:
    vis = {"type": "pie", "data_view": {"external": "logs"}, "metrics": ["count"],
           "buckets": [{"terms": "host.name", "size": 5}]}
    [panel] = panels_of(build({"id": "d", "title": "D", "panels": [{"id": "p", "vis": vis, "inner_title": "Hosts"}]}))
    saved_vis = panel["embeddableConfig"]["savedVis"]
    assert (panel["type"], saved_vis["title"], saved_vis["type"]) == ("visualization", "Hosts", "pie")
    assert saved_vis["data"]["searchSource"]["indexRefName"] == "kibanaSavedObjectMeta.searchSourceJSON.index"
    assert [a["type"] for a in saved_vis["data"]["aggs"]] == ["count", "terms"]
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "d.yaml").write_text(
        "title: D\npanels:\n  - vis: {type: pie, data_view: nope, metrics: [count]}\n", encoding="utf-8")
    assert [d.field for d in load_project(tmp_path).diagnostics.errors] == ["panels[0].vis.data_view"]


def test_by_value_map_is_written_decoded(corpus_dir: Path) -> None:
    obj = corpus_object(corpus_dir, "package-storage/1password/dashboard/1password-item-usages-full-dashboard.json")
    data, built = exported_and_built(obj)
    [map_panel] = [p for p in data["panels"] if "map_attributes" in p]
    assert isinstance(map_panel["map_attributes"]["layerListJSON"], list)
    [stored] = [p for p in panels_of(built) if p["type"] == "map"]
    assert isinstance(stored["embeddableConfig"]["attributes"]["layerListJSON"], str)  # Kibana keeps a string


def test_a_by_value_map_stored_with_decoded_json_keeps_it_decoded(corpus_dir: Path) -> None:
    """elastic-package writes a by-value map's layerListJSON/mapStateJSON/uiStateJSON as JSON values inside
    panelsJSON; Kibana keeps panelsJSON as sent, so the pushed panel must hold values, not strings."""
    from migration.harness import importable, load_manifest
    rel = "elastic-package/system/dashboard/system-5517a150-f9ce-11e6-8115-a7c18106d86a.json"
    manifest = next(o for o in load_manifest(corpus_dir) if o.local_path == f"kibana-objects/{rel}")
    obj = importable(corpus_object(corpus_dir, rel), manifest)
    data, built = exported_and_built(obj)
    [map_panel] = [p for p in data["panels"] if "map_attributes" in p]
    assert map_panel["stored_decoded"] == ["layerListJSON", "mapStateJSON", "uiStateJSON"]
    [original] = [p for p in panels_of(obj) if p["type"] == "map"]
    [stored] = [p for p in panels_of(built) if p["type"] == "map"]
    assert stored["embeddableConfig"]["attributes"] == original["embeddableConfig"]["attributes"]


# --- drilldowns ------------------------------------------------------------------------------------------------

def test_dashboard_drilldowns_of_a_real_dashboard_are_compact(corpus_dir: Path) -> None:
    obj = corpus_object(corpus_dir, "package-storage/system/dashboard/system-Metrics-system-overview.json")
    data, built = exported_and_built(obj)
    drilldowns = [d for p in data["panels"] for d in p.get("drilldowns", [])]
    assert drilldowns and all(d["to_dashboard"] == "system-79ffd6e0-faa0-11e6-947f-177f697178b8" for d in drilldowns)
    assert all(set(d) == {"to_dashboard", "name", "id"} for d in drilldowns)  # keep filters and time: defaults
    names = {r["name"] for r in built["references"] if ":drilldown:" in r["name"]}
    assert names == {r["name"] for r in obj["references"] if ":drilldown:" in r["name"]}


def test_drilldowns_compile_to_dynamic_actions() -> None:
    built = build({"id": "d", "title": "D", "panels": [{
        "markdown": "x", "id": "p",
        "drilldowns": [{"to_dashboard": {"external": "other"}, "name": "Detail", "id": "e1", "keep_time": False},
                       {"url": "https://example.org/{{event.value}}", "name": "Runbook", "id": "e2",
                        "new_tab": True}]}]})
    events = panels_of(built)[0]["embeddableConfig"]["enhancements"]["dynamicActions"]["events"]
    assert events == [
        {"eventId": "e1", "triggers": ["FILTER_TRIGGER"],
         "action": {"factoryId": "DASHBOARD_TO_DASHBOARD_DRILLDOWN", "name": "Detail",
                    "config": {"useCurrentFilters": True, "useCurrentDateRange": False}}},
        {"eventId": "e2", "triggers": ["VALUE_CLICK_TRIGGER"],
         "action": {"factoryId": "URL_DRILLDOWN", "name": "Runbook",
                    "config": {"url": {"template": "https://example.org/{{event.value}}"}, "openInNewTab": True}}}]
    assert built["references"] == [
        {"id": "other", "name": "p:drilldown:DASHBOARD_TO_DASHBOARD_DRILLDOWN:e1:dashboardId", "type": "dashboard"}]
    assert KIND.decompile(built).data["panels"][0]["drilldowns"][0] == {
        "to_dashboard": "other", "name": "Detail", "id": "e1", "keep_time": False}


def test_a_drilldown_of_another_shape_stays_verbatim_with_its_reference() -> None:
    enhancements = {"dynamicActions": {"events": [{"eventId": "e", "triggers": ["FILTER_TRIGGER"], "action": {
        "factoryId": "SOME_OTHER_DRILLDOWN", "name": "X", "config": {"dashboardId": "x"}}}]}}
    panel = {"type": "visualization", "gridData": {"x": 0, "y": 0, "w": 5, "h": 5, "i": "p"}, "panelIndex": "p",
             "panelRefName": "panel_p", "embeddableConfig": {"enhancements": enhancements}}
    other = {"id": "t", "name": "p:drilldown:SOME_OTHER_DRILLDOWN:e:dashboardId", "type": "dashboard"}
    obj = {"id": "d", "type": "dashboard", "references": [{"id": "v", "name": "p:panel_p", "type": "visualization"},
                                                          other],
           "attributes": {"title": "D", "panelsJSON": json.dumps([panel])}}
    data, built = exported_and_built(obj)
    assert data["panels"][0]["visualization"] == "v"
    assert data["panels"][0]["raw_config"] == {"enhancements": enhancements}
    assert data["raw_references"] == [other] and other in built["references"]


# --- controls -------------------------------------------------------------------------------------------------

def test_controls_of_a_real_dashboard_are_compact(corpus_dir: Path) -> None:
    obj = corpus_object(corpus_dir, "apm-contrib/apm-agent-java/dashboard/f29edbb0-2a0e-11ee-ba40-b1a1a11f1941.json")
    data, built = exported_and_built(obj)
    assert "controlGroupInput" not in data.get("raw_attributes", {})
    assert data["controls"] and all("options_list" in c or "range_slider" in c or "time_slider" in c
                                    for c in data["controls"])
    stored = built["attributes"]["controlGroupInput"]
    assert isinstance(stored["panelsJSON"], str) and isinstance(stored["ignoreParentSettingsJSON"], str)


@pytest.mark.slow  # corpus-wide
def test_every_corpus_control_group_round_trips_and_most_are_compact(corpus_dir: Path) -> None:
    groups = [o for o in _corpus_dashboards(corpus_dir) if "controlGroupInput" in o["attributes"]]
    compact = 0
    for obj in groups:
        data, _ = exported_and_built(obj)
        compact += "controlGroupInput" not in data.get("raw_attributes", {})
    assert len(groups) >= 40 and compact >= 0.9 * len(groups), (compact, len(groups))


def test_a_control_group_the_compact_form_cannot_say_stays_verbatim() -> None:
    group = {"controlStyle": "oneLine", "chainingSystem": "HIERARCHICAL", "panelsJSON": json.dumps({
        "a": {"type": "optionsListControl", "order": 0, "grow": True, "width": "medium",
              "explicitInput": {"fieldName": "host.name", "title": "Host"}}})}  # no explicitInput.id
    ref = {"id": "logs", "name": "controlGroup_a:optionsListDataView", "type": "index-pattern"}
    obj = {"id": "d", "type": "dashboard", "references": [ref],
           "attributes": {"title": "D", "panelsJSON": "[]", "controlGroupInput": group}}
    data, built = exported_and_built(obj)
    assert "controls" not in data and data["raw_attributes"] == {"controlGroupInput": group}
    assert data["raw_references"] == [ref]


def test_controls_compile_as_reference_4_describes() -> None:
    built = build({"id": "d", "title": "D", "data_view": {"external": "logs"},
                   "controls": [{"options_list": "host.name", "title": "Host", "id": "c1"},
                                {"range_slider": "bytes", "id": "c2", "width": "small"},
                                {"time_slider": True, "id": "c3"}],
                   "control_group": {"style": "twoLine"}})
    stored = built["attributes"]["controlGroupInput"]
    panels = json.loads(stored["panelsJSON"])
    assert panels["c1"] == {"type": "optionsListControl", "order": 0, "grow": True, "width": "medium",
                            "explicitInput": {"id": "c1", "fieldName": "host.name", "title": "Host"}}
    assert (panels["c2"]["type"], panels["c2"]["width"], panels["c3"]["type"]) == \
        ("rangeSliderControl", "small", "timeSlider")
    assert stored["controlStyle"] == "twoLine" and stored["chainingSystem"] == "HIERARCHICAL"
    assert json.loads(stored["ignoreParentSettingsJSON"]) == {
        "ignoreFilters": False, "ignoreQuery": False, "ignoreTimerange": False, "ignoreValidations": False}
    assert built["references"] == [
        {"id": "logs", "name": "controlGroup_c1:optionsListDataView", "type": "index-pattern"},
        {"id": "logs", "name": "controlGroup_c2:rangeSliderDataView", "type": "index-pattern"}]


def test_a_control_needs_exactly_one_type(tmp_path: Path) -> None:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "d.yaml").write_text(
        "title: D\ncontrols:\n  - {options_list: a, range_slider: b}\n", encoding="utf-8")
    [error] = load_project(tmp_path).diagnostics.errors
    assert error.line == 3 and "exactly one of: options_list, range_slider, time_slider" in error.message


def test_control_fields_the_data_view_does_not_declare_are_warnings(tmp_path: Path) -> None:
    for rel, text in {"data_views/logs.yaml": "id: logs\nindex_pattern: logs-*\nfields: {host.name: keyword}\n",
                      "dashboards/d.yaml": "title: D\ndata_view: logs\ncontrols:\n  - {options_list: host.name}\n"
                                           "  - {range_slider: byte}\n"}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    project = load_project(tmp_path)
    assert not project.diagnostics.errors
    assert [(d.line, d.field) for d in project.diagnostics.warnings] == [(5, "controls[1].range_slider")]


# --- losses seen in export, each on the real object that showed it --------------------------------------------

def test_search_source_highlight_all_survives(corpus_dir: Path) -> None:
    obj = corpus_object(corpus_dir, "helk/helk/dashboard/0afcb130-6f8b-11e8-8945-7d43ba9ddc77.json")
    original = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["highlightAll"]
    data, built = exported_and_built(obj)
    assert data["highlight_all"] is original and source_of(built)["highlightAll"] is original


def test_a_filter_meta_field_survives(corpus_dir: Path) -> None:
    obj = corpus_object(corpus_dir, "package-spec/tomcat/dashboard/apache_tomcat-2a331270-b8cd-11ed-a099-3791d000f969.json")
    source = obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"]
    source = json.loads(source) if isinstance(source, str) else source
    fields = [f["meta"]["field"] for f in source["filter"] if "field" in f["meta"]]
    _, built = exported_and_built(_encoded(obj))
    assert fields and [f["meta"]["field"] for f in source_of(built)["filter"] if "field" in f["meta"]] == fields


def test_the_inner_title_of_a_by_value_lens_panel_survives(corpus_dir: Path) -> None:
    obj = corpus_object(corpus_dir, "package-storage/aws/dashboard/aws-3367c170-921f-11e9-aa19-159bf182e06f.json")
    titled = {p["panelIndex"]: p["embeddableConfig"]["attributes"]["title"]
              for p in json.loads(obj["attributes"]["panelsJSON"])
              if p.get("type") == "lens" and p["embeddableConfig"].get("attributes", {}).get("title")}
    _, built = exported_and_built(obj)
    got = {p["panelIndex"]: p["embeddableConfig"]["attributes"]["title"] for p in panels_of(built)
           if p["panelIndex"] in titled}
    assert titled and got == titled


def test_embeddable_config_type_survives(corpus_dir: Path) -> None:
    obj = corpus_object(corpus_dir, "package-storage/auditd/dashboard/auditd-dfbb49f0-0a0f-11e7-8a62-2d05eaaac5cb.json")
    typed = {p["panelIndex"]: p["embeddableConfig"]["type"] for p in json.loads(obj["attributes"]["panelsJSON"])
             if "type" in p.get("embeddableConfig", {})}
    _, built = exported_and_built(obj)
    assert typed and {p["panelIndex"]: p["embeddableConfig"]["type"] for p in panels_of(built)
                      if "type" in p["embeddableConfig"]} == typed


def test_a_lens_layer_index_pattern_id_survives(corpus_dir: Path) -> None:
    obj = corpus_object(corpus_dir, "pfelk/pfelk/dashboard/5d57e1a0-f23f-4699-92a0-bd6c528b3ffc.json")

    def layer_ids(o: dict[str, Any]) -> dict[str, list[str]]:
        out = {}
        for p in json.loads(o["attributes"]["panelsJSON"]):
            state = p.get("embeddableConfig", {}).get("attributes", {}).get("state", {})
            layers = state.get("datasourceStates", {}).get("formBased", {}).get("layers", {})
            ids = [layer["indexPatternId"] for layer in layers.values() if "indexPatternId" in layer]
            if ids:
                out[p["panelIndex"]] = ids
        return out
    _, built = exported_and_built(obj)
    assert layer_ids(obj) and layer_ids(built) == layer_ids(obj)


def test_no_refresh_interval_is_invented() -> None:
    obj = {"id": "d", "type": "dashboard", "references": [],
           "attributes": {"title": "D", "panelsJSON": "[]", "timeRestore": True, "timeFrom": "now-1h",
                          "timeTo": "now"}}
    data, built = exported_and_built(obj)
    assert "refresh" not in data and "refreshInterval" not in built["attributes"]
    paused = {**obj, "attributes": {**obj["attributes"], "refreshInterval": {"pause": True, "value": 60000}}}
    data, built = exported_and_built(paused)
    assert data["refresh"] == {"every": "1m", "paused": True}
    assert built["attributes"]["refreshInterval"] == {"pause": True, "value": 60000}


def test_a_dashboard_with_a_tag_outside_the_export_builds(corpus_dir: Path, tmp_path: Path) -> None:
    from kibana_sync.export.from_file import read_export_file
    from kibana_sync.export.pipeline import ExportReport, export_objects

    obj = next(o for o in _corpus_dashboards(corpus_dir) if any(is_tag_reference(r) for r in o["references"]))
    ndjson = tmp_path / "export.ndjson"
    ndjson.write_text(json.dumps(obj), encoding="utf-8")
    report = ExportReport()
    export_objects(read_export_file(ndjson, report), tmp_path / "objects", report)
    project = load_project(tmp_path / "objects")
    assert not project.diagnostics.errors, [str(d) for d in project.diagnostics.errors]
    [entry] = project.of_kind("dashboard")
    tags = {r["id"] for r in obj["references"] if is_tag_reference(r)}
    assert {t.external for t in entry.model.tags} == tags
    built = KIND.compile(entry, project)
    assert {r["id"] for r in built["references"] if is_tag_reference(r)} == tags


# --- compact and raw keys in conflict -------------------------------------------------------------------------

@pytest.mark.parametrize(("yaml_text", "field", "words"), [
    ("panels:\n  - {markdown: x, raw_config: {savedVis: {}}}\n", "panels[0]", "raw_config sets savedVis"),
    ("panels:\n  - {lens: l, hide_title: true, raw_config: {hidePanelTitles: false}}\n", "panels[0]",
     "raw_config sets hidePanelTitles"),
    ("panels:\n  - {markdown: x}\nraw_attributes: {panelsJSON: '[]'}\n", "", "raw_attributes sets panelsJSON"),
    ("query: 'a : 1'\nraw_attributes: {kibanaSavedObjectMeta: {}}\n", "", "kibanaSavedObjectMeta"),
])
def test_raw_keys_that_override_compact_keys_are_rejected(tmp_path: Path, yaml_text: str, field: str,
                                                          words: str) -> None:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "d.yaml").write_text("title: D\n" + yaml_text, encoding="utf-8")
    errors = load_project(tmp_path).diagnostics.errors
    assert any(words in d.message and d.field.startswith(field) for d in errors), [str(d) for d in errors]


# --- helpers --------------------------------------------------------------------------------------------------

def _encoded(obj: dict[str, Any]) -> dict[str, Any]:
    """A decoded elastic-package source object in Kibana's stored form (JSON fields as strings)."""
    attrs = dict(obj["attributes"])
    for key in ("panelsJSON", "optionsJSON"):
        if key in attrs and not isinstance(attrs[key], str):
            attrs[key] = json.dumps(attrs[key])
    meta = dict(attrs.get("kibanaSavedObjectMeta", {}))
    if "searchSourceJSON" in meta and not isinstance(meta["searchSourceJSON"], str):
        meta["searchSourceJSON"] = json.dumps(meta["searchSourceJSON"])
        attrs["kibanaSavedObjectMeta"] = meta
    return {**obj, "attributes": attrs}


def _corpus_dashboards(corpus_dir: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted((corpus_dir / "kibana-objects").glob("*/*/dashboard/*.json")):
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        if isinstance(obj.get("attributes"), dict) and "panelsJSON" in obj["attributes"]:
            out.append(_encoded(obj))
    return out


def test_a_lens_panels_filter_references_keep_their_stored_order(corpus_dir: Path) -> None:
    """The Windows failed-logon dashboard names two filter data views in an order that is not sorted; the
    pushed panel must list them as Kibana held them."""
    from migration.harness import importable, load_manifest
    rel = "elastic-package/system/dashboard/system-d401ef40-a7d5-11e9-a422-d144027429da.json"
    manifest = next(o for o in load_manifest(corpus_dir) if o.local_path == f"kibana-objects/{rel}")
    obj = importable(corpus_object(corpus_dir, rel), manifest)
    _data, built = exported_and_built(obj)
    names = [[r["name"] for r in p["embeddableConfig"]["attributes"].get("references", [])]
             for p in panels_of(obj) if p["type"] == "lens"]
    assert any(n[1:] != sorted(n[1:]) for n in names)  # the case at hand
    built_names = [[r["name"] for r in p["embeddableConfig"]["attributes"].get("references", [])]
                   for p in panels_of(built) if p["type"] == "lens"]
    assert [n[1:] for n in built_names] == [n[1:] for n in names]  # the layer reference's id is canonical
