"""Alerting rules API (reference 5): create/update validation, server-managed fields, find, enable/disable."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from .connectors import ConnectorsApi
from .errors import HttpError, conflict_object
from .routing import Router
from .rule_actions import validate_actions
from .rule_filter import compile_filter
from .rule_types import RULE_TYPES, ParamsError, RuleType
from .validation import (
    check_result_window,
    expect,
    expect_duration,
    expect_one_of,
    query_int,
    reject_unknown_keys,
    require_object,
)
from .wire import Request, Response, json_response, no_content

CREATE_KEYS = ("name", "rule_type_id", "enabled", "consumer", "tags", "throttle", "params", "schedule", "actions",
               "notify_when")
UPDATE_KEYS = ("name", "tags", "schedule", "params", "actions", "throttle", "notify_when")
ACTION_KEYS = ("group", "id", "params", "frequency", "uuid", "alerts_filter")
NOTIFY_WHEN = ("onActionGroupChange", "onActiveAlert", "onThrottleInterval")
# what a PUT can change; a difference in any of them bumps `revision`
REVISIONED = ("name", "tags", "schedule", "params", "actions", "throttle", "notify_when")


def rule_not_found(rule_id: str) -> HttpError:
    return HttpError(404, f"Saved object [alert/{rule_id}] not found")


class RulesApi:
    def __init__(self, connectors: ConnectorsApi, now: Callable[[], str], new_id: Callable[[], str]) -> None:
        self._connectors, self._now, self._new_id = connectors, now, new_id
        self.rules: dict[str, dict[str, Any]] = {}  # id -> API shape; `alert` ids are global across spaces
        self._spaces: dict[str, str] = {}
        connectors.reference_count = self.count_references

    def register(self, router: Router) -> None:
        router.add("POST", "/api/alerting/rule/{id?}", self.create)
        router.add("PUT", "/api/alerting/rule/{id}", self.update)
        router.add("GET", "/api/alerting/rule/{id}", self.get)
        router.add("DELETE", "/api/alerting/rule/{id}", self.delete)
        router.add("POST", "/api/alerting/rule/{id}/_enable", self.enable)
        router.add("POST", "/api/alerting/rule/{id}/_disable", self.disable)
        router.add("POST", "/api/alerting/rule/{id}/_mute_all", lambda r: self._set_mute(r, True))
        router.add("POST", "/api/alerting/rule/{id}/_unmute_all", lambda r: self._set_mute(r, False))
        router.add("GET", "/api/alerting/rules/_find", self.find)
        router.add("GET", "/api/alerting/rule_types",
                   lambda r: json_response([t.describe() for t in RULE_TYPES.values()]))
        router.add("GET", "/api/alerting/_health",
                   lambda r: json_response({"is_sufficiently_secure": True, "has_permanent_encryption_key": True}))

    def count_references(self, connector_id: str, space: str) -> int:
        return sum(1 for rule_id, rule in self.rules.items() if self._spaces[rule_id] == space
                   and any(a["id"] == connector_id for a in rule["actions"]))

    # --- routes ---------------------------------------------------------------------------------------------

    def create(self, request: Request) -> Response:
        body = _validated_body(request.json(), CREATE_KEYS)
        for key in ("name", "rule_type_id", "consumer"):
            expect(body.get(key), "string", f"request body.{key}")
        enabled = expect(body.get("enabled", True), "boolean", "request body.enabled")
        rule_type = _rule_type(body["rule_type_id"])
        if body["consumer"] not in rule_type.consumers:
            # AlertingAuthorization's message format (inferred from Kibana source, not in the reference)
            raise HttpError(403, f'Unauthorized by "{body["consumer"]}" to create "{rule_type.id}" rule')
        params = _params(rule_type, body)
        rule_id = request.params.get("id") or self._new_id()
        if rule_id in self.rules:
            raise conflict_object("alert", rule_id)
        actions = validate_actions(rule_type, body["actions"], body, self._connectors, request.space)
        now = self._now()
        principal = request.principal
        rule: dict[str, Any] = {
            "id": rule_id, "enabled": enabled, "name": body["name"], "tags": body["tags"],
            "rule_type_id": rule_type.id, "consumer": body["consumer"], "schedule": body["schedule"],
            "actions": actions, "params": params,
        }
        if enabled:
            rule["scheduled_task_id"] = rule_id
        rule.update({
            "created_by": request.username, "updated_by": request.username, "created_at": now, "updated_at": now,
            "api_key_owner": request.username if enabled else None,
            "api_key_created_by_user": bool(enabled and principal and principal.via_api_key),
            "throttle": body.get("throttle"), "notify_when": _notify_when(body),
            "mute_all": False, "muted_alert_ids": [],
            "execution_status": {"status": "pending", "last_execution_date": now},
            "snooze_schedule": [], "revision": 0, "running": False,
        })
        self.rules[rule_id] = rule
        self._spaces[rule_id] = request.space
        return json_response(copy.deepcopy(rule))

    def update(self, request: Request) -> Response:
        body = _validated_body(request.json(), UPDATE_KEYS, required_actions=True)
        rule = self._existing(request)
        expect(body.get("name"), "string", "request body.name")
        rule_type = RULE_TYPES[rule["rule_type_id"]]
        params = _params(rule_type, body)
        actions = validate_actions(rule_type, body["actions"], body, self._connectors, request.space)
        changes = {"name": body["name"], "tags": body["tags"], "schedule": body["schedule"], "params": params,
                   "actions": actions, "throttle": body.get("throttle"), "notify_when": _notify_when(body)}
        if any(_comparable(key, rule[key]) != _comparable(key, changes[key]) for key in REVISIONED):
            rule["revision"] += 1
        rule.update(changes)
        rule["updated_by"], rule["updated_at"] = request.username, self._now()
        if rule["enabled"]:  # update regenerates the API key as the caller
            rule["api_key_owner"] = request.username
            rule["api_key_created_by_user"] = bool(request.principal and request.principal.via_api_key)
        return json_response(copy.deepcopy(rule))

    def get(self, request: Request) -> Response:
        return json_response(copy.deepcopy(self._existing(request)))

    def delete(self, request: Request) -> Response:
        rule = self._existing(request)
        del self.rules[rule["id"]], self._spaces[rule["id"]]
        return no_content()

    def enable(self, request: Request) -> Response:
        rule = self._existing(request)
        if not rule["enabled"]:
            rule.update({"enabled": True, "scheduled_task_id": rule["id"], "api_key_owner": request.username,
                         "api_key_created_by_user": bool(request.principal and request.principal.via_api_key),
                         "updated_by": request.username, "updated_at": self._now(),
                         "execution_status": {"status": "pending", "last_execution_date": self._now()}})
        return no_content()

    def disable(self, request: Request) -> Response:
        rule = self._existing(request)
        if rule["enabled"]:
            # the API key is invalidated; the task id survives because it equals the rule id
            rule.update({"enabled": False, "api_key_owner": None, "api_key_created_by_user": False,
                         "updated_by": request.username, "updated_at": self._now()})
        return no_content()

    def _set_mute(self, request: Request, muted: bool) -> Response:
        self._existing(request)["mute_all"] = muted
        return no_content()

    def find(self, request: Request) -> Response:
        per_page = query_int(request, "per_page", 10, minimum=0)
        page = query_int(request, "page", 1, minimum=1)
        found = [r for rule_id, r in self.rules.items() if self._spaces[rule_id] == request.space]
        if request.first("filter"):
            matches = compile_filter(request.first("filter"))
            found = [r for r in found if matches(r)]
        if request.first("search"):
            terms = request.first("search").lower().replace("*", "").split()
            found = [r for r in found if any(t in r["name"].lower() or t in map(str.lower, r["tags"])
                                             for t in terms)]
        sort_field = request.first("sort_field")
        if sort_field:
            found.sort(key=lambda r: str(r.get(sort_field, "")), reverse=request.first("sort_order") == "desc")
        check_result_window(page, per_page)
        window = found[(page - 1) * per_page: page * per_page]
        return json_response({"page": page, "per_page": per_page, "total": len(found),
                              "data": copy.deepcopy(window)})

    # --- helpers for tests ----------------------------------------------------------------------------------

    def snapshot(self, rule_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.rules.get(rule_id))

    def overwrite(self, changed: Mapping[str, Any]) -> dict[str, Any]:
        """Replace a stored rule's fields as an edit in Kibana's UI would, bumping revision and updated_at."""
        rule = self.rules[changed["id"]]
        if any(_comparable(k, rule.get(k)) != _comparable(k, changed.get(k)) for k in REVISIONED):
            rule["revision"] += 1
        rule.update({k: copy.deepcopy(v) for k, v in changed.items() if k != "revision"})
        rule["updated_at"] = self._now()
        return copy.deepcopy(rule)

    def _existing(self, request: Request) -> dict[str, Any]:
        rule_id = request.params["id"]
        if rule_id not in self.rules or self._spaces[rule_id] != request.space:
            raise rule_not_found(rule_id)
        return self.rules[rule_id]


def _validated_body(raw: Any, keys: tuple[str, ...], required_actions: bool = False) -> dict[str, Any]:
    """config-schema checks of the create/update body; fills the schema defaults."""
    body = require_object(raw)
    reject_unknown_keys(body, keys, "request body")
    if required_actions:
        expect(body.get("actions"), "array", "request body.actions")
    body = {"tags": [], "params": {}, "actions": [], **body}
    for index, tag in enumerate(expect(body["tags"], "array", "request body.tags")):
        expect(tag, "string", f"request body.tags.{index}")
    expect(body["params"], "object", "request body.params")
    schedule = require_object(body.get("schedule"), "request body.schedule")
    reject_unknown_keys(schedule, ("interval",), "request body.schedule")
    expect_duration(schedule.get("interval"), "request body.schedule.interval")
    if body.get("throttle") is not None:
        expect_duration(body["throttle"], "request body.throttle")
    if body.get("notify_when") is not None:
        expect_one_of(body["notify_when"], NOTIFY_WHEN, "request body.notify_when")
    for index, action in enumerate(expect(body["actions"], "array", "request body.actions")):
        _check_action(action, f"request body.actions.{index}")
    return body


def _check_action(action: Any, path: str) -> None:
    require_object(action, path)
    reject_unknown_keys(action, ACTION_KEYS, path)
    expect(action.get("group"), "string", f"{path}.group")
    expect(action.get("id"), "string", f"{path}.id")
    expect(action.get("params", {}), "object", f"{path}.params")
    frequency = action.get("frequency")
    if frequency is None:
        return
    require_object(frequency, f"{path}.frequency")
    reject_unknown_keys(frequency, ("summary", "notify_when", "throttle"), f"{path}.frequency")
    expect(frequency.get("summary"), "boolean", f"{path}.frequency.summary")
    expect_one_of(frequency.get("notify_when"), NOTIFY_WHEN, f"{path}.frequency.notify_when")
    if frequency.get("throttle") is not None:
        expect_duration(frequency["throttle"], f"{path}.frequency.throttle")


def _rule_type(type_id: str) -> RuleType:
    if type_id not in RULE_TYPES:
        raise HttpError(400, f'Rule type "{type_id}" is not registered.')
    return RULE_TYPES[type_id]


def _params(rule_type: RuleType, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return rule_type.validate_params(body["params"])
    except ParamsError as err:
        raise HttpError(400, f"params invalid: {err}") from err


def _notify_when(body: dict[str, Any]) -> str | None:
    """A rule-level throttle without notify_when is stored as onThrottleInterval
    (`x-pack/plugins/alerting/server/lib/get_rule_notify_when_type.ts`)."""
    if body.get("notify_when"):
        return body["notify_when"]
    return "onThrottleInterval" if body.get("throttle") else None


def _comparable(key: str, value: Any) -> Any:
    """Action uuids and connector types are server-assigned, so they never count as a change."""
    if key == "actions" and isinstance(value, list):
        return [{k: v for k, v in a.items() if k not in ("uuid", "connector_type_id")} for a in value]
    return value
