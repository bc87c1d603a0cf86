"""Kibana 8.11 runs dashboard migration 7.3.0 on import of an older dashboard (`migrate_to_730/`, see
`kibana_emulator/dashboard_730.py`): pre-6.1 `col`/`row` panels become `gridData`, `uiStateJSON` moves into the
panels, a pre-6.0 query filter becomes the query. Checked on a real 7.0 dashboard of the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kibana_emulator.dashboard_730 import migrate_dashboard_730
from kibana_emulator.samples import data_view, import_objects

ROCK = Path("kibana-objects/rock-dashboards/rock")
SMTP = ("dashboard", "34f2bfe0-7bc4-11e7-b629-a97b0307bf20")  # dashboard 7.0.0, pre-6.1 panels and uiStateJSON


def with_references(corpus: Path, key: tuple[str, str]) -> list[dict[str, Any]]:
    """The object and everything it references, from its corpus package, as files hold them (a stub data view for
    one the package does not ship)."""
    objects: dict[tuple[str, str], dict[str, Any]] = {}
    pending = [key]
    while pending:
        type_, id_ = pending.pop()
        if (type_, id_) in objects:
            continue
        path = corpus / ROCK / type_ / f"{id_}.json"
        if not path.exists():  # environment the package does not ship (the data view `rock-*`)
            objects[(type_, id_)] = data_view(id_, typeMigrationVersion="8.0.0", coreMigrationVersion="8.8.0")
            continue
        obj = json.loads(path.read_text())
        objects[(type_, id_)] = obj
        pending.extend((r["type"], r["id"]) for r in obj.get("references", []))
    return list(objects.values())


def test_a_7_0_dashboard_with_col_row_panels_is_stored_as_kibana_7_3_migrates_it(corpus_dir, emulator_http,
                                                                                   kibana_emulator):
    objects = with_references(corpus_dir, SMTP)
    original = next(o for o in objects if (o["type"], o["id"]) == SMTP)["attributes"]
    response = import_objects(emulator_http, objects, overwrite="true")
    assert response.json()["success"] is True, response.text
    stored = kibana_emulator.get_object(*SMTP)["attributes"]
    assert "uiStateJSON" not in stored
    panels = json.loads(stored["panelsJSON"])
    first = json.loads(original["panelsJSON"])[0]
    assert first == {"col": 1, "panelIndex": 1, "row": 4, "size_x": 2, "size_y": 5, "panelRefName": "panel_0"}
    # x = (col - 1) * 4, y = (row - 1) * 4 (useMargins absent = true), w = size_x * 4, h = size_y * 4
    assert panels[0] == {"panelIndex": "1", "panelRefName": "panel_0", "version": "7.3.0",
                         "gridData": {"x": 0, "y": 12, "w": 8, "h": 20, "i": "1"},
                         "embeddableConfig": json.loads(original["uiStateJSON"])["P-1"]}
    assert all("row" not in p and "col" not in p and p["version"] == "7.3.0" for p in panels)
    # the pre-6.0 global query filter `{"query": {"query_string": {"query": "*"}}}` becomes the Lucene query
    search = json.loads(stored["kibanaSavedObjectMeta"]["searchSourceJSON"])
    assert search == {"filter": [], "highlightAll": True, "version": True,
                      "query": {"query": "*", "language": "lucene"}}


def test_6_x_panels_are_stamped_7_3_0_and_a_missing_query_gets_kibanas_default():
    attributes = {"title": "t", "panelsJSON": json.dumps([
        {"panelIndex": 3, "version": "6.4.2", "gridData": {"x": 0, "y": 0, "w": 24, "h": 15, "i": "3"}},
        {"panelIndex": "4", "version": "6.2.0", "gridData": {"x": 1, "y": 2, "w": 6, "h": 3, "i": "4"},
         "columns": ["a"], "sort": ["@timestamp", "desc"]},
        {"panelIndex": "5", "version": "7.3.1", "gridData": {"x": 0, "y": 0, "w": 1, "h": 1, "i": "5"}}]),
        "useMargins": False, "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}}
    out = migrate_dashboard_730(attributes)
    panels = json.loads(out["panelsJSON"])
    assert panels[0]["version"] == "7.3.0" and panels[0]["panelIndex"] == "3"
    assert panels[1]["gridData"] == {"w": 24, "h": 15, "x": 4, "y": 10, "i": "4"}  # useMargins false: h * 5
    assert panels[1]["embeddableConfig"] == {"columns": ["a"], "sort": ["@timestamp", "desc"]}
    assert "columns" not in panels[1] and "sort" not in panels[1]
    assert panels[2]["version"] == "7.3.1"  # 7.3+ panels are left alone
    assert json.loads(out["kibanaSavedObjectMeta"]["searchSourceJSON"]) == {
        "filter": [], "query": {"query": "", "language": "kuery"}}


def test_a_panel_the_migration_cannot_read_leaves_the_panels_as_they_were():
    panels = json.dumps([{"row": 1, "panelIndex": 1}])  # no col: migratePre61PanelToLatest throws, caught
    attributes = {"panelsJSON": panels, "uiStateJSON": "{}", "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}}
    out = migrate_dashboard_730(attributes)
    assert out["panelsJSON"] == panels and out["uiStateJSON"] == "{}"
