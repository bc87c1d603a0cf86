"""Maps (``objects/maps/``): layers, map state and UI state as YAML, data views named in the layers and moved
into Kibana's positional references on build."""

from __future__ import annotations

import json
from pathlib import Path

from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.registry import kind_named
from kibana_sync.project.loader import Project, load_project
from kibana_sync.source.yaml_reader import SourceFile

MAP = kind_named("map")
MAP_YAML = """\
title: Visitors
tags: [team]
layers:
  - id: base
    type: EMS_VECTOR_TILE
    sourceDescriptor: {type: EMS_TMS, isAutoSelect: true}
  - id: docs
    type: GEOJSON_VECTOR
    sourceDescriptor:
      type: ES_SEARCH
      geoField: geo.location
      indexPatternId: logs
    joins:
      - leftField: iso2
        right: {type: ES_TERM_SOURCE, id: j1, term: geo.src, indexPatternId: {external: metrics-dv}}
map_state:
  zoom: 3
  center: {lon: -88.9, lat: 42.2}
  query: {query: "", language: kuery}
ui_state: {isLayerTOCOpen: true, openTOCDetails: []}
"""


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def compiled(tmp_path: Path, text: str = MAP_YAML) -> dict:
    write(tmp_path, "data_views/logs.yaml", "id: logs\nindex_pattern: logs-*\n")
    write(tmp_path, "tags/team.yaml", "id: team\nname: Team\n")
    write(tmp_path, "maps/visitors.yaml", text)
    project = load_project(tmp_path)
    assert project.ok, [str(d) for d in project.diagnostics.items]
    return MAP.compile(project.get("visitors"), project)


def test_build_encodes_the_three_json_strings_and_extracts_layer_data_views_like_kibana(tmp_path: Path) -> None:
    obj = compiled(tmp_path)
    attributes = obj["attributes"]
    assert obj["typeMigrationVersion"] == "8.4.0"
    assert all(isinstance(attributes[k], str) for k in ("layerListJSON", "mapStateJSON", "uiStateJSON"))
    layers = json.loads(attributes["layerListJSON"])
    assert layers[1]["sourceDescriptor"]["indexPatternRefName"] == "layer_1_source_index_pattern"
    assert "indexPatternId" not in layers[1]["sourceDescriptor"]
    assert layers[1]["joins"][0]["right"]["indexPatternRefName"] == "layer_1_join_0_index_pattern"
    assert sorted((r["name"], r["type"], r["id"]) for r in obj["references"]) == [
        ("layer_1_join_0_index_pattern", "index-pattern", "metrics-dv"),
        ("layer_1_source_index_pattern", "index-pattern", "logs"),
        ("tag-ref-team", "tag", "team")]


def test_export_puts_the_data_view_ids_back_into_the_layers(tmp_path: Path) -> None:
    obj = compiled(tmp_path)
    data = MAP.decompile(obj).data
    assert data["layers"][1]["sourceDescriptor"]["indexPatternId"] == "logs"
    assert data["layers"][1]["joins"][0]["right"]["indexPatternId"] == "metrics-dv"
    assert "raw_references" not in data and data["tags"] == ["team"]
    entry = Entry(MAP, data["id"], MAP.model.model_validate(data), SourceFile("<decompiled>", data))
    assert MAP.normalise(MAP.compile(entry, Project(root=Path("."), entries=[]))) == MAP.normalise(obj)


def test_a_layer_data_view_missing_from_the_repo_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "maps/m.yaml", "title: M\nlayers:\n  - sourceDescriptor: {type: ES_SEARCH, indexPatternId: nope}\n")
    errors = [str(d) for d in load_project(tmp_path).diagnostics.items]
    assert any("maps/m.yaml" in e and "nope" in e for e in errors), errors


def test_normalise_reads_decoded_files_and_old_layer_names_as_kibana_8_11_would() -> None:
    layer = {"id": "a", "type": "VECTOR", "sourceDescriptor": {"type": "ES_SEARCH", "indexPatternRefName":
                                                                "layer_0_source_index_pattern"}}
    ref = {"type": "index-pattern", "id": "logs", "name": "layer_0_source_index_pattern"}
    encoded = {"type": "map", "id": "m", "references": [ref],
               "attributes": {"title": "M", "bounds": {"type": "Polygon"}, "layerListJSON": json.dumps([layer]),
                              "mapStateJSON": "{\"zoom\":2}"}}
    decoded = {"type": "map", "id": "m", "references": [ref],
               "attributes": {"title": "M", "description": "",
                              "layerListJSON": [{**layer, "type": "GEOJSON_VECTOR"}], "mapStateJSON": {"zoom": 2}}}
    assert MAP.normalise(encoded) == MAP.normalise(decoded)


def test_export_drops_bounds_with_a_warning() -> None:
    obj = {"type": "map", "id": "m", "references": [],
           "attributes": {"title": "M", "bounds": {"type": "Polygon"}, "layerListJSON": "[]"}}
    result = MAP.decompile(obj)
    assert "bounds" not in json.dumps(result.data)
    assert any("bounds" in w for w in result.warnings)


def test_kibana_drops_bounds_on_import_of_a_pre_7_9_map_as_export_does(emulator_http, corpus_dir: Path) -> None:
    """Kibana's map migration 7.9.0 (removeBoundsFromSavedObject) deletes ``bounds``, so the map Kibana holds
    after importing an old map equals what export writes: no bounds (helk, a real 7.6 map)."""
    from kibana_emulator.samples import data_view, import_objects

    original = json.loads((corpus_dir / "kibana-objects/helk/helk/map/07a52530-7e48-11ea-809d-5972b5df304f.json")
                          .read_text(encoding="utf-8"))
    assert "bounds" in original["attributes"]
    views = [data_view(r["id"]) for r in original["references"] if r["type"] == "index-pattern"]
    response = import_objects(emulator_http, [*views, original])
    assert response.json()["success"] is True, response.text
    stored = emulator_http.get(f"/api/saved_objects/map/{original['id']}").json()
    assert "bounds" not in stored["attributes"]
    assert "bounds" not in json.dumps(MAP.decompile(original).data)
