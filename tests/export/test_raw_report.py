"""What export says it kept verbatim, and which embedded JSON it could not parse, named by path."""

from __future__ import annotations

from kibana_sync.export.raw_report import broken_json, raw_paths


def test_raw_parts_are_named_where_they_are() -> None:
    data = {"title": "t", "raw_attributes": {"a": 1}, "raw_config": {},
            "panels": [{"chart": "bar"}, {"id": "p2", "raw": {"type": "visualization", "x": 1}},
                       [{"raw_layer": {"b": 2}}]]}
    assert raw_paths(data) == ["raw_attributes (a)", "panels[1].raw (visualization)", "panels[2][0].raw_layer (b)"]
    assert raw_paths({"title": "t", "raw": None}) == []


def test_embedded_json_that_does_not_parse_is_reported_at_its_path() -> None:
    data = {"raw_attributes": {"kibanaSavedObjectMeta": {"searchSourceJSON": "{not json"},
                               "visStateJSON": '{"ok": true}'},
            "panels": [{"raw": {"panelsJSON": "[1, 2"}}], "titleJSON": 3, "note": "{nope"}
    problems = broken_json(data)
    assert [p.split(" is not valid JSON")[0] for p in problems] == [
        "raw_attributes.kibanaSavedObjectMeta.searchSourceJSON", "panels[0].raw.panelsJSON"]
    assert broken_json("plain text") == [] and broken_json({"x": {"fineJSON": "{}"}}) == []
