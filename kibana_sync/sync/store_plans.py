"""What planning and applying need to know about one store beyond its API: how an existing object is compared
(a rule's type change is a recreate, its ``enabled`` a toggle; a connector's secrets cannot be read back) and
what is sent for a change (a rule update takes only what ``PUT`` accepts; a connector gets its secrets from the
environment). A store with nothing special uses ``StorePlanner`` as it is; a new one registers in ``PLANNERS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kibana_sync.kibana.format import strip_server_fields
from kibana_sync.kibana.stores.base import Store, Write, WriteAction
from kibana_sync.kinds.base import Kind
from kibana_sync.kinds.connector.kind import missing_secret_variables, resolve_secrets, secret_variables
from kibana_sync.kinds.rule.kind import requires_recreate, update_body
from kibana_sync.sync.change import Action, Change
from kibana_sync.sync.field_diff import FieldChange, field_changes


class StorePlanner:
    """Whole-object comparison and sending the compiled body as it is (saved objects, and the default)."""

    def compare(self, change: Change, kind: Kind | None, current: dict[str, Any], desired: dict[str, Any], *,
                update_secrets: bool) -> bool:
        """Fill ``change`` (action, fields, note) from what Kibana has; False when nothing needs writing."""
        if same_object(kind, current, desired):
            return False
        change.action, change.fields = Action.UPDATE, field_changes(kind, current, desired)
        return True

    def write_of(self, change: Change, environ: Mapping[str, str]) -> Write:
        """What the store is sent for ``change``; raises MissingSecretsError when the environment lacks a secret."""
        assert change.desired is not None
        return Write(change.key, _write_action(change), change.desired, change.live, change.set_enabled)

    def environment_problem(self, desired: dict[str, Any], environ: Mapping[str, str]) -> str:
        """Why ``desired`` cannot be sent with this environment ("" when it can)."""
        return ""


def same_object(kind: Kind | None, live: dict[str, Any], desired: dict[str, Any]) -> bool:
    # Kibana stores what an import sent, so after a push the stored form is usually identical; that exact
    # comparison is cheap, while normalising (decoding and defaulting every Lens panel) is not.
    if strip_server_fields(live) == strip_server_fields(desired):
        return True
    return kind is not None and kind.normalise(live) == kind.normalise(desired)


def _write_action(change: Change) -> WriteAction:
    return {Action.CREATE: WriteAction.CREATE, Action.UPDATE: WriteAction.UPDATE,
            Action.RECREATE: WriteAction.RECREATE}.get(change.action, WriteAction.TOGGLE)


class RulePlanner(StorePlanner):
    """A rule's type or consumer cannot be updated (recreate); ``enabled`` is switched with ``_enable`` and
    ``_disable``, never by ``PUT``, so it is compared on its own."""

    def compare(self, change: Change, kind: Kind | None, current: dict[str, Any], desired: dict[str, Any], *,
                update_secrets: bool) -> bool:
        assert kind is not None
        body = {**desired, "id": change.id}
        if requires_recreate(current, desired):
            change.action, change.note = Action.RECREATE, "rule type or consumer changed; the API cannot update it"
            change.live = current
            change.fields = field_changes(kind, current, body)
            return True
        want_enabled, have_enabled = desired.get("enabled", True), current.get("enabled", True)
        same_enabled = {**body, "enabled": have_enabled}
        needs_put = kind.normalise(same_enabled) != kind.normalise(current)
        toggle = None if want_enabled == have_enabled else bool(want_enabled)
        if not needs_put and toggle is None:
            return False
        change.set_enabled = toggle
        change.fields = field_changes(kind, current, same_enabled) if needs_put else []
        if toggle is not None:
            change.fields.append(FieldChange(("enabled",), have_enabled, want_enabled))
        if needs_put:
            change.action = Action.UPDATE
        else:
            change.action = Action.ENABLE if toggle else Action.DISABLE
        return True

    def write_of(self, change: Change, environ: Mapping[str, str]) -> Write:
        write = super().write_of(change, environ)
        if write.action is WriteAction.UPDATE:
            write.body = update_body(write.body)
        return write


class ConnectorPlanner(StorePlanner):
    """A connector's type cannot be updated (recreate); Kibana never returns secrets, so they are rewritten
    only when Kibana says it has none or the user asks (``--update-secrets``)."""

    def compare(self, change: Change, kind: Kind | None, current: dict[str, Any], desired: dict[str, Any], *,
                update_secrets: bool) -> bool:
        assert kind is not None
        if current.get("connector_type_id") != desired.get("connector_type_id"):
            change.action, change.note = Action.RECREATE, "connector type changed; the API cannot update it"
            change.fields = [FieldChange(("connector_type_id",), current.get("connector_type_id"),
                                         desired.get("connector_type_id"))]
            return True
        body = {**desired, "id": change.id}
        if kind.normalise({**current, "id": change.id}) != kind.normalise(body):
            change.action, change.fields = Action.UPDATE, field_changes(kind, current, body)
            return True
        if secret_variables(desired) and current.get("is_missing_secrets"):
            # Kibana says it has none (a saved-object import of the connector, a new encryption key); the rules
            # using it fail until a PUT sends them, so this is drift even without --update-secrets.
            change.action, change.note = Action.UPDATE, "Kibana has no secrets for it; secrets rewritten"
            return True
        if update_secrets and secret_variables(desired):
            change.action, change.note = Action.UPDATE, "secrets rewritten (--update-secrets)"
            return True
        return False

    def write_of(self, change: Change, environ: Mapping[str, str]) -> Write:
        write = super().write_of(change, environ)
        write.body = resolve_secrets(write.body, environ)
        return write

    def environment_problem(self, desired: dict[str, Any], environ: Mapping[str, str]) -> str:
        missing = missing_secret_variables(desired, environ)
        return f"needs the environment variable(s) {', '.join(missing)} (not set or empty)" if missing else ""


DEFAULT_PLANNER = StorePlanner()
PLANNERS: dict[str, StorePlanner] = {"rules": RulePlanner(), "connectors": ConnectorPlanner()}


def planner_for(store: Store) -> StorePlanner:
    return PLANNERS.get(store.name, DEFAULT_PLANNER)
