"""Rule action validation (reference 5.1, `validate_actions.ts`): all problems reported in one 400."""

from __future__ import annotations

import uuid
from typing import Any

from .connectors import ConnectorsApi, not_found
from .errors import HttpError
from .rule_types import RuleType
from .validation import duration_ms


def validate_actions(rule_type: RuleType, actions: list[dict[str, Any]], rule: dict[str, Any],
                     connectors: ConnectorsApi, space: str) -> list[dict[str, Any]]:
    """Check `actions` against the rule's schedule and notify settings; return them as Kibana stores them."""
    problems: list[str] = []
    uuids = [a["uuid"] for a in actions if a.get("uuid")]
    if len(uuids) != len(set(uuids)):
        problems.append("Actions have duplicated UUIDs")
    found = []
    for action in actions:
        connector = connectors.lookup(action["id"], space)
        if connector is None:
            raise not_found(action["id"])  # the connectors bulk get fails before any other check
        found.append(connector)
    missing_secrets = sorted({c.name for c in found if c.is_missing_secrets})
    if missing_secrets:
        problems.append(f"Invalid connectors: {', '.join(missing_secrets)}")
    bad_groups = sorted({a["group"] for a in actions if a["group"] not in rule_type.all_action_groups})
    if bad_groups:
        problems.append(f"Invalid action groups: {', '.join(bad_groups)}")
    problems.extend(_frequency_problems(actions, rule))
    if problems:
        if len(problems) == 1:
            message = f"Failed to validate actions due to the following error: {problems[0]}"
        else:
            listed = "\n".join(f"- {p}" for p in problems)
            message = f"Failed to validate actions due to the following {len(problems)} errors:\n{listed}"
        raise HttpError(400, message)
    return [_stored_action(action, connector.type_id) for action, connector in zip(actions, found, strict=True)]


def _frequency_problems(actions: list[dict[str, Any]], rule: dict[str, Any]) -> list[str]:
    rule_level = rule.get("notify_when") is not None or bool(rule.get("throttle"))
    problems = []
    if rule_level:
        with_frequency = [a["group"] for a in actions if a.get("frequency")]
        if with_frequency:
            problems.append("Cannot specify per-action frequency params when notify_when or throttle are "
                            f"defined at the rule level: {', '.join(with_frequency)}")
        return problems
    without = [a["group"] for a in actions if not a.get("frequency")]
    if without:
        problems.append(f"Actions missing frequency parameters: {', '.join(without)}")
    interval = rule["schedule"]["interval"]
    too_short = [f"{a['group']} ({a['frequency']['throttle']})" for a in actions
                 if (a.get("frequency") or {}).get("notify_when") == "onThrottleInterval"
                 and a["frequency"].get("throttle")
                 and duration_ms(a["frequency"]["throttle"]) < duration_ms(interval)]
    if too_short:
        problems.append(f"Action frequency cannot be shorter than the schedule interval of {interval}: "
                        f"{', '.join(too_short)}")
    return problems


def _stored_action(action: dict[str, Any], connector_type_id: str) -> dict[str, Any]:
    stored: dict[str, Any] = {"group": action["group"], "id": action["id"], "params": action.get("params", {}),
                              "connector_type_id": connector_type_id}
    frequency = action.get("frequency")
    if frequency:
        # `throttle` is schema.nullable: an absent throttle comes back as null (create/schemas/v1.ts)
        stored["frequency"] = {"summary": frequency["summary"], "notify_when": frequency["notify_when"],
                               "throttle": frequency.get("throttle")}
    if action.get("alerts_filter"):
        stored["alerts_filter"] = action["alerts_filter"]
    stored["uuid"] = action.get("uuid") or str(uuid.uuid4())
    return stored
