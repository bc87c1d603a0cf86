"""Alerting rules: the create body Kibana 8.11 takes, file:line errors where Kibana would answer 400, and
export's decompile as the inverse of compile."""

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.connector.kind import resolve_secrets
from kibana_sync.kinds.rule.kind import RuleKind, requires_recreate, update_body
from kibana_sync.kinds.rule.model import RuleModel
from kibana_sync.project.build import compile_project
from kibana_sync.project.loader import load_project

KIND = RuleKind()

DATA_VIEW = "id: logs\nindex_pattern: genesis-*\ntime_field: '@timestamp'\nfields:\n  tilt_score: float\n" \
            "  component: keyword\n  event_type: keyword\n"
CONNECTOR = "id: hook\nname: Hook\ntype: .webhook\nconfig:\n  url: http://am:9093/api/v2/alerts\n"

DSL_RULE = """\
name: Tilt too high
schedule: 1m
query:
  dsl: {query: {range: {tilt_score: {gte: 90}}}}
  index: [genesis-*]
  time_field: "@timestamp"
window: 5m
threshold: "> 0"
actions:
  - connector: hook
    params:
      body: '{"rule": "{{rule.name}}"}'
"""

KQL_RULE = """\
name: Failed orders
query:
  kql: 'event_type:"ORDER_FAILED"'
  data_view: logs
window: 15m
threshold: between 5 and 50
aggregation: {type: max, field: tilt_score}
group_by: {field: component, size: 5}
"""

# A GET /api/alerting/rule/{id} response shaped like reference.md 5.3, with the 5.6 params as Kibana returns them.
LIVE_RULE = {
    "id": "c1", "enabled": True, "name": "Tilt too high", "tags": ["sensors"], "rule_type_id": ".es-query",
    "consumer": "alerts", "schedule": {"interval": "1m"},
    "actions": [{"group": "query matched", "id": "hook", "connector_type_id": ".webhook",
                 "params": {"body": "{\"rule\":\"{{rule.name}}\",\"value\":{{context.value}}}"},
                 "frequency": {"summary": False, "notify_when": "onActiveAlert", "throttle": None},
                 "uuid": "1d5a0f9e-0000-4000-8000-000000000000"}],
    "params": {"searchType": "esQuery", "index": ["sensor-*"], "timeField": "@timestamp",
               "esQuery": "{\"query\":{\"range\":{\"tilt_score\":{\"gte\":90}}}}", "timeWindowSize": 5,
               "timeWindowUnit": "m", "thresholdComparator": ">", "threshold": [0], "size": 10, "aggType": "count",
               "groupBy": "all", "excludeHitsFromPreviousRun": False},
    "scheduled_task_id": "c1", "created_by": "elastic", "updated_by": "elastic",
    "created_at": "2023-11-20T10:00:00.000Z", "updated_at": "2023-11-20T10:00:00.000Z", "api_key_owner": "elastic",
    "api_key_created_by_user": False, "throttle": None, "notify_when": None, "mute_all": False,
    "muted_alert_ids": [], "execution_status": {"status": "ok", "last_execution_date": "2023-11-20T10:01:00.000Z"},
    "last_run": {"outcome": "succeeded", "alerts_count": {"active": 0}}, "next_run": "2023-11-20T10:02:00.000Z",
    "snooze_schedule": [], "revision": 3, "running": False,
}


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def load(root: Path, rule: str, name: str = "r"):
    write(root, "data_views/logs.yaml", DATA_VIEW)
    write(root, "connectors/hook.yaml", CONNECTOR)
    write(root, f"alerts/{name}.yaml", rule)
    return load_project(root)


def compiled(tmp_path: Path, rule: str, name: str = "r") -> dict:
    project = load(tmp_path, rule, name)
    assert project.ok, [str(d) for d in project.diagnostics.items]
    return KIND.compile(project.get(name), project)


def diagnostics(tmp_path: Path, rule: str) -> list[str]:
    return [str(d) for d in load(tmp_path, rule).diagnostics.sorted() if "alerts/" in d.file]


def test_dsl_rule_compiles_to_the_reference_create_body(tmp_path):
    body = compiled(tmp_path, DSL_RULE)
    assert "id" not in body
    assert {k: body[k] for k in ("name", "rule_type_id", "consumer", "enabled", "tags", "schedule")} == {
        "name": "Tilt too high", "rule_type_id": ".es-query", "consumer": "alerts", "enabled": True, "tags": [],
        "schedule": {"interval": "1m"}}
    params = body["params"]
    assert json.loads(params.pop("esQuery")) == {"query": {"range": {"tilt_score": {"gte": 90}}}}
    assert params == {"searchType": "esQuery", "index": ["genesis-*"], "timeField": "@timestamp",
                      "timeWindowSize": 5, "timeWindowUnit": "m", "thresholdComparator": ">", "threshold": [0],
                      "size": 100, "aggType": "count", "groupBy": "all", "excludeHitsFromPreviousRun": True}
    assert body["actions"] == [{"group": "query matched", "id": "hook", "params": {"body": '{"rule": "{{rule.name}}"}'},
                                "frequency": {"summary": False, "notify_when": "onActionGroupChange",
                                              "throttle": None}}]


def test_kql_rule_runs_through_the_data_view(tmp_path):
    params = compiled(tmp_path, KQL_RULE)["params"]
    assert params["searchType"] == "searchSource"
    assert params["searchConfiguration"] == {"query": {"query": 'event_type:"ORDER_FAILED"', "language": "kuery"},
                                             "index": "logs"}
    assert not {"esQuery", "index", "timeField"} & set(params)
    assert (params["timeWindowSize"], params["timeWindowUnit"]) == (15, "m")
    assert (params["thresholdComparator"], params["threshold"]) == ("between", [5, 50])
    assert (params["aggType"], params["aggField"]) == ("max", "tilt_score")
    assert (params["groupBy"], params["termField"], params["termSize"]) == ("top", "component", 5)


@pytest.mark.parametrize(("written", "comparator", "value"), [
    (">= 90", ">=", [90]), ("<0.5", "<", [0.5]), ("> 1e-05", ">", [1e-05]),
    ("not between 1 and 5", "notBetween", [1, 5]), ("between 10 20", "between", [10, 20]),
    ({"comparator": "<=", "value": 3}, "<=", [3]),
])
def test_threshold_forms(tmp_path, written, comparator, value):
    rule = DSL_RULE.replace('threshold: "> 0"', f"threshold: {json.dumps(written)}")
    params = compiled(tmp_path, rule)["params"]
    assert (params["thresholdComparator"], params["threshold"]) == (comparator, value)


def test_dsl_written_as_json_text_is_sent_as_written(tmp_path):
    rule = DSL_RULE.replace("dsl: {query: {range: {tilt_score: {gte: 90}}}}",
                            'dsl: |\n    {"query": {"match_all": {}}}')
    assert compiled(tmp_path, rule)["params"]["esQuery"] == '{"query": {"match_all": {}}}\n'


def test_rule_level_notify_when_replaces_per_action_frequency(tmp_path):
    body = compiled(tmp_path, DSL_RULE + "notify_when: onThrottleInterval\nthrottle: 10m\n")
    assert (body["notify_when"], body["throttle"]) == ("onThrottleInterval", "10m")
    assert "frequency" not in body["actions"][0]


@pytest.mark.parametrize(("change", "where", "expected"), [
    (("schedule: 1m", "schedule: 5x"), "2:1: error: schedule:", "expected a duration like 30s, 5m"),
    (("window: 5m", "window: 0m"), "7:1: error: window:", "expected a duration"),
    (('threshold: "> 0"', "threshold: between 5"), "8:1: error: threshold:", "expected a comparison like"),
    (('threshold: "> 0"', "threshold: {comparator: between, value: [5]}"), "8:1: error: threshold:",
     "the between comparator needs two values"),
    (("connector: hook", "connector: pager"), "10:5: error: actions[0].connector:", "unknown connector 'pager'"),
    (("  dsl: {query: {range: {tilt_score: {gte: 90}}}}", "  sql: SELECT 1"), "3:1: error: query:",
     "expected {kql: <query>, data_view: <id>}"),
    (("  index: [genesis-*]", "  index: [genesis-*]\n  dsl_typo: 1"), "6:3: error: query.dsl_typo:",
     "unknown key 'dsl_typo'; expected one of: dsl, index, time_field"),
    (("dsl: {query: {range: {tilt_score: {gte: 90}}}}", "dsl: {size: 1}"), "4:3: error: query.dsl:",
     'must contain "query"'),
    (("window: 5m", "window: 5m\nsize: 20000"), "8:1: error: size:", "less than or equal to 10000"),
    (("window: 5m", "window: 5m\naggregation: {type: avg}"), "8:1: error: aggregation:",
     "needs a field when the aggregation is 'avg'"),
    (("window: 5m", "window: 5m\ngroup_by: {field: component, size: 5000}"), "8:30: error: group_by.size:",
     "less than or equal to 1000"),
    (("    params:", "    group: alert fired\n    params:"), "11:5: error: actions[0].group:",
     "'query matched', 'recovered', not 'alert fired'"),
    (("    params:", "    frequency: {notify_when: onThrottleInterval, throttle: 30s}\n    params:"),
     "11:50: error: actions[0].frequency.throttle:", "shorter than the schedule interval (1m)"),
    (("schedule: 1m", "schedule: 1m\nthrottle: 5m"), "3:1: error: throttle:", "needs a rule-level notify_when"),
    (("window: 5m", "window: 5m\nparams: {}"), "7:1: error: window:", "either raw params or the compact"),
    (("      body:", "      bodyy:"), "12:7: error: actions[0].params.bodyy:", "a .webhook connector takes body"),
])
def test_invalid_rules_are_reported_at_their_line(tmp_path, change, where, expected):
    out = diagnostics(tmp_path, DSL_RULE.replace(*change))
    assert any(where in d and expected in d for d in out), out


def test_rule_level_frequency_clash_is_reported_at_the_action(tmp_path):
    out = diagnostics(tmp_path, DSL_RULE.replace("    params:", "    frequency: {summary: true}\n    params:")
                      + "notify_when: onActiveAlert\n")
    assert any(":11:5: error: actions[0].frequency: Kibana rejects per-action frequency" in d for d in out), out


@pytest.mark.parametrize(("params", "where", "expected"), [
    ({"thresholdComparator": "between", "threshold": [5]}, "params.threshold",
     "must have two elements for the 'between' comparator"),
    ({"esQuery": "{not json"}, "params.esQuery", "must be valid JSON"),
    ({"timeWindowUnit": "w"}, "params.timeWindowUnit", "expected one of s, m, h, d"),
    ({"sourceFieldz": []}, "params.sourceFieldz", "unknown .es-query param"),
    ({"searchType": "searchSource"}, "params.searchConfiguration", "required when searchType is searchSource"),
])
def test_raw_es_query_params_get_kibanas_checks(tmp_path, params, where, expected):
    raw = {**LIVE_RULE["params"], **params}
    rule = f"name: Raw\nschedule: 1m\nparams: {json.dumps(raw)}\n"
    out = diagnostics(tmp_path, rule)
    assert any("alerts/r.yaml:3:" in d and f"error: {where}: " in d and expected in d for d in out), out


def test_kql_is_parsed_and_fields_are_checked_against_the_data_view(tmp_path):
    bad = diagnostics(tmp_path, KQL_RULE.replace('event_type:"ORDER_FAILED"', "tilt_score:>70"))
    assert any(":3:3: error: query.kql: invalid KQL at character" in d and "tilt_score > 70" in d for d in bad), bad
    unknown = diagnostics(tmp_path, KQL_RULE.replace('event_type:"ORDER_FAILED"', "tilt_scroe >= 90")
                          .replace("field: component", "field: comp"))
    assert any("warning: query.kql: field 'tilt_scroe' is not declared in data view 'logs'; " in d for d in unknown)
    assert any("warning: group_by.field: field 'comp' is not declared" in d for d in unknown)


def test_dsl_rule_fields_are_checked_against_the_data_view_with_its_index_pattern(tmp_path):
    rule = DSL_RULE.replace('time_field: "@timestamp"', "time_field: ts") + "aggregation: {type: max, field: tilt}\n"
    out = diagnostics(tmp_path, rule)
    assert any(":6:3: warning: query.time_field: field 'ts' is not declared in data view 'logs'; " in d for d in out)
    assert any(":13:26: warning: aggregation.field: field 'tilt' is not declared" in d for d in out), out
    assert not diagnostics(tmp_path, DSL_RULE)


def test_a_data_view_that_lists_no_fields_leaves_rule_fields_unchecked(tmp_path):
    # As for searches and dashboards: with no declared fields every name would look wrong, so none is reported.
    write(tmp_path, "data_views/logs.yaml", DATA_VIEW.split("fields:")[0])
    write(tmp_path, "connectors/hook.yaml", CONNECTOR)
    write(tmp_path, "alerts/r.yaml", KQL_RULE.replace('event_type:"ORDER_FAILED"', "tilt_scroe >= 90"))
    project = load_project(tmp_path)
    assert project.ok and not project.diagnostics.warnings, project.diagnostics.items


def test_other_rule_types_need_raw_params_and_an_action_group(tmp_path):
    rule = "name: Index threshold\nrule_type: .index-threshold\nactions:\n  - connector: hook\n"
    out = diagnostics(tmp_path, rule)
    assert any(":2:1: error: rule_type: a .index-threshold rule needs its Kibana params under params" in d
               for d in out), out
    body = compiled(tmp_path, rule.replace("actions:", "params: {index: [logs-*], threshold: [1]}\nactions:")
                    .replace("connector: hook", "connector: hook\n    group: threshold met"))
    assert body["rule_type_id"] == ".index-threshold" and body["params"] == {"index": ["logs-*"], "threshold": [1]}
    assert body["actions"][0]["group"] == "threshold met"


def round_trip(tmp_path: Path, live: dict) -> tuple[dict, dict]:
    """decompile -> YAML file -> load -> compile, as export followed by build does it."""
    result = KIND.decompile(live)
    body = compiled(tmp_path, yaml.safe_dump(result.data, sort_keys=False), name=live["id"])
    return result.data, body


def test_decompile_then_compile_gives_back_the_live_rule(tmp_path):
    data, body = round_trip(tmp_path, LIVE_RULE)
    assert "params" not in data and data["query"]["dsl"] == {"query": {"range": {"tilt_score": {"gte": 90}}}}
    assert data["threshold"] == "> 0" and data["window"] == "5m"
    assert data["actions"] == [{"connector": "hook", "frequency": {"notify_when": "onActiveAlert"},
                                "params": LIVE_RULE["actions"][0]["params"]}]
    assert KIND.normalise(body) == KIND.normalise(LIVE_RULE)


@pytest.mark.parametrize("params", [
    # a KQL rule made in Kibana's editor, which leaves termSize behind on a groupBy-all rule
    {"searchType": "searchSource", "searchConfiguration": {"query": {"query": "tilt_score >= 90",
                                                                     "language": "kuery"}, "index": "logs"},
     "timeWindowSize": 1, "timeWindowUnit": "h", "thresholdComparator": "notBetween", "threshold": [1.5, 9],
     "size": 100, "aggType": "avg", "aggField": "tilt_score", "groupBy": "all", "termSize": 5,
     "excludeHitsFromPreviousRun": True},
    # a search source with filters has no compact form: kept verbatim
    {"searchType": "searchSource", "searchConfiguration": {"query": {"query": "", "language": "kuery"},
                                                           "index": "logs", "filter": [{"meta": {}}]},
     "timeWindowSize": 5, "timeWindowUnit": "m", "thresholdComparator": ">", "threshold": [0], "size": 1},
    {"searchType": "esqlQuery", "esqlQuery": {"esql": "FROM genesis-* | LIMIT 1"}, "timeField": "@timestamp",
     "timeWindowSize": 5, "timeWindowUnit": "m", "thresholdComparator": ">", "threshold": [0], "size": 0},
])
def test_rules_the_compact_form_cannot_say_still_round_trip(tmp_path, params):
    live = {**copy.deepcopy(LIVE_RULE), "params": params}
    data, body = round_trip(tmp_path, live)
    assert KIND.normalise(body) == KIND.normalise(live)
    if params.get("termSize"):
        assert data["raw_params"] == {"termSize": 5} and data["query"] == {"kql": "tilt_score >= 90",
                                                                           "data_view": "logs"}
    else:
        assert data["params"] == params


def test_any_rule_type_round_trips_with_raw_params(tmp_path):
    live = {**copy.deepcopy(LIVE_RULE), "rule_type_id": ".index-threshold", "consumer": "stackAlerts",
            "enabled": False, "params": {"index": ["logs-*"], "timeField": "@timestamp", "aggType": "count",
                                         "thresholdComparator": ">", "threshold": [10], "timeWindowSize": 5,
                                         "timeWindowUnit": "m", "groupBy": "all"},
            "actions": [{**LIVE_RULE["actions"][0], "group": "threshold met"}]}
    data, body = round_trip(tmp_path, live)
    assert (data["rule_type"], data["consumer"], data["enabled"]) == (".index-threshold", "stackAlerts", False)
    assert KIND.normalise(body) == KIND.normalise(live)


def test_normalise_ignores_json_formatting_and_defaults_but_not_changes():
    compiled_form = copy.deepcopy(LIVE_RULE)
    for key in ("aggType", "groupBy"):
        del compiled_form["params"][key]
    compiled_form["params"]["esQuery"] = json.dumps({"query": {"range": {"tilt_score": {"gte": 90}}}}, indent=2)
    compiled_form["tags"] = ["sensors"]
    live = KIND.normalise(LIVE_RULE)
    assert KIND.normalise(compiled_form) == live
    assert "uuid" not in live["actions"][0] and "revision" not in live
    compiled_form["params"]["threshold"] = [1]
    assert KIND.normalise(compiled_form) != live
    assert KIND.normalise({**LIVE_RULE, "enabled": False}) != live


def test_update_body_and_recreate():
    body = {"name": "n", "rule_type_id": ".es-query", "consumer": "alerts", "enabled": True, "tags": [],
            "schedule": {"interval": "1m"}, "params": {}, "actions": []}
    assert set(update_body(body)) == {"name", "tags", "schedule", "params", "actions"}
    assert set(update_body({**body, "notify_when": "onActiveAlert", "throttle": None})) >= {"notify_when", "throttle"}
    assert not requires_recreate(LIVE_RULE, {**body, "name": "other"})
    assert requires_recreate(LIVE_RULE, {**body, "consumer": "stackAlerts"})
    assert requires_recreate(LIVE_RULE, {**body, "rule_type_id": ".index-threshold"})


def test_genesis_alerts_validate_and_post_alertmanager_arrays(genesis_objects):
    project = load_project(genesis_objects)
    ours = [d for d in project.diagnostics.items if "alerts/" in d.file or "connectors/" in d.file]
    assert not ours, [str(d) for d in ours]
    rules = project.of_kind("rule")
    assert len(rules) >= 4
    tilt = KIND.compile(project.get("genesis-critical-tilt"), project)
    assert tilt["schedule"] == {"interval": "1m"}
    assert (tilt["params"]["timeWindowSize"], tilt["params"]["timeWindowUnit"]) == (5, "m")
    assert json.loads(tilt["params"]["esQuery"])["query"] == {"range": {"tilt_score": {"gte": 90}}}
    for entry in rules:
        for action in KIND.compile(entry, project)["actions"]:
            assert action["id"] == "genesis-alertmanager"
            # Alertmanager's v1 API takes a JSON array of alerts with labels: the body must be that once rendered.
            rendered = json.loads(re.sub(r"\{\{[^}]*\}\}", "x", action["params"]["body"]))
            assert isinstance(rendered, list) and rendered[0]["labels"]["alertname"]


def test_genesis_rules_are_accepted_and_export_back_compactly(genesis_objects, emulator_http):
    """Against the 8.11 emulator: every GENESIS rule is created, reads back equal, and decompiles to the compact
    form (no raw params) that compiles to the same rule again."""
    project = load_project(genesis_objects)
    build = compile_project(project)
    for id_, body in build.connectors.items():
        assert emulator_http.post(f"/api/actions/connector/{id_}", json=resolve_secrets(body, {})).status_code == 200
    for id_, body in build.rules.items():
        created = emulator_http.post(f"/api/alerting/rule/{id_}", json=body)
        assert created.status_code == 200, created.text
        live = emulator_http.get(f"/api/alerting/rule/{id_}").json()
        assert KIND.normalise(live) == KIND.normalise(body)
        result = KIND.decompile(live)
        assert "params" not in result.data and (result.compact_parts, result.raw_parts) == (1, 0)
        entry = project.get(id_)
        exported = Entry(entry.kind, id_, RuleModel.model_validate(result.data), entry.source)
        assert KIND.normalise(KIND.compile(exported, project)) == KIND.normalise(live)
