"""A Lens chart's own filters take the compact filter syntax of searches and dashboards (``_filter_pills``), with
their data views referenced the way 8.x Lens names them (``filter-index-pattern-<i>``), and decompile back."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from kibana_sync.kinds.dashboard.kind import DashboardKind
from kibana_sync.lens import (
    LensChart,
    compact_filter_data_views,
    compile_lens,
    decompile_lens,
    lens_fields,
    normalise_lens,
)
from kibana_sync.project.loader import Project, load_project
from kibana_sync.query.filters import inject

KIND = DashboardKind()
DATA_VIEW = """\
id: logs
index_pattern: logs-*
time_field: "@timestamp"
fields:
  status: keyword
  bytes: long
"""
FILTERS = """\
      - {field: status, is: "500"}
      - {field: status, is_one_of: ["502", "503"], negate: true, label: Not gateway}
      - {field: bytes, is_between: {gte: 10, lt: 20}}
      - {field: status, exists: true, disabled: true}
"""


def make_project(tmp_path: Path, dashboard: str) -> Project:
    files = {"data_views/logs.yaml": DATA_VIEW, "dashboards/board.yaml": textwrap.dedent(dashboard)}
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    return load_project(tmp_path)


def compile_data(data: dict[str, Any]) -> dict[str, Any]:
    return compile_lens(LensChart.model_validate(data), data.get("data_view", "dv"), lambda _f: None)


def lens_in_memory(attributes: dict[str, Any]) -> list[dict[str, Any]]:
    """The chart's filters with ``meta.index`` resolved from Lens's ``filter-index-pattern-<i>`` references."""
    ids = {r["name"]: r["id"] for r in attributes["references"]}
    return [{**f, "meta": {**f["meta"], "index": ids[f["meta"]["index"]]}} for f in attributes["state"]["filters"]]


def test_a_compact_filter_compiles_to_the_same_kibana_filter_on_a_chart_as_on_the_dashboard(tmp_path: Path) -> None:
    project = make_project(tmp_path, "title: Board\ndata_view: logs\nfilters:\n" + FILTERS.replace("      ", "  ")
                           + "panels:\n  - title: Errors\n    chart: metric\n    metric: count\n    filters:\n"
                           + FILTERS.replace("      ", "      "))
    assert project.ok, [str(d) for d in project.diagnostics.items]
    obj = KIND.compile(project.get("board"), project)
    source = json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    dashboard_filters, _ = inject(source["filter"], obj["references"])
    [panel] = json.loads(obj["attributes"]["panelsJSON"])
    attributes = panel["embeddableConfig"]["attributes"]
    assert lens_in_memory(attributes) == dashboard_filters
    # The shape real 8.x Lens panels store: meta.index holds the reference name, no indexRefName.
    names = [f"filter-index-pattern-{i}" for i in range(4)]
    assert [f["meta"]["index"] for f in attributes["state"]["filters"]] == names
    assert not any("indexRefName" in f["meta"] for f in attributes["state"]["filters"])
    assert {r["name"]: r["id"] for r in attributes["references"] if r["name"] in names} == dict.fromkeys(names, "logs")
    panel_refs = {r["name"] for r in obj["references"] if r["name"].startswith(panel["panelIndex"] + ":")}
    assert {f"{panel['panelIndex']}:{n}" for n in names} <= panel_refs


def test_a_filter_names_its_own_data_view_and_kibana_filter_objects_stay_as_written() -> None:
    verbatim = {"meta": {"index": "other", "key": "a", "params": {"query": "b"}, "type": "phrase"},
                "query": {"match_phrase": {"a": "b"}}}
    attributes = compile_data({"chart": "metric", "data_view": "dv", "metric": "count",
                               "filters": [verbatim, {"field": "host", "is": "x", "data_view": {"external": "ext"}}]})
    assert attributes["state"]["filters"][0] == verbatim
    assert attributes["state"]["filters"][1]["meta"]["index"] == "filter-index-pattern-1"
    assert {"type": "index-pattern", "id": "ext", "name": "filter-index-pattern-1"} in attributes["references"]
    assert not any(r["name"] == "filter-index-pattern-0" for r in attributes["references"])


ROUND_TRIPS = [
    {"chart": "metric", "data_view": "dv", "metric": "count", "filters": [
        {"field": "status", "is": "500"},
        {"field": "status", "is_one_of": ["502", 503], "negate": True, "label": "Not gateway"},
        {"field": "bytes", "is_between": {"gte": 10, "lt": 20.5}},
        {"field": "status", "exists": True, "disabled": True},
        {"field": "host", "is": "x", "data_view": "other"}]},
    {"chart": "bar", "data_view": "dv", "x": "@timestamp", "metric": "count", "filters": [
        {"meta": {"index": "inline-id", "key": "a", "params": {"query": "b"}, "type": "phrase"},
         "query": {"match_phrase": {"a": "b"}}},
        {"field": "level", "is": "ERROR"}]},
]


def test_compact_chart_filters_round_trip() -> None:
    for data in ROUND_TRIPS:
        assert decompile_lens(compile_data(data)) == data


def test_a_filter_that_would_not_compile_back_exactly_stays_verbatim_with_its_reference() -> None:
    attributes = compile_data(ROUND_TRIPS[0])
    attributes["state"]["filters"][0]["meta"]["value"] = "500"  # a key the compact form does not write
    attributes["references"].append({"type": "index-pattern", "id": "dv2", "name": "filter-index-pattern-3"})
    data = decompile_lens(attributes)
    assert data is not None
    assert data["filters"][0] == attributes["state"]["filters"][0]
    assert data["filters"][1:3] == ROUND_TRIPS[0]["filters"][1:3]
    assert data["filters"][3] == attributes["state"]["filters"][3]  # two references of one name
    assert sorted(r["name"] for r in data["raw_references"]) == [
        "filter-index-pattern-0", "filter-index-pattern-3", "filter-index-pattern-3"]
    assert normalise_lens(compile_data(data)) == normalise_lens(attributes)


def test_dashboard_chart_filters_round_trip_through_export(tmp_path: Path) -> None:
    project = make_project(tmp_path, "title: Board\ndata_view: logs\npanels:\n  - title: Errors\n    chart: metric\n"
                                     "    metric: count\n    filters:\n" + FILTERS)
    assert project.ok, [str(d) for d in project.diagnostics.items]
    obj = KIND.compile(project.get("board"), project)
    [panel] = KIND.decompile(obj).data["panels"]
    assert panel["filters"] == [
        {"field": "status", "is": "500"},
        {"field": "status", "is_one_of": ["502", "503"], "negate": True, "label": "Not gateway"},
        {"field": "bytes", "is_between": {"gte": 10, "lt": 20}},
        {"field": "status", "exists": True, "disabled": True}]
    assert "raw_references" not in panel


def test_fields_of_compact_filters_are_reported_and_undeclared_ones_warned(tmp_path: Path) -> None:
    chart = LensChart.model_validate({"chart": "metric", "metric": "count", "filters": [
        {"field": "status", "is": "500"}, {"field": "elsewhere", "exists": True, "data_view": "other"},
        {"meta": {"key": "raw"}, "query": {"match_all": {}}}]})
    assert (("filters", 0, "field"), "status") in lens_fields(chart)
    assert not [f for _, f in lens_fields(chart) if f in ("elsewhere", "raw")]
    assert compact_filter_data_views(chart.filters) == [(("filters", 1, "data_view"), "other")]
    project = make_project(tmp_path, """\
        title: Board
        data_view: logs
        panels:
          - chart: metric
            metric: count
            filters: [{field: stauts, is: "500"}, {field: status, is: "500"}]
        """)
    assert project.ok
    warned = [(d.field, d.line) for d in project.diagnostics.warnings if "not declared in" in d.message]
    assert warned == [("panels[0].filters[0].field", 6)]
