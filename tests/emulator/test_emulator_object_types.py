"""Fidelity for the types real spaces hold besides dashboards: visualization, library lens, map, links, search.

Sources: reference-objects-es.md 0-6/8-9, reference.md 2.2-2.7, and the 8.x type registrations cited in
tests/kibana_emulator/so_types.py, config.py, migrations.py and so_validation.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from kibana_emulator import KibanaEmulator
from kibana_emulator.fixtures import client_for
from kibana_emulator.samples import data_view, import_objects, lens

LINKS = {"type": "links", "id": "nav", "coreMigrationVersion": "8.8.0",
         "attributes": {"title": "Related", "description": "", "layout": "horizontal",
                        "links": [{"id": "l1", "type": "dashboardLink", "order": 0,
                                   "destinationRefName": "link_l1_dashboard"},
                                  {"id": "l2", "type": "externalLink", "order": 1,
                                   "destination": "https://example.org/rb"}]},
         "references": [{"name": "link_l1_dashboard", "type": "dashboard", "id": "missing-board"}]}
MAP = {"type": "map", "id": "m1", "coreMigrationVersion": "8.8.0", "typeMigrationVersion": "8.4.0",
       "attributes": {"title": "Hosts", "description": "", "mapStateJSON": "{}", "uiStateJSON": "{}",
                      "layerListJSON": json.dumps([{"id": "a", "type": "GEOJSON_VECTOR", "sourceDescriptor": {
                          "type": "ES_SEARCH", "indexPatternRefName": "layer_0_source_index_pattern"}}])},
       "references": [{"name": "layer_0_source_index_pattern", "type": "index-pattern", "id": "dv"}]}


def _vis(id_: str, references: list[dict[str, str]], **attributes: Any) -> dict[str, Any]:
    return {"type": "visualization", "id": id_, "coreMigrationVersion": "8.8.0", "typeMigrationVersion": "8.5.0",
            "attributes": {"title": f"Vis {id_}", "description": "", "uiStateJSON": "{}", "version": 1,
                           "visState": json.dumps({"title": f"Vis {id_}", "type": "markdown",
                                                   "params": {"markdown": "x"}, "aggs": []}),
                           "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}, **attributes},
            "references": references}


def _search(id_: str, **extra: Any) -> dict[str, Any]:
    return {"type": "search", "id": id_, "coreMigrationVersion": "8.8.0", "typeMigrationVersion": "8.0.0",
            "attributes": {"title": f"Search {id_}", "columns": [], "sort": [],
                           "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}}, "references": [], **extra}


def _export(client, objects: list[dict[str, str]]) -> list[dict[str, Any]]:
    response = client.post("/api/saved_objects/_export", json={"objects": objects, "excludeExportDetails": True})
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.split("\n")]


# --- types, icons, titles, stamped versions ----------------------------------------------------------------

def test_2_3_map_and_links_import_with_their_management_icon_and_title(emulator_http):
    """maps APP_ICON gisApp, links APP_ICON link; getTitle = attributes.title (so_types.py sources)."""
    body = import_objects(emulator_http, [data_view("dv"), MAP, LINKS]).json()
    assert body["success"] is True
    assert [r["meta"] for r in body["successResults"]] == [
        {"title": "logs-*", "icon": "indexPatternApp"}, {"title": "Hosts", "icon": "gisApp"},
        {"title": "Related", "icon": "link"}]


def test_2_2_map_is_stamped_8_4_0(emulator_http):
    """maps' migrations end at 8.4.0 (reference-objects-es 3.2; a later real export still says 8.4.0)."""
    import_objects(emulator_http, [data_view("dv"), {**MAP, "typeMigrationVersion": "8.1.0"}])
    got = emulator_http.get("/api/saved_objects/map/m1").json()
    assert (got["typeMigrationVersion"], got["migrationVersion"]) == ("8.4.0", {"map": "8.4.0"})


def test_2_2_links_has_no_migrations_so_no_type_migration_version_is_stored(emulator_http):
    """links.ts: `migrations: {}` -> ensureVersion stamps nothing; serializer omits both version keys. Real
    links exports (corpus esdiag) carry coreMigrationVersion 8.8.0 and no typeMigrationVersion."""
    import_objects(emulator_http, [LINKS])
    got = emulator_http.get("/api/saved_objects/links/nav").json()
    assert "typeMigrationVersion" not in got and "migrationVersion" not in got
    assert got["coreMigrationVersion"] == "8.8.0"
    exported = _export(emulator_http, [{"type": "links", "id": "nav"}])[0]
    assert "typeMigrationVersion" not in exported
    created = emulator_http.post("/api/saved_objects/links/nav2", json={"attributes": LINKS["attributes"]})
    assert "typeMigrationVersion" not in created.json()


def test_2_2_links_with_any_type_migration_version_is_422_with_undefined_last_version(emulator_http):
    """upgrade_pipeline.ts#assertCompatibility: isGreater(v, undefined) is true for any non-empty version."""
    response = import_objects(emulator_http, [{**LINKS, "typeMigrationVersion": "8.9.0"}])
    assert response.status_code == 422
    assert response.json()["message"] == ('Document "nav" belongs to a more recent version of Kibana [8.9.0] '
                                          "when the last known version is [undefined].")


@pytest.mark.parametrize(("obj", "version", "latest"), [
    (_vis("v1", []), "8.6.0", "8.5.0"),
    (lens("l1", "dv"), "10.1.0", "8.9.0"),  # lens model versions of later Kibanas (reference-objects-es 8)
    (MAP, "8.5.0", "8.4.0"),
    (_search("s1"), "10.11.0", "8.0.0"),  # search model versions from 8.12 (corpus pfelk searches)
])
def test_2_2_newer_versions_of_each_type_fail_the_whole_import_with_422(emulator_http, kibana_emulator, obj,
                                                                        version, latest):
    response = import_objects(emulator_http, [data_view("dv"), {**obj, "typeMigrationVersion": version}])
    assert response.status_code == 422
    assert response.json()["message"].endswith(f"[{version}] when the last known version is [{latest}].")
    assert kibana_emulator.store.in_spaces(None) == []


def test_8_discover_session_with_tabs_and_no_version_fails_the_8_8_0_search_schema(emulator_http, kibana_emulator):
    """A 9.x Discover session stripped of its version: `{title, description, tabs}` has no
    kibanaSavedObjectMeta, which schemas['8.8.0'] requires (checked before unknown keys such as `tabs`)."""
    session = {"type": "search", "id": "ds", "references": [],
               "attributes": {"title": "S", "description": "", "tabs": [{"id": "t", "label": "T", "attributes": {}}]}}
    body = import_objects(emulator_http, [session]).json()
    assert body["success"] is False
    assert body["errors"][0]["error"] == {
        "type": "unknown", "statusCode": 400, "error": "Bad Request",
        "message": "[attributes.kibanaSavedObjectMeta.searchSourceJSON]: expected value of type [string] but "
                   "got [undefined]: Bad Request"}
    assert kibana_emulator.get_object("search", "ds") is None


def test_2_7_search_schema_checks_types_in_declaration_order(emulator_http):
    bad = _search("s1")
    bad["attributes"] = {**bad["attributes"], "columns": "host", "bogus": 1}
    response = emulator_http.post("/api/saved_objects/search/s1", json={"attributes": bad["attributes"]})
    assert response.json()["message"] == ("[attributes.columns]: expected value of type [array] but got [string]: "
                                          "Bad Request")


# --- reference validation on import (reference 2.3, reference-objects-es 0.6) -----------------------------

def test_2_3_visualization_on_a_missing_saved_search_is_missing_references(emulator_http, kibana_emulator):
    vis = _vis("v1", [{"name": "search_0", "type": "search", "id": "gone"}], savedSearchRefName="search_0")
    body = import_objects(emulator_http, [vis]).json()
    assert body["errors"] == [{"id": "v1", "type": "visualization", "meta": {"title": "Vis v1", "icon": "visualizeApp"},
                               "error": {"type": "missing_references",
                                         "references": [{"type": "search", "id": "gone"}]}}]
    assert kibana_emulator.get_object("visualization", "v1") is None


def test_2_3_missing_data_view_is_listed_once_per_reference(emulator_http):
    """validate_references.ts pushes one entry per enforced reference, without deduplication."""
    refs = [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern", "id": "dv"},
            {"name": "kibanaSavedObjectMeta.searchSourceJSON.filter[0].meta.index", "type": "index-pattern",
             "id": "dv"}]
    body = import_objects(emulator_http, [_vis("v1", refs)]).json()
    assert body["errors"][0]["error"]["references"] == [{"type": "index-pattern", "id": "dv"}] * 2


def test_2_3_saved_search_in_the_same_file_satisfies_search_0(emulator_http):
    vis = _vis("v1", [{"name": "search_0", "type": "search", "id": "s1"}], savedSearchRefName="search_0")
    assert import_objects(emulator_http, [_search("s1"), vis]).json()["success"] is True


def test_0_6_dashboard_on_missing_vis_lens_map_links_imports(emulator_http, kibana_emulator):
    """Only index-pattern and search references are validated: missing panel targets import fine."""
    panels = [{"type": t, "panelIndex": f"p{i}", "panelRefName": f"panel_p{i}",
               "gridData": {"x": 0, "y": i * 8, "w": 24, "h": 8, "i": f"p{i}"}, "embeddableConfig": {}}
              for i, t in enumerate(["visualization", "lens", "map", "links"])]
    board = {"type": "dashboard", "id": "d1", "typeMigrationVersion": "8.9.0", "coreMigrationVersion": "8.8.0",
             "attributes": {"title": "D", "panelsJSON": json.dumps(panels), "optionsJSON": "{}",
                            "timeRestore": False, "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}},
             "references": [{"name": f"p{i}:panel_p{i}", "type": p["type"], "id": f"gone-{i}"}
                            for i, p in enumerate(panels)]}
    assert import_objects(emulator_http, [board]).json()["success"] is True
    assert kibana_emulator.get_object("dashboard", "d1") is not None


def test_0_6_dashboard_search_panel_on_a_missing_search_is_rejected(emulator_http):
    board = {"type": "dashboard", "id": "d1", "typeMigrationVersion": "8.9.0",
             "attributes": {"title": "D", "panelsJSON": "[]"},
             "references": [{"name": "p1:panel_p1", "type": "search", "id": "gone"}]}
    body = import_objects(emulator_http, [board]).json()
    assert body["errors"][0]["error"]["references"] == [{"type": "search", "id": "gone"}]


# --- strict mappings (so_validation.py) ----------------------------------------------------------------------

def test_2_lens_library_object_with_by_value_keys_hits_the_strict_mapping(emulator_http, kibana_emulator):
    """reference-objects-es 2: `type`/`references` inside library lens attributes are malformed; the lens
    mapping is not `dynamic: false`, so Elasticsearch refuses the document and bulkCreate reports it."""
    copied = lens("l1", "dv", typeMigrationVersion="8.9.0")
    copied["attributes"] = {**copied["attributes"], "type": "lens", "references": []}
    body = import_objects(emulator_http, [data_view("dv", typeMigrationVersion="8.0.0"), copied]).json()
    assert body["success"] is False
    assert body["errors"][0]["error"] == {
        "type": "unknown", "statusCode": 500, "error": "Internal Server Error",
        "message": "Unexpected bulk response [400] strict_dynamic_mapping_exception: mapping set to strict, "
                   "dynamic introduction of [type] within [lens] is not allowed"}
    assert kibana_emulator.get_object("lens", "l1") is None
    assert kibana_emulator.get_object("index-pattern", "dv") is not None  # the other object was written


def test_8_show_apply_selections_is_not_an_8_11_dashboard_field(emulator_http):
    """controlGroupInput.showApplySelections came with dashboard model version 2 (reference-objects-es 4.1)."""
    controls = {"controlStyle": "oneLine", "chainingSystem": "HIERARCHICAL", "panelsJSON": "{}",
                "ignoreParentSettingsJSON": "{}", "showApplySelections": False}
    board = {"type": "dashboard", "id": "d1", "typeMigrationVersion": "8.9.0",
             "attributes": {"title": "D", "panelsJSON": "[]", "controlGroupInput": controls}, "references": []}
    body = import_objects(emulator_http, [board]).json()
    assert "within [dashboard.controlGroupInput]" in body["errors"][0]["error"]["message"]
    created = emulator_http.post("/api/saved_objects/dashboard/d2", json={"attributes": board["attributes"]})
    assert created.status_code == 400
    assert created.json()["message"].startswith("mapping set to strict, dynamic introduction of "
                                                "[showApplySelections] within [dashboard.controlGroupInput]")


def test_1_1_visualization_and_links_accept_unknown_attributes(emulator_http, kibana_emulator):
    """Both mappings are `dynamic: false`: extra attributes are stored, just not indexed."""
    links = {**LINKS, "attributes": {**LINKS["attributes"], "extra": 1}}
    assert import_objects(emulator_http, [_vis("v1", [], extra=1), links]).json()["success"] is True
    assert kibana_emulator.get_object("visualization", "v1")["attributes"]["extra"] == 1


def test_3_1_map_unknown_attribute_is_refused_on_create_but_bounds_is_mapped(emulator_http):
    response = emulator_http.post("/api/saved_objects/map/m9", json={"attributes": {**MAP["attributes"], "x": 1}})
    assert response.status_code == 400
    assert "dynamic introduction of [x] within [map]" in response.json()["message"]
    ok = emulator_http.post("/api/saved_objects/map/m9", json={"attributes": {**MAP["attributes"], "bounds": {}}})
    assert ok.status_code == 200


# --- CRUD / bulk / find -------------------------------------------------------------------------------------

def test_2_7_bulk_get_and_crud_for_map_and_links(emulator_http):
    import_objects(emulator_http, [data_view("dv"), MAP, LINKS])
    got = emulator_http.post("/api/saved_objects/_bulk_get",
                             json=[{"type": "map", "id": "m1"}, {"type": "links", "id": "nav"}]).json()
    assert [(o["type"], o["attributes"]["title"]) for o in got["saved_objects"]] == [("map", "Hosts"),
                                                                                     ("links", "Related")]
    updated = emulator_http.put("/api/saved_objects/links/nav", json={"attributes": {"layout": "vertical"}})
    assert updated.status_code == 200
    assert emulator_http.get("/api/saved_objects/links/nav").json()["attributes"]["title"] == "Related"
    assert emulator_http.delete("/api/saved_objects/map/m1").json() == {}


def test_2_6_find_has_reference_list_across_every_type(emulator_http):
    """push looks for unmanaged objects still referencing what it wants to delete (has_reference as a list)."""
    board = {"type": "dashboard", "id": "d1", "typeMigrationVersion": "8.9.0",
             "attributes": {"title": "D", "panelsJSON": "[]"},
             "references": [{"name": "p1:panel_p1", "type": "map", "id": "m1"}]}
    vis = _vis("v1", [{"name": "search_0", "type": "search", "id": "s1"}], savedSearchRefName="search_0")
    other_links = {**LINKS, "id": "nav2", "references": [{"name": "link_x_dashboard", "type": "dashboard",
                                                          "id": "d1"}]}
    assert import_objects(emulator_http, [data_view("dv"), _search("s1"), MAP, board, vis, LINKS,
                                          other_links, lens("l1", "dv", typeMigrationVersion="8.9.0")]
                          ).json()["success"] is True
    types = ["dashboard", "visualization", "lens", "map", "search", "links"]
    wanted = [{"type": "index-pattern", "id": "dv"}, {"type": "search", "id": "s1"},
              {"type": "map", "id": "m1"}, {"type": "dashboard", "id": "d1"}]
    found = emulator_http.get("/api/saved_objects/_find", params={
        "type": types, "has_reference": json.dumps(wanted), "per_page": 100}).json()
    assert sorted((o["type"], o["id"]) for o in found["saved_objects"]) == [
        ("dashboard", "d1"), ("lens", "l1"), ("links", "nav2"), ("map", "m1"), ("visualization", "v1")]
    single = emulator_http.get("/api/saved_objects/_find", params={
        "type": types, "has_reference": json.dumps({"type": "dashboard", "id": "missing-board"})}).json()
    assert [(o["type"], o["id"]) for o in single["saved_objects"]] == [("links", "nav")]


# --- corpus round trip ----------------------------------------------------------------------------------------

ROUND_TRIP_PACKAGES = ("package-storage/apache", "package-storage/nginx", "pfelk/pfelk", "esdiag/esdiag")
KIBANA_ADDED = {"coreMigrationVersion", "typeMigrationVersion", "migrationVersion", "managed", "created_at",
                "updated_at", "version", "created_by", "updated_by", "namespaces"}


def _importable(obj: dict[str, Any], latest: dict[str, str | None]) -> bool:
    version = obj.get("typeMigrationVersion") or (obj.get("migrationVersion") or {}).get(obj["type"])
    if obj["type"] not in latest or not version:
        return obj["type"] in latest
    if latest[obj["type"]] is None:
        return False
    as_tuple = [tuple(int(p) for p in v.split(".")[:3]) for v in (version, latest[obj["type"]])]
    return as_tuple[0] <= as_tuple[1]


def _corpus_objects(corpus_dir: Path, package: str) -> list[dict[str, Any]]:
    files = sorted((corpus_dir / "kibana-objects" / package).glob("*/*.json"))
    return [json.loads(f.read_text()) for f in files]


@pytest.mark.parametrize("package", ROUND_TRIP_PACKAGES)
def test_corpus_vis_lens_map_links_come_back_unchanged_through_export(corpus_dir, package):
    """Every visualization/lens/map/links object of a package that 8.11 can accept (not from a newer Kibana)
    is imported with its dependencies and exported again: attributes and references are what was sent
    (reference-objects-es 0.2: nothing is defaulted), only Kibana's envelope fields differ."""
    emulator = KibanaEmulator()
    latest = emulator.config.type_migration_versions
    objects = [o for o in _corpus_objects(corpus_dir, package) if _importable(o, latest)]
    # Lens objects older than 8.6 get the modelled datasource rename; the comparison is about pass-through
    objects = [o for o in objects if not (o["type"] == "lens" and not o.get("typeMigrationVersion"))]
    present = {(o["type"], o["id"]) for o in objects}
    for ref in [r for o in objects for r in o.get("references", [])]:
        if ref["type"] == "index-pattern" and ("index-pattern", ref["id"]) not in present:
            objects.append(data_view(ref["id"], typeMigrationVersion="8.0.0"))  # Fleet-installed views
            present.add(("index-pattern", ref["id"]))
    objects = [o for o in objects if all(r["type"] != "search" or ("search", r["id"]) in present
                                         for r in o.get("references", []))]
    checked = [o for o in objects if o["type"] in ("visualization", "lens", "map", "links")]
    assert checked, package
    with client_for(emulator) as client:
        body = import_objects(client, objects).json()
        assert body["success"] is True, body.get("errors")
        exported = {(o["type"], o["id"]): o for o in _export(
            client, [{"type": o["type"], "id": o["id"]} for o in checked])}
    assert not emulator.unexpected_errors
    for original in checked:
        line = exported[(original["type"], original["id"])]
        assert {k: v for k, v in line.items() if k not in KIBANA_ADDED} == \
               {k: v for k, v in original.items() if k not in KIBANA_ADDED}
        assert line["coreMigrationVersion"] == "8.8.0"
        if latest[original["type"]] is None:
            assert "typeMigrationVersion" not in line
        else:
            assert line["typeMigrationVersion"] == latest[original["type"]]
