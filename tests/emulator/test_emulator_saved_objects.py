"""Fidelity of export, find, CRUD and bulk routes (reference 2.1, 2.5-2.7)."""

from __future__ import annotations

import base64
import json

from kibana_emulator.samples import data_view, import_objects, lens, tag

V = {"typeMigrationVersion": "8.0.0"}
LENS_V = {"typeMigrationVersion": "8.9.0"}


def _export(client, **body):
    return client.post("/api/saved_objects/_export", json=body)


def test_2_5_export_lines_are_key_sorted_referenced_first_without_trailing_newline(emulator_http):
    import_objects(emulator_http, [lens("a-lens", "z-dv", **LENS_V), data_view("z-dv", **V)])
    response = _export(emulator_http, type=["lens", "index-pattern"])
    assert response.headers["content-type"] == "application/ndjson"
    assert response.headers["content-disposition"] == 'attachment; filename="export.ndjson"'
    assert not response.text.endswith("\n")
    lines = response.text.split("\n")
    objects = [json.loads(line) for line in lines]
    # by id the lens sorts first, but the data view it references must come before it
    assert [o["id"] for o in objects[:2]] == ["z-dv", "a-lens"]
    assert all(line == json.dumps(o, sort_keys=True, separators=(",", ":")) for line, o in zip(lines, objects, strict=True))
    assert objects[2] == {"excludedObjects": [], "excludedObjectsCount": 0, "exportedCount": 2,
                          "missingRefCount": 0, "missingReferences": []}
    assert "namespaces" not in objects[0] and "migrationVersion" not in objects[0]
    assert "sort" in objects[0]  # by-type exports keep the finder's sort values


def test_2_5_export_by_objects_with_references_deep_and_missing_refs(emulator_http):
    import_objects(emulator_http, [data_view("dv", **V), lens("l1", "dv", **LENS_V)])
    board = {"type": "dashboard", "id": "d1", "attributes": {"title": "D", "panelsJSON": "[]"},
             "typeMigrationVersion": "8.9.0",
             "references": [{"type": "lens", "id": "l1", "name": "p1:panel_p1"},
                            {"type": "tag", "id": "gone", "name": "tag-ref-gone"}]}
    import_objects(emulator_http, [board])
    text = _export(emulator_http, objects=[{"type": "dashboard", "id": "d1"}], includeReferencesDeep=True,
                   excludeExportDetails=False).text
    objects = [json.loads(line) for line in text.split("\n")]
    assert [o.get("id") for o in objects[:3]] == ["dv", "l1", "d1"]
    assert "sort" not in objects[0]
    assert objects[3]["missingReferences"] == [{"id": "gone", "type": "tag"}]


def test_2_5_export_400_shapes(emulator_http):
    assert _export(emulator_http).json()["message"] == "Either `type` or `objects` are required."
    both = _export(emulator_http, type="tag", objects=[])
    assert both.json()["message"] == 'Can\'t specify both "types" and "objects" properties when exporting'
    wigwag = _export(emulator_http, type=["wigwags"])
    assert wigwag.json()["message"] == "Trying to export non-exportable type(s): wigwags"
    missing = _export(emulator_http, objects=[{"type": "dashboard", "id": "1"}])
    assert missing.status_code == 400
    assert missing.json() == {
        "statusCode": 400, "error": "Bad Request", "message": "Error fetching objects to export",
        "attributes": {"objects": [{"id": "1", "type": "dashboard", "error": {
            "statusCode": 404, "error": "Not Found", "message": "Saved object [dashboard/1] not found"}}]}}
    no_body = emulator_http.post("/api/saved_objects/_export")
    assert no_body.json()["message"] == "[request body]: expected a plain object value, but found [null] instead."


def test_2_1_get_returns_the_envelope_with_version_token(emulator_http):
    created = emulator_http.post("/api/saved_objects/tag/t1", json={"attributes": {"name": "x"}}).json()
    assert json.loads(base64.b64decode(created["version"])) == [1, 1]
    got = emulator_http.get("/api/saved_objects/tag/t1").json()
    assert got["migrationVersion"] == {"tag": "8.0.0"}
    assert (got["coreMigrationVersion"], got["namespaces"], got["managed"]) == ("8.8.0", ["default"], False)


def test_1_4_missing_object_is_a_boom_404(emulator_http):
    response = emulator_http.get("/api/saved_objects/dashboard/abc")
    assert response.json() == {"statusCode": 404, "error": "Not Found",
                               "message": "Saved object [dashboard/abc] not found"}


def test_2_7_create_conflicts_unless_overwrite(emulator_http):
    emulator_http.post("/api/saved_objects/tag/t1", json={"attributes": {"name": "x"}})
    again = emulator_http.post("/api/saved_objects/tag/t1", json={"attributes": {"name": "y"}})
    assert again.json() == {"statusCode": 409, "error": "Conflict", "message": "Saved object [tag/t1] conflict"}
    forced = emulator_http.post("/api/saved_objects/tag/t1", params={"overwrite": "true"},
                                json={"attributes": {"name": "y"}})
    assert forced.json()["attributes"] == {"name": "y"}


def test_2_1_create_in_another_space_with_a_taken_id_is_409(emulator_http):
    emulator_http.post("/api/saved_objects/tag/t1", json={"attributes": {"name": "x"}})
    response = emulator_http.post("/s/team/api/saved_objects/tag/t1", json={"attributes": {"name": "x"}})
    assert response.status_code == 409


def test_1_4_unknown_body_key_is_a_config_schema_400(emulator_http):
    response = emulator_http.post("/api/saved_objects/tag/t1", json={"attributes": {}, "foo": 1})
    assert response.json()["message"] == "[request body.foo]: definition for this key is missing"


def test_2_7_update_is_a_shallow_merge_and_checks_version(emulator_http, kibana_emulator):
    created = emulator_http.post("/api/saved_objects/index-pattern/dv", json={"attributes": {
        "title": "logs-*", "name": "Logs", "nested": {"a": 1, "b": 2}}}).json()
    updated = emulator_http.put("/api/saved_objects/index-pattern/dv", json={
        "attributes": {"nested": {"a": 9}}, "version": created["version"]})
    assert updated.json()["attributes"] == {"nested": {"a": 9}}  # partial response: only what was sent
    stored = kibana_emulator.get_object("index-pattern", "dv")["attributes"]
    assert stored == {"title": "logs-*", "name": "Logs", "nested": {"a": 9}}
    stale = emulator_http.put("/api/saved_objects/index-pattern/dv", json={
        "attributes": {"name": "x"}, "version": created["version"]})
    assert stale.status_code == 409


def test_2_7_bulk_update_deep_merges(emulator_http, kibana_emulator):
    emulator_http.post("/api/saved_objects/index-pattern/dv", json={"attributes": {"nested": {"a": 1, "b": 2}}})
    emulator_http.put("/api/saved_objects/_bulk_update", json=[
        {"type": "index-pattern", "id": "dv", "attributes": {"nested": {"a": 9}}}])
    assert kibana_emulator.get_object("index-pattern", "dv")["attributes"]["nested"] == {"a": 9, "b": 2}


def test_2_7_bulk_get_keeps_request_order_with_errors(emulator_http):
    import_objects(emulator_http, [tag("t1", "x")])
    body = emulator_http.post("/api/saved_objects/_bulk_get", json=[
        {"type": "tag", "id": "nope"}, {"type": "tag", "id": "t1"}, {"type": "wigwag", "id": "w"}]).json()
    first, second, third = body["saved_objects"]
    assert first["error"]["statusCode"] == 404
    assert second["attributes"]["name"] == "x"
    assert third["error"]["message"] == "Unsupported saved object type: 'wigwag': Bad Request"


def test_2_7_bulk_create_reports_conflicts_per_object(emulator_http):
    emulator_http.post("/api/saved_objects/tag/t1", json={"attributes": {"name": "x"}})
    body = emulator_http.post("/api/saved_objects/_bulk_create", json=[
        {"type": "tag", "id": "t1", "attributes": {"name": "x"}},
        {"type": "tag", "id": "t2", "attributes": {"name": "y"}}]).json()
    assert body["saved_objects"][0]["error"]["statusCode"] == 409
    assert body["saved_objects"][1]["id"] == "t2"


def test_2_2_bulk_create_without_versions_runs_no_migrations(emulator_http, kibana_emulator):
    """On create (unlike import) a missing version means no migrations: a formBased lens is fine."""
    body = lens("l1", "dv")
    response = emulator_http.post("/api/saved_objects/_bulk_create", json=[
        {"type": "lens", "id": "l1", "attributes": body["attributes"], "references": body["references"]}])
    assert response.status_code == 200
    assert kibana_emulator.get_object("lens", "l1")["typeMigrationVersion"] == "8.9.0"


def test_2_7_bulk_delete_of_a_shared_object_needs_force(emulator_http, kibana_emulator):
    emulator_http.post("/api/saved_objects/index-pattern/dv", json={
        "attributes": {"title": "x"}, "initialNamespaces": ["default", "team"]})
    refused = emulator_http.post("/api/saved_objects/_bulk_delete", json=[{"type": "index-pattern", "id": "dv"}])
    status = refused.json()["statuses"][0]
    assert status["success"] is False and "use the \"force\" option" in status["error"]["message"]
    forced = emulator_http.post("/api/saved_objects/_bulk_delete", params={"force": "true"},
                                json=[{"type": "index-pattern", "id": "dv"}])
    assert forced.json() == {"statuses": [{"success": True, "id": "dv", "type": "index-pattern"}]}
    assert kibana_emulator.get_object("index-pattern", "dv") is None


def test_2_7_delete_returns_empty_object(emulator_http):
    emulator_http.post("/api/saved_objects/tag/t1", json={"attributes": {"name": "x"}})
    assert emulator_http.delete("/api/saved_objects/tag/t1").json() == {}
    assert emulator_http.delete("/api/saved_objects/tag/t1").status_code == 404


def test_2_6_find_pages_searches_and_filters_by_reference(emulator_http):
    import_objects(emulator_http, [data_view("dv", **V), lens("l1", "dv", **LENS_V), lens("l2", "dv", **LENS_V),
                                   tag("t1", "team alpha")])
    page = emulator_http.get("/api/saved_objects/_find", params={"type": "lens", "per_page": 1, "page": 2}).json()
    assert (page["total"], page["page"], page["per_page"], len(page["saved_objects"])) == (2, 2, 1, 1)
    assert page["saved_objects"][0]["score"] == 0
    searched = emulator_http.get("/api/saved_objects/_find", params={"type": "tag", "search": "alp*"}).json()
    assert [o["id"] for o in searched["saved_objects"]] == ["t1"]
    referencing = emulator_http.get("/api/saved_objects/_find", params={
        "type": ["lens", "tag"], "has_reference": json.dumps({"type": "index-pattern", "id": "dv"}),
        "fields": "title"}).json()
    assert sorted(o["id"] for o in referencing["saved_objects"]) == ["l1", "l2"]
    assert referencing["saved_objects"][0]["attributes"] == {"title": "Lens l1"}
    unknown = emulator_http.get("/api/saved_objects/_find", params={"type": "wigwag"}).json()
    assert unknown["total"] == 0


def test_2_6_find_is_scoped_to_the_space_unless_namespaces_star(emulator_http):
    import_objects(emulator_http, [tag("t1", "x")], space="team")
    assert emulator_http.get("/api/saved_objects/_find", params={"type": "tag"}).json()["total"] == 0
    everywhere = emulator_http.get("/api/saved_objects/_find", params={"type": "tag", "namespaces": "*"})
    assert everywhere.json()["total"] == 1


def test_2_6_find_rejects_a_non_numeric_per_page(emulator_http):
    response = emulator_http.get("/api/saved_objects/_find", params={"type": "tag", "per_page": "many"})
    assert response.json()["message"] == "[request query.per_page]: expected value of type [number] but got [string]"


def test_7_data_views_api_reads_index_pattern_objects_with_versioned_header(emulator_http):
    named = data_view("dv", "logs-*", **V)
    named["attributes"].update(name="Logs", fieldFormatMap='{"bytes":{"id":"bytes"}}')
    import_objects(emulator_http, [named])
    response = emulator_http.get("/api/data_views/data_view/dv")
    assert response.headers["elastic-api-version"] == "2023-10-31"
    spec = response.json()["data_view"]
    assert (spec["title"], spec["name"], spec["timeFieldName"]) == ("logs-*", "Logs", "@timestamp")
    assert spec["fieldFormats"] == {"bytes": {"id": "bytes"}} and spec["fields"] == {}
    listed = emulator_http.get("/api/data_views").json()["data_view"]
    assert listed == [{"id": "dv", "namespaces": ["default"], "title": "logs-*", "name": "Logs"}]


def test_7_data_view_create_stores_an_index_pattern_saved_object(emulator_http, kibana_emulator):
    created = emulator_http.post("/api/data_views/data_view", json={"data_view": {
        "id": "dv", "title": "metrics-*", "runtimeFieldMap": {"x": {"type": "keyword"}}}})
    assert created.json()["data_view"]["runtimeFieldMap"] == {"x": {"type": "keyword"}}
    stored = kibana_emulator.get_object("index-pattern", "dv")
    assert stored["attributes"]["runtimeFieldMap"] == '{"x":{"type":"keyword"}}'
    duplicate = emulator_http.post("/api/data_views/data_view", json={"data_view": {"title": "metrics-*"}})
    assert duplicate.status_code == 400


def test_2_3_import_object_without_id_gets_a_generated_one(emulator_http, kibana_emulator):
    body = import_objects(emulator_http, [{"type": "tag", "attributes": {"name": "anon"}, "references": []}])
    new_id = body.json()["successResults"][0]["id"]
    assert kibana_emulator.get_object("tag", new_id)["attributes"]["name"] == "anon"


def test_2_2_bulk_create_with_a_too_new_version_fails_the_whole_request(emulator_http, kibana_emulator):
    response = emulator_http.post("/api/saved_objects/_bulk_create", json=[
        {"type": "tag", "id": "t1", "attributes": {"name": "x"}},
        {"type": "lens", "id": "l1", "attributes": {"title": "L"}, "typeMigrationVersion": "10.1.0"}])
    assert response.status_code == 422
    assert kibana_emulator.get_object("tag", "t1") is None
