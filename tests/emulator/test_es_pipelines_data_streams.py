"""Fidelity of the ES 8.11 emulator for ingest pipelines (ref 7.4) and data streams (ref 7.5).

Sources: reference-objects-es.md 7.4/7.5; elastic/elasticsearch Pipeline.create, ConfigurationUtils.readProcessor /
newConfigurationException, the processors' Factory.create, IngestService.innerPut, GetPipelineResponse,
MetadataCreateDataStreamService, GetDataStreamAction.Response.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from es_emulator import ElasticsearchEmulator
from es_emulator.fixtures import es_client_for

PIPELINE = {"description": "app logs", "processors": [
    {"set": {"field": "event.dataset", "value": "app"}},
    {"rename": {"field": "msg", "target_field": "message", "ignore_missing": True}},
    {"date": {"field": "ts", "formats": ["ISO8601"]}}], "version": 1, "_meta": {"managed_by": "sync"}}


def test_pipeline_get_returns_exactly_the_stored_body(es_http):
    """ref 7.4: `{"<id>": {...stored body...}}`, no defaults added."""
    assert es_http.put("/_ingest/pipeline/p1", json=PIPELINE).json() == {"acknowledged": True}
    assert es_http.get("/_ingest/pipeline/p1").json() == {"p1": PIPELINE}
    assert es_http.get("/_ingest/pipeline").json() == {"p1": PIPELINE}


def test_pipeline_missing_is_404_with_an_empty_object(es_http):
    """ref 7.4 / GetPipelineResponse.status(): 404 and body `{}` (no error object)."""
    response = es_http.get("/_ingest/pipeline/nope")
    assert (response.status_code, response.json()) == (404, {})


def test_unknown_processor_type(es_http):
    """ref 7.4: 400 parse_exception `No processor type exists with name [..]` with processor_type metadata."""
    response = es_http.put("/_ingest/pipeline/p", json={"processors": [{"hash": {"field": "x"}}]})
    assert response.status_code == 400
    assert response.json() == {"error": {
        "root_cause": [{"type": "parse_exception", "reason": "No processor type exists with name [hash]",
                        "processor_type": "hash"}],
        "type": "parse_exception", "reason": "No processor type exists with name [hash]", "processor_type": "hash"},
        "status": 400}


@pytest.mark.parametrize(("processor", "reason", "prop"), [
    ({"set": {"value": 1}}, "[field] required property is missing", "field"),
    ({"set": {"field": "a"}}, "[value] required property is missing", "value"),
    ({"rename": {"field": "a"}}, "[target_field] required property is missing", "target_field"),
    ({"date": {"field": "a"}}, "[formats] required property is missing", "formats"),
    ({"grok": {"field": "a", "patterns": []}}, "[patterns] List of patterns must not be empty", "patterns"),
    ({"json": {}}, "[field] required property is missing", "field"),
    ({"convert": {"field": "a", "type": "int"}}, "[type] type [int] not supported, cannot convert field.", "type"),
])
def test_processor_required_options(es_http, processor, reason, prop):
    """ref 7.4 (property_name inferred) / ConfigurationUtils.newConfigurationException metadata."""
    error = es_http.put("/_ingest/pipeline/p", json={"processors": [processor]}).json()["error"]
    assert (error["type"], error["reason"], error["property_name"]) == ("parse_exception", reason, prop)
    assert error["processor_type"] == next(iter(processor))


def test_processor_tag_and_leftover_options(es_http):
    """readProcessor: the tag is reported as processor_tag; unconsumed options are rejected."""
    error = es_http.put("/_ingest/pipeline/p", json={"processors": [
        {"set": {"field": "a", "value": 1, "tag": "t1", "fail": "x"}}]}).json()["error"]
    assert error["reason"] == "processor [set] doesn't support one or more provided configuration parameters [fail]"
    assert (error["processor_type"], error["processor_tag"]) == ("set", "t1")


def test_pipeline_level_rules(es_http):
    """Pipeline.create: processors required; unknown top-level keys; empty on_failure."""
    missing = es_http.put("/_ingest/pipeline/p", json={"description": "x"}).json()["error"]
    assert (missing["reason"], missing["property_name"]) == ("[processors] required property is missing", "processors")
    extra = es_http.put("/_ingest/pipeline/p", json={"processors": [], "foo": 1}).json()["error"]
    assert extra["reason"] == "pipeline [p] doesn't support one or more provided configuration parameters [foo]"
    empty = es_http.put("/_ingest/pipeline/p", json={"processors": [], "on_failure": []}).json()["error"]
    assert empty["reason"] == "pipeline [p] cannot have an empty on_failure option defined"


def test_if_version(es_http):
    """ref 7.4 / IngestService.innerPut: a mismatch is illegal_argument_exception; a match without a version in
    the body stores if_version + 1."""
    es_http.put("/_ingest/pipeline/p", json={"processors": [], "version": 3})
    conflict = es_http.put("/_ingest/pipeline/p", params={"if_version": "2"}, json={"processors": []})
    assert conflict.json()["error"] == {
        "root_cause": [{"type": "illegal_argument_exception",
                        "reason": "version conflict, required version [2] for pipeline [p] but current version is [3]"}],
        "type": "illegal_argument_exception",
        "reason": "version conflict, required version [2] for pipeline [p] but current version is [3]"}
    assert es_http.put("/_ingest/pipeline/p", params={"if_version": "3"}, json={"processors": []}).status_code == 200
    assert es_http.get("/_ingest/pipeline/p").json()["p"]["version"] == 4


def test_pipeline_delete_missing_and_in_use(es_emulator, es_http):
    """ref 7.4: missing → 404 `pipeline [p] is missing`; the default pipeline of an index → 400."""
    missing = es_http.delete("/_ingest/pipeline/p")
    assert (missing.status_code, missing.json()["error"]["reason"]) == (404, "pipeline [p] is missing")
    es_http.put("/_ingest/pipeline/p", json=PIPELINE)
    es_emulator.add_index("idx", {"index": {"default_pipeline": "p"}})
    blocked = es_http.delete("/_ingest/pipeline/p")
    assert blocked.json()["error"]["reason"] == ("pipeline [p] cannot be deleted because it is the default pipeline "
                                                 "for 1 index(es) including [idx]")


# --- data streams ---------------------------------------------------------------------------------------------

def test_data_stream_needs_a_data_stream_template(es_http):
    """ref 7.5: no matching template / a template without data_stream → 400 illegal_argument_exception."""
    assert es_http.put("/_data_stream/logs-x").json()["error"]["reason"] == \
        "no matching index template found for data stream [logs-x]"
    es_http.put("/_index_template/plain", json={"index_patterns": ["logs-*"]})
    assert es_http.put("/_data_stream/logs-x").json()["error"]["reason"] == \
        "matching index template [plain] for data stream [logs-x] has no data stream template"


def test_data_stream_get_shape_in_8_11():
    """ref 7.5 / GetDataStreamAction 8.11: per-index prefer_ilm/ilm_policy/managed_by, template, ilm_policy,
    next_generation_managed_by, prefer_ilm, hidden/system/allow_custom_routing/replicated; _meta from the template;
    backing index `.ds-<name>-<yyyy.MM.dd>-000001`."""
    emulator = ElasticsearchEmulator(clock=lambda: datetime(2023, 11, 20, 10, 0, tzinfo=UTC))
    with es_client_for(emulator) as es:
        es.put("/_index_template/t", json={"index_patterns": ["logs-app-*"], "data_stream": {}, "priority": 200,
                                           "_meta": {"managed_by": "sync"},
                                           "template": {"settings": {"index.lifecycle.name": "my-policy"}}})
        assert es.put("/_data_stream/logs-app-default").json() == {"acknowledged": True}
        again = es.put("/_data_stream/logs-app-default")
        assert again.json()["error"]["type"] == "resource_already_exists_exception"
        info = es.get("/_data_stream/logs-app-default").json()["data_streams"][0]
    index = info["indices"][0]
    assert index.pop("index_uuid")
    assert index == {"index_name": ".ds-logs-app-default-2023.11.20-000001", "prefer_ilm": True,
                     "ilm_policy": "my-policy", "managed_by": "Index Lifecycle Management"}
    del info["indices"]
    assert info == {"name": "logs-app-default", "timestamp_field": {"name": "@timestamp"}, "generation": 1,
                    "_meta": {"managed_by": "sync"}, "status": "GREEN", "template": "t", "ilm_policy": "my-policy",
                    "next_generation_managed_by": "Index Lifecycle Management", "prefer_ilm": True, "hidden": False,
                    "system": False, "allow_custom_routing": False, "replicated": False}


def test_data_stream_lifecycle_managed(es_http):
    """ref 7.5: `managed_by` is `Data stream lifecycle` when the template has an enabled lifecycle and no policy."""
    es_http.put("/_index_template/t", json={"index_patterns": ["m-*"], "data_stream": {},
                                            "template": {"lifecycle": {"data_retention": "7d"}}})
    es_http.put("/_data_stream/m-1")
    info = es_http.get("/_data_stream/m-1").json()["data_streams"][0]
    assert info["lifecycle"] == {"enabled": True, "data_retention": "7d"}
    assert info["next_generation_managed_by"] == "Data stream lifecycle"
    assert info["indices"][0]["managed_by"] == "Data stream lifecycle"
    assert "ilm_policy" not in info


def test_data_stream_missing_is_index_not_found(es_http):
    """ref 7.5: GET/DELETE of a missing concrete name → 404 index_not_found_exception `no such index [ds]`."""
    for response in (es_http.get("/_data_stream/nope"), es_http.delete("/_data_stream/nope")):
        assert response.status_code == 404
        assert (response.json()["error"]["type"], response.json()["error"]["reason"]) == (
            "index_not_found_exception", "no such index [nope]")
    assert es_http.get("/_data_stream").json() == {"data_streams": []}
