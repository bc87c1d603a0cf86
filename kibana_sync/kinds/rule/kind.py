"""Alerting rules (``objects/alerts/``), sent through ``/api/alerting/rule`` (reference.md 5).

An ``.es-query`` rule is written in the compact form of ``kinds/_es_query.py`` (query, window, threshold, ...);
any rule type can instead give Kibana's ``params`` verbatim, which is also what export falls back to when the
compact form cannot say a rule exactly. Actions point at connectors by id. The YAML model is in ``_rule_model``,
the checks in ``_rule_check``.
"""

from __future__ import annotations

from typing import Any

from kibana_sync.kinds.base import Decompiled, Entry, Kind
from kibana_sync.kinds.rule import es_query
from kibana_sync.kinds.rule.check import check_rule
from kibana_sync.kinds.rule.model import (
    DEFAULT_ACTION_GROUPS,
    DEFAULT_CONSUMER,
    DEFAULT_NOTIFY_WHEN,
    Frequency,
    RuleAction,
    RuleModel,
)
from kibana_sync.source.diagnostics import Diagnostic
from kibana_sync.source.model import RefUse

UPDATABLE = ("name", "tags", "schedule", "params", "actions")  # what PUT accepts besides throttle/notify_when


class RuleKind(Kind):
    name = "rule"
    folder = "alerts"
    model = RuleModel
    store = "rules"

    def references(self, entry: Entry) -> list[RefUse]:
        m: RuleModel = entry.model
        uses = [RefUse("connector", a.connector, ("actions", i, "connector")) for i, a in enumerate(m.actions)]
        if m.params is None and isinstance(m.query, es_query.SearchSourceQuery):
            uses.append(RefUse("data_view", m.query.data_view, ("query", "data_view")))
        return uses

    def check(self, entry: Entry, project: Any) -> list[Diagnostic]:
        return check_rule(entry, project)

    def compile(self, entry: Entry, project: Any) -> dict[str, Any]:
        m: RuleModel = entry.model
        params = m.params if m.params is not None else es_query.compile_params(m, project.resolve)
        body: dict[str, Any] = {
            "name": m.name, "rule_type_id": m.rule_type, "consumer": m.consumer, "enabled": m.enabled,
            "tags": m.tags, "schedule": {"interval": m.schedule}, "params": params,
            "actions": [_compile_action(m, a, project.resolve) for a in m.actions],
        }
        if m.notify_when is not None:
            body.update({"notify_when": m.notify_when, "throttle": m.throttle})
        return body

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        # A whitelist: a GET response carries many server-managed fields (reference 5.3), and more in later versions.
        rule_type = obj.get("rule_type_id")
        params = obj.get("params") or {}
        return {
            "name": obj.get("name"), "rule_type_id": rule_type, "consumer": obj.get("consumer"),
            "enabled": obj.get("enabled", True), "tags": sorted(obj.get("tags") or []),
            "schedule": obj.get("schedule"),
            "params": es_query.normalise_params(params) if rule_type == es_query.RULE_TYPE else params,
            "actions": [_normalise_action(a) for a in obj.get("actions") or []],
            "notify_when": obj.get("notify_when"), "throttle": obj.get("throttle"),
        }

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        rule_type = obj.get("rule_type_id", "")
        data: dict[str, Any] = {"id": obj["id"], "name": obj.get("name", "")}
        result = Decompiled(data)
        if rule_type != es_query.RULE_TYPE:
            data["rule_type"] = rule_type
        if obj.get("consumer", DEFAULT_CONSUMER) != DEFAULT_CONSUMER:
            data["consumer"] = obj["consumer"]
        if obj.get("enabled") is False:
            data["enabled"] = False
        if obj.get("tags"):
            data["tags"] = list(obj["tags"])
        data["schedule"] = (obj.get("schedule") or {}).get("interval", "")
        if obj.get("notify_when") is not None:
            data["notify_when"] = obj["notify_when"]
            if obj.get("throttle") is not None:
                data["throttle"] = obj["throttle"]
        params = obj.get("params") or {}
        compact = es_query.decompile_params(params) if rule_type == es_query.RULE_TYPE else None
        if compact is None:
            data["params"] = params
            result.raw_parts += 1
        else:
            data.update(compact)
            result.compact_parts += 1
            result.raw_parts += "raw_params" in compact
        actions = [_decompile_action(rule_type, a) for a in obj.get("actions") or []]
        if actions:
            data["actions"] = actions
        return result


def update_body(body: dict[str, Any]) -> dict[str, Any]:
    """The part of a create body that ``PUT /api/alerting/rule/{id}`` accepts (reference 5.2)."""
    out = {k: body[k] for k in UPDATABLE if k in body}
    out.update({k: body[k] for k in ("throttle", "notify_when") if k in body})
    return out


def requires_recreate(live: dict[str, Any], desired: dict[str, Any]) -> bool:
    """PUT cannot change the rule type or consumer: such a change is a delete plus a create."""
    return any(live.get(k) != desired.get(k) for k in ("rule_type_id", "consumer"))


# --- compile / normalise / decompile of actions ---------------------------------------------------------------

def _compile_action(m: RuleModel, action: RuleAction, resolve: Any) -> dict[str, Any]:
    group = action.group or DEFAULT_ACTION_GROUPS.get(m.rule_type, "")
    out: dict[str, Any] = {"group": group, "id": resolve(action.connector), "params": action.params}
    if m.notify_when is None:  # Kibana rejects per-action frequency next to a rule-level one
        frequency = action.frequency or Frequency()
        out["frequency"] = {"summary": frequency.summary, "notify_when": frequency.notify_when,
                            "throttle": frequency.throttle}
    if action.alerts_filter is not None:
        out["alerts_filter"] = action.alerts_filter
    return out


def _normalise_action(action: dict[str, Any]) -> dict[str, Any]:
    out = {"group": action.get("group"), "id": action.get("id"), "params": action.get("params") or {}}
    frequency = action.get("frequency")
    if frequency is not None:
        out["frequency"] = {"summary": frequency.get("summary", False), "notify_when": frequency.get("notify_when"),
                            "throttle": frequency.get("throttle")}
    if action.get("alerts_filter") is not None:
        out["alerts_filter"] = action["alerts_filter"]
    return out


def _decompile_action(rule_type: str, action: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"connector": action.get("id", "")}
    if action.get("group") != DEFAULT_ACTION_GROUPS.get(rule_type):
        out["group"] = action.get("group")
    frequency = action.get("frequency") or {}
    compact = {k: v for k, v in (("notify_when", frequency.get("notify_when", DEFAULT_NOTIFY_WHEN)),
                                 ("throttle", frequency.get("throttle")), ("summary", frequency.get("summary", False)))
               if v != Frequency.model_fields[k].default}
    if compact:
        out["frequency"] = compact
    if action.get("params"):
        out["params"] = action["params"]
    if action.get("alerts_filter") is not None:
        out["alerts_filter"] = action["alerts_filter"]
    return out
