"""Library Lens (``objects/lenses/``): the dashboard panel's chart keys in a file of their own, compiled into
Kibana 8.11's ``lens`` saved object (references on the object, not in the attributes) and read back."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.registry import kind_named
from kibana_sync.lens import LensChart, compile_lens
from kibana_sync.project.loader import Project, load_project
from kibana_sync.source.yaml_reader import SourceFile

LENS = kind_named("lens")
DATA_VIEW = """\
id: logs
index_pattern: logs-*
time_field: "@timestamp"
fields:
  host.name: keyword
  bytes: long
"""
CHART = """\
chart: bar_stacked
x: "@timestamp"
breakdown: {terms: host.name, size: 3}
metrics: [count, sum(bytes)]
query: "host.name: web*"
"""


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def project_with(tmp_path: Path, lens_yaml: str) -> Project:
    write(tmp_path, "data_views/logs.yaml", DATA_VIEW)
    write(tmp_path, "tags/team.yaml", "id: team\nname: Team\n")
    write(tmp_path, "lenses/traffic.yaml", lens_yaml)
    return load_project(tmp_path)


def compiled(tmp_path: Path, lens_yaml: str) -> dict:
    project = project_with(tmp_path, lens_yaml)
    assert project.ok, [str(d) for d in project.diagnostics.items]
    return LENS.compile(project.get("traffic"), project)


def entry_for(data: dict) -> Entry:
    return Entry(LENS, data["id"], LENS.model.model_validate(data), SourceFile("<decompiled>", data))


def test_a_library_lens_is_the_by_value_panel_with_its_references_moved_onto_the_object(tmp_path: Path) -> None:
    obj = compiled(tmp_path, f"title: Traffic\ndescription: Bytes by host\ndata_view: logs\ntags: [team]\n{CHART}")
    by_value = compile_lens(LensChart.model_validate({**yaml.safe_load(CHART), "data_view": "logs"}),
                            "logs", lambda _field: None)
    assert obj["type"] == "lens"
    assert obj["typeMigrationVersion"] == "8.9.0"
    # Kibana's lens type stores exactly these attributes (no `type`, no `references` inside)
    assert set(obj["attributes"]) == {"title", "description", "visualizationType", "state"}
    assert obj["attributes"]["title"] == "Traffic"
    assert obj["attributes"]["description"] == "Bytes by host"
    assert obj["attributes"]["state"] == by_value["state"]
    assert {r["name"]: r["id"] for r in obj["references"]} == {
        "indexpattern-datasource-layer-layer1": "logs", "tag-ref-team": "team"}


def test_export_reads_a_library_lens_back_into_the_same_chart_keys(tmp_path: Path) -> None:
    obj = compiled(tmp_path, f"title: Traffic\ndata_view: logs\ntags: [team]\n{CHART}")
    result = LENS.decompile(obj)
    assert result.compact_parts == 1 and result.raw_parts == 0
    assert result.data == {"id": "traffic", "title": "Traffic", "tags": ["team"], "data_view": "logs",
                           "chart": "bar_stacked", "x": "@timestamp", "breakdown": {"terms": "host.name", "size": 3},
                           "metrics": ["count", "sum(bytes)"], "query": "host.name: web*"}
    again = LENS.compile(entry_for(result.data), Project(root=Path("."), entries=[]))
    assert LENS.normalise(again) == LENS.normalise(obj)


def test_a_tag_cloud_writes_its_words_under_words_since_tags_are_the_objects_tags(tmp_path: Path) -> None:
    obj = compiled(tmp_path, "title: Hosts\ndata_view: logs\ntags: [team]\nchart: tagcloud\nmetric: count\n"
                             "words: {terms: host.name}\n")
    visualization = obj["attributes"]["state"]["visualization"]
    assert visualization["tagAccessor"] in obj["attributes"]["state"]["datasourceStates"]["formBased"]["layers"][
        "layer1"]["columns"]
    data = LENS.decompile(obj).data
    assert data["words"] == {"terms": "host.name"} and data["tags"] == ["team"]


def test_what_the_chart_keys_cannot_say_is_kept_as_the_decoded_state_with_a_warning() -> None:
    state = {"visualization": {"layerId": "l", "layerType": "data", "someFutureKey": 1},
             "query": {"query": "", "language": "kuery"}, "filters": [],
             "datasourceStates": {"formBased": {"layers": {"l": {"columns": {}, "columnOrder": []}}}}}
    obj = {"type": "lens", "id": "odd", "attributes": {"title": "Odd", "visualizationType": "lnsChoropleth",
                                                       "state": state},
           "references": [{"type": "index-pattern", "id": "logs", "name": "indexpattern-datasource-layer-l"}]}
    result = LENS.decompile(obj)
    assert result.raw_parts == 1
    assert result.data["visualization_type"] == "lnsChoropleth"
    assert result.data["state"] == state  # decoded, never an escaped JSON string
    assert any("raw state" in w for w in result.warnings)
    again = LENS.compile(entry_for(result.data), Project(root=Path("."), entries=[]))
    assert LENS.normalise(again) == LENS.normalise(obj)


def test_an_esql_library_lens_needs_no_data_view(tmp_path: Path) -> None:
    obj = compiled(tmp_path, "title: Top hosts\nchart: bar\nesql: |\n  FROM logs-*\n  | STATS c = COUNT(*) BY host.name\n"
                             "x: host.name\nmetric: c\n")
    layers = obj["attributes"]["state"]["datasourceStates"]["textBased"]["layers"]
    assert [c["fieldName"] for c in layers["layer1"]["columns"]] == ["c", "host.name"]
    assert LENS.decompile(obj).data["esql"] == "FROM logs-*\n| STATS c = COUNT(*) BY host.name\n"


@pytest.mark.parametrize(("yaml_text", "message"), [
    (f"title: T\n{CHART}", "needs data_view"),
    ("title: T\ndata_view: logs\n", "write chart:"),
    ("title: T\nchart: line\nstate: {}\n", "takes no chart keys; found chart"),
    ("title: T\nvisualization_type: lnsXY\nstate: {}\nmetric: count\n", "takes no chart keys"),
])
def test_a_malformed_library_lens_is_an_error_at_its_file(tmp_path: Path, yaml_text: str, message: str) -> None:
    project = project_with(tmp_path, yaml_text)
    errors = [str(d) for d in project.diagnostics.items]
    assert any("lenses/traffic.yaml" in e and message in e for e in errors), errors


def test_validate_warns_about_a_field_the_data_view_does_not_declare(tmp_path: Path) -> None:
    project = project_with(tmp_path, "title: T\ndata_view: logs\nchart: line\nx: '@timestamp'\nmetric: sum(byts)\n")
    entry = project.get("traffic")
    messages = [d.message for d in LENS.check(entry, project)]
    assert any("byts" in m for m in messages), messages


def test_attributes_a_library_lens_should_not_have_are_kept_not_dropped() -> None:
    """A by-value panel's attributes pasted into a library object (with `type` and `references` inside)."""
    chart = compile_lens(LensChart.model_validate({"chart": "line", "x": "@timestamp", "metric": "count"}),
                         "logs", lambda _field: None)
    obj = {"type": "lens", "id": "pasted", "references": chart["references"],
           "attributes": {**chart, "title": "Pasted"}}
    result = LENS.decompile(obj)
    assert result.raw_parts == 1 and result.data["raw_attributes"]["type"] == "lens"
    assert any("kept as they are" in w for w in result.warnings)
    again = LENS.compile(entry_for(result.data), Project(root=Path("."), entries=[]))
    assert again["attributes"] == obj["attributes"]
