"""Fidelity of the ES 8.11 emulator for component and composable index templates (ref 7.2, 7.3).

Sources: reference-objects-es.md sections 7.2/7.3, elastic/elasticsearch MetadataIndexTemplateService,
ComposableIndexTemplate/Template/ComponentTemplate parsers and toXContent, the REST GET handlers.
"""

from __future__ import annotations

from es_emulator import ElasticsearchEmulator
from es_emulator.fixtures import es_client_for

LOGS = {"index_patterns": ["logs-app-*"], "data_stream": {}, "priority": 200, "composed_of": ["logs-app@settings"],
        "template": {"settings": {"index.lifecycle.name": "my-policy", "number_of_shards": 1},
                     "mappings": {"properties": {"@timestamp": {"type": "date"}}}},
        "version": 3, "_meta": {"managed_by": "sync"}}


def put_settings_component(es, name="logs-app@settings"):
    return es.put(f"/_component_template/{name}", json={"template": {"settings": {"index": {"number_of_replicas": 0}}},
                                                         "version": 1, "_meta": {"managed_by": "sync"}})


def test_component_template_get_shape(es_http):
    """ref 7.2: `{"component_templates":[{"name", "component_template":{template, version?, _meta?}}]}`; settings
    come back index.-prefixed, nested, as strings."""
    assert put_settings_component(es_http).json() == {"acknowledged": True}
    assert es_http.get("/_component_template/logs-app@settings").json() == {"component_templates": [{
        "name": "logs-app@settings", "component_template": {
            "template": {"settings": {"index": {"number_of_replicas": "0"}}}, "version": 1,
            "_meta": {"managed_by": "sync"}}}]}
    flat = es_http.get("/_component_template/logs-app@settings", params={"flat_settings": "true"}).json()
    assert flat["component_templates"][0]["component_template"]["template"]["settings"] == {
        "index.number_of_replicas": "0"}


def test_component_template_missing_and_wildcards(es_http):
    """TransportGetComponentTemplateAction + RestGetComponentTemplateAction: a missing exact name is a 404
    resource_not_found_exception; a wildcard without match is 404 with an empty list; GET all is 200."""
    missing = es_http.get("/_component_template/c1")
    assert missing.status_code == 404
    assert missing.json()["error"]["reason"] == "component template matching [c1] not found"
    empty = es_http.get("/_component_template/zz*")
    assert (empty.status_code, empty.json()) == (404, {"component_templates": []})
    assert es_http.get("/_component_template").json() == {"component_templates": []}


def test_component_template_requires_template_and_rejects_unknown_fields(es_http):
    """ref 7.2 `Required [template]` (inferred); ObjectParser unknown field with a did-you-mean suggestion."""
    assert es_http.put("/_component_template/c", json={"version": 1}).json()["error"]["reason"] == \
        "Required [template]"
    error = es_http.put("/_component_template/c", content=b'{"templat":{}}').json()["error"]
    assert error["reason"] == "[1:2] [component_template] unknown field [templat] did you mean [template]?"


def test_unknown_field_type_is_a_mapper_parsing_exception(es_http):
    """validateTemplate → MapperService: `Failed to parse mapping: No handler for type [..] declared on field [..]`."""
    response = es_http.put("/_component_template/c", json={
        "template": {"mappings": {"properties": {"a": {"type": "strng"}}}}})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "root_cause": [{"type": "mapper_parsing_exception", "reason": "No handler for type [strng] declared on field [a]"}],
        "type": "mapper_parsing_exception",
        "reason": "Failed to parse mapping: No handler for type [strng] declared on field [a]",
        "caused_by": {"type": "mapper_parsing_exception", "reason": "No handler for type [strng] declared on field [a]"}}


def test_unknown_setting_is_rejected(es_http):
    """IndexScopedSettings.validate inside MetadataIndexTemplateService.validate (ValidationException text)."""
    error = es_http.put("/_component_template/c", json={"template": {"settings": {"index.foo": 1}}}).json()["error"]
    assert error["type"] == "invalid_index_template_exception"
    assert "unknown setting [index.foo] please check that any required plugins are installed" in error["reason"]


def test_component_template_delete_in_use_and_missing(es_http):
    """ref 7.2: in use → 400 `component templates [c] cannot be removed as they are still in use by index templates
    [t]`; missing → 404 resource_not_found_exception whose reason is the name."""
    put_settings_component(es_http)
    es_http.put("/_index_template/logs-app", json=LOGS)
    blocked = es_http.delete("/_component_template/logs-app@settings")
    assert blocked.status_code == 400
    assert blocked.json()["error"]["reason"] == ("component templates [logs-app@settings] cannot be removed as they "
                                                 "are still in use by index templates [logs-app]")
    missing = es_http.delete("/_component_template/nope")
    assert (missing.status_code, missing.json()["error"]["reason"]) == (404, "nope")


def test_index_template_get_shape(es_http):
    """ref 7.3 stored form: settings nested strings, mappings unwrapped, data_stream with both booleans (false by
    default, DataStreamTemplate.toXContent), absent keys omitted."""
    put_settings_component(es_http)
    assert es_http.put("/_index_template/logs-app", json=LOGS).json() == {"acknowledged": True}
    assert es_http.get("/_index_template/logs-app").json() == {"index_templates": [{"name": "logs-app",
        "index_template": {
            "index_patterns": ["logs-app-*"],
            "template": {"settings": {"index": {"lifecycle": {"name": "my-policy"}, "number_of_shards": "1"}},
                         "mappings": {"properties": {"@timestamp": {"type": "date"}}}},
            "composed_of": ["logs-app@settings"], "priority": 200, "version": 3, "_meta": {"managed_by": "sync"},
            "data_stream": {"hidden": False, "allow_custom_routing": False}}}]}


def test_index_template_composed_of_and_doc_wrapped_mappings(es_http):
    """ref 7.3: composed_of [] is printed when a template section was sent, omitted for a template-less request;
    mappings sent as {"_doc": ...} are shown unwrapped."""
    es_http.put("/_index_template/a", json={"index_patterns": ["a-*"], "template": {
        "mappings": {"_doc": {"properties": {"x": {"type": "keyword"}}}}}})
    es_http.put("/_index_template/b", json={"index_patterns": ["b-*"]})
    a, b = (es_http.get(f"/_index_template/{n}").json()["index_templates"][0]["index_template"] for n in "ab")
    assert a == {"index_patterns": ["a-*"], "template": {"mappings": {"properties": {"x": {"type": "keyword"}}}},
                 "composed_of": []}
    assert b == {"index_patterns": ["b-*"]}


def test_index_template_missing_component(es_http):
    """ref 7.3: invalid_index_template_exception naming the missing components; listed in
    ignore_missing_component_templates (8.7+) they are accepted."""
    response = es_http.put("/_index_template/t", json={"index_patterns": ["x-*"], "composed_of": ["c9"]})
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_index_template_exception"
    assert response.json()["error"]["reason"] == (
        "index_template [t] invalid, cause [index template [t] specifies component templates [c9] that do not exist]")
    ok = es_http.put("/_index_template/t", json={"index_patterns": ["x-*"], "composed_of": ["c9"],
                                                  "ignore_missing_component_templates": ["c9"]})
    assert ok.status_code == 200


def test_index_template_same_priority_overlap(es_http):
    """ref 7.3: overlapping patterns at the same priority (absent counts as 0) → 400 with ES's message."""
    es_http.put("/_index_template/t1", json={"index_patterns": ["logs-a*"]})
    response = es_http.put("/_index_template/t2", json={"index_patterns": ["logs-*"]})
    assert response.status_code == 400
    assert response.json()["error"]["reason"] == (
        "index template [t2] has index patterns [logs-*] matching patterns from existing templates [t1] with patterns "
        "(t1 => [logs-a*]) that have the same priority [0], multiple index templates may not match during index "
        "creation, please use a different priority")
    assert es_http.put("/_index_template/t2", json={"index_patterns": ["logs-*"], "priority": 1}).status_code == 200
    assert es_http.put("/_index_template/t3", json={"index_patterns": ["metrics-*"]}).status_code == 200


def test_index_template_create_flag_and_data_stream_alias_conflict(es_http):
    """ref 7.3: `create=true` on an existing template; data_stream with template.aliases is rejected."""
    es_http.put("/_index_template/t", json={"index_patterns": ["x-*"]})
    again = es_http.put("/_index_template/t", params={"create": "true"}, json={"index_patterns": ["x-*"]})
    assert again.json()["error"]["reason"] == "index template [t] already exists"
    both = es_http.put("/_index_template/d", json={"index_patterns": ["d-*"], "data_stream": {},
                                                    "template": {"aliases": {"a": {}}}})
    assert both.json()["error"]["reason"] == "template [d] has alias and data stream definitions"


def test_global_template_may_not_set_index_hidden(es_http):
    """ref 7.3: a match-all pattern with index.hidden → invalid_index_template_exception."""
    response = es_http.put("/_index_template/g", json={"index_patterns": ["*"], "priority": 5,
                                                        "template": {"settings": {"index.hidden": True}}})
    assert response.json()["error"] == {
        "root_cause": [{"type": "invalid_index_template_exception", "reason": "index_template [g] invalid, cause "
                        "[global composable templates may not specify the setting index.hidden]"}],
        "type": "invalid_index_template_exception",
        "reason": "index_template [g] invalid, cause [global composable templates may not specify the setting "
                  "index.hidden]"}


def test_index_template_bad_mapping_is_wrapped_by_composition(es_http):
    """ref 7.3: `composable template [t] template after composition with component templates [..] is invalid`
    (+caused_by); its root cause is the IllegalArgumentException itself (guessRootCauses)."""
    put_settings_component(es_http)
    error = es_http.put("/_index_template/t", json={
        "index_patterns": ["x-*"], "composed_of": ["logs-app@settings"],
        "template": {"mappings": {"properties": {"a": {"type": "nope"}}}}}).json()["error"]
    reason = "composable template [t] template after composition with component templates [logs-app@settings] is invalid"
    assert error["root_cause"] == [{"type": "illegal_argument_exception", "reason": reason}]
    assert error["caused_by"]["type"] == "mapper_parsing_exception"


def test_updating_a_component_revalidates_its_index_templates(es_http):
    """ref 7.2: `updating component template [c] results in invalid composable template [t] after templates are
    merged` (+caused_by)."""
    put_settings_component(es_http)
    es_http.put("/_index_template/t", json={"index_patterns": ["x-*"], "data_stream": {},
                                            "composed_of": ["logs-app@settings"]})
    response = es_http.put("/_component_template/logs-app@settings", json={"template": {"aliases": {"a": {}}}})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["reason"] == ("updating component template [logs-app@settings] results in invalid composable template "
                               "[t] after templates are merged")
    assert error["caused_by"]["reason"] == "template [t] has alias and data stream definitions"


def test_index_template_get_missing_wildcard_and_delete(es_emulator, es_http):
    """ref 7.3: GET missing → 404 `index template matching [x] not found`; an unmatched wildcard → 404 with
    `{"index_templates":[]}`; DELETE missing → 404 index_template_missing_exception; DELETE while a data stream
    uses it → 400."""
    assert es_http.get("/_index_template/x").json()["error"]["reason"] == "index template matching [x] not found"
    empty = es_http.get("/_index_template/x*")
    assert (empty.status_code, empty.json()) == (404, {"index_templates": []})
    gone = es_http.delete("/_index_template/x")
    assert (gone.status_code, gone.json()["error"]["type"], gone.json()["error"]["reason"]) == (
        404, "index_template_missing_exception", "index_template [x] missing")
    es_http.put("/_index_template/t", json={"index_patterns": ["ds-*"], "data_stream": {}})
    es_http.put("/_data_stream/ds-1")
    blocked = es_http.delete("/_index_template/t")
    assert blocked.status_code == 400
    assert blocked.json()["error"]["reason"] == ("unable to remove composable templates [t] as they are in use by a "
                                                 "data streams [ds-1]")


def test_removing_data_stream_config_from_a_used_template_is_rejected(es_http):
    """ref 7.3 (validateDataStreamsStillReferenced; `priority [null]` when unset, as Java prints it)."""
    es_http.put("/_index_template/t", json={"index_patterns": ["ds-*"], "data_stream": {}})
    es_http.put("/_data_stream/ds-1")
    response = es_http.put("/_index_template/t", json={"index_patterns": ["ds-*"]})
    assert response.json()["error"]["reason"] == (
        "composable template [t] with index patterns [ds-*], priority [null] and no data stream configuration would "
        "cause data streams [ds-1] to no longer match a data stream template")


def test_template_lifecycle_is_accepted_in_8_11(es_http):
    """ref 7.2: template.lifecycle (data stream lifecycle, preview) is accepted from 8.11."""
    ok = es_http.put("/_component_template/c", json={"template": {"lifecycle": {"data_retention": "7d"}}})
    assert ok.status_code == 200
    shown = es_http.get("/_component_template/c").json()["component_templates"][0]["component_template"]
    assert shown == {"template": {"lifecycle": {"enabled": True, "data_retention": "7d"}}}


def test_fresh_emulator_has_no_templates():
    emulator = ElasticsearchEmulator()
    with es_client_for(emulator) as es:
        assert es.get("/_index_template").json() == {"index_templates": []}


def test_head_answers_existence_without_a_body(es_http):
    """The exists APIs (HEAD _index_template/<n>, _component_template/<n>): 200/404, empty body."""
    es_http.put("/_index_template/t", json={"index_patterns": ["h-*"]})
    present, absent = es_http.head("/_index_template/t"), es_http.head("/_component_template/nope")
    assert (present.status_code, present.content) == (200, b"")
    assert (absent.status_code, absent.content) == (404, b"")
