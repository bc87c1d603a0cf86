"""Fidelity of `_import` (reference 2.2 migration gate, 2.3 pipeline)."""

from __future__ import annotations

import json

import pytest
from kibana_emulator import EmulatorConfig, KibanaEmulator
from kibana_emulator.fixtures import client_for
from kibana_emulator.samples import dashboard, data_view, import_objects, lens, ndjson, tag

V = {"typeMigrationVersion": "8.0.0", "coreMigrationVersion": "8.8.0"}
LENS_V = {"typeMigrationVersion": "8.9.0", "coreMigrationVersion": "8.8.0"}


def test_2_2_lens_without_type_migration_version_runs_all_migrations_and_fails_500(emulator_http, kibana_emulator):
    response = import_objects(emulator_http, [data_view("dv", **V), lens("l1", "dv")], overwrite="true")
    assert response.status_code == 500
    assert response.json() == {"statusCode": 500, "error": "Internal Server Error",
                               "message": "An internal server error occurred."}
    # bulkCreate migrates everything before writing, so the data view in the same file is not written either
    assert kibana_emulator.get_object("index-pattern", "dv") is None


def test_2_2_dashboard_with_by_value_formbased_lens_and_no_version_fails_500(emulator_http):
    response = import_objects(emulator_http, [data_view("dv", **V), dashboard("d1", "dv")], overwrite="true")
    assert response.status_code == 500


def test_2_2_same_objects_with_8_11_versions_import_and_are_stamped(emulator_http, kibana_emulator):
    response = import_objects(emulator_http, [data_view("dv", **V), lens("l1", "dv", **LENS_V),
                                              dashboard("d1", "dv", **LENS_V)], overwrite="true")
    assert response.json()["success"] is True
    stored = kibana_emulator.get_object("dashboard", "d1")
    assert (stored["coreMigrationVersion"], stored["typeMigrationVersion"]) == ("8.8.0", "8.9.0")
    assert stored["namespaces"] == ["default"]


def test_2_2_legacy_lens_without_version_is_migrated_to_formbased(emulator_http, kibana_emulator):
    legacy = lens("old", "dv")
    states = legacy["attributes"]["state"]["datasourceStates"]
    states["indexpattern"] = states.pop("formBased")
    response = import_objects(emulator_http, [data_view("dv", **V), legacy])
    assert response.json()["success"] is True
    migrated = kibana_emulator.get_object("lens", "old")["attributes"]["state"]["datasourceStates"]
    assert list(migrated) == ["formBased"]


def test_2_2_too_new_type_migration_version_fails_whole_import_with_422(emulator_http, kibana_emulator):
    response = import_objects(emulator_http, [data_view("dv", **V),
                                              lens("l1", "dv", typeMigrationVersion="10.3.0")])
    assert response.status_code == 422
    assert response.json()["message"] == ('Document "l1" belongs to a more recent version of Kibana [10.3.0] '
                                          "when the last known version is [8.9.0].")
    assert kibana_emulator.get_object("index-pattern", "dv") is None


def test_2_2_core_migration_version_newer_than_kibana_is_422(emulator_http):
    response = import_objects(emulator_http, [data_view("dv", typeMigrationVersion="8.0.0",
                                                        coreMigrationVersion="8.12.0")])
    assert response.status_code == 422
    assert response.json()["message"] == ('Document "dv" has a "coreMigrationVersion" which belongs to a more '
                                          "recent version of Kibana [8.12.0]. The current version is [8.11.0].")


def test_2_2_invalid_core_migration_version_is_422(emulator_http):
    response = import_objects(emulator_http, [data_view("dv", typeMigrationVersion="8.0.0",
                                                        coreMigrationVersion="eight")])
    assert response.status_code == 422
    assert "must be a semver value" in response.json()["message"]


def test_2_2_legacy_migration_version_map_is_accepted_through_the_raw_handle_api():
    emulator = KibanaEmulator()
    client_objects = [lens("l1", "dv", migrationVersion={"lens": "8.9.0"}), data_view("dv", **V)]
    status, _, body = emulator.handle(
        "POST", "/api/saved_objects/_import", "", {"authorization": "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==",
                                                   "kbn-xsrf": "t",
                                                   "content-type": "multipart/form-data; boundary=B"},
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="x.ndjson"\r\n\r\n'
        + ndjson(client_objects).encode() + b"\r\n--B--\r\n")
    assert status == 200 and json.loads(body)["success"] is True


def test_2_2_search_latest_version_is_configurable(emulator_http):
    emulator = KibanaEmulator(EmulatorConfig(type_migration_versions={
        **EmulatorConfig().type_migration_versions, "search": "8.5.0"}))
    search = {"type": "search", "id": "s1", "references": [], "typeMigrationVersion": "8.5.0",
              "attributes": {"title": "S", "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}}}
    with client_for(emulator) as client:
        assert import_objects(client, [search]).json()["success"] is True
    assert import_objects(emulator_http, [search]).status_code == 422  # default latest for search is 8.0.0


def test_2_3_missing_index_pattern_reference_writes_nothing_and_reports_success_false(emulator_http,
                                                                                      kibana_emulator):
    response = import_objects(emulator_http, [tag("t1", "team"), lens("l1", "missing-dv", **LENS_V)],
                              overwrite="true")
    body = response.json()
    assert response.status_code == 200
    assert body["success"] is False
    assert body["errors"] == [{"id": "l1", "type": "lens", "meta": {"title": "Lens l1", "icon": "lensApp"},
                               "error": {"type": "missing_references",
                                         "references": [{"type": "index-pattern", "id": "missing-dv"}]}}]
    # the successCount quirk: the tag is listed although nothing was written
    assert body["successCount"] == 1
    assert body["successResults"][0]["id"] == "t1"
    assert kibana_emulator.get_object("tag", "t1") is None


def test_2_3_only_index_pattern_and_search_references_are_checked(emulator_http, kibana_emulator):
    board = dashboard("d1", "dv", **LENS_V)
    board["references"].append({"type": "lens", "id": "nowhere", "name": "p2:panel_p2"})
    board["references"].append({"type": "tag", "id": "no-tag", "name": "tag-ref-no-tag"})
    response = import_objects(emulator_http, [data_view("dv", **V), board])
    assert response.json()["success"] is True
    assert kibana_emulator.get_object("dashboard", "d1") is not None


def test_2_3_reference_satisfied_by_an_existing_object_in_the_space(emulator_http):
    import_objects(emulator_http, [data_view("dv", **V)])
    assert import_objects(emulator_http, [lens("l1", "dv", **LENS_V)]).json()["success"] is True


def test_2_3_conflict_without_overwrite_writes_nothing(emulator_http, kibana_emulator):
    import_objects(emulator_http, [data_view("dv", "old-*", **V)])
    response = import_objects(emulator_http, [data_view("dv", "new-*", **V), tag("t1", "x")])
    body = response.json()
    assert body["success"] is False
    assert body["errors"][0]["error"] == {"type": "conflict"}
    assert kibana_emulator.get_object("index-pattern", "dv")["attributes"]["title"] == "old-*"
    assert kibana_emulator.get_object("tag", "t1") is None


def test_2_3_overwrite_replaces_attributes_and_references_entirely(emulator_http, kibana_emulator):
    first = data_view("dv", "old-*", **V)
    first["attributes"]["fieldFormatMap"] = "{}"
    import_objects(emulator_http, [first])
    response = import_objects(emulator_http, [data_view("dv", "new-*", **V)], overwrite="true")
    result = response.json()["successResults"][0]
    assert result == {"type": "index-pattern", "id": "dv", "meta": {"title": "new-*", "icon": "indexPatternApp"},
                      "overwrite": True, "managed": False}
    stored = kibana_emulator.get_object("index-pattern", "dv")
    assert stored["attributes"] == {"title": "new-*", "timeFieldName": "@timestamp"}


def test_2_3_meta_title_uses_the_management_title(emulator_http):
    named = data_view("dv", "logs-*", **V)
    named["attributes"]["name"] = "Logs"
    results = import_objects(emulator_http, [named, tag("t1", "team")]).json()["successResults"]
    assert [r["meta"] for r in results] == [{"title": "Logs", "icon": "indexPatternApp"},
                                            {"title": "team", "icon": "tag"}]


def test_2_3_managed_flag_is_stored_and_reported(emulator_http, kibana_emulator):
    managed = {**tag("t1", "x"), "managed": True}
    assert import_objects(emulator_http, [managed]).json()["successResults"][0]["managed"] is True
    assert kibana_emulator.get_object("tag", "t1")["managed"] is True


def test_2_3_unsupported_type_is_a_per_object_error_and_others_are_written(emulator_http, kibana_emulator):
    response = import_objects(emulator_http, [{"type": "wigwag", "id": "w", "attributes": {"title": "W"}},
                                              tag("t1", "x")])
    body = response.json()
    assert body["success"] is False
    assert body["errors"] == [{"id": "w", "type": "wigwag", "meta": {"title": "W"},
                               "error": {"type": "unsupported_type"}}]
    assert kibana_emulator.get_object("tag", "t1") is not None


def test_2_3_duplicate_objects_in_file_are_a_400(emulator_http):
    response = import_objects(emulator_http, [tag("t1", "a"), tag("t1", "b")])
    assert response.status_code == 400
    assert response.json()["message"] == "Non-unique import objects detected: [tag:t1]"


def test_2_3_file_part_must_have_ndjson_extension(emulator_http):
    response = import_objects(emulator_http, [tag("t1", "a")], filename="export.json")
    assert (response.status_code, response.json()["message"]) == (400, "Invalid file extension .json")


def test_2_3_overwrite_with_create_new_copies_is_rejected(emulator_http):
    response = import_objects(emulator_http, [tag("t1", "a")], overwrite="true", createNewCopies="true")
    assert response.json()["message"] == "[request query]: cannot use [overwrite] with [createNewCopies]"


def test_2_3_object_limit_and_payload_limit():
    emulator = KibanaEmulator(EmulatorConfig(max_import_export_size=2, max_import_payload_bytes=2000))
    with client_for(emulator) as client:
        too_many = import_objects(client, [tag(f"t{i}", "x") for i in range(3)])
        assert (too_many.status_code, too_many.json()["message"]) == (400, "Can't import more than 2 objects")
        too_big = import_objects(client, [tag("t1", "x" * 3000)])
        assert too_big.status_code == 413


def test_1_4_import_needs_multipart(emulator_http):
    response = emulator_http.post("/api/saved_objects/_import", json=[])
    assert response.json() == {"statusCode": 415, "error": "Unsupported Media Type",
                               "message": "Unsupported Media Type"}


def test_2_3_id_in_another_space_gets_a_new_uuid_and_origin_id(emulator_http, kibana_emulator):
    import_objects(emulator_http, [tag("t1", "x")])
    result = import_objects(emulator_http, [tag("t1", "x")], space="team", overwrite="true").json()
    copy_id = result["successResults"][0]["destinationId"]
    assert copy_id != "t1"
    copy = kibana_emulator.get_object("tag", copy_id)
    assert (copy["originId"], copy["namespaces"]) == ("t1", ["team"])
    # re-importing finds the copy through its originId instead of creating another one
    again = import_objects(emulator_http, [tag("t1", "y")], space="team", overwrite="true").json()
    assert again["successResults"][0]["destinationId"] == copy_id
    assert kibana_emulator.get_object("tag", copy_id)["attributes"]["name"] == "y"


def test_2_3_create_new_copies_regenerates_ids_and_rewrites_references(emulator_http, kibana_emulator):
    result = import_objects(emulator_http, [data_view("dv", **V), lens("l1", "dv", **LENS_V)],
                            createNewCopies="true").json()
    ids = {r["id"]: r["destinationId"] for r in result["successResults"]}
    new_lens = kibana_emulator.get_object("lens", ids["l1"])
    assert new_lens["references"][0]["id"] == ids["dv"]
    assert "originId" not in new_lens
    assert all("createNewCopy" not in r for r in result["successResults"])


def test_2_3_export_details_line_is_ignored_on_import(emulator_http, kibana_emulator):
    details = {"exportedCount": 1, "missingRefCount": 0, "missingReferences": []}
    assert import_objects(emulator_http, [tag("t1", "x"), details]).json()["successCount"] == 1


@pytest.mark.parametrize("attribute", ["description", "columns"])
def test_2_7_search_schema_accepts_known_attributes(emulator_http, attribute):
    # title and kibanaSavedObjectMeta.searchSourceJSON are required by schemas['8.8.0'] (search.ts)
    search = {"type": "search", "id": "s1", "references": [], "typeMigrationVersion": "8.0.0",
              "attributes": {"title": "S", "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"},
                             attribute: "x" if attribute == "description" else []}}
    assert import_objects(emulator_http, [search]).json()["success"] is True


def test_2_7_search_with_unknown_attribute_is_an_unknown_import_error(emulator_http, kibana_emulator):
    search = {"type": "search", "id": "s1", "references": [], "typeMigrationVersion": "8.0.0",
              "attributes": {"title": "S", "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}, "bogus": 1}}
    body = import_objects(emulator_http, [search]).json()
    # extract_errors.ts keeps the whole Boom payload of the bulkCreate failure and adds type "unknown"
    assert body["errors"][0]["error"] == {"type": "unknown", "statusCode": 400, "error": "Bad Request",
                                          "message": "[attributes.bogus]: definition for this key is missing: "
                                                     "Bad Request"}
    assert kibana_emulator.get_object("search", "s1") is None


def _import_corpus_file(client, corpus_dir, name):
    content = (corpus_dir / "ndjson" / name).read_bytes()
    return client.post("/api/saved_objects/_import", params={"overwrite": "true"},
                       files={"file": (name, content)})


def test_corpus_8_0_export_with_legacy_by_value_lens_panels_is_migrated(emulator_http, kibana_emulator,
                                                                         corpus_dir):
    """apm_agent_health_8.x: dashboard at 8.0.0 whose by-value Lens panels still use `indexpattern`."""
    body = _import_corpus_file(emulator_http, corpus_dir, "apm-contrib__apm_agent_health_8.x.ndjson").json()
    assert (body["success"], body["successCount"]) == (True, 2)
    board = kibana_emulator.get_object("dashboard", body["successResults"][1]["id"])
    panels = json.loads(board["attributes"]["panelsJSON"])
    lens_states = [p["embeddableConfig"]["attributes"]["state"]["datasourceStates"]
                   for p in panels if p["type"] == "lens"]
    assert lens_states and all(list(states) == ["formBased"] for states in lens_states)


def test_corpus_export_from_newer_kibana_is_rejected_with_422(emulator_http, corpus_dir):
    """pfelk nginx was exported with dashboard typeMigrationVersion 10.2.0 (a 9.x model version)."""
    response = _import_corpus_file(emulator_http, corpus_dir, "pfelk__24.07-nginx.ndjson")
    assert response.status_code == 422
    assert "belongs to a more recent version of Kibana [10.2.0]" in response.json()["message"]


def test_corpus_dashboard_whose_data_view_is_not_in_the_file_is_not_written(emulator_http, kibana_emulator,
                                                                             corpus_dir):
    body = _import_corpus_file(emulator_http, corpus_dir, "apm-contrib__jvm-metrics.ndjson").json()
    assert body["success"] is False
    assert [e["error"]["type"] for e in body["errors"]] == ["missing_references"]
    assert kibana_emulator.store.in_spaces(None) == []


def test_2_3_origin_match_without_overwrite_is_a_conflict_with_destination(emulator_http, kibana_emulator):
    import_objects(emulator_http, [tag("t1", "x")])
    copy_id = import_objects(emulator_http, [tag("t1", "x")], space="team").json()["successResults"][0][
        "destinationId"]
    again = import_objects(emulator_http, [tag("t1", "y")], space="team").json()
    assert again["errors"][0]["error"] == {"type": "conflict", "destinationId": copy_id}


def test_2_3_two_objects_with_the_same_origin_are_an_ambiguous_conflict(emulator_http, kibana_emulator):
    import_objects(emulator_http, [tag("t1", "x")])
    for copy_id in ("copy-a", "copy-b"):
        kibana_emulator.put_object({**tag(copy_id, copy_id), "originId": "t1"}, space="team")
    body = import_objects(emulator_http, [tag("t1", "x")], space="team", overwrite="true").json()
    error = body["errors"][0]["error"]
    assert error["type"] == "ambiguous_conflict"
    assert sorted(d["id"] for d in error["destinations"]) == ["copy-a", "copy-b"]
    assert kibana_emulator.get_object("tag", "copy-a")["attributes"]["name"] == "copy-a"


def test_2_3_errors_are_listed_check_by_check_and_one_object_can_fail_several_checks(emulator_http,
                                                                                     kibana_emulator):
    """`import/import_saved_objects.ts`: checkConflicts runs on every collected object, including those
    validateReferences already failed, and `errors` lists collect, reference, then conflict failures."""
    import_objects(emulator_http, [data_view("dv", **V), lens("l1", "dv", **LENS_V)])
    kibana_emulator.delete_object("index-pattern", "dv")
    body = import_objects(emulator_http, [
        data_view("other", **V) | {"type": "wigwag"},  # unsupported type
        lens("l1", "dv", **LENS_V),  # exists already and its data view is gone
        lens("l2", "dv", **LENS_V),  # only the data view is missing
    ]).json()
    assert [(e["id"], e["error"]["type"]) for e in body["errors"]] == [
        ("other", "unsupported_type"), ("l1", "missing_references"), ("l2", "missing_references"),
        ("l1", "conflict")]
    assert body["errors"][0]["meta"] == {"title": "logs-*"}  # attributes.title, and no icon for an unknown type
    assert (body["success"], body["successCount"], "successResults" in body) == (False, 0, False)


def test_2_3_overwrite_flag_on_an_error_of_an_object_that_would_have_been_overwritten(emulator_http,
                                                                                       kibana_emulator):
    """pendingOverwrites marks errors too (`overwrite: true` on the error item)."""
    import_objects(emulator_http, [data_view("dv", **V), lens("l1", "dv", **LENS_V)])
    kibana_emulator.delete_object("index-pattern", "dv")
    body = import_objects(emulator_http, [lens("l1", "dv", **LENS_V)], overwrite="true").json()
    assert [(e["error"]["type"], e.get("overwrite")) for e in body["errors"]] == [("missing_references", True)]


def test_2_3_a_regenerated_id_is_reported_without_create_new_copy(emulator_http, kibana_emulator):
    """`import/lib/create_saved_objects.ts` writes a regenerated id with `originId ?? id`, and
    import_saved_objects.ts sets `createNewCopy` only when the created object has no originId."""
    import_objects(emulator_http, [tag("t1", "x")])
    result = import_objects(emulator_http, [tag("t1", "x")], space="team").json()["successResults"][0]
    assert set(result) == {"type", "id", "meta", "destinationId", "managed"}
    assert kibana_emulator.get_object("tag", result["destinationId"])["originId"] == "t1"


def test_2_3_overwrite_keeps_the_origin_id_of_the_object_it_replaces(emulator_http, kibana_emulator):
    """`apis/bulk_create.ts`: without an originId in the file, an overwrite preserves the stored one."""
    kibana_emulator.put_object({**tag("copy", "x"), "originId": "t1"}, space="team")
    body = import_objects(emulator_http, [tag("copy", "y")], space="team", overwrite="true").json()
    assert body["successResults"][0].get("overwrite") is True
    assert kibana_emulator.get_object("tag", "copy")["originId"] == "t1"
    emulator_http.post("/s/team/api/saved_objects/tag/copy", params={"overwrite": "true"},
                       json={"attributes": {"name": "z", "description": "", "color": "#aabbcc"}})
    assert kibana_emulator.get_object("tag", "copy")["originId"] == "t1"
