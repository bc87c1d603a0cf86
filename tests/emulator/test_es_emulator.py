"""Fidelity of the Elasticsearch 8.11 emulator: HTTP basics, authentication, error envelope and ILM policies.

Every test states what a real ES 8.11 does and where that comes from: `reference-objects-es.md` section 7
("ref 7.x") or the named Elasticsearch source file (elastic/elasticsearch).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import httpx
import pytest
from es_emulator import ElasticsearchEmulator, EsConfig, serve
from es_emulator.fixtures import PASSWORD, USER, es_client_for

HOT_DELETE = {"policy": {"phases": {
    "hot": {"actions": {"rollover": {"max_primary_shard_size": "50gb", "max_age": "30d"}}},
    "delete": {"min_age": "90d", "actions": {"delete": {}}}}, "_meta": {"managed_by": "sync"}}}


def fixed_clock(*moments: datetime):
    queue = list(moments)
    return lambda: queue.pop(0) if len(queue) > 1 else queue[0]


def policy_body(phases: dict) -> dict:
    return {"policy": {"phases": phases}}


# --- HTTP basics ----------------------------------------------------------------------------------------------

def test_root_is_the_8_11_cluster_info_document(es_http):
    """RestMainAction/MainResponse: name, cluster_name, cluster_uuid, version{...}, tagline."""
    response = es_http.get("/")
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"name", "cluster_name", "cluster_uuid", "version", "tagline"}
    assert body["tagline"] == "You Know, for Search"
    assert body["version"]["number"].startswith("8.11.")
    assert body["version"]["lucene_version"] == "9.8.0"
    assert body["version"]["build_flavor"] == "default"
    # ES 7.14+ marks every answer so clients can verify the product.
    assert response.headers["x-elastic-product"] == "Elasticsearch"
    assert response.headers["content-type"] == "application/json"


def test_no_credentials_is_security_exception_401_with_challenges(es_emulator):
    """x-pack security: `missing authentication credentials for REST request [<uri with query>]`, challenges in
    the error's `header` (root cause too) and as WWW-Authenticate."""
    with es_client_for(es_emulator, auth=None) as client:
        response = client.get("/_ilm/policy", params={"pretty": "false"})
    assert response.status_code == 401
    challenges = ['Basic realm="security", charset="UTF-8"', 'Bearer realm="security"', "ApiKey"]
    reason = "missing authentication credentials for REST request [/_ilm/policy?pretty=false]"
    assert response.json() == {"error": {
        "root_cause": [{"type": "security_exception", "reason": reason, "header": {"WWW-Authenticate": challenges}}],
        "type": "security_exception", "reason": reason, "header": {"WWW-Authenticate": challenges}}, "status": 401}
    assert response.headers["www-authenticate"].startswith('Basic realm="security"')
    assert "x-elastic-product" not in response.headers


def test_wrong_password_and_api_keys(es_emulator):
    """Basic: `unable to authenticate user [<u>] for REST request [<uri>]`; `ApiKey base64(id:key)` works."""
    with es_client_for(es_emulator, auth=("elastic", "nope")) as client:
        response = client.get("/")
    assert response.status_code == 401
    assert response.json()["error"]["reason"] == "unable to authenticate user [elastic] for REST request [/]"
    emulator = ElasticsearchEmulator(EsConfig(api_keys={"kid": "s3cret"}))
    good = base64.b64encode(b"kid:s3cret").decode()
    with es_client_for(emulator, auth=None, headers={"authorization": f"ApiKey {good}"}) as client:
        assert client.get("/").status_code == 200
    bad = base64.b64encode(b"kid:guess").decode()
    with es_client_for(emulator, auth=None, headers={"authorization": f"ApiKey {bad}"}) as client:
        rejected = client.get("/")
    assert rejected.status_code == 401
    assert rejected.json()["error"]["reason"].startswith("unable to authenticate with provided credentials")


def test_no_kbn_xsrf_needed(es_http):
    """kbn-xsrf is Kibana's rule; ES takes writes without it."""
    assert es_http.put("/_ilm/policy/p", json=HOT_DELETE).json() == {"acknowledged": True}


def test_unknown_route_and_wrong_method(es_emulator):
    """RestController answers before security: 400 `no handler found` / 405 `Incorrect HTTP method`
    (string `error`, no error object)."""
    with es_client_for(es_emulator, auth=None) as client:
        unknown = client.get("/_nope")
        wrong = client.post("/_ilm/policy/p")
    assert unknown.status_code == 400
    assert unknown.json() == {"error": "no handler found for uri [/_nope] and method [GET]", "status": 400}
    assert wrong.status_code == 405
    assert wrong.json()["error"].startswith("Incorrect HTTP method for uri [/_ilm/policy/p] and method [POST]")


def test_unrecognized_query_parameter_is_rejected_with_a_suggestion(es_http):
    """BaseRestHandler.unrecognized: 400 illegal_argument_exception with Levenshtein suggestions."""
    response = es_http.get("/_ilm/policy/p", params={"master_timout": "5s"})
    assert response.status_code == 400
    assert response.json()["error"]["reason"] == (
        "request [/_ilm/policy/p] contains unrecognized parameter: [master_timout] -> did you mean [master_timeout]?")


def test_empty_body_is_parse_exception(es_http):
    """RestRequest.contentOrSourceParam: `request body is required` (parse_exception, 400)."""
    response = es_http.put("/_ilm/policy/p")
    assert response.json()["error"]["type"] == "parse_exception"
    assert response.json()["error"]["reason"] == "request body is required"


def test_pretty_uses_jacksons_printer(es_http):
    """`?pretty`: two-space indent, `"key" : value`, trailing newline."""
    assert es_http.get("/", params={"pretty": ""}).text.startswith('{\n  "name" : ')


def test_serves_real_loopback_http_and_logs_requests(es_emulator, es_url):
    with httpx.Client(base_url=es_url, auth=(USER, PASSWORD), timeout=5) as client:
        assert client.get("/").json()["tagline"] == "You Know, for Search"
        assert client.put("/_ilm/policy/p", json=HOT_DELETE).status_code == 200
        assert client.get("/_ilm/policy/p").status_code == 200
    assert [(r.method, r.path, r.status) for r in es_emulator.requests] == [
        ("GET", "/", 200), ("PUT", "/_ilm/policy/p", 200), ("GET", "/_ilm/policy/p", 200)]
    assert [r.path for r in es_emulator.writes()] == ["/_ilm/policy/p"]


def test_serve_takes_a_custom_emulator():
    """`serve` (the Kibana emulator's loopback server, duck-typed on handle()) works for any configuration."""
    emulator = ElasticsearchEmulator(EsConfig(version="8.11.4"))
    with serve(emulator) as url:
        response = httpx.get(f"{url}/", auth=(USER, PASSWORD), timeout=5)
    assert response.json()["version"]["number"] == "8.11.4"


def test_faults_are_the_kibana_emulators(es_emulator, es_http):
    es_emulator.faults.fail_next(1, status=429, retry_after=2, path_prefix="/_ilm")
    first = es_http.get("/_ilm/policy")
    assert (first.status_code, first.headers["retry-after"]) == (429, "2")
    assert es_http.get("/_ilm/policy").status_code == 200
    es_emulator.faults.drop_next(1)
    with pytest.raises(httpx.RemoteProtocolError):
        es_http.get("/")


def test_fixture_reports_emulator_bugs():
    """The es_emulator fixture fails a test whose emulator crashed; the crash itself is answered as a 500."""
    emulator = ElasticsearchEmulator()
    emulator.ilm.get = None  # type: ignore[assignment]  # provoke a TypeError inside a handler
    with es_client_for(emulator) as client:
        assert client.get("/_ilm/policy").status_code == 500
    assert emulator.unexpected_errors


# --- ILM ------------------------------------------------------------------------------------------------------

def test_ilm_get_adds_version_modified_date_defaults_and_in_use_by():
    """ref 7.1: keyed by name; version 1; modified_date is ZonedDateTime.toString (UTC, millis when non-zero);
    min_age always present (`0ms`), `delete.delete_searchable_snapshot: true` filled in; in_use_by lists."""
    emulator = ElasticsearchEmulator(clock=fixed_clock(datetime(2023, 11, 20, 10, 0, 0, 123000, tzinfo=UTC)))
    with es_client_for(emulator) as es:
        assert es.put("/_ilm/policy/my-policy", json=HOT_DELETE).json() == {"acknowledged": True}
        body = es.get("/_ilm/policy/my-policy").json()
    assert body == {"my-policy": {
        "version": 1, "modified_date": "2023-11-20T10:00:00.123Z",
        "policy": {"phases": {
            "hot": {"min_age": "0ms", "actions": {"rollover": {"max_age": "30d", "max_primary_shard_size": "50gb"}}},
            "delete": {"min_age": "90d", "actions": {"delete": {"delete_searchable_snapshot": True}}}},
            "_meta": {"managed_by": "sync"}},
        "in_use_by": {"indices": [], "data_streams": [], "composable_templates": []}}}


def test_ilm_modified_date_has_variable_precision():
    """ref 7.1: `…T10:00Z` when seconds and millis are zero (Java LocalTime.toString)."""
    emulator = ElasticsearchEmulator(clock=fixed_clock(datetime(2023, 11, 20, 10, 0, tzinfo=UTC)))
    with es_client_for(emulator) as es:
        es.put("/_ilm/policy/p", json=HOT_DELETE)
        assert es.get("/_ilm/policy/p").json()["p"]["modified_date"] == "2023-11-20T10:00Z"


def test_ilm_version_bumps_on_change_but_not_on_a_noop_put():
    """ref 7.1: version increments on each effective update; an identical policy from the same caller is a no-op
    (`isNoopUpdate`); the same body from another identity is an update (stored security headers differ)."""
    clock = fixed_clock(datetime(2023, 1, 1, tzinfo=UTC), datetime(2023, 1, 2, tzinfo=UTC),
                        datetime(2023, 1, 3, tzinfo=UTC))
    emulator = ElasticsearchEmulator(EsConfig(users={"elastic": "changeme", "bob": "pw"}), clock=clock)
    with es_client_for(emulator) as es:
        es.put("/_ilm/policy/p", json=HOT_DELETE)
        es.put("/_ilm/policy/p", json=HOT_DELETE)
        first = es.get("/_ilm/policy/p").json()["p"]
        assert (first["version"], first["modified_date"]) == (1, "2023-01-01T00:00Z")
        changed = policy_body({"delete": {"min_age": "30d", "actions": {"delete": {}}}})
        es.put("/_ilm/policy/p", json=changed)
        assert es.get("/_ilm/policy/p").json()["p"]["version"] == 2
    with es_client_for(emulator, auth=("bob", "pw")) as bob:
        bob.put("/_ilm/policy/p", json=changed)
        assert bob.get("/_ilm/policy/p").json()["p"]["version"] == 3


def test_ilm_get_all_missing_and_wildcards(es_http):
    """TransportGetLifecycleAction: all/`*` sorted by name, missing exact name → 404
    resource_not_found_exception `Lifecycle policy not found: <name>`, a wildcard without match → `{}`."""
    for name in ("b", "a"):
        es_http.put(f"/_ilm/policy/{name}", json=HOT_DELETE)
    assert list(es_http.get("/_ilm/policy").json()) == ["a", "b"]
    assert list(es_http.get("/_ilm/policy/a,b").json()) == ["a", "b"]
    assert es_http.get("/_ilm/policy/zz*").json() == {}
    missing = es_http.get("/_ilm/policy/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": {
        "root_cause": [{"type": "resource_not_found_exception", "reason": "Lifecycle policy not found: nope"}],
        "type": "resource_not_found_exception", "reason": "Lifecycle policy not found: nope"}, "status": 404}


def test_ilm_unknown_field_is_a_nested_x_content_parse_exception(es_http):
    """ref 7.1 / ObjectParser + ElasticsearchException.guessRootCauses: the outer error names the request field,
    the root cause is the innermost parse error; locations are Jackson's [line:column]."""
    response = es_http.put("/_ilm/policy/p", content=b'{"policy":{"phases":{},"name":"x"}}')
    assert response.status_code == 400
    assert response.json() == {"error": {
        "root_cause": [{"type": "x_content_parse_exception",
                        "reason": "[1:24] [lifecycle_policy] unknown field [name]"}],
        "type": "x_content_parse_exception", "reason": "[1:31] [put_lifecycle_request] failed to parse field [policy]",
        "caused_by": {"type": "x_content_parse_exception", "reason": "[1:24] [lifecycle_policy] unknown field [name]"}},
        "status": 400}


def test_ilm_get_without_any_ilm_metadata_brackets_the_names():
    """ref 7.1: with no ILM metadata at all the reason is `Lifecycle policy not found: [<name>]` (Arrays.toString)."""
    emulator = ElasticsearchEmulator(EsConfig(ilm_metadata_exists=False))
    with es_client_for(emulator) as es:
        assert es.get("/_ilm/policy/p").json()["error"]["reason"] == "Lifecycle policy not found: [p]"
        assert es.get("/_ilm/policy").json() == {}


@pytest.mark.parametrize(("phases", "reason"), [
    ({"hotter": {"actions": {}}}, "Timeseries lifecycle does not support phase [hotter]"),
    ({"cold": {"actions": {"shrink": {"number_of_shards": 1}}}}, "invalid action [shrink] defined in phase [cold]"),
    ({"hot": {"actions": {"forcemerge": {"max_num_segments": 1}}}},
     "the [forcemerge] action(s) may not be used in the [hot] phase without an accompanying [rollover] action"),
    ({"frozen": {"actions": {"unfollow": {}}}},
     "policy specifies the [frozen] phase without a corresponding [searchable_snapshot] action, but a searchable "
     "snapshot action is required in the frozen phase"),
])
def test_ilm_phase_and_action_rules_are_raw_illegal_argument(es_http, phases, reason):
    """ref 7.1 / TimeseriesLifecycleType.validate, thrown raw from Request.validate() → 400."""
    response = es_http.put("/_ilm/policy/p", json=policy_body(phases))
    assert response.status_code == 400
    assert response.json()["error"] == {"root_cause": [{"type": "illegal_argument_exception", "reason": reason}],
                                        "type": "illegal_argument_exception", "reason": reason}


def test_ilm_unknown_action_is_named_object_not_found(es_http):
    """Phase parses actions as named objects: NamedObjectNotFoundException is the root cause."""
    error = es_http.put("/_ilm/policy/p", json=policy_body({"hot": {"actions": {"foo": {}}}})).json()["error"]
    assert error["root_cause"][0]["type"] == "named_object_not_found_exception"
    assert error["root_cause"][0]["reason"].endswith("unable to parse LifecycleAction with name [foo]: parser not found")
    assert error["reason"].endswith("[put_lifecycle_request] failed to parse field [policy]")


def test_ilm_phase_order_is_an_action_request_validation_exception(es_http):
    """ref 7.1 / validateMonotonicallyIncreasingPhaseTimings; min_age printed with TimeValue.toString."""
    phases = {"hot": {"min_age": "10d", "actions": {}}, "warm": {"min_age": "5d", "actions": {}}}
    response = es_http.put("/_ilm/policy/p", json=policy_body(phases))
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "action_request_validation_exception"
    assert response.json()["error"]["reason"] == (
        "Validation Failed: 1: Your policy is configured to run the warm phase (min_age: 5d) before the hot phase "
        "(min_age: 10d). You should change the phase timing so that the phases will execute in the order of hot, "
        "warm, then cold.;")


def test_ilm_min_age_without_unit_is_a_parse_error(es_http):
    """Phase parser: TimeValue.parseTimeValue's ElasticsearchParseException, wrapped per parser level."""
    error = es_http.put("/_ilm/policy/p", json=policy_body({"hot": {"min_age": "10", "actions": {}}})).json()["error"]
    assert error["root_cause"] == [{"type": "parse_exception", "reason": "failed to parse setting [min_age] with "
                                    "value [10] as a time value: unit is missing or unrecognized"}]
    assert error["caused_by"]["caused_by"]["caused_by"]["reason"].endswith("[phase] failed to parse field [min_age]")


def test_ilm_rollover_without_max_condition(es_http):
    """ref 7.1 (wrapping inferred): `At least one max_* rollover condition must be set.`"""
    error = es_http.put("/_ilm/policy/p", json=policy_body(
        {"hot": {"actions": {"rollover": {"min_docs": 1}}}})).json()["error"]
    chain = []
    node = error
    while node:
        chain.append(node["reason"])
        node = node.get("caused_by")
    assert chain[-1] == "At least one max_* rollover condition must be set."
    assert error["type"] == "x_content_parse_exception"


def test_ilm_searchable_snapshot_needs_an_existing_repository(es_emulator, es_http):
    """ref 7.1 prerequisites: checked against the cluster, 400 illegal_argument_exception."""
    body = policy_body({"cold": {"min_age": "30d", "actions": {"searchable_snapshot": {"snapshot_repository": "r"}}}})
    response = es_http.put("/_ilm/policy/p", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["reason"] == (
        "no such repository [r], the snapshot repository referenced by the [searchable_snapshot] action in the [cold] "
        "phase must exist before it can be referenced by an ILM policy")
    es_emulator.add_snapshot_repository("r")
    assert es_http.put("/_ilm/policy/p", json=body).status_code == 200
    stored = es_http.get("/_ilm/policy/p").json()["p"]["policy"]["phases"]["cold"]["actions"]
    assert stored == {"searchable_snapshot": {"snapshot_repository": "r", "force_merge_index": True}}


def test_ilm_searchable_snapshot_needs_an_enterprise_license():
    emulator = ElasticsearchEmulator(EsConfig(license="basic", snapshot_repositories={"r"}))
    body = policy_body({"cold": {"actions": {"searchable_snapshot": {"snapshot_repository": "r"}}}})
    with es_client_for(emulator) as es:
        assert es.put("/_ilm/policy/p", json=body).json()["error"]["reason"] == (
            "policy [p] defines the [searchable_snapshot] action but the current license is non-compliant for "
            "[searchable-snapshots]")


def test_ilm_delete_missing_and_in_use(es_emulator, es_http):
    """ref 7.1 / TransportDeleteLifecycleAction: 404 for a missing policy; 400 while an index uses it; a template
    referencing it does not block."""
    assert es_http.delete("/_ilm/policy/nope").json()["error"]["type"] == "resource_not_found_exception"
    es_http.put("/_ilm/policy/p", json=HOT_DELETE)
    es_http.put("/_index_template/t", json={"index_patterns": ["logs-a-*"], "data_stream": {},
                                            "template": {"settings": {"index.lifecycle.name": "p"}}})
    usage = es_http.get("/_ilm/policy/p").json()["p"]["in_use_by"]
    assert usage == {"indices": [], "data_streams": [], "composable_templates": ["t"]}
    es_http.put("/_data_stream/logs-a-x")
    index = es_http.get("/_data_stream/logs-a-x").json()["data_streams"][0]["indices"][0]["index_name"]
    usage = es_http.get("/_ilm/policy/p").json()["p"]["in_use_by"]
    assert usage == {"indices": [index], "data_streams": ["logs-a-x"], "composable_templates": ["t"]}
    blocked = es_http.delete("/_ilm/policy/p")
    assert blocked.status_code == 400
    assert blocked.json()["error"]["reason"] == (
        f"Cannot delete policy [p]. It is in use by one or more indices: [{index}]")
    es_http.delete("/_data_stream/logs-a-x")
    assert es_http.delete("/_ilm/policy/p").json() == {"acknowledged": True}
    assert es_http.get("/_ilm/policy/p").status_code == 404
