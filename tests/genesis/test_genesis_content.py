"""The GENESIS content read the way its on-call operator would: every field an object names exists in the logs,
alerts reach Alertmanager's live API and resolve when the condition clears, every object carries the genesis tag,
and the dashboards hold what an incident needs (controls, thresholds, the events behind the charts)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kibana_sync.cli.main import main
from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.index_template.kind import fields_of_index_template
from kibana_sync.project.build import compile_project
from kibana_sync.project.loader import Project, load_project

# The fields of the guide's log schemas (elk-stack-setup-guide.md, "Log Format"), of its index template and of
# its application logging example (structlog, "Log Shipping"), plus what Logstash adds (@timestamp, tags).
GUIDE_FIELDS = {
    "required": {"timestamp", "level", "component", "message", "correlation_id"},
    "trading": {"timestamp", "level", "component", "event_type", "correlation_id", "data.order_id", "data.symbol",
                "data.side", "data.price", "data.quantity", "data.execution_time_ms"},
    "audit": {"timestamp", "level", "component", "event_type", "user_id", "action", "resource", "reason"},
    "tilt": {"timestamp", "level", "component", "tilt_score", "indicators.click_speed", "indicators.cancel_rate",
             "indicators.revenge_trading", "intervention"},
    "index template": {"timestamp", "level", "component", "message", "correlation_id", "tilt_score",
                       "execution_time_ms"},
    "structlog example": {"event_type", "order_id", "execution_time_ms"},
    # failure_reason: the guide's DSL example aggregates failure_reason.keyword for failed orders
    "search examples": {"failure_reason"},
    "logstash": {"@timestamp", "tags"},
}
LOGGED = set().union(*GUIDE_FIELDS.values())


@pytest.fixture(scope="module")
def project() -> Project:
    loaded = load_project(Path(__file__).resolve().parents[2] / "objects")
    assert loaded.ok, loaded.diagnostics.items
    return loaded


@pytest.fixture(scope="module")
def build(project: Project) -> Any:
    return compile_project(project)


def test_validate_strict_is_clean(genesis_objects: Path) -> None:
    # Strict turns the field warnings into errors: a field a search, rule, panel or control names that the data
    # view does not declare fails here.
    result = CliRunner().invoke(main, ["validate", "--strict", "--objects", str(genesis_objects)])
    assert result.exit_code == 0, result.output
    assert ", 0 warning(s)" in result.output


def test_every_declared_field_is_one_the_logs_have(project: Project) -> None:
    # What let `data.pnl` through: the data view declared a field no log line carries, so validate was happy
    # and the panel was always empty. A .keyword sub-field exists when its text field does.
    (view,) = project.of_kind("data_view")
    invented = sorted(f for f in view.model.fields if f.removesuffix(".keyword") not in LOGGED)
    assert invented == []


def test_the_data_view_declares_exactly_what_the_index_templates_map(project: Project) -> None:
    # The data view is what validate checks fields against; the templates are what Elasticsearch indexes. Any
    # difference is a panel that validates but stays empty, or a field nobody can check.
    (view,) = project.of_kind("data_view")
    templates = project.of_kind("index_template")
    pattern = view.model.index_pattern
    assert pattern == "genesis-logs-*"
    assert all(p.startswith("genesis-logs-") for t in templates for p in t.model.index_patterns)
    mapped: dict[str, str] = {}
    for template in templates:
        mapped.update(fields_of_index_template(template, project))
    assert dict(view.model.fields) == mapped


def test_every_log_type_is_a_data_stream_that_rolls_over(project: Project) -> None:
    templates = {t.id: t.model for t in project.of_kind("index_template")}
    assert sorted(templates) == ["genesis-logs-audit", "genesis-logs-tilt", "genesis-logs-trading"]
    assert all(t.data_stream is not None and t.composed_of == ["genesis-logs-base"] for t in templates.values())
    (base,) = project.of_kind("component_template")
    settings = base.model.template.settings
    assert settings["index.lifecycle.name"] == "genesis-logs"
    assert settings["index.default_pipeline"] == "genesis-logs"
    (policy,) = project.of_kind("ilm_policy")
    phases = policy.model.model_dump(by_alias=True, exclude_none=True)["phases"]
    assert "rollover" in phases["hot"]["actions"]
    # The guide's repository "s3_repository" is not one it registers (it registers s3_backup): no phase may
    # depend on a repository until one is configured.
    assert not any("searchable_snapshot" in phase.get("actions", {}) for phase in phases.values())


def test_no_object_needs_a_keyword_sub_field(build: Any) -> None:
    # Fields dashboards break down or filter by are keyword in the templates; a .keyword name would not exist.
    texts = [json.dumps(o) for o in build.saved_objects] + [json.dumps(r) for r in build.rules.values()]
    assert [t[:80] for t in texts if ".keyword" in t] == []


def test_a_panel_metric_on_a_field_no_log_has_fails_strict_validation(genesis_objects: Path, tmp_path: Path) -> None:
    tree = tmp_path / "objects"
    shutil.copytree(genesis_objects, tree)
    board = tree / "dashboards" / "tilt-monitoring.yaml"
    board.write_text(board.read_text().replace("{metric: avg(tilt_score), label: Average tilt score, axis: left}",
                                               "{metric: sum(data.pnl), label: P&L, axis: left}"))
    result = CliRunner().invoke(main, ["validate", "--strict", "--objects", str(tree)])
    assert result.exit_code == 2
    assert "field 'data.pnl' is not declared in data view 'genesis-logs'" in result.output


def queries(project: Project) -> list[tuple[Entry, str]]:
    found = [(e, e.model.query) for e in project.of_kind("search")]
    found += [(e, e.model.query.kql) for e in project.of_kind("rule") if getattr(e.model.query, "kql", None)]
    return found


def test_execution_time_is_read_under_both_of_its_names(project: Project) -> None:
    # The trading logs nest it (data.execution_time_ms), the index template and the structlog example log it
    # top-level: an object naming one of the two misses the other half of the slow executions.
    named = [(e.id, q) for e, q in queries(project) if "execution_time_ms" in q]
    assert {i for i, _ in named} == {"genesis-search-slow-executions", "genesis-slow-executions"}
    for id_, query in named:
        assert "data.execution_time_ms > 100" in query and query.startswith("execution_time_ms > 100"), id_


def test_the_webhook_posts_to_alertmanagers_v2_api(build: Any) -> None:
    assert build.connectors["genesis-alertmanager"]["config"]["url"].endswith("/api/v2/alerts")


def test_a_webhook_to_a_removed_alertmanager_api_is_a_warning(genesis_objects: Path, tmp_path: Path) -> None:
    tree = tmp_path / "objects"
    shutil.copytree(genesis_objects, tree)
    hook = tree / "connectors" / "alertmanager.yaml"
    hook.write_text(hook.read_text().replace("url: http://alertmanager:9093/api/v2/alerts",
                                             "url: http://alertmanager:9093/api/v1/alerts"))
    result = CliRunner().invoke(main, ["validate", "--objects", str(tree)])
    assert result.exit_code == 0 and ", 1 warning(s)" in result.output
    assert (f"{hook}:12:3: warning: config.url: /api/v1/alerts is gone: Alertmanager 0.27 and later removed the v1 "
            "API and answer 410 Gone") in result.output
    assert CliRunner().invoke(main, ["validate", "--strict", "--objects", str(tree)]).exit_code == 2


def alert_bodies(rule: dict[str, Any], group: str) -> list[dict[str, Any]]:
    return [json.loads(a["params"]["body"])[0] for a in rule["actions"] if a["group"] == group]


@pytest.mark.parametrize("rule_id", ["genesis-connection-issues", "genesis-critical-tilt", "genesis-failed-order-burst",
                                     "genesis-security-alerts", "genesis-slow-executions"])
def test_every_alert_resolves_when_its_condition_clears_and_not_before(build: Any, rule_id: str) -> None:
    rule = build.rules[rule_id]
    (firing,) = alert_bodies(rule, "query matched")
    (recovered,) = alert_bodies(rule, "recovered")
    # Alertmanager matches the resolution to the alert by its labels, and resolves on endsAt.
    assert recovered["labels"] == firing["labels"]
    assert recovered["endsAt"] == "{{context.date}}" and "endsAt" not in firing
    # Without a re-send on every run, Alertmanager resolves a firing alert after its resolve_timeout (5m by
    # default) while the condition still holds; a run every minute keeps well inside it.
    (fire_action,) = [a for a in rule["actions"] if a["group"] == "query matched"]
    assert fire_action["frequency"]["notify_when"] == "onActiveAlert"
    assert rule["schedule"]["interval"] == "1m"


@pytest.mark.parametrize("rule_id", ["genesis-connection-issues", "genesis-failed-order-burst",
                                     "genesis-slow-executions"])
def test_count_rules_over_a_window_count_the_whole_window(build: Any, rule_id: str) -> None:
    # With excludeHitsFromPreviousRun a run counts only lines newer than the previous run's, so ">= 5 in 5
    # minutes" drops under 5 a minute into a burst and the alert recovers while the burst goes on.
    params = build.rules[rule_id]["params"]
    assert params["threshold"][0] > 1 and params["excludeHitsFromPreviousRun"] is False


def test_every_genesis_object_carries_the_genesis_tag(build: Any) -> None:
    taggable = [o for o in build.saved_objects if o["type"] not in ("tag", "index-pattern")]
    assert taggable
    untagged = [o["id"] for o in taggable
                if not any(r["type"] == "tag" and r["id"] == "genesis" for r in o["references"])]
    assert untagged == []
    assert [i for i, r in build.rules.items() if "genesis" not in r["tags"]] == []


def panels(build: Any, dashboard_id: str) -> list[dict[str, Any]]:
    board = next(o for o in build.saved_objects if o["id"] == dashboard_id)
    return json.loads(board["attributes"]["panelsJSON"])


def searches_shown(build: Any, dashboard_id: str) -> list[str]:
    board = next(o for o in build.saved_objects if o["id"] == dashboard_id)
    return [r["id"] for r in board["references"] if r["type"] == "search"]


def test_each_dashboard_lists_the_matching_events_below_its_charts(build: Any) -> None:
    shown = {d: searches_shown(build, d) for d in ("genesis-trading-activity", "genesis-security",
                                                   "genesis-tilt-monitoring")}
    assert shown == {
        "genesis-trading-activity": ["genesis-search-failed-orders", "genesis-search-slow-executions"],
        "genesis-security": ["genesis-search-security-alerts"],
        "genesis-tilt-monitoring": ["genesis-search-high-tilt-events"],
    }
    for dashboard_id in shown:
        charts = [p for p in panels(build, dashboard_id) if p["type"] == "lens"]
        lists = [p for p in panels(build, dashboard_id) if p["type"] == "search"]
        assert min(p["gridData"]["y"] for p in lists) >= max(p["gridData"]["y"] + p["gridData"]["h"] for p in charts)


def control_fields(build: Any, dashboard_id: str) -> list[str]:
    board = next(o for o in build.saved_objects if o["id"] == dashboard_id)
    group = board["attributes"].get("controlGroupInput")
    if not group:
        return []
    controls = json.loads(group["panelsJSON"])
    return [c["explicitInput"]["fieldName"] for c in sorted(controls.values(), key=lambda c: c["order"])]


def test_controls_filter_by_component_and_symbol_where_the_logs_have_them(build: Any) -> None:
    assert control_fields(build, "genesis-trading-activity") == ["component", "data.symbol"]
    assert control_fields(build, "genesis-security") == ["component", "user_id"]
    assert control_fields(build, "genesis-tilt-monitoring") == []  # one component, no symbol: would only empty it


def test_the_tilt_timeline_marks_both_alert_thresholds(build: Any) -> None:
    timeline = next(p for p in panels(build, "genesis-tilt-monitoring") if p["title"] == "Tilt score timeline")
    state = timeline["embeddableConfig"]["attributes"]["state"]
    (layer,) = [x for x in state["visualization"]["layers"] if x["layerType"] == "referenceLine"]
    columns = state["datasourceStates"]["formBased"]["layers"][layer["layerId"]]["columns"]
    values = sorted(columns[y["forAccessor"]]["params"]["value"] for y in layer["yConfig"])
    assert values == ["70", "90"]


def test_the_tilt_timeline_opens_high_tilt_events_for_the_same_time_range(build: Any, project: Project) -> None:
    timeline = next(p for p in panels(build, "genesis-tilt-monitoring") if p["title"] == "Tilt score timeline")
    (event,) = timeline["embeddableConfig"]["enhancements"]["dynamicActions"]["events"]
    url = event["action"]["config"]["url"]["template"]
    assert event["action"]["factoryId"] == "URL_DRILLDOWN"
    assert "/app/discover#/view/genesis-search-high-tilt-events?" in url
    assert project.get("genesis-search-high-tilt-events") is not None
    assert "from:'{{context.panel.timeRange.from}}',to:'{{context.panel.timeRange.to}}'" in url
