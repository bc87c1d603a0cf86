"""What export + build keep of a stored dashboard that ``normalise`` alone would forgive: the parts a Kibana
7 dashboard has and 8.11 would not write (``hits``, panel ``version``, no ``enhancements``, the optionsJSON
keys it lacks, the search source's ``version``, ``hidePanelTitles: false``, a by-value ``savedVis.id``,
Kibana 7's positional library references, a title kept in ``embeddableConfig``, what a by-value
visualization lacks: its title, uiState, query, default params). The push must write what Kibana held (issue 9), so each is
compared on the compiled object itself, for every dashboard of the corpus (all eras)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.dashboard.kind import DashboardKind
from kibana_sync.project.loader import Project
from kibana_sync.source.yaml_reader import SourceFile

KIND = DashboardKind()
HELK = "helk/helk/dashboard/0afcb130-6f8b-11e8-8945-7d43ba9ddc77.json"  # Kibana 7.6: hits, versions, lucene


def corpus_object(corpus_dir: Path, rel: str) -> dict[str, Any]:
    return json.loads((corpus_dir / "kibana-objects" / rel).read_text(encoding="utf-8"))


def built(data: dict[str, Any]) -> dict[str, Any]:
    entry = Entry(KIND, data["id"], KIND.model.model_validate(data), SourceFile("x.yaml", data))
    return KIND.compile(entry, Project(root=Path("."), entries=[entry]))


def round_trip(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    data = KIND.decompile(obj).data
    return data, built(data)


def kept_parts(obj: dict[str, Any]) -> dict[str, Any]:
    """The parts this file is about, as stored (JSON strings decoded)."""
    attrs = obj["attributes"]
    panels = json.loads(attrs["panelsJSON"])
    options = attrs.get("optionsJSON")
    source = attrs.get("kibanaSavedObjectMeta", {}).get("searchSourceJSON")
    return {
        "hits": attrs.get("hits", "<absent>"),
        "options": sorted(json.loads(options)) if isinstance(options, str) else options,
        "source version": json.loads(source).get("version", "<absent>") if isinstance(source, str) else None,
        "panels": [(p.get("version", "<absent>"),
                    "enhancements" in p.get("embeddableConfig", {}),
                    p.get("embeddableConfig", {}).get("hidePanelTitles", "<absent>"),
                    p.get("embeddableConfig", {}).get("savedVis", {}).get("id", "<absent>"),
                    p.get("panelRefName"), "type" in p, "embeddableConfig" in p,
                    p.get("embeddableConfig", {}).get("title", "<absent>"), p.get("title", "<absent>"))
                   for p in panels if isinstance(p, dict)],
        # what a by-value visualization's savedVis, search source and params hold (and so lack)
        "by-value shapes": [_vis_shape(p.get("embeddableConfig", {}).get("savedVis")) for p in panels
                            if isinstance(p, dict)],
        # a by-value Lens chart's references are the Lens code's to keep (layer ids are arbitrary there)
        "reference names": sorted(r["name"] for r in obj["references"]
                                  if not any(r["name"].startswith(f"{p.get('panelIndex')}:") for p in panels
                                             if isinstance(p, dict) and p.get("type") == "lens"
                                             and "attributes" in p.get("embeddableConfig", {}))),
    }


def _vis_shape(saved_vis: Any) -> Any:
    if not isinstance(saved_vis, dict):
        return None
    data = saved_vis.get("data", {})
    source = data.get("searchSource", {}) if isinstance(data, dict) else {}
    return sorted(saved_vis), sorted(source) if isinstance(source, dict) else source, sorted(saved_vis.get("params", {}))


def test_a_kibana_7_dashboard_is_written_back_as_kibana_held_it(corpus_dir: Path) -> None:
    obj = corpus_object(corpus_dir, HELK)
    data, out = round_trip(obj)
    assert data["hits"] == 0 and data["search_source_version"] is True
    assert data["panel_version"] == "7.6.2" and "unset" in data and "panel_enhancements" in data["unset"]
    assert data["panel_ref_names"] == "by_position"
    assert kept_parts(out) == kept_parts(obj)


def test_options_kibana_7_lacked_are_listed_under_unset_and_not_written() -> None:
    obj = {"id": "d", "type": "dashboard", "references": [],
           "attributes": {"title": "D", "panelsJSON": "[]", "hits": 0,
                          "optionsJSON": '{"hidePanelTitles":false,"useMargins":true}', "timeRestore": False,
                          "kibanaSavedObjectMeta": {"searchSourceJSON": '{"query":{"query":"","language":"kuery"},'
                                                                         '"filter":[]}'}}}
    data, out = round_trip(obj)
    assert data["unset"] == ["sync_colors", "sync_cursor", "sync_tooltips"]
    assert json.loads(out["attributes"]["optionsJSON"]) == {"hidePanelTitles": False, "useMargins": True}


def test_a_dashboard_without_options_or_panel_config_is_written_without_them() -> None:
    panels = [{"type": "search", "gridData": {"x": 0, "y": 0, "w": 24, "h": 15, "i": "1"}, "panelIndex": "1",
               "panelRefName": "panel_1"}]
    obj = {"id": "d", "type": "dashboard", "references": [{"id": "s", "name": "1:panel_1", "type": "search"}],
           "attributes": {"title": "D", "panelsJSON": json.dumps(panels), "timeRestore": False,
                          "kibanaSavedObjectMeta": {"searchSourceJSON": '{"query":{"query":"","language":"kuery"},'
                                                                         '"filter":[]}'}}}
    data, out = round_trip(obj)
    assert data["unset"] == ["options", "panel_enhancements"] and data["panels"][0]["unset"] == ["embeddable_config"]
    assert "optionsJSON" not in out["attributes"]
    assert kept_parts(out) == kept_parts(obj)


def test_an_option_both_unset_and_set_is_refused() -> None:
    with pytest.raises(ValueError, match="sync_cursor listed in unset but also set in options"):
        KIND.model.model_validate({"title": "D", "options": {"sync_cursor": True}, "unset": ["sync_cursor"]})


def test_panels_of_mixed_eras_say_their_own_version_and_missing_enhancements() -> None:
    panels = [{"type": "visualization", "gridData": {"x": 0, "y": 0, "w": 24, "h": 15, "i": "a"}, "panelIndex": "a",
               "version": "7.9.0", "embeddableConfig": {"hidePanelTitles": False}, "panelRefName": "panel_a"},
              {"type": "visualization", "gridData": {"x": 24, "y": 0, "w": 24, "h": 15, "i": "b"}, "panelIndex": "b",
               "embeddableConfig": {"enhancements": {}}, "panelRefName": "panel_b"}]
    obj = {"id": "d", "type": "dashboard",
           "references": [{"id": "v1", "name": "a:panel_a", "type": "visualization"},
                          {"id": "v2", "name": "b:panel_b", "type": "visualization"}],
           "attributes": {"title": "D", "panelsJSON": json.dumps(panels), "timeRestore": False,
                          "optionsJSON": '{"useMargins":true,"syncColors":false,"syncCursor":true,'
                                         '"syncTooltips":false,"hidePanelTitles":false}',
                          "kibanaSavedObjectMeta": {"searchSourceJSON": '{"query":{"query":"","language":"kuery"},'
                                                                         '"filter":[]}'}}}
    data, out = round_trip(obj)
    assert "panel_version" not in data and "unset" not in data
    assert data["panels"][0]["version"] == "7.9.0" and data["panels"][0]["unset"] == ["enhancements"]
    assert data["panels"][0]["hide_title"] is False
    assert kept_parts(out) == kept_parts(obj)


@pytest.mark.slow
def test_every_corpus_dashboard_keeps_what_normalise_would_forgive(corpus_dir: Path) -> None:
    failures, checked = [], 0
    for path in sorted((corpus_dir / "kibana-objects").glob("*/*/dashboard/*.json")):
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        if not isinstance(obj.get("attributes", {}).get("panelsJSON"), str):
            continue  # elastic-package sources keep it decoded; the round-trip corpus test encodes them
        try:
            expected = kept_parts(obj)
        except (json.JSONDecodeError, AttributeError, TypeError):
            continue
        checked += 1
        got = kept_parts(round_trip(obj)[1])
        if got != expected:
            diff = {k: (expected[k], got[k]) for k in expected if expected[k] != got[k]}
            failures.append(f"{path.relative_to(corpus_dir)}: {str(diff)[:300]}")
    print(f"\n{checked - len(failures)}/{checked} corpus dashboards keep every part")
    assert checked > 400
    assert not failures, f"{len(failures)}:\n" + "\n".join(failures[:15])
