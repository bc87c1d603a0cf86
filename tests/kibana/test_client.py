"""The Kibana HTTP client against mocked Kibana responses (respx): what it sends, how it reads answers,
when it retries, and that errors are clear and never carry a credential."""

from __future__ import annotations

import base64
import email.utils
import http.server
import json
import shutil
import ssl
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
import respx
from kibana_emulator import EmulatorConfig, KibanaEmulator, samples
from kibana_emulator.fixtures import PASSWORD as EMULATOR_PASSWORD
from kibana_emulator.fixtures import USER as EMULATOR_USER

from kibana_sync import __version__
from kibana_sync.kibana.client import MAX_IMPORT_BYTES, KibanaClient, KibanaError, UnsupportedKibana
from kibana_sync.kibana.connection import ConnectionConfigError, ConnectionSettings
from kibana_sync.kibana.format import TYPE_MIGRATION_VERSIONS

URL = "https://kibana.test:5601"
API_KEY = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="
PASSWORD = "s3cr3t-Pa55"
BASIC = base64.b64encode(f"elastic:{PASSWORD}".encode()).decode()


def boom(status: int, error: str, message: str, **extra: object) -> httpx.Response:
    return httpx.Response(status, json={"statusCode": status, "error": error, "message": message, **extra})


@pytest.fixture
def kibana():
    with respx.mock(base_url=URL, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def waits() -> list[float]:
    return []


def make_client(waits: list[float] | None = None, space: str = "default", **credentials: str) -> KibanaClient:
    settings = ConnectionSettings(url=URL, space=space, **(credentials or {"api_key": API_KEY}))
    return KibanaClient(settings, sleep=(waits.append if waits is not None else lambda _s: None))


@pytest.fixture
def client(waits: list[float]) -> KibanaClient:
    return make_client(waits)


def ndjson_of(request: httpx.Request) -> list[dict]:
    """The objects in the ``file`` part of an ``_import`` request, checking the part's name and filename."""
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    parts = [p for p in request.content.split(b"--" + boundary) if p.strip(b"-\r\n")]
    assert len(parts) == 1
    head, body = parts[0].split(b"\r\n\r\n", 1)
    assert b'name="file"' in head and b'filename="export.ndjson"' in head
    return [json.loads(line) for line in body.removesuffix(b"\r\n").split(b"\n")]


def import_ok(request: httpx.Request) -> httpx.Response:
    objects = ndjson_of(request)
    results = [{"type": o["type"], "id": o["id"], "meta": {}, "overwrite": True} for o in objects]
    return httpx.Response(200, json={"success": True, "successCount": len(results), "successResults": results,
                                     "warnings": []})


# --- headers, auth and spaces -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("credentials", "expected"), [
    ({"api_key": API_KEY}, f"ApiKey {API_KEY}"),
    ({"username": "elastic", "password": PASSWORD}, f"Basic {BASIC}"),
    ({}, None),
])
def test_authorization_header_per_mode(kibana: respx.MockRouter, credentials: dict, expected: str | None) -> None:
    route = kibana.get("/api/actions/connectors").respond(json=[])
    settings = ConnectionSettings(url=URL, **credentials)
    KibanaClient(settings).list_connectors()
    assert route.calls.last.request.headers.get("authorization") == expected


def test_space_prefix_on_object_apis_but_not_on_status_or_spaces(kibana: respx.MockRouter) -> None:
    rule = kibana.get("/s/ops/api/alerting/rule/r1").respond(json={"id": "r1"})
    status = kibana.get("/api/status").respond(json={"version": {"number": "8.11.0"}})
    space = kibana.get("/api/spaces/space/ops").respond(json={"id": "ops"})
    client = make_client(space="ops")
    assert client.get_rule("r1") == {"id": "r1"}
    assert client.version() == "8.11.0"
    assert client.space_exists()
    assert rule.called and status.called and space.called


def test_default_space_has_no_prefix(kibana: respx.MockRouter, client: KibanaClient) -> None:
    route = kibana.get("/api/alerting/rule/r1").respond(json={"id": "r1"})
    client.get_rule("r1")
    assert route.called


def test_ids_are_escaped_in_paths(kibana: respx.MockRouter, client: KibanaClient) -> None:
    route = kibana.get(url__regex=r"/api/alerting/rule/a%2Fb%3Fc$").respond(json={"id": "a/b?c"})
    assert client.get_rule("a/b?c") == {"id": "a/b?c"}
    assert route.called


def test_xsrf_header_on_writes_only_and_user_agent_everywhere(kibana: respx.MockRouter,
                                                             client: KibanaClient) -> None:
    kibana.get("/api/alerting/rule/r1").respond(json={"id": "r1"})
    kibana.put("/api/alerting/rule/r1").respond(json={"id": "r1"})
    kibana.post("/api/alerting/rule/r1/_enable").respond(204)
    kibana.delete("/api/alerting/rule/r1").respond(204)
    client.get_rule("r1")
    client.update_rule("r1", {"name": "x"})
    client.enable_rule("r1")
    client.delete_rule("r1")
    sent = {call.request.method: call.request.headers for call in kibana.calls}
    assert set(sent) == {"GET", "PUT", "POST", "DELETE"}
    assert "kbn-xsrf" not in sent["GET"]
    assert all(sent[m]["kbn-xsrf"] == "kibana-sync" for m in ("PUT", "POST", "DELETE"))
    assert all(h["user-agent"] == f"kibana-sync/{__version__}" for h in sent.values())


def test_json_bodies(kibana: respx.MockRouter, client: KibanaClient) -> None:
    route = kibana.post("/api/alerting/rule/r1").respond(json={"id": "r1"})
    client.create_rule("r1", {"name": "Tilt", "params": {"threshold": [90]}})
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"name": "Tilt", "params": {"threshold": [90]}}


def test_space_exists(kibana: respx.MockRouter) -> None:
    kibana.get("/api/spaces/space/ops").respond(json={"id": "ops"})
    kibana.get("/api/spaces/space/gone").mock(return_value=boom(404, "Not Found", "Not Found"))
    assert make_client(space="ops").space_exists()
    assert not make_client(space="gone").space_exists()
    default = make_client()
    assert default.space_exists() and default.requests_sent == 0


# --- version gate -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("number", "supported"), [
    ("8.10.4", False), ("8.11.0", True), ("8.11.4", True), ("8.17.2", True), ("9.0.0", False), ("7.17.9", False),
])
def test_version_gate(kibana: respx.MockRouter, client: KibanaClient, number: str, supported: bool) -> None:
    kibana.get("/api/status").respond(json={"name": "kibana-1", "version": {"number": number, "build_number": 1},
                                            "status": {"overall": {"level": "available"}}})
    if supported:
        assert client.version() == number
    else:
        with pytest.raises(UnsupportedKibana, match=rf"Kibana {number} is not supported.*8\.11"):
            client.version()


def test_redacted_status_means_not_authenticated(kibana: respx.MockRouter) -> None:
    kibana.get("/api/status").respond(json={"status": {"overall": {"level": "available"}}})
    client = KibanaClient(ConnectionSettings(url=URL))
    with pytest.raises(KibanaError, match="not authenticated.*KIBANA_API_KEY") as err:
        client.version()
    assert not isinstance(err.value, UnsupportedKibana)


# --- saved objects ------------------------------------------------------------------------------------------------

def test_bulk_get_chunks_and_drops_missing_objects(kibana: respx.MockRouter, client: KibanaClient) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        asked = json.loads(request.content)
        objects = [{"type": o["type"], "id": o["id"], "error": {"statusCode": 404, "error": "Not Found",
                                                                 "message": "not found"}}
                   if o["id"].endswith("7") else {**o, "attributes": {}} for o in asked]
        return httpx.Response(200, json={"saved_objects": objects})

    route = kibana.post("/api/saved_objects/_bulk_get").mock(side_effect=answer)
    keys = [("dashboard", f"d{n}") for n in range(2500)]
    found = client.bulk_get(keys)
    assert [len(json.loads(c.request.content)) for c in route.calls] == [1000, 1000, 500]
    assert [o["id"] for o in found] == [i for _, i in keys if not i.endswith("7")]


def test_reads_in_other_spaces_name_them(kibana: respx.MockRouter, client: KibanaClient) -> None:
    """Ids are global across spaces: the collision check reads other spaces explicitly (reference 2.7)."""
    spaces = kibana.get("/api/spaces/space").respond(json=[{"id": "default", "name": "Default"},
                                                           {"id": "staging", "name": "Staging"}])
    bulk = kibana.post("/api/saved_objects/_bulk_get").respond(json={"saved_objects": [
        {"type": "dashboard", "id": "d1", "namespaces": ["staging"], "attributes": {}}]})
    rules = kibana.get("/s/staging/api/alerting/rules/_find").respond(json={"data": [{"id": "r1"}], "total": 1})
    connectors = kibana.get("/s/staging/api/actions/connectors").respond(json=[{"id": "c1"}])
    assert client.list_spaces() == ["default", "staging"]
    assert client.bulk_get([("dashboard", "d1")], namespaces=["staging"])[0]["namespaces"] == ["staging"]
    assert json.loads(bulk.calls[0].request.content) == [{"type": "dashboard", "id": "d1", "namespaces": ["staging"]}]
    assert [r["id"] for r in client.find_rules(space="staging")] == ["r1"]
    assert [c["id"] for c in client.list_connectors(space="staging")] == ["c1"]
    assert spaces.called and rules.called and connectors.called


def test_bulk_get_raises_on_errors_other_than_missing(kibana: respx.MockRouter, client: KibanaClient) -> None:
    kibana.post("/api/saved_objects/_bulk_get").respond(json={"saved_objects": [
        {"type": "dashboard", "id": "d1", "error": {"statusCode": 403, "error": "Forbidden",
                                                   "message": "Unable to bulk_get dashboard"}}]})
    with pytest.raises(KibanaError, match="dashboard/d1: Unable to bulk_get dashboard"):
        client.bulk_get([("dashboard", "d1")])


def test_export_parses_ndjson_and_drops_the_details_line(kibana: respx.MockRouter, client: KibanaClient) -> None:
    lines = [{"type": "index-pattern", "id": "logs", "attributes": {"title": "logs-*"}},
             {"type": "dashboard", "id": "d1", "attributes": {"title": "D"}},
             {"exportedCount": 2, "missingRefCount": 0, "missingReferences": []}]
    route = kibana.post("/api/saved_objects/_export").respond(
        text="\n".join(json.dumps(line) for line in lines), headers={"content-type": "application/ndjson"})
    exported = client.export(objects=[("dashboard", "d1")], include_references_deep=True)
    assert exported == lines[:2]
    assert json.loads(route.calls.last.request.content) == {
        "objects": [{"type": "dashboard", "id": "d1"}], "includeReferencesDeep": True}


def test_export_by_type(kibana: respx.MockRouter, client: KibanaClient) -> None:
    route = kibana.post("/api/saved_objects/_export").respond(text='{"type":"tag","id":"t"}')
    assert client.export(types=["tag"]) == [{"type": "tag", "id": "t"}]
    assert json.loads(route.calls.last.request.content)["type"] == ["tag"]


def test_an_export_answer_that_is_not_ndjson_is_a_kibana_error(kibana: respx.MockRouter,
                                                               client: KibanaClient) -> None:
    kibana.post("/api/saved_objects/_export").respond(text='{"type":"tag","id":"t"}\n<html>proxy error</html>')
    with pytest.raises(KibanaError, match="line 2: not valid JSON"):
        client.export(types=["tag"])


def test_export_needs_exactly_one_selection(client: KibanaClient) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        client.export()


def test_export_of_missing_objects_reports_kibanas_message(kibana: respx.MockRouter, client: KibanaClient) -> None:
    missing = {"objects": [{"id": "1", "type": "dashboard", "error": {"statusCode": 404}}]}
    kibana.post("/api/saved_objects/_export").mock(
        return_value=boom(400, "Bad Request", "Error fetching objects to export", attributes=missing))
    with pytest.raises(KibanaError, match="400.*Error fetching objects to export") as err:
        client.export(objects=[("dashboard", "1")])
    assert err.value.status == 400 and err.value.body["attributes"] == missing


def test_find_pages_through_every_result(kibana: respx.MockRouter, client: KibanaClient) -> None:
    everything = [{"type": "dashboard", "id": f"d{n}"} for n in range(2300)]

    def page(request: httpx.Request) -> httpx.Response:
        number, per_page = int(request.url.params["page"]), int(request.url.params["per_page"])
        chunk = everything[(number - 1) * per_page:number * per_page]
        return httpx.Response(200, json={"page": number, "per_page": per_page, "total": len(everything),
                                         "saved_objects": chunk})

    route = kibana.get("/api/saved_objects/_find").mock(side_effect=page)
    ref = {"type": "tag", "id": "managed-by-kibana-sync"}
    assert client.find(["dashboard", "lens"], has_reference=ref) == everything
    assert route.call_count == 3
    params = route.calls.last.request.url.params
    assert params.get_list("type") == ["dashboard", "lens"]
    assert json.loads(params["has_reference"]) == ref


def test_import_sends_one_ndjson_file_with_overwrite(kibana: respx.MockRouter, client: KibanaClient) -> None:
    route = kibana.post("/api/saved_objects/_import").mock(side_effect=import_ok)
    objects = [{"type": "tag", "id": "t1", "attributes": {"name": "é"}}, {"type": "dashboard", "id": "d1"}]
    [result] = client.import_objects(objects)
    assert result.success and [r["id"] for r in result.success_results] == ["t1", "d1"]
    request = route.calls.last.request
    assert request.url.params["overwrite"] == "true"
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert ndjson_of(request) == objects


def test_import_chunks_by_object_count(kibana: respx.MockRouter, client: KibanaClient) -> None:
    route = kibana.post("/api/saved_objects/_import").mock(side_effect=import_ok)
    objects = [{"type": "tag", "id": f"t{n}"} for n in range(10_001)]
    results = client.import_objects(objects)
    sent = [ndjson_of(call.request) for call in route.calls]
    assert [len(chunk) for chunk in sent] == [10_000, 1]
    assert [o for chunk in sent for o in chunk] == objects
    assert len(results) == 2 and all(r.success for r in results)


def test_import_chunks_by_bytes_at_kibanas_limit(kibana: respx.MockRouter, client: KibanaClient) -> None:
    route = kibana.post("/api/saved_objects/_import").mock(side_effect=import_ok)
    big = "x" * 9_000_000
    objects = [{"type": "dashboard", "id": f"d{n}", "attributes": {"panelsJSON": big}} for n in range(4)]
    client.import_objects(objects)
    assert all(len(call.request.content) <= MAX_IMPORT_BYTES for call in route.calls)
    sent = [ndjson_of(call.request) for call in route.calls]
    assert [len(chunk) for chunk in sent] == [2, 2]
    assert [o["id"] for chunk in sent for o in chunk] == ["d0", "d1", "d2", "d3"]


def test_import_chunk_boundaries_fall_between_objects(kibana: respx.MockRouter, client: KibanaClient) -> None:
    route = kibana.post("/api/saved_objects/_import").mock(side_effect=import_ok)
    client.max_import_bytes = 4000
    objects = [{"type": "lens", "id": f"l{n}", "attributes": {"title": "t" * (n * 37 % 900)}} for n in range(40)]
    client.import_objects(objects)
    assert route.call_count > 1
    assert all(len(call.request.content) <= 4000 for call in route.calls)
    assert [o for call in route.calls for o in ndjson_of(call.request)] == objects


def test_an_object_too_big_to_import_is_refused_before_sending(kibana: respx.MockRouter,
                                                              client: KibanaClient) -> None:
    client.max_import_bytes, client.max_import_objects = 2000, 1
    with pytest.raises(KibanaError, match="dashboard/huge is .* bytes"):
        client.import_objects([{"type": "tag", "id": "t1"}, {"type": "tag", "id": "t2"},
                               {"type": "dashboard", "id": "huge", "x": "y" * 3000}])
    assert client.requests_sent == 0


def test_import_result_reports_failures(kibana: respx.MockRouter, client: KibanaClient) -> None:
    errors = [{"id": "v", "type": "visualization", "meta": {"title": "v"},
               "error": {"type": "missing_references", "references": [{"type": "index-pattern", "id": "p"}]}}]
    kibana.post("/api/saved_objects/_import").respond(json={"success": False, "successCount": 0, "errors": errors,
                                                            "warnings": []})
    [result] = client.import_objects([{"type": "visualization", "id": "v"}])
    assert (result.success, result.success_results, result.errors) == (False, [], errors)


def test_bulk_delete_returns_statuses(kibana: respx.MockRouter, client: KibanaClient) -> None:
    statuses = [{"success": True, "id": "d1", "type": "dashboard"},
                {"success": False, "id": "d2", "type": "dashboard", "error": {"statusCode": 404}}]
    route = kibana.post("/api/saved_objects/_bulk_delete").respond(json={"statuses": statuses})
    assert client.bulk_delete([("dashboard", "d1"), ("dashboard", "d2")]) == statuses
    assert route.calls.last.request.url.params["force"] == "true"


# --- rules and connectors -----------------------------------------------------------------------------------------

def test_find_rules_pages_of_100_with_filter(kibana: respx.MockRouter, client: KibanaClient) -> None:
    rules = [{"id": f"r{n}"} for n in range(230)]

    def page(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        return httpx.Response(200, json={"page": number, "per_page": 100, "total": len(rules),
                                         "data": rules[(number - 1) * 100:number * 100]})

    route = kibana.get("/api/alerting/rules/_find").mock(side_effect=page)
    flt = 'alert.attributes.tags:"managed-by-kibana-sync"'
    assert client.find_rules(filter=flt) == rules
    assert route.call_count == 3
    assert {c.request.url.params["filter"] for c in route.calls} == {flt}
    assert {c.request.url.params["per_page"] for c in route.calls} == {"100"}


def test_missing_rule_and_connector_are_none(kibana: respx.MockRouter, client: KibanaClient) -> None:
    kibana.get("/api/alerting/rule/nope").mock(return_value=boom(404, "Not Found", "Saved object [alert/nope] not found"))
    kibana.get("/api/actions/connector/nope").mock(
        return_value=boom(404, "Not Found", "Saved object [action/nope] not found"))
    assert client.get_rule("nope") is None
    assert client.get_connector("nope") is None


def test_rule_lifecycle_paths(kibana: respx.MockRouter, client: KibanaClient) -> None:
    routes = [kibana.post("/api/alerting/rule/r1/_disable").respond(204),
              kibana.post("/api/alerting/rule/r1/_enable").respond(204),
              kibana.put("/api/alerting/rule/r1").respond(json={"id": "r1", "name": "new"})]
    client.disable_rule("r1")
    client.enable_rule("r1")
    assert client.update_rule("r1", {"name": "new"}) == {"id": "r1", "name": "new"}
    assert all(route.call_count == 1 for route in routes)


def test_connector_crud(kibana: respx.MockRouter, client: KibanaClient) -> None:
    kibana.get("/api/actions/connectors").respond(json=[{"id": "wh"}])
    kibana.post("/api/actions/connector/wh").respond(json={"id": "wh", "name": "n"})
    kibana.put("/api/actions/connector/wh").respond(json={"id": "wh", "name": "m"})
    delete = kibana.delete("/api/actions/connector/wh").respond(204)
    assert client.list_connectors() == [{"id": "wh"}]
    assert client.create_connector("wh", {"name": "n", "connector_type_id": ".index"})["name"] == "n"
    assert client.update_connector("wh", {"name": "m", "config": {}})["name"] == "m"
    client.delete_connector("wh")
    assert delete.called


def test_webhook_forbidden_suggests_the_license(kibana: respx.MockRouter, client: KibanaClient) -> None:
    message = ("Action type .webhook is disabled because your basic license does not support it. "
               "Please upgrade your license.")
    kibana.post("/api/actions/connector/wh").mock(return_value=boom(403, "Forbidden", message))
    kibana.put("/api/actions/connector/wh").mock(return_value=boom(403, "Forbidden", message))
    with pytest.raises(KibanaError, match="Gold.*trial") as err:
        client.create_connector("wh", {"name": "n", "connector_type_id": ".webhook", "config": {}})
    assert err.value.status == 403
    with pytest.raises(KibanaError, match="Gold.*trial"):
        client.update_connector("wh", {"name": "n", "config": {}})


def test_other_forbidden_errors_have_no_license_hint(kibana: respx.MockRouter, client: KibanaClient) -> None:
    kibana.post("/api/actions/connector/ix").mock(
        return_value=boom(403, "Forbidden", "Unauthorized to create a \".index\" action"))
    with pytest.raises(KibanaError, match="permission denied") as err:
        client.create_connector("ix", {"name": "n", "connector_type_id": ".index"})
    assert "license" not in err.value.message


# --- errors -------------------------------------------------------------------------------------------------------

def test_boom_body_becomes_the_error(kibana: respx.MockRouter, client: KibanaClient) -> None:
    kibana.put("/api/alerting/rule/r1").mock(return_value=boom(
        400, "Bad Request", "[request body.enabled]: definition for this key is missing"))
    with pytest.raises(KibanaError) as err:
        client.update_rule("r1", {"enabled": True})
    assert err.value.status == 400
    assert err.value.body == {"statusCode": 400, "error": "Bad Request",
                              "message": "[request body.enabled]: definition for this key is missing"}
    assert "PUT /api/alerting/rule/r1" in err.value.message
    assert "definition for this key is missing" in err.value.message


def test_non_json_error_body(kibana: respx.MockRouter, client: KibanaClient) -> None:
    kibana.get("/api/actions/connectors").respond(500, text="<html>proxy error</html>")
    with pytest.raises(KibanaError, match="500") as err:
        client.list_connectors()
    assert err.value.body is None


@pytest.mark.parametrize("credentials", [{"api_key": API_KEY}, {"username": "elastic", "password": PASSWORD}])
def test_authentication_failure_is_clear_and_leaks_nothing(kibana: respx.MockRouter, credentials: dict) -> None:
    # A proxy that echoes the Authorization header must not make the error show it either.
    header = f"ApiKey {API_KEY}" if "api_key" in credentials else f"Basic {BASIC}"
    kibana.get("/api/actions/connectors").mock(
        return_value=boom(401, "Unauthorized", f"bad credentials in header {header}"))
    settings = ConnectionSettings(url=URL, credentials_source="KIBANA_API_KEY", **credentials)
    with pytest.raises(KibanaError, match="authentication failed.*check KIBANA_API_KEY") as err:
        KibanaClient(settings).list_connectors()
    shown = f"{err.value} {err.value.message!r} {err.value!r}"
    for secret in (API_KEY, PASSWORD, BASIC):
        assert secret not in shown
    assert err.value.status == 401


def test_authentication_failure_without_credentials_says_to_set_them(kibana: respx.MockRouter) -> None:
    kibana.get("/api/actions/connectors").mock(return_value=boom(401, "Unauthorized", "Unauthorized"))
    with pytest.raises(KibanaError, match="none are set; set KIBANA_API_KEY or KIBANA_USERNAME/KIBANA_PASSWORD"):
        KibanaClient(ConnectionSettings(url=URL)).list_connectors()


def test_connection_failure_names_kibana_and_leaks_nothing(kibana: respx.MockRouter) -> None:
    kibana.get("/api/actions/connectors").mock(side_effect=httpx.ConnectError("connection refused"))
    client = make_client(username="elastic", password=PASSWORD)
    with pytest.raises(KibanaError, match=f"cannot reach Kibana at {URL}.*connection refused") as err:
        client.list_connectors()
    assert PASSWORD not in str(err.value) and BASIC not in str(err.value)


# --- retries ------------------------------------------------------------------------------------------------------

def test_503_with_retry_after_seconds_is_retried_after_that_wait(kibana: respx.MockRouter, client: KibanaClient,
                                                                 waits: list[float]) -> None:
    route = kibana.get("/api/actions/connectors").mock(side_effect=[
        httpx.Response(503, headers={"Retry-After": "3"}), httpx.Response(503, headers={"Retry-After": "1"}),
        httpx.Response(200, json=[])])
    assert client.list_connectors() == []
    assert waits == [3.0, 1.0]
    assert route.call_count == 3 and client.requests_sent == 3


def test_retry_after_as_http_date(kibana: respx.MockRouter, client: KibanaClient, waits: list[float]) -> None:
    later = email.utils.formatdate(time.time() + 20, usegmt=True)
    kibana.get("/api/actions/connectors").mock(side_effect=[
        httpx.Response(429, headers={"Retry-After": later}), httpx.Response(200, json=[])])
    client.list_connectors()
    assert len(waits) == 1 and 17 <= waits[0] <= 20


def test_retry_after_is_capped(kibana: respx.MockRouter, client: KibanaClient, waits: list[float]) -> None:
    kibana.get("/api/actions/connectors").mock(side_effect=[
        httpx.Response(503, headers={"Retry-After": "3600"}), httpx.Response(200, json=[])])
    client.list_connectors()
    assert waits == [60.0]


def test_backoff_is_exponential_with_jitter_and_gives_up(kibana: respx.MockRouter, client: KibanaClient,
                                                        waits: list[float]) -> None:
    route = kibana.get("/api/actions/connectors").mock(return_value=boom(502, "Bad Gateway", "upstream down"))
    with pytest.raises(KibanaError, match="502.*upstream down"):
        client.list_connectors()
    assert route.call_count == 5  # the first try and 4 retries
    assert len(waits) == 4
    for attempt, wait in enumerate(waits):
        assert 0.5 * 0.5 * 2 ** attempt <= wait <= 0.5 * 2 ** attempt


def test_no_retry_on_400(kibana: respx.MockRouter, client: KibanaClient, waits: list[float]) -> None:
    route = kibana.post("/api/saved_objects/_bulk_get").mock(return_value=boom(400, "Bad Request", "bad"))
    with pytest.raises(KibanaError, match="bad"):
        client.bulk_get([("dashboard", "d")])
    assert route.call_count == 1 and waits == []


def test_connection_reset_is_retried_for_a_get(kibana: respx.MockRouter, client: KibanaClient,
                                               waits: list[float]) -> None:
    route = kibana.get("/api/alerting/rule/r1").mock(side_effect=[
        httpx.ReadError("connection reset by peer"), httpx.RemoteProtocolError("server disconnected"),
        httpx.Response(200, json={"id": "r1"})])
    assert client.get_rule("r1") == {"id": "r1"}
    assert route.call_count == 3 and len(waits) == 2


def test_read_posts_are_retried(kibana: respx.MockRouter, client: KibanaClient) -> None:
    route = kibana.post("/api/saved_objects/_export").mock(side_effect=[
        httpx.Response(504), httpx.Response(200, text='{"type":"tag","id":"t"}')])
    assert client.export(types=["tag"]) == [{"type": "tag", "id": "t"}]
    assert route.call_count == 2


def test_overwriting_import_is_retried_but_a_plain_import_is_not(kibana: respx.MockRouter,
                                                                 client: KibanaClient) -> None:
    imported = {"success": True, "successCount": 1, "successResults": [{"type": "tag", "id": "t"}], "warnings": []}
    route = kibana.post("/api/saved_objects/_import").mock(side_effect=[httpx.Response(503),
                                                                        httpx.Response(200, json=imported)])
    assert client.import_objects([{"type": "tag", "id": "t"}])[0].success
    assert route.call_count == 2

    route.side_effect = [httpx.Response(503)]
    route.reset()
    with pytest.raises(KibanaError, match="503"):
        client.import_objects([{"type": "tag", "id": "t"}], overwrite=False)
    assert route.call_count == 1


def test_create_that_landed_before_a_dropped_answer_returns_the_object(kibana: respx.MockRouter,
                                                                      client: KibanaClient) -> None:
    create = kibana.post("/api/alerting/rule/r1").mock(side_effect=[
        httpx.ReadError("connection reset"), boom(409, "Conflict", "Saved object [alert/r1] conflict")])
    fetch = kibana.get("/api/alerting/rule/r1").respond(json={"id": "r1", "name": "Tilt"})
    assert client.create_rule("r1", {"name": "Tilt"}) == {"id": "r1", "name": "Tilt"}
    assert create.call_count == 2 and fetch.call_count == 1


def test_create_conflict_on_the_first_attempt_is_an_error(kibana: respx.MockRouter, client: KibanaClient) -> None:
    kibana.post("/api/actions/connector/c1").mock(
        return_value=boom(409, "Conflict", "Saved object [action/c1] conflict"))
    fetch = kibana.get("/api/actions/connector/c1").respond(json={"id": "c1"})
    with pytest.raises(KibanaError, match="409.*conflict") as err:
        client.create_connector("c1", {"name": "c", "connector_type_id": ".index"})
    assert err.value.status == 409 and not fetch.called


def test_delete_404_after_a_retry_is_success(kibana: respx.MockRouter, client: KibanaClient) -> None:
    kibana.delete("/api/alerting/rule/r1").mock(side_effect=[
        httpx.Response(503), boom(404, "Not Found", "Saved object [alert/r1] not found")])
    client.delete_rule("r1")


def test_delete_404_on_the_first_attempt_is_reported(kibana: respx.MockRouter, client: KibanaClient) -> None:
    kibana.delete("/api/actions/connector/c1").mock(
        return_value=boom(404, "Not Found", "Saved object [action/c1] not found"))
    with pytest.raises(KibanaError, match="404") as err:
        client.delete_connector("c1")
    assert err.value.status == 404


def test_retries_can_be_turned_off(kibana: respx.MockRouter, waits: list[float]) -> None:
    client = KibanaClient(ConnectionSettings(url=URL), retries=0, sleep=waits.append)
    route = kibana.get("/api/actions/connectors").mock(return_value=httpx.Response(503))
    with pytest.raises(KibanaError, match="503"):
        client.list_connectors()
    assert route.call_count == 1 and waits == []


# --- TLS against a real local HTTPS server ------------------------------------------------------------------------

class StatusHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        body = json.dumps({"version": {"number": "8.11.0"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def https_kibana(tmp_path_factory: pytest.TempPathFactory):
    """A loopback HTTPS server with a freshly made self-signed certificate; yields (url, certificate path)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StatusHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_port}", cert
    server.shutdown()
    server.server_close()


def test_tls_is_verified_by_default_and_not_retried(https_kibana: tuple[str, Path], waits: list[float]) -> None:
    url, _cert = https_kibana
    client = KibanaClient(ConnectionSettings(url=url, api_key=API_KEY), sleep=waits.append)
    with pytest.raises(KibanaError, match="cannot verify the TLS certificate.*--ca-cert"):
        client.version()
    assert client.requests_sent == 1 and waits == []


def test_tls_with_the_signing_ca_or_insecure(https_kibana: tuple[str, Path]) -> None:
    url, cert = https_kibana
    assert KibanaClient(ConnectionSettings(url=url, api_key=API_KEY, ca_cert=cert)).version() == "8.11.0"
    assert KibanaClient(ConnectionSettings(url=url, api_key=API_KEY, insecure=True)).version() == "8.11.0"


def test_a_ca_file_that_is_not_pem_is_a_configuration_error(tmp_path: Path) -> None:
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(ConnectionConfigError, match="cannot use .*ca.pem as a CA certificate"):
        KibanaClient(ConnectionSettings(url=URL, ca_cert=bogus))


def test_timeout_names_the_setting(kibana: respx.MockRouter, client: KibanaClient) -> None:
    kibana.get("/api/actions/connectors").mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(KibanaError, match="did not answer within 30s.*KIBANA_TIMEOUT"):
        client.list_connectors()
    assert client.requests_sent == 1


# --- against the Kibana emulator (in-process and over loopback HTTP) ----------------------------------------------

RULE = {"name": "Tilt too high", "rule_type_id": ".es-query", "consumer": "alerts", "schedule": {"interval": "1m"},
        "params": {"searchType": "esQuery", "index": ["sensor-*"], "timeField": "@timestamp",
                   "esQuery": '{"query":{"range":{"tilt_score":{"gte":90}}}}', "timeWindowSize": 5,
                   "timeWindowUnit": "m", "thresholdComparator": ">", "threshold": [0], "size": 10},
        "actions": []}


def emulated(emulator: KibanaEmulator, waits: list[float] | None = None, space: str = "default",
             password: str = EMULATOR_PASSWORD) -> KibanaClient:
    settings = ConnectionSettings(url="http://kibana.test", space=space, username=EMULATOR_USER, password=password)
    return KibanaClient(settings, transport=emulator.transport(), sleep=(waits if waits is not None else []).append)


def test_saved_objects_round_trip_through_the_emulator(kibana_emulator: KibanaEmulator) -> None:
    client = emulated(kibana_emulator)
    assert client.version() == "8.11.0"
    objects = [samples.data_view("logs"), samples.dashboard("d1", "logs"), samples.tag("t1", "Team")]
    objects = [{**o, "coreMigrationVersion": "8.8.0",
                "typeMigrationVersion": TYPE_MIGRATION_VERSIONS[o["type"]]} for o in objects]
    [result] = client.import_objects(objects)
    assert result.success, result.errors
    assert [o["id"] for o in client.bulk_get([("dashboard", "d1"), ("tag", "missing"), ("tag", "t1")])] == ["d1", "t1"]
    exported = client.export(objects=[("dashboard", "d1")], include_references_deep=True)
    assert [(o["type"], o["id"]) for o in exported] == [("index-pattern", "logs"), ("dashboard", "d1")]
    assert [o["id"] for o in client.find(["tag"])] == ["t1"]
    statuses = client.bulk_delete([("tag", "t1"), ("tag", "missing")])
    assert [s["success"] for s in statuses] == [True, False]
    assert client.bulk_get([("tag", "t1")]) == []


def test_rules_and_connectors_through_the_emulator(kibana_emulator: KibanaEmulator) -> None:
    client = emulated(kibana_emulator)
    hook = client.create_connector("hook", {"name": "Hook", "connector_type_id": ".webhook",
                                            "config": {"url": "https://hooks.example.com"}, "secrets": {}})
    assert hook["id"] == "hook" and "secrets" not in hook
    assert client.create_rule("tilt", RULE)["id"] == "tilt"
    client.disable_rule("tilt")
    assert client.get_rule("tilt")["enabled"] is False
    client.enable_rule("tilt")
    assert client.update_rule("tilt", {k: RULE[k] for k in ("name", "schedule", "params", "actions")} | {
        "name": "Renamed", "tags": ["kibana-sync"]})["name"] == "Renamed"
    assert [r["id"] for r in client.find_rules(filter='alert.attributes.tags:"kibana-sync"')] == ["tilt"]
    with pytest.raises(KibanaError, match="409") as err:
        client.create_rule("tilt", RULE)
    assert err.value.status == 409
    client.delete_rule("tilt")
    client.delete_connector("hook")
    assert client.get_rule("tilt") is None and client.list_connectors() == []


def test_emulated_basic_license_and_wrong_password(waits: list[float]) -> None:
    basic = KibanaEmulator(EmulatorConfig(license="basic"))
    with pytest.raises(KibanaError, match="basic license.*Hint: .webhook connectors need a Gold"):
        emulated(basic).create_connector("hook", {"name": "Hook", "connector_type_id": ".webhook",
                                                  "config": {"url": "https://hooks.example.com"}})
    with pytest.raises(KibanaError, match="authentication failed") as err:
        emulated(basic, password="wrong-Pa55").version()
    assert "wrong-Pa55" not in str(err.value)
    assert "username and password must be correct" in str(err.value) and "API key" not in str(err.value)


def test_space_check_against_the_emulator(kibana_emulator: KibanaEmulator) -> None:
    client = emulated(kibana_emulator, space="ops")
    assert not client.space_exists()
    kibana_emulator.create_space("ops")
    assert client.space_exists()


def test_emulated_overload_and_dropped_connection_are_retried(kibana_emulator: KibanaEmulator,
                                                              waits: list[float]) -> None:
    client = emulated(kibana_emulator, waits)
    kibana_emulator.faults.fail_next(2, status=503, retry_after=2)
    kibana_emulator.faults.drop_next(1, path_prefix="/api/alerting/rule/tilt")
    assert client.create_rule("tilt", RULE)["id"] == "tilt"
    # The drop comes first (the emulator checks drops before failures), then two 503s honouring Retry-After.
    assert len(waits) == 3 and waits[1:] == [2.0, 2.0]
    assert client.requests_sent == 4


def test_real_dropped_connection_over_loopback_is_retried(kibana_emulator: KibanaEmulator,
                                                          emulator_url: str, waits: list[float]) -> None:
    settings = ConnectionSettings(url=emulator_url, username=EMULATOR_USER, password=EMULATOR_PASSWORD)
    client = KibanaClient(settings, sleep=waits.append)
    kibana_emulator.faults.drop_next(1, path_prefix="/api/status")
    assert client.version() == "8.11.0"
    assert client.requests_sent == 2 and len(waits) == 1
