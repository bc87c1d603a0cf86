"""The plan: what ``push`` would change, computed from the build (desired) and what Kibana has (live).

Pure: no I/O. Both sides go through the same kind's ``normalise`` before they are compared, so an object that
was just pushed compares equal (no perpetual drift from fields Kibana adds or re-encodes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kibana_sync.kibana.format import strip_server_fields
from kibana_sync.kibana.ownership import MANAGED_TAG_NAME, is_marked_rule, marker_suffix, rule_marker_tag
from kibana_sync.kinds.connector.kind import missing_secret_variables, secret_variables
from kibana_sync.kinds.registry import all_kinds, apply_position, kind_for_saved_object_type, kind_named
from kibana_sync.kinds.rule.kind import requires_recreate
from kibana_sync.project.build import Build
from kibana_sync.sync.field_diff import FieldChange, field_changes, object_title


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RECREATE = "recreate"  # a rule's type or consumer, a connector's type: the APIs cannot update those
    ENABLE = "enable"
    DISABLE = "disable"


SIGNS: dict[Action, str] = {
    Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.RECREATE: "-+",
    Action.ENABLE: "~", Action.DISABLE: "~",
}


@dataclass
class Change:
    """One object to write or delete, with what differs in the user's terms."""

    action: Action
    store: str  # the kind's store: "saved_objects" | "rules" | "connectors"
    kind: str  # kind name for messages ("dashboard"), or the saved-object type when no kind owns it
    type: str  # saved-object type, "rule" or "connector"
    id: str
    title: str
    desired: dict[str, Any] | None = None  # what to send (compiled), None for deletes
    fields: list[FieldChange] = field(default_factory=list)
    set_enabled: bool | None = None  # rules: enable/disable after an update
    live: dict[str, Any] | None = None  # a recreated rule as Kibana had it, put back if the create fails
    note: str = ""
    error: str = ""  # why push cannot write it; a plan with any error writes nothing

    @property
    def sign(self) -> str:
        return "!" if self.error else SIGNS[self.action]

    @property
    def label(self) -> str:
        return f'{self.kind.replace("_", " ")} "{self.title}"'


@dataclass
class LiveState:
    """What Kibana has, as read by ``live.read_live``; keys match the build's."""

    saved_objects: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    marked_saved_objects: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    connectors: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (type, id) -> other spaces that hold that id, for objects this space lacks; types "rule", "connector" too
    elsewhere: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    space: str = "default"  # the space read, for the --id-suffix the errors propose


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    stale: int = 0  # managed objects whose YAML is gone, left in place because --prune was not given

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def errors(self) -> list[Change]:
        return [c for c in self.changes if c.error]

    def count(self, *actions: Action) -> int:
        return sum(c.action in actions for c in self.changes)

    def summary(self) -> dict[str, int]:
        return {
            "create": self.count(Action.CREATE),
            "update": self.count(Action.UPDATE, Action.ENABLE, Action.DISABLE),
            "recreate": self.count(Action.RECREATE),
            "delete": self.count(Action.DELETE),
            "unchanged": self.unchanged,
            # Only when there are any, so tools reading the summary of a clean plan see the same keys as before.
            **({"error": len(self.errors)} if self.errors else {}),
            **({"stale": self.stale} if self.stale else {}),
        }


def compute_plan(build: Build, live: LiveState, *, prune: bool = False, update_secrets: bool = False) -> Plan:
    plan = Plan()
    _plan_saved_objects(plan, build, live, prune)
    _plan_connectors(plan, build, live, update_secrets)
    _plan_rules(plan, build, live, prune)
    _mark_id_collisions(plan, live)
    return plan


ID_TAKEN_HINT = "push this repo into a second space with --id-suffix (e.g. --id-suffix -{space})"


def _mark_id_collisions(plan: Plan, live: LiveState) -> None:
    """Creates whose id another space holds: Kibana would store a copy under a random id (saved objects) or
    answer 409 (rules, connectors), so they are errors before anything is written."""
    for change in plan.changes:
        if change.action is not Action.CREATE:
            continue
        spaces = live.elsewhere.get((change.type, change.id))
        if spaces:
            where = ", ".join(repr(s) for s in sorted(spaces))
            change.error = (f"id already used in another space: {change.id!r} already exists in space {where}; "
                            + ID_TAKEN_HINT.format(space=live.space))


def check_secrets(plan: Plan, environ: Mapping[str, str]) -> None:
    """Before push writes anything: every connector it sends needs its secret variables set. Marks the
    connectors whose variables are missing as errors (naming the variables, never values)."""
    for change in plan.changes:
        if change.store != "connectors" or change.action is Action.DELETE or change.desired is None:
            continue
        missing = missing_secret_variables(change.desired, environ)
        if missing and not change.error:
            change.error = f"needs the environment variable(s) {', '.join(missing)} (not set or empty)"


def managed_tag_id(build: Build) -> str:
    """The marker tag's id in this build (``--id-suffix`` changes it, like every id)."""
    return next(o["id"] for o in build.saved_objects
                if o["type"] == "tag" and o["attributes"].get("name") == MANAGED_TAG_NAME)


def rule_marker_for(build: Build) -> str:
    """The tag this build's rules carry: the marker for the build's ``--id-suffix``, like the marker tag id."""
    tag = next((o["id"] for o in build.saved_objects
                if o["type"] == "tag" and o["attributes"].get("name") == MANAGED_TAG_NAME), "")
    return rule_marker_tag(marker_suffix(tag))


def carries_marker(obj: dict[str, Any], tag_id: str) -> bool:
    return any(r.get("type") == "tag" and r.get("id") == tag_id for r in obj.get("references", []))


def normalise_saved_object(obj: dict[str, Any]) -> dict[str, Any]:
    kind = kind_for_saved_object_type(obj["type"])
    return kind.normalise(obj) if kind else strip_server_fields(obj)


def same_saved_object(live: dict[str, Any], desired: dict[str, Any]) -> bool:
    # Kibana stores what an import sent, so after a push the stored form is usually identical; that exact
    # comparison is cheap, while normalising (decoding and defaulting every Lens panel) is not.
    return strip_server_fields(live) == strip_server_fields(desired) or \
        normalise_saved_object(live) == normalise_saved_object(desired)


def _plan_saved_objects(plan: Plan, build: Build, live: LiveState, prune: bool) -> None:
    desired_keys = set()
    for obj in build.saved_objects:
        key = (obj["type"], obj["id"])
        desired_keys.add(key)
        kind = kind_for_saved_object_type(obj["type"])
        base = Change(Action.CREATE, "saved_objects", kind.name if kind else obj["type"], obj["type"], obj["id"],
                      object_title(obj["type"], obj) or obj["id"], desired=obj)
        current = live.saved_objects.get(key)
        if current is None:
            plan.changes.append(base)
            continue
        if same_saved_object(current, obj):
            plan.unchanged += 1
        else:
            base.action, base.fields = Action.UPDATE, field_changes(kind, current, obj)
            plan.changes.append(base)
    if not live.marked_saved_objects:
        return
    tag_id = managed_tag_id(build)
    stale = [obj for key, obj in live.marked_saved_objects.items()
             if key not in desired_keys and carries_marker(obj, tag_id)]
    if not prune:
        plan.stale += len(stale)
        return
    # Deleting in reverse apply order keeps referrers from pointing at already-deleted objects.
    for obj in sorted(stale, key=_delete_order):
        kind = kind_for_saved_object_type(obj["type"])
        plan.changes.append(Change(Action.DELETE, "saved_objects", kind.name if kind else obj["type"], obj["type"],
                                   obj["id"], object_title(obj["type"], obj) or obj["id"]))


def _delete_order(obj: dict[str, Any]) -> tuple[int, str]:
    kind = kind_for_saved_object_type(obj["type"])
    return (-(apply_position(kind) if kind else len(all_kinds())), obj["id"])


def _plan_connectors(plan: Plan, build: Build, live: LiveState, update_secrets: bool) -> None:
    if not build.connectors:
        return
    kind = kind_named("connector")
    for id_, body in build.connectors.items():
        title = object_title("connector", body) or id_
        current = live.connectors.get(id_)
        change = Change(Action.CREATE, "connectors", kind.name, "connector", id_, title, desired=body)
        if current is None:
            plan.changes.append(change)
            continue
        if current.get("connector_type_id") != body.get("connector_type_id"):
            change.action, change.note = Action.RECREATE, "connector type changed; the API cannot update it"
            change.fields = [FieldChange(("connector_type_id",), current.get("connector_type_id"),
                                         body.get("connector_type_id"))]
            plan.changes.append(change)
            continue
        if kind.normalise({**current, "id": id_}) != kind.normalise({**body, "id": id_}):
            change.action, change.fields = Action.UPDATE, field_changes(kind, current, {**body, "id": id_})
            plan.changes.append(change)
        elif secret_variables(body) and current.get("is_missing_secrets"):
            # Kibana says it has none (a saved-object import of the connector, a new encryption key); the rules
            # using it fail until a PUT sends them, so this is drift even without --update-secrets.
            change.action, change.note = Action.UPDATE, "Kibana has no secrets for it; secrets rewritten"
            plan.changes.append(change)
        elif update_secrets and secret_variables(body):
            # Kibana never returns secrets, so only the user can say they changed.
            change.action, change.note = Action.UPDATE, "secrets rewritten (--update-secrets)"
            plan.changes.append(change)
        else:
            plan.unchanged += 1


def _plan_rules(plan: Plan, build: Build, live: LiveState, prune: bool) -> None:
    if not build.rules and not (prune and live.rules):
        return
    kind = kind_named("rule")
    for id_, body in build.rules.items():
        title = object_title("rule", body) or id_
        current = live.rules.get(id_)
        change = Change(Action.CREATE, "rules", kind.name, "rule", id_, title, desired=body)
        if current is None:
            plan.changes.append(change)
            continue
        desired = {**body, "id": id_}
        if requires_recreate(current, body):
            change.action, change.note = Action.RECREATE, "rule type or consumer changed; the API cannot update it"
            change.live = current
            change.fields = field_changes(kind, current, desired)
            plan.changes.append(change)
            continue
        # enabled is switched with _enable/_disable, never by PUT, so it is compared on its own.
        want_enabled, have_enabled = body.get("enabled", True), current.get("enabled", True)
        same_enabled = {**desired, "enabled": have_enabled}
        needs_put = kind.normalise(same_enabled) != kind.normalise(current)
        toggle = None if want_enabled == have_enabled else bool(want_enabled)
        if not needs_put and toggle is None:
            plan.unchanged += 1
            continue
        change.set_enabled = toggle
        change.fields = field_changes(kind, current, same_enabled) if needs_put else []
        if toggle is not None:
            change.fields.append(FieldChange(("enabled",), have_enabled, want_enabled))
        if needs_put:
            change.action = Action.UPDATE
        else:
            change.action = Action.ENABLE if toggle else Action.DISABLE
        plan.changes.append(change)
    marker = rule_marker_for(build)
    stale = [(id_, rule) for id_, rule in sorted(live.rules.items())
             if id_ not in build.rules and is_marked_rule(rule, marker)]
    if not prune:
        plan.stale += len(stale)
        return
    for id_, rule in stale:
        plan.changes.append(Change(Action.DELETE, "rules", kind.name, "rule", id_, object_title("rule", rule) or id_))
