"""Fidelity of the connectors API (reference 6, license gate of 1.3)."""

from __future__ import annotations

import pytest
from kibana_emulator import EmulatorConfig, KibanaEmulator
from kibana_emulator.fixtures import client_for

WEBHOOK = {"name": "Tilt webhook", "connector_type_id": ".webhook",
           "config": {"url": "https://hooks.example.com/tilt"},
           "secrets": {"user": "hook", "password": "pw"}}


def test_6_create_fills_config_defaults_and_never_returns_secrets(emulator_http):
    body = emulator_http.post("/api/actions/connector/wh1", json=WEBHOOK).json()
    assert body == {"id": "wh1", "name": "Tilt webhook", "connector_type_id": ".webhook",
                    "config": {"method": "post", "headers": None, "hasAuth": True,
                               "url": "https://hooks.example.com/tilt"},
                    "is_preconfigured": False, "is_deprecated": False, "is_missing_secrets": False}
    for response in (emulator_http.get("/api/actions/connector/wh1"), emulator_http.get("/api/actions/connectors")):
        assert '"secrets"' not in response.text and '"pw"' not in response.text


def test_1_3_webhook_on_basic_license_is_403():
    with client_for(KibanaEmulator(EmulatorConfig(license="basic"))) as client:
        response = client.post("/api/actions/connector/wh1", json=WEBHOOK)
        assert response.json() == {
            "statusCode": 403, "error": "Forbidden",
            "message": "Action type .webhook is disabled because your basic license does not support it. "
                       "Please upgrade your license."}
        # a basic-license connector type still works
        index = client.post("/api/actions/connector", json={"name": "i", "connector_type_id": ".index",
                                                              "config": {"index": "alerts"}})
        assert index.json()["config"] == {"refresh": False, "executionTimeField": None, "index": "alerts"}


@pytest.mark.parametrize(("config", "secrets", "message"), [
    ({"url": "not a url"}, {}, "error validating action type config: error configuring webhook action: "
                               "unable to parse url: TypeError: Invalid URL: not a url"),
    ({"url": "https://h.example", "hasAuth": False, "authType": "webhook-authentication-basic"}, {},
     "error validating action type config: authType must be null or undefined if hasAuth is false"),
    ({"url": "https://h.example"}, {"user": "only-user"},
     "error validating action type secrets: must specify one of the following schemas: user and password; "
     "crt and key (with optional password); or pfx (with optional password)"),
    ({"url": "https://h.example", "bogus": 1}, {},
     "error validating action type config: [bogus]: definition for this key is missing"),
])
def test_6_webhook_validation(emulator_http, config, secrets, message):
    response = emulator_http.post("/api/actions/connector", json={
        "name": "w", "connector_type_id": ".webhook", "config": config, "secrets": secrets})
    assert (response.status_code, response.json()["message"]) == (400, message)


def test_6_allowed_hosts_are_enforced():
    with client_for(KibanaEmulator(EmulatorConfig(allowed_hosts=("hooks.example.com",)))) as client:
        allowed = client.post("/api/actions/connector", json=WEBHOOK)
        denied = client.post("/api/actions/connector", json={**WEBHOOK, "config": {"url": "https://evil.test/"}})
    assert allowed.status_code == 200
    assert "is not added to the Kibana config xpack.actions.allowedHosts" in denied.json()["message"]


def test_6_put_replaces_config_and_secrets_wholesale(emulator_http, kibana_emulator):
    """`application/connector/methods/update/update.ts`: absent secrets default to {} and replace the stored
    ones, and the update always stores `isMissingSecrets: false`."""
    emulator_http.post("/api/actions/connector/wh1", json={
        **WEBHOOK, "config": {"url": "https://hooks.example.com/tilt", "headers": {"x": "1"}}})
    replaced = emulator_http.put("/api/actions/connector/wh1", json={
        "name": "Renamed", "config": {"url": "https://hooks.example.com/v2"}}).json()
    assert replaced["config"]["headers"] is None  # not merged with the old config
    assert replaced["is_missing_secrets"] is False
    assert kibana_emulator.connectors.connectors["wh1"].secrets == {}  # wiped, not kept


def test_6_put_with_secrets_repairs_a_connector_imported_without_them(emulator_http, kibana_emulator):
    emulator_http.post("/api/actions/connector/wh1", json=WEBHOOK)
    kibana_emulator.drop_connector_secrets("wh1")
    assert emulator_http.get("/api/actions/connector/wh1").json()["is_missing_secrets"] is True
    restored = emulator_http.put("/api/actions/connector/wh1", json={
        "name": "Renamed", "config": {"url": "https://hooks.example.com/v2"},
        "secrets": {"user": "u", "password": "p"}}).json()
    assert restored["is_missing_secrets"] is False
    assert kibana_emulator.connectors.connectors["wh1"].secrets == {"user": "u", "password": "p"}


@pytest.mark.parametrize(("body", "message"), [
    ({**WEBHOOK, "name": "  "}, "[request body.name]: value '' is not valid"),
    ({**WEBHOOK, "connector_type_id": ""}, "[request body.connector_type_id]: value '' is not valid"),
    ({**WEBHOOK, "config": {"url": "https://h.example/x", "headers": {"X-A": ""}}},
     "[request body.config.headers]: value '' is not valid"),
    ({**WEBHOOK, "secrets": {"user": "u", "password": ""}}, "[request body.secrets.password]: value '' is not valid"),
])
def test_6_empty_strings_are_rejected_by_validate_empty_strings(emulator_http, body, message):
    """`x-pack/plugins/actions/common/routes/connector/apis/create/schemas/v1.ts` runs validateEmptyStrings
    on name, connector_type_id and (recursively) every config and secrets value."""
    responses = [emulator_http.post("/api/actions/connector/c1", json=body)]
    if "connector_type_id" not in message:  # the PUT body has no type; it is checked before the id exists
        update = {k: v for k, v in body.items() if k != "connector_type_id"}
        responses.append(emulator_http.put("/api/actions/connector/c1", json=update))
    for response in responses:
        assert (response.status_code, response.json()["message"]) == (400, message)


def test_6_license_gate_comes_after_config_validation():
    """The actions client validates config and secrets before `ensureActionTypeEnabled`."""
    with client_for(KibanaEmulator(EmulatorConfig(license="basic"))) as http:
        response = http.post("/api/actions/connector/c1", json={**WEBHOOK, "config": {"method": "post"}})
    assert response.status_code == 400
    assert "[url]" in response.json()["message"]


def test_6_put_cannot_change_the_type(emulator_http):
    emulator_http.post("/api/actions/connector/wh1", json=WEBHOOK)
    response = emulator_http.put("/api/actions/connector/wh1", json={**WEBHOOK, "connector_type_id": ".index"})
    assert response.json()["message"] == "[request body.connector_type_id]: definition for this key is missing"


def test_6_get_missing_and_delete(emulator_http):
    assert emulator_http.get("/api/actions/connector/nope").json()["message"] == \
        "Saved object [action/nope] not found"
    emulator_http.post("/api/actions/connector/wh1", json=WEBHOOK)
    assert emulator_http.delete("/api/actions/connector/wh1").status_code == 204
    assert emulator_http.get("/api/actions/connector/wh1").status_code == 404


def test_6_existing_id_is_409_and_unknown_type_400(emulator_http):
    emulator_http.post("/api/actions/connector/wh1", json=WEBHOOK)
    assert emulator_http.post("/api/actions/connector/wh1", json=WEBHOOK).status_code == 409
    unknown = emulator_http.post("/api/actions/connector", json={**WEBHOOK, "connector_type_id": ".pager"})
    assert unknown.json()["message"] == 'Action type ".pager" is not registered.'


def test_6_list_counts_rules_referencing_each_connector(emulator_http):
    emulator_http.post("/api/actions/connector/wh1", json=WEBHOOK)
    emulator_http.post("/api/actions/connector/log", json={"name": "A log", "connector_type_id": ".server-log"})
    emulator_http.post("/api/alerting/rule/r1", json={
        "name": "r", "rule_type_id": ".index-threshold", "consumer": "alerts", "schedule": {"interval": "1m"},
        "params": {"index": ["x"], "timeField": "@timestamp", "thresholdComparator": ">", "threshold": [1]},
        "actions": [{"group": "threshold met", "id": "wh1", "params": {},
                     "frequency": {"summary": False, "notify_when": "onActiveAlert", "throttle": None}}]})
    listed = emulator_http.get("/api/actions/connectors").json()
    assert [(c["name"], c["referenced_by_count"]) for c in listed] == [("A log", 0), ("Tilt webhook", 1)]


def test_6_connectors_are_scoped_to_their_space(emulator_http):
    emulator_http.post("/s/team/api/actions/connector/wh1", json=WEBHOOK)
    assert emulator_http.get("/api/actions/connector/wh1").status_code == 404
    assert emulator_http.get("/s/team/api/actions/connector/wh1").status_code == 200
