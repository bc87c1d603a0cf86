"""The dashboard kind: YAML -> Kibana 8.11 dashboard saved object, its checks, and the inverse for export."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
from kibana_emulator.samples import import_objects

from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.dashboard.controls import control_ids
from kibana_sync.kinds.dashboard.kind import DashboardKind
from kibana_sync.kinds.dashboard.panels.drilldowns import event_id
from kibana_sync.kinds.dashboard.panels.stored import derived_panel_ids
from kibana_sync.project.build import compile_project
from kibana_sync.project.loader import Project, load_project
from kibana_sync.source.yaml_reader import SourceFile

KIND = DashboardKind()

DATA_VIEW = """\
id: logs
index_pattern: logs-*
time_field: "@timestamp"
fields:
  status: keyword
  bytes: long
"""


def make_project(tmp_path: Path, dashboard: str, extra: dict[str, str] | None = None) -> Project:
    files = {"data_views/logs.yaml": DATA_VIEW, "tags/team.yaml": "name: team\n",
             "dashboards/board.yaml": textwrap.dedent(dashboard), **(extra or {})}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return load_project(tmp_path)


def compiled(tmp_path: Path, dashboard: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    project = make_project(tmp_path, dashboard, extra)
    assert project.ok, [str(d) for d in project.diagnostics.items]
    return KIND.compile(project.get("board"), project)


def panels_of(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return json.loads(obj["attributes"]["panelsJSON"])


def messages(project: Project) -> list[str]:
    return [str(d) for d in project.diagnostics.sorted()]


# --- compile -------------------------------------------------------------------------------------------------

def test_dashboard_settings_compile_to_kibana_attributes(tmp_path: Path) -> None:
    obj = compiled(tmp_path, """\
        title: Board
        description: What it shows
        tags: [team]
        time: {from: now-7d, to: now}
        refresh: 30s
        query: 'status : 500'
        options: {use_margins: false, hide_panel_titles: true}
        """)
    attrs = obj["attributes"]
    assert (obj["type"], obj["id"], obj["typeMigrationVersion"], obj["coreMigrationVersion"]) == \
        ("dashboard", "board", "8.9.0", "8.8.0")
    assert (attrs["title"], attrs["description"], attrs["version"]) == ("Board", "What it shows", 1)
    assert (attrs["timeRestore"], attrs["timeFrom"], attrs["timeTo"]) == (True, "now-7d", "now")
    assert attrs["refreshInterval"] == {"pause": False, "value": 30000}
    assert json.loads(attrs["optionsJSON"]) == {"useMargins": False, "syncColors": False, "syncCursor": True,
                                                "syncTooltips": False, "hidePanelTitles": True}
    assert json.loads(attrs["kibanaSavedObjectMeta"]["searchSourceJSON"]) == {
        "query": {"query": "status : 500", "language": "kuery"}, "filter": []}
    assert obj["references"] == [{"id": "team", "name": "tag-ref-team", "type": "tag"}]


def test_without_a_time_range_the_dashboard_keeps_the_time_picker(tmp_path: Path) -> None:
    attrs = compiled(tmp_path, "title: Board\n")["attributes"]
    assert attrs["timeRestore"] is False
    assert not {"timeFrom", "timeTo", "refreshInterval"} & set(attrs)


def test_paused_refresh_keeps_its_interval(tmp_path: Path) -> None:
    attrs = compiled(tmp_path, """\
        title: Board
        time: {from: now-1h}
        refresh: {every: 5m, paused: true}
        """)["attributes"]
    assert (attrs["timeTo"], attrs["refreshInterval"]) == ("now", {"pause": True, "value": 300000})


def test_lens_panel_is_by_value_and_its_references_are_copied_with_the_panel_prefix(tmp_path: Path) -> None:
    obj = compiled(tmp_path, """\
        title: Board
        data_view: logs
        panels:
          - {id: p1, title: Errors, chart: bar, x: "@timestamp", metric: count}
        """)
    [panel] = panels_of(obj)
    assert (panel["type"], panel["panelIndex"], panel["title"]) == ("lens", "p1", "Errors")
    assert panel["gridData"] == {"x": 0, "y": 0, "w": 24, "h": 15, "i": "p1"}
    assert "version" not in panel and "panelRefName" not in panel
    inner = panel["embeddableConfig"]["attributes"]["references"]
    assert inner and all(r["id"] == "logs" for r in inner)
    assert obj["references"] == [{**r, "name": f"p1:{r['name']}"} for r in inner]


def test_panel_data_view_wins_over_the_dashboard_default(tmp_path: Path) -> None:
    other = DATA_VIEW.replace("id: logs", "id: other")
    obj = compiled(tmp_path, """\
        title: Board
        data_view: logs
        panels:
          - {chart: metric, metric: count, data_view: other}
        """, {"data_views/other.yaml": other})
    assert {r["id"] for r in obj["references"]} == {"other"}


def test_saved_search_panel_is_by_reference_named_as_kibana_names_it(tmp_path: Path) -> None:
    search = "title: Errors\ndata_view: logs\nquery: 'status : 500'\n"
    project = make_project(tmp_path, """\
        title: Board
        panels:
          - {id: s1, search: errors}
        """, {"searches/errors.yaml": search})
    if project.get("errors") is None:
        pytest.skip("the search kind is not available")
    obj = KIND.compile(project.get("board"), project)
    [panel] = panels_of(obj)
    assert (panel["type"], panel["panelRefName"]) == ("search", "panel_s1")
    assert obj["references"] == [{"id": "errors", "name": "s1:panel_s1", "type": "search"}]


def test_markdown_panel_is_a_by_value_markdown_visualization(tmp_path: Path) -> None:
    [panel] = panels_of(compiled(tmp_path, """\
        title: Board
        panels:
          - {markdown: "# Runbook", font_size: 14, hide_title: true, w: 48, h: 4}
        """))
    assert panel["type"] == "visualization"
    config = panel["embeddableConfig"]
    assert config["hidePanelTitles"] is True
    assert config["savedVis"]["type"] == "markdown"
    assert config["savedVis"]["params"] == {"fontSize": 14, "openLinksInNewTab": False, "markdown": "# Runbook"}


def test_raw_panel_is_kept_verbatim_with_its_references(tmp_path: Path) -> None:
    obj = compiled(tmp_path, """\
        title: Board
        panels:
          - id: m1
            at: {x: 0, y: 10}
            w: 48
            raw: {type: map, embeddableConfig: {mapCenter: {lat: 1, lon: 2, zoom: 3}}, panelRefName: panel_m1}
            references: [{id: the-map, name: "m1:panel_m1", type: map}]
        """)
    [panel] = panels_of(obj)
    assert panel == {"type": "map", "embeddableConfig": {"mapCenter": {"lat": 1, "lon": 2, "zoom": 3}},
                     "panelRefName": "panel_m1", "gridData": {"x": 0, "y": 10, "w": 48, "h": 15, "i": "m1"},
                     "panelIndex": "m1"}
    assert obj["references"] == [{"id": "the-map", "name": "m1:panel_m1", "type": "map"}]


def test_filters_name_their_data_view_through_a_reference(tmp_path: Path) -> None:
    obj = compiled(tmp_path, """\
        title: Board
        filters:
          - meta: {index: logs, key: status, params: {query: "500"}, type: phrase, negate: false, disabled: false}
            query: {match_phrase: {status: "500"}}
        """)
    [stored] = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["filter"]
    name = "kibanaSavedObjectMeta.searchSourceJSON.filter[0].meta.index"
    assert stored["meta"]["indexRefName"] == name and "index" not in stored["meta"]
    assert obj["references"] == [{"id": "logs", "name": name, "type": "index-pattern"}]


def test_compact_filters_compile_to_kibana_filters_on_the_dashboard_data_view(tmp_path: Path) -> None:
    obj = compiled(tmp_path, """\
        title: Board
        data_view: logs
        filters:
          - {field: status, is: "500"}
          - {field: status, is_one_of: ["502", "503"], negate: true, label: Not gateway}
          - {field: bytes, is_between: {gte: 10, lt: 20}}
          - {field: status, exists: true, disabled: true}
        """)
    stored = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["filter"]
    assert [f["query"] for f in stored] == [
        {"match_phrase": {"status": "500"}},
        {"bool": {"minimum_should_match": 1, "should": [{"match_phrase": {"status": "502"}},
                                                        {"match_phrase": {"status": "503"}}]}},
        {"range": {"bytes": {"gte": 10, "lt": 20}}},
        {"exists": {"field": "status"}}]
    assert [(f["meta"]["type"], f["meta"]["negate"], f["meta"]["disabled"], f["meta"]["alias"]) for f in stored] == [
        ("phrase", False, False, None), ("phrases", True, False, "Not gateway"), ("range", False, False, None),
        ("exists", False, True, None)]
    assert all(f["$state"] == {"store": "appState"} for f in stored)
    assert [r["id"] for r in obj["references"]] == ["logs"] * 4
    assert KIND.decompile(obj).data["filters"] == [
        {"field": "status", "is": "500"},
        {"field": "status", "is_one_of": ["502", "503"], "negate": True, "label": "Not gateway"},
        {"field": "bytes", "is_between": {"gte": 10, "lt": 20}},
        {"field": "status", "exists": True, "disabled": True}]


def test_a_filter_takes_exactly_one_operator(tmp_path: Path) -> None:
    project = make_project(tmp_path, "title: Board\nfilters:\n  - {field: status, is: a, exists: true}\n")
    [error] = project.diagnostics.errors
    assert error.line == 3 and "exactly one of: is, is_one_of, exists, is_between" in error.message


# --- layout and panel ids ------------------------------------------------------------------------------------

def boxes(obj: dict[str, Any]) -> list[tuple[int, int, int, int]]:
    return [(p["gridData"]["x"], p["gridData"]["y"], p["gridData"]["w"], p["gridData"]["h"]) for p in panels_of(obj)]


def test_panels_without_a_position_flow_like_text_and_wrap_at_48_columns(tmp_path: Path) -> None:
    obj = compiled(tmp_path, """\
        title: Board
        panels:
          - {markdown: a, w: 16, h: 5}
          - {markdown: b, w: 16, h: 8}
          - {markdown: c, w: 16, h: 5}
          - {markdown: d, w: 20, h: 5}
          - {markdown: e, w: 28, h: 5}
          - {markdown: f, w: 48, h: 3}
        """)
    assert boxes(obj) == [(0, 0, 16, 5), (16, 0, 16, 8), (32, 0, 16, 5), (0, 8, 20, 5), (20, 8, 28, 5),
                          (0, 13, 48, 3)]


def test_a_positioned_panel_moves_the_flow_cursor(tmp_path: Path) -> None:
    obj = compiled(tmp_path, """\
        title: Board
        panels:
          - {markdown: a, at: {x: 0, y: 20}, w: 12, h: 5}
          - {markdown: b, w: 12, h: 5}
        """)
    assert boxes(obj) == [(0, 20, 12, 5), (12, 20, 12, 5)]


def test_panel_ids_are_derived_deterministically_and_explicit_ids_win(tmp_path: Path) -> None:
    board = """\
        title: Board
        panels:
          - {markdown: a, title: Same}
          - {markdown: b, title: Same}
          - {markdown: c}
          - {markdown: d, id: mine}
        """
    first = [p["panelIndex"] for p in panels_of(compiled(tmp_path / "one", board))]
    second = [p["panelIndex"] for p in panels_of(compiled(tmp_path / "two", board))]
    assert first == second
    assert len(set(first)) == 4 and first[3] == "mine"


def test_adding_a_panel_in_front_keeps_the_ids_of_titled_panels(tmp_path: Path) -> None:
    before = panels_of(compiled(tmp_path / "a", "title: B\npanels: [{markdown: x, title: Keep}]\n"))
    after = panels_of(compiled(tmp_path / "b", "title: B\npanels: [{markdown: new}, {markdown: x, title: Keep}]\n"))
    assert before[0]["panelIndex"] == after[1]["panelIndex"]


# --- checks --------------------------------------------------------------------------------------------------

def test_overlapping_panels_are_an_error_naming_both_with_file_and_line(tmp_path: Path) -> None:
    project = make_project(tmp_path, """\
        title: Board
        panels:
          - {title: Left, markdown: a, at: {x: 0, y: 0}, w: 30}
          - {title: Right, markdown: b, at: {x: 24, y: 5}, w: 24}
        """)
    [error] = project.diagnostics.errors
    assert error.file.endswith("board.yaml") and error.line == 4
    assert error.field == "panels[1].at"
    assert "panel 2 ('Right')" in error.message and "overlaps panel 1 ('Left')" in error.message


@pytest.mark.parametrize(("panel", "field", "text"), [
    ("{markdown: a, w: 50}", "panels[0].w", "wider than the 48-column grid"),
    ("{markdown: a, at: {x: 40, y: 0}, w: 10}", "panels[0].at", "past the grid's 48 columns"),
    ("{markdown: a, h: 0}", "panels[0].h", "must be a positive number"),
    ("{markdown: a, w: -3}", "panels[0].w", "must be a positive number"),
])
def test_panels_must_fit_the_grid(tmp_path: Path, panel: str, field: str, text: str) -> None:
    project = make_project(tmp_path, f"title: Board\npanels:\n  - {panel}\n")
    assert any(d.field == field and text in d.message and d.line == 3 for d in project.diagnostics.errors), \
        messages(project)


def test_a_panel_needs_a_kind_key(tmp_path: Path) -> None:
    project = make_project(tmp_path, "title: Board\npanels:\n  - {title: What, w: 10}\n")
    [error] = project.diagnostics.errors
    assert error.line == 3 and "chart, search, markdown" in error.message and ", raw" in error.message


def test_invalid_kql_points_at_the_query_line(tmp_path: Path) -> None:
    project = make_project(tmp_path, """\
        title: Board
        data_view: logs
        panels:
          - {chart: metric, metric: count, query: 'status : (500'}
        """)
    [error] = project.diagnostics.errors
    assert (error.line, error.field) == (4, "panels[0].query")
    assert "invalid KQL" in error.message


def test_invalid_dashboard_query_is_reported(tmp_path: Path) -> None:
    project = make_project(tmp_path, "title: Board\nquery: 'status :'\n")
    [error] = project.diagnostics.errors
    assert (error.line, error.field) == (2, "query")


def test_a_dashboard_query_in_lucene_syntax_gets_the_fix(tmp_path: Path) -> None:
    project = make_project(tmp_path, "title: Board\nquery: 'status:>499'\n")
    [error] = project.diagnostics.errors
    assert (error.line, error.field) == (2, "query")
    assert "This is Lucene syntax: write `status > 499` (KQL range) or set `query_language: lucene`" in error.message
    text_search = make_project(tmp_path, "title: Board\nquery: 'status:[500 TO 599]'\n")
    [warning] = text_search.diagnostics.warnings
    assert warning.field == "query" and "looks like Lucene syntax" in warning.message


def test_fields_the_data_view_does_not_declare_are_warnings(tmp_path: Path) -> None:
    project = make_project(tmp_path, """\
        title: Board
        data_view: logs
        query: 'stauts : 500'
        filters: [{field: sttaus, is: "500"}]
        panels:
          - {chart: bar, x: "@timestamp", metric: sum(byts)}
        """)
    assert project.ok
    found = {(d.field, d.line) for d in project.diagnostics.warnings if "not declared in" in d.message}
    assert ("query", 3) in found
    assert ("filters[0].field", 4) in found
    assert any(field.startswith("panels[0]") and line == 6 for field, line in found)


def test_fields_are_not_checked_against_external_data_views(tmp_path: Path) -> None:
    project = make_project(tmp_path, """\
        title: Board
        data_view: {external: logs-*}
        panels:
          - {chart: bar, x: "@timestamp", metric: sum(anything)}
        """)
    assert project.ok
    assert not [d for d in project.diagnostics.warnings if "not declared" in d.message]


def test_a_chart_without_any_data_view_is_an_error(tmp_path: Path) -> None:
    project = make_project(tmp_path, "title: Board\npanels:\n  - {chart: metric, metric: count}\n")
    [error] = project.diagnostics.errors
    assert error.field == "panels[0].chart" and "no data view" in error.message


def test_unknown_tags_and_data_views_are_reported_where_written(tmp_path: Path) -> None:
    project = make_project(tmp_path, "title: Board\ntags: [team, nope]\ndata_view: nada\n")
    found = {(d.field, d.line) for d in project.diagnostics.errors}
    assert found == {("tags[1]", 2), ("data_view", 3)}


def test_refresh_without_a_time_range_is_an_error(tmp_path: Path) -> None:
    project = make_project(tmp_path, "title: Board\nrefresh: 30s\n")
    [error] = project.diagnostics.errors
    assert (error.field, error.line) == ("refresh", 2)


def test_duplicate_panel_ids_are_an_error(tmp_path: Path) -> None:
    project = make_project(tmp_path, """\
        title: Board
        panels:
          - {id: a, markdown: x}
          - {id: a, markdown: y}
        """)
    [error] = project.diagnostics.errors
    assert (error.field, error.line) == ("panels[1].id", 4)


# --- decompile and normalise ---------------------------------------------------------------------------------

def roundtrip(obj: dict[str, Any]) -> dict[str, Any]:
    data = KIND.decompile(obj).data
    entry = Entry(KIND, data["id"], KIND.model.model_validate(data), SourceFile("x.yaml", data))
    return KIND.compile(entry, Project(root=Path("."), entries=[entry]))


def test_genesis_dashboards_round_trip_through_export(genesis_objects: Path) -> None:
    project = load_project(genesis_objects)
    assert project.ok, messages(project)
    dashboards = project.of_kind("dashboard")
    assert len(dashboards) == 3
    for entry in dashboards:
        original = KIND.compile(entry, project)
        assert KIND.normalise(roundtrip(original)) == KIND.normalise(original)


def test_decompile_writes_only_what_the_yaml_does_not_imply(tmp_path: Path) -> None:
    obj = compiled(tmp_path, """\
        title: Board
        tags: [team]
        time: {from: now-15m, to: now}
        refresh: 10s
        panels:
          - {markdown: a, title: First, w: 24}
          - {markdown: b, w: 24, h: 7}
          - {markdown: c, at: {x: 0, y: 40}}
        """)
    assert KIND.decompile(obj).data == {
        "id": "board", "title": "Board", "tags": ["team"], "time": {"from": "now-15m", "to": "now"},
        "refresh": "10s",
        "panels": [{"title": "First", "markdown": "a"}, {"markdown": "b", "h": 7},
                   {"markdown": "c", "at": {"x": 0, "y": 40}}],
    }


def test_decompile_follows_the_flow_as_the_yaml_will_have_it(tmp_path: Path) -> None:
    """B sits where the flow puts it; placed explicitly it would end the row at its own height (4), flowed the
    row keeps A's (10), which is where C sits: every position is implied once B's is dropped."""
    obj = compiled(tmp_path, """\
        title: Board
        panels:
          - {markdown: a, w: 24, h: 10, at: {x: 0, y: 0}}
          - {markdown: b, w: 24, h: 4, at: {x: 24, y: 0}}
          - {markdown: c, w: 48, h: 5, at: {x: 0, y: 10}}
          - {markdown: d, w: 24, h: 5, at: {x: 0, y: 30}}
        """)
    data = KIND.decompile(obj).data
    assert [p.get("at") for p in data["panels"]] == [None, None, None, {"x": 0, "y": 30}]
    assert panels_of(roundtrip(obj)) == panels_of(obj)


def test_decompiling_a_big_dashboard_takes_a_flow_step_or_two_per_panel(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Which positions the flow implies is judged panel by panel: a layout per panel made the export of a
    dashboard grow with the square of its panels."""
    from kibana_sync.kinds.dashboard.layout import Cursor

    panels = "".join(f"  - {{markdown: m{i}, w: 12, h: 3}}\n" for i in range(2000))
    obj = compiled(tmp_path, "title: Board\npanels:\n" + panels)
    steps = []
    real_place = Cursor.place
    monkeypatch.setattr(Cursor, "place", lambda self, panel: steps.append(1) or real_place(self, panel))
    data = KIND.decompile(obj).data
    assert not any("at" in p for p in data["panels"]) and len(data["panels"]) == 2000
    assert len(steps) <= 2 * 2000


def test_unknown_panel_types_and_attributes_are_kept_raw() -> None:
    stream = {"type": "LOG_STREAM_EMBEDDABLE", "gridData": {"x": 0, "y": 0, "w": 10, "h": 5, "i": "l1"},
              "panelIndex": "l1", "embeddableConfig": {"enhancements": {}}, "panelRefName": "panel_l1"}
    obj = {"id": "d", "type": "dashboard", "references": [
        {"id": "lk", "name": "l1:panel_l1", "type": "log-view"},
        {"id": "ctl-dv", "name": "elsewhere:thing", "type": "index-pattern"}],
        "attributes": {"title": "D", "panelsJSON": json.dumps([stream]), "timeRestore": False,
                       "someNewerAttribute": {"panelsJSON": "{}", "mode": "x"}}}
    result = KIND.decompile(obj)
    [panel] = result.data["panels"]
    assert panel["raw"]["type"] == "LOG_STREAM_EMBEDDABLE" and panel["references"] == [obj["references"][0]]
    assert result.data["raw_attributes"] == {"someNewerAttribute": obj["attributes"]["someNewerAttribute"]}
    assert result.data["raw_references"] == [obj["references"][1]]
    assert (result.raw_parts, result.compact_parts) == (1, 0)
    assert KIND.normalise(roundtrip(obj)) == KIND.normalise(obj)


def test_a_raw_panel_keeps_unknown_grid_keys_but_moves_with_its_position() -> None:
    panel = {"type": "links", "gridData": {"x": 0, "y": 0, "w": 10, "h": 5, "i": "l1", "sectionId": "s"},
             "panelIndex": "l1", "embeddableConfig": {}}
    obj = {"id": "d", "type": "dashboard", "references": [],
           "attributes": {"title": "D", "panelsJSON": json.dumps([panel])}}
    data = KIND.decompile(obj).data
    assert data["panels"][0]["raw"]["gridData"] == {"sectionId": "s"}
    assert KIND.normalise(roundtrip(obj)) == KIND.normalise(obj)
    data["panels"][0]["at"] = {"x": 8, "y": 2}
    entry = Entry(KIND, "d", KIND.model.model_validate(data), SourceFile("x.yaml", data))
    [moved] = panels_of(KIND.compile(entry, Project(root=Path("."), entries=[entry])))
    assert moved["gridData"] == {"x": 8, "y": 2, "w": 10, "h": 5, "i": "l1", "sectionId": "s"}


def test_normalise_ignores_a_time_range_that_is_not_restored() -> None:
    base = {"id": "d", "type": "dashboard", "references": [],
            "attributes": {"title": "D", "panelsJSON": "[]", "timeRestore": False}}
    stale = {**base, "attributes": {**base["attributes"], "timeFrom": "now-1y", "timeTo": "now",
                                     "refreshInterval": {"pause": False, "value": 5000}}}
    assert KIND.normalise(stale) == KIND.normalise(base)


def test_normalise_decodes_embedded_json_and_keeps_the_options_kibana_stored() -> None:
    written = {"id": "d", "type": "dashboard", "references": [], "version": "WzEsMV0=", "updated_at": "x",
               "attributes": {"title": "D", "panelsJSON": "[]", "optionsJSON": '{"useMargins":true}',
                              "timeRestore": False, "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}}}
    result = KIND.normalise(written)
    assert "version" not in result and "updated_at" not in result
    # a 7.x dashboard lacks the sync options: a push must not add them (export lists them under `unset`)
    assert result["attributes"]["optionsJSON"] == {"useMargins": True}
    assert result["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"] == {
        "query": {"query": "", "language": "kuery"}, "filter": []}


def test_normalise_tells_a_changed_panel_apart() -> None:
    def dashboard(markdown: str) -> dict[str, Any]:
        panel = {"type": "visualization", "gridData": {"x": 0, "y": 0, "w": 5, "h": 5, "i": "a"}, "panelIndex": "a",
                 "embeddableConfig": {"savedVis": {"type": "markdown", "params": {"markdown": markdown}}}}
        return {"id": "d", "type": "dashboard", "references": [],
                "attributes": {"title": "D", "panelsJSON": json.dumps([panel])}}
    assert KIND.normalise(dashboard("one")) != KIND.normalise(dashboard("two"))


def test_exporting_a_compiled_genesis_dashboard_gives_back_what_was_written(genesis_objects: Path) -> None:
    project = load_project(genesis_objects)
    for entry in project.of_kind("dashboard"):
        exported = KIND.decompile(KIND.compile(entry, project))
        assert (exported.compact_parts, exported.raw_parts) == (len(entry.model.panels), 0)
        assert list(exported.data)[:3] == ["id", "title", "description"]
        assert KIND.model.model_validate(exported.data) == with_derived_ids(entry.model)


def with_derived_ids(model: Any) -> Any:
    """``model`` with the control and drilldown ids compile derives written out, as export writes them."""
    controls = [c.model_copy(update={"id": i}) for c, i in zip(model.controls,
                                                                control_ids(model.id, model.controls), strict=True)]
    panels = []
    indexes = derived_panel_ids(model.id, [p.title for p in model.panels], [p.id for p in model.panels])
    for panel, index in zip(model.panels, indexes, strict=True):
        panels.append(panel.model_copy(update={"drilldowns": [
            d.model_copy(update={"id": event_id(index, i, d)}) for i, d in enumerate(panel.drilldowns)]}))
    return model.model_copy(update={"controls": controls, "panels": panels})


def test_the_data_view_all_charts_share_is_written_once_on_the_dashboard(tmp_path: Path) -> None:
    obj = compiled(tmp_path, """\
        title: Board
        panels:
          - {chart: metric, metric: count, data_view: logs}
          - {chart: bar, x: "@timestamp", metric: count, data_view: logs}
        """)
    data = KIND.decompile(obj).data
    assert data["data_view"] == "logs"
    assert all("data_view" not in p for p in data["panels"])


def test_genesis_dashboards_import_into_kibana_and_export_unchanged(genesis_objects: Path,
                                                                    emulator_http: httpx.Client) -> None:
    built = compile_project(load_project(genesis_objects)).saved_objects
    response = import_objects(emulator_http, built, overwrite="true")
    assert response.status_code == 200 and response.json()["success"] is True, response.text
    dashboards = [o for o in built if o["type"] == "dashboard"]
    exported = emulator_http.post("/api/saved_objects/_export", json={
        "objects": [{"type": "dashboard", "id": o["id"]} for o in dashboards], "includeReferencesDeep": False})
    assert exported.status_code == 200, exported.text
    live = {o["id"]: o for o in map(json.loads, exported.text.splitlines()) if o.get("type") == "dashboard"}
    for dashboard in dashboards:
        assert KIND.normalise(live[dashboard["id"]]) == KIND.normalise(dashboard)


def test_a_restored_time_without_a_range_is_kept_raw_with_its_refresh() -> None:
    obj = {"id": "d", "type": "dashboard", "references": [],
           "attributes": {"title": "D", "panelsJSON": "[]", "timeRestore": True, "timeFrom": "now-1d",
                          "refreshInterval": {"pause": False, "value": 10000}}}
    data = KIND.decompile(obj).data
    assert "time" not in data and "refresh" not in data
    assert data["raw_attributes"] == {"timeRestore": True, "timeFrom": "now-1d",
                                      "refreshInterval": {"pause": False, "value": 10000}}
    assert KIND.normalise(roundtrip(obj)) == KIND.normalise(obj)


def test_filter_data_views_must_resolve_in_compact_and_kibana_filters(tmp_path: Path) -> None:
    project = make_project(tmp_path, """\
        title: Board
        filters:
          - {field: status, is: "500", data_view: nope}
          - meta: {index: gone, key: status, params: {query: "500"}, type: phrase}
            query: {match_phrase: {status: "500"}}
        """)
    assert sorted((d.line, d.field) for d in project.diagnostics.errors) == [
        (3, "filters[0].data_view"), (4, "filters[1].meta.index")]
