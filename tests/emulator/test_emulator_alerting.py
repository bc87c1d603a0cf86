"""Fidelity of the alerting rules API (reference 5)."""

from __future__ import annotations

import base64
import json

import pytest
from kibana_emulator import ApiKeyGrant, EmulatorConfig, KibanaEmulator
from kibana_emulator.fixtures import client_for

ES_QUERY_PARAMS = {"searchType": "esQuery", "index": ["sensor-*"], "timeField": "@timestamp",
                   "esQuery": json.dumps({"query": {"range": {"tilt_score": {"gte": 90}}}}),
                   "timeWindowSize": 5, "timeWindowUnit": "m", "thresholdComparator": ">", "threshold": [0],
                   "size": 10}
FREQUENCY = {"summary": False, "notify_when": "onActiveAlert", "throttle": None}


def _rule(**changes):
    rule = {"name": "Tilt score >= 90", "rule_type_id": ".es-query", "consumer": "alerts",
            "tags": ["kibana-sync"], "schedule": {"interval": "1m"}, "params": dict(ES_QUERY_PARAMS),
            "actions": [{"group": "query matched", "id": "wh1", "params": {"body": "{}"},
                         "frequency": FREQUENCY}]}
    rule.update(changes)
    return rule


@pytest.fixture
def client(emulator_http):
    emulator_http.post("/api/actions/connector/wh1", json={
        "name": "hook", "connector_type_id": ".webhook", "config": {"url": "https://h.example/x"}})
    return emulator_http


def test_5_3_create_returns_server_managed_fields(client):
    body = client.post("/api/alerting/rule/tilt", json=_rule()).json()
    assert body["id"] == "tilt" and body["enabled"] is True
    assert body["scheduled_task_id"] == "tilt"
    assert (body["created_by"], body["updated_by"], body["api_key_owner"]) == ("elastic", "elastic", "elastic")
    assert body["api_key_created_by_user"] is False
    assert body["execution_status"]["status"] == "pending"
    assert (body["revision"], body["mute_all"], body["muted_alert_ids"]) == (0, False, [])
    action = body["actions"][0]
    assert action["connector_type_id"] == ".webhook" and action["uuid"]
    # the es-query params come back with the rule type's defaults filled
    assert body["params"]["excludeHitsFromPreviousRun"] is True and body["params"]["aggType"] == "count"


def test_5_1_create_without_id_generates_one(client):
    body = client.post("/api/alerting/rule", json=_rule()).json()
    assert client.get(f"/api/alerting/rule/{body['id']}").json()["name"] == "Tilt score >= 90"


def test_5_1_api_key_request_reuses_the_key_as_rule_identity():
    emulator = KibanaEmulator(EmulatorConfig(api_keys={"k": ApiKeyGrant("s", owner="sync-bot")}))
    token = base64.b64encode(b"k:s").decode()
    with client_for(emulator, auth=None, headers={"authorization": f"ApiKey {token}", "kbn-xsrf": "t"}) as c:
        body = c.post("/api/alerting/rule/r", json=_rule(actions=[])).json()
    assert (body["api_key_owner"], body["api_key_created_by_user"]) == ("sync-bot", True)


def test_5_1_disabled_rule_has_no_api_key(client):
    body = client.post("/api/alerting/rule/r", json=_rule(enabled=False)).json()
    assert body["api_key_owner"] is None and "scheduled_task_id" not in body


def test_5_1_existing_id_is_409(client):
    client.post("/api/alerting/rule/tilt", json=_rule())
    assert client.post("/api/alerting/rule/tilt", json=_rule()).json()["message"] == \
        "Saved object [alert/tilt] conflict"


def test_5_1_unknown_body_key_is_400(client):
    response = client.post("/api/alerting/rule/r", json=_rule(alert_delay={"active": 2}))
    assert response.json()["message"] == "[request body.alert_delay]: definition for this key is missing"


def test_5_1_unknown_rule_type_is_400(client):
    response = client.post("/api/alerting/rule/r", json=_rule(rule_type_id=".watcher"))
    assert response.json()["message"] == 'Rule type ".watcher" is not registered.'


def test_5_1_actions_need_frequency_without_rule_level_notify_when(client):
    action = {"group": "query matched", "id": "wh1", "params": {}}
    response = client.post("/api/alerting/rule/r", json=_rule(actions=[action]))
    assert response.json()["message"] == ("Failed to validate actions due to the following error: "
                                          "Actions missing frequency parameters: query matched")


def test_5_1_rule_level_notify_when_forbids_per_action_frequency(client):
    response = client.post("/api/alerting/rule/r", json=_rule(notify_when="onActiveAlert"))
    assert response.json()["message"] == (
        "Failed to validate actions due to the following error: Cannot specify per-action frequency params "
        "when notify_when or throttle are defined at the rule level: query matched")


def test_5_1_rule_level_notify_when_without_frequency_is_accepted(client):
    action = {"group": "query matched", "id": "wh1", "params": {}}
    body = client.post("/api/alerting/rule/r", json=_rule(notify_when="onActiveAlert", actions=[action])).json()
    assert body["notify_when"] == "onActiveAlert"


def test_5_1_several_action_problems_are_listed_together(client):
    actions = [{"group": "threshold met", "id": "wh1", "params": {}, "frequency": FREQUENCY},
               {"group": "query matched", "id": "wh1", "params": {},
                "frequency": {"summary": False, "notify_when": "onThrottleInterval", "throttle": "30s"}}]
    message = client.post("/api/alerting/rule/r", json=_rule(actions=actions)).json()["message"]
    assert message == ("Failed to validate actions due to the following 2 errors:\n"
                       "- Invalid action groups: threshold met\n"
                       "- Action frequency cannot be shorter than the schedule interval of 1m: "
                       "query matched (30s)")


def test_5_5_es_query_has_query_matched_and_recovered_groups(client):
    actions = [{"group": g, "id": "wh1", "params": {}, "frequency": FREQUENCY}
               for g in ("query matched", "recovered")]
    assert client.post("/api/alerting/rule/r", json=_rule(actions=actions)).status_code == 200


def test_5_1_unknown_connector_is_404(client):
    action = {"group": "query matched", "id": "ghost", "params": {}, "frequency": FREQUENCY}
    response = client.post("/api/alerting/rule/r", json=_rule(actions=[action]))
    assert (response.status_code, response.json()["message"]) == (404, "Saved object [action/ghost] not found")


def test_5_1_connector_without_secrets_is_invalid(client, kibana_emulator):
    kibana_emulator.drop_connector_secrets("wh1")
    message = client.post("/api/alerting/rule/r", json=_rule()).json()["message"]
    assert message == "Failed to validate actions due to the following error: Invalid connectors: hook"


@pytest.mark.parametrize(("change", "message"), [
    ({"esQuery": "{not json"}, "params invalid: [esQuery]: must be valid JSON"),
    ({"esQuery": "{\"size\": 1}"}, 'params invalid: [esQuery]: must contain "query"'),
    ({"size": 20000}, "params invalid: [size]: Value must be equal to or lower than [10000]."),
    ({"thresholdComparator": "between"},
     'params invalid: [threshold]: must have two elements for the "between" comparator'),
    ({"aggType": "max"}, 'params invalid: [aggField]: must have a value when [aggType] is "max"'),
    ({"groupBy": "top"}, "params invalid: [termField]: termField required when [groupBy] is top"),
    ({"index": []}, "params invalid: [index]: array size is [0], but cannot be smaller than [1]"),
    ({"timeWindowUnit": "w"}, 'params invalid: [timeWindowUnit]: invalid timeWindowUnit: "w"'),
    ({"tiltScore": 90}, "params invalid: [tiltScore]: definition for this key is missing"),
])
def test_5_5_es_query_params_validation(client, change, message):
    response = client.post("/api/alerting/rule/r", json=_rule(params={**ES_QUERY_PARAMS, **change}))
    assert (response.status_code, response.json()["message"]) == (400, message)


def test_5_1_schedule_interval_must_be_a_duration(client):
    response = client.post("/api/alerting/rule/r", json=_rule(schedule={"interval": "1 minute"}))
    assert response.json()["message"] == \
        "[request body.schedule.interval]: string is not a valid duration: 1 minute"


def test_5_2_update_rejects_keys_it_cannot_change(client):
    client.post("/api/alerting/rule/r", json=_rule())
    body = {k: v for k, v in _rule().items() if k not in ("rule_type_id", "consumer")}
    response = client.put("/api/alerting/rule/r", json={**body, "enabled": False})
    assert response.json()["message"] == "[request body.enabled]: definition for this key is missing"


def test_5_2_update_bumps_revision_only_when_something_changed(client):
    created = client.post("/api/alerting/rule/r", json=_rule()).json()
    body = {k: v for k, v in _rule().items() if k not in ("rule_type_id", "consumer")}
    same = client.put("/api/alerting/rule/r", json=body).json()
    assert same["revision"] == 0
    changed = client.put("/api/alerting/rule/r", json={**body, "schedule": {"interval": "5m"}}).json()
    assert changed["revision"] == 1
    assert changed["updated_at"] >= created["updated_at"]
    assert changed["rule_type_id"] == ".es-query"


def test_5_3_get_missing_rule_is_404(client):
    assert client.get("/api/alerting/rule/nope").json()["message"] == "Saved object [alert/nope] not found"


def test_5_4_enable_disable_delete_are_204(client):
    client.post("/api/alerting/rule/r", json=_rule())
    assert client.post("/api/alerting/rule/r/_disable").status_code == 204
    disabled = client.get("/api/alerting/rule/r").json()
    assert (disabled["enabled"], disabled["api_key_owner"]) == (False, None)
    assert client.post("/api/alerting/rule/r/_enable").status_code == 204
    assert client.get("/api/alerting/rule/r").json()["enabled"] is True
    assert client.delete("/api/alerting/rule/r").status_code == 204
    assert client.get("/api/alerting/rule/r").status_code == 404


def test_5_4_find_pages_and_filters_on_tags(client):
    for index in range(3):
        tags = ["managed-by-kibana-sync"] if index < 2 else ["hand-made"]
        client.post(f"/api/alerting/rule/r{index}", json=_rule(name=f"rule {index}", tags=tags))
    found = client.get("/api/alerting/rules/_find", params={
        "filter": 'alert.attributes.tags:"managed-by-kibana-sync"', "per_page": 1, "page": 2}).json()
    assert (found["total"], found["page"], found["per_page"]) == (2, 2, 1)
    assert [r["id"] for r in found["data"]] == ["r1"]
    everything = client.get("/api/alerting/rules/_find").json()
    assert (everything["per_page"], everything["total"]) == (10, 3)
    searched = client.get("/api/alerting/rules/_find", params={"search": "hand-made"}).json()
    assert [r["id"] for r in searched["data"]] == ["r2"]


def test_5_4_find_filter_the_emulator_cannot_evaluate_fails_loudly(client):
    response = client.get("/api/alerting/rules/_find", params={"filter": "alert.attributes.params.size > 3"})
    assert response.status_code == 400


def test_state_helper_edits_a_rule_like_a_person_would(client, kibana_emulator):
    client.post("/api/alerting/rule/r", json=_rule())
    rule = kibana_emulator.get_rule("r")
    rule["params"]["threshold"] = [5]
    kibana_emulator.put_rule(rule)
    fetched = client.get("/api/alerting/rule/r").json()
    assert (fetched["params"]["threshold"], fetched["revision"]) == ([5], 1)


def test_5_5_unknown_consumer_is_refused_by_authorization(client):
    response = client.post("/api/alerting/rule/r", json=_rule(consumer="alert"))
    assert (response.status_code, response.json()["message"]) == \
        (403, 'Unauthorized by "alert" to create ".es-query" rule')


def test_5_1_tags_must_be_strings(client):
    response = client.post("/api/alerting/rule/r", json=_rule(tags=["ok", 3]))
    assert response.json()["message"] == "[request body.tags.1]: expected value of type [string] but got [number]"


def test_5_1_frequency_throttle_defaults_to_null(client):
    """`alerting/common/routes/rule/create/schemas/v1.ts`: frequency.throttle is schema.nullable, so a
    frequency sent without it is stored and returned with `throttle: null`."""
    action = {"group": "query matched", "id": "wh1", "frequency": {"summary": False, "notify_when": "onActiveAlert"}}
    created = client.post("/api/alerting/rule/r", json=_rule(actions=[action])).json()
    assert created["actions"][0]["frequency"] == {"summary": False, "notify_when": "onActiveAlert", "throttle": None}
    assert created["actions"][0]["params"] == {}  # params defaults to {}
    updated = client.put("/api/alerting/rule/r", json={k: v for k, v in _rule(actions=[action]).items()
                                                        if k not in ("rule_type_id", "consumer")}).json()
    assert updated["actions"][0]["frequency"]["throttle"] is None


def test_5_1_rule_level_throttle_without_notify_when_is_stored_as_on_throttle_interval(client):
    """`alerting/server/lib/get_rule_notify_when_type.ts`: notify_when ?? (throttle ? onThrottleInterval : null)."""
    action = {"group": "query matched", "id": "wh1", "params": {}}
    body = client.post("/api/alerting/rule/r", json=_rule(throttle="10m", actions=[action])).json()
    assert (body["throttle"], body["notify_when"]) == ("10m", "onThrottleInterval")
    plain = client.post("/api/alerting/rule/p", json=_rule()).json()
    assert (plain["throttle"], plain["notify_when"]) == (None, None)


def test_5_4_find_past_the_result_window_is_400(client):
    """Rules live in the saved-objects index: page * per_page beyond index.max_result_window (10000) fails."""
    response = client.get("/api/alerting/rules/_find", params={"per_page": 1000, "page": 11})
    assert response.status_code == 400
    assert "Result window is too large" in response.json()["message"]
    assert client.get("/api/alerting/rules/_find", params={"per_page": 1000, "page": 10}).status_code == 200


@pytest.mark.parametrize(("change", "message"), [
    ({"threshold": []}, "params invalid: [threshold]: array size is [0], but cannot be smaller than [1]"),
    ({"threshold": [1, 2, 3]}, "params invalid: [threshold]: array size is [3], but cannot be greater than [2]"),
    ({"thresholdComparator": "=="}, "params invalid: [thresholdComparator]: invalid thresholdComparator "
                                    "specified: =="),
    ({"aggType": "median"}, 'params invalid: [aggType]: invalid aggType: "median"'),
    ({"groupBy": "each"}, 'params invalid: [groupBy]: invalid groupBy: "each"'),
    ({"searchType": "sql"}, "params invalid: [searchType]: types that failed validation:\n"
                            "- [searchType.0]: expected value to equal [searchSource]\n"
                            "- [searchType.1]: expected value to equal [esQuery]\n"
                            "- [searchType.2]: expected value to equal [esqlQuery]"),
    ({"searchType": "searchSource", "searchConfiguration": {"query": {"query": "", "language": "kuery"}}},
     "params invalid: [esQuery]: a value wasn't expected to be present"),
    ({"aggField": None, "aggType": "max"}, "params invalid: [aggField]: expected value of type [string] but got "
                                           "[null]"),
    ({"timeField": ""}, "params invalid: [timeField]: value has length [0] but it must have a minimum length "
                        "of [1]."),
    ({"esQuery": '{"query": 0}'}, 'params invalid: [esQuery]: must contain "query"'),
    ({"sourceFields": []}, "params invalid: [sourceFields]: definition for this key is missing"),
])
def test_5_5_es_query_params_follow_the_8_11_schema(client, change, message):
    """`stack_alerts/server/rule_types/es_query/rule_type_params.ts`: keys checked in declaration order,
    searchType-conditional keys (`schema.never()` on the other search types), validateParams last."""
    response = client.post("/api/alerting/rule/r", json=_rule(params={**ES_QUERY_PARAMS, **change}))
    assert (response.status_code, response.json()["message"]) == (400, message)


def test_5_5_a_second_threshold_value_is_accepted_for_a_single_value_comparator(client):
    """validateParams only refuses one value for between/notBetween; `>` with two values passes."""
    response = client.post("/api/alerting/rule/r", json=_rule(params={**ES_QUERY_PARAMS, "threshold": [1, 2]}))
    assert response.status_code == 200


def test_5_5_search_source_rule_needs_no_index_or_time_field(client):
    params = {k: v for k, v in ES_QUERY_PARAMS.items() if k not in ("index", "timeField", "esQuery")}
    params.update(searchType="searchSource", searchConfiguration={"query": {"query": "a:1", "language": "kuery"},
                                                                  "index": "dv"})
    body = client.post("/api/alerting/rule/r", json=_rule(params=params)).json()
    assert body["params"]["searchType"] == "searchSource" and "index" not in body["params"]
    missing = client.post("/api/alerting/rule/s", json=_rule(params={**params, "searchConfiguration": None}))
    assert missing.json()["message"] == \
        "params invalid: [searchConfiguration]: expected value of type [object] but got [null]"
