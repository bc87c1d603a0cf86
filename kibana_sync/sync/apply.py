"""Apply a plan to Kibana: saved objects by import, connectors and rules by their APIs, deletions last.

Order: saved objects (one ``_import?overwrite=true`` for all of them when the server limits allow; the build
lists referenced kinds first), connectors, rules (which use connectors), then deletions -- rules before the
saved objects, each in reverse dependency order. Every object gets an ``Outcome``; one failure does not stop
the others, and because the next run re-plans from what Kibana has, a rerun after a partial failure converges.
A rule recreate (delete + create) whose create fails puts the old rule back, so a failed push loses no rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kibana_sync.kibana.client import ImportResult, KibanaClient, KibanaError
from kibana_sync.kinds.connector.kind import MissingSecretsError, resolve_secrets
from kibana_sync.kinds.rule.kind import update_body
from kibana_sync.sync.plan import Action, Change, Plan

# Import errors that make Kibana write nothing at all from that request (reference 2.3, step 5).
_ALL_OR_NOTHING_ERRORS = frozenset({"conflict", "ambiguous_conflict", "missing_references"})
_RULE_CREATE_KEYS = ("name", "rule_type_id", "consumer", "enabled", "tags", "schedule", "params", "throttle",
                     "notify_when")
_RULE_ACTION_KEYS = ("group", "id", "params", "frequency", "alerts_filter")
_DONE = {Action.CREATE: "created", Action.UPDATE: "updated", Action.DELETE: "deleted",
         Action.RECREATE: "recreated", Action.ENABLE: "enabled", Action.DISABLE: "disabled"}


@dataclass
class Outcome:
    change: Change
    ok: bool
    message: str
    id_taken_elsewhere: bool = False  # the id exists in another space (ids are global): see CROSS_SPACE_HINT


CROSS_SPACE_HINT = (
    "Saved-object, rule and connector ids are global across Kibana spaces, so one repo cannot be pushed with "
    "the same ids into a second space. Give each space its own ids with --id-suffix (e.g. --id-suffix -{space}), "
    "and delete the copies Kibana made under random ids in space {space!r}.")


Progress = Callable[[Outcome], None]


def apply_plan(client: KibanaClient, plan: Plan, *, environ: Mapping[str, str],
               progress: Progress | None = None) -> list[Outcome]:
    outcomes: list[Outcome] = []

    def record(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)

    writes = [c for c in plan.changes if c.action is not Action.DELETE]
    deletes = [c for c in plan.changes if c.action is Action.DELETE]
    _import_saved_objects(client, [c for c in writes if c.store == "saved_objects"], record)
    failed_connectors: set[str] = set()
    for change in (c for c in writes if c.store == "connectors"):
        outcome = _guarded(change, lambda c=change: _write_connector(client, c, environ))
        if not outcome.ok:
            failed_connectors.add(change.id)
        record(outcome)
    for change in (c for c in writes if c.store == "rules"):
        # A rule whose connector was not written would only fail with Kibana's 404 (or run without its action).
        blocked = sorted(connectors_of(change) & failed_connectors)
        if blocked:
            record(Outcome(change, False, "not attempted: " + ", ".join(f"connector {c!r} failed" for c in blocked)))
        else:
            record(_guarded(change, lambda c=change: _write_rule(client, c)))
    for change in (c for c in deletes if c.store == "rules"):
        record(_guarded(change, lambda c=change: client.delete_rule(c.id)))
    _delete_saved_objects(client, [c for c in deletes if c.store == "saved_objects"], record)
    return outcomes


def connectors_of(change: Change) -> set[str]:
    """The connector ids a rule's actions use."""
    return {a["id"] for a in (change.desired or {}).get("actions") or [] if isinstance(a.get("id"), str)}


def _guarded(change: Change, write: Callable[[], Any]) -> Outcome:
    try:
        write()
    except KibanaError as exc:
        if exc.status == 404 and change.action is Action.DELETE:
            return Outcome(change, True, _DONE[change.action])  # already gone is what we wanted
        if exc.status == 409 and change.action is Action.CREATE:
            # The plan read this space and did not find the id, so it is taken in another space.
            return Outcome(change, False, f"id already used in another space ({exc.message})",
                           id_taken_elsewhere=True)
        return Outcome(change, False, str(exc))
    except MissingSecretsError as exc:
        return Outcome(change, False, str(exc))
    return Outcome(change, True, _DONE[change.action])


def _write_connector(client: KibanaClient, change: Change, environ: Mapping[str, str]) -> None:
    assert change.desired is not None
    body = resolve_secrets(change.desired, environ)
    try:
        _write(client, change,
               create=lambda: client.create_connector(change.id, body),
               # PUT replaces config and secrets wholesale and rejects the type (reference 6).
               update=lambda: client.update_connector(change.id, {k: body[k] for k in ("name", "config", "secrets")
                                                                  if k in body}),
               delete=lambda: client.delete_connector(change.id))
    except KibanaError as exc:
        # Kibana may quote a secret back, e.g. a Slack webhook URL that xpack.actions.allowedHosts refuses.
        raise _without_secrets(exc, body.get("secrets") or {}) from None


def _without_secrets(exc: KibanaError, secrets: Mapping[str, Any]) -> KibanaError:
    message = exc.message
    for value in sorted((v for v in secrets.values() if isinstance(v, str) and v), key=len, reverse=True):
        # Whole occurrences only, so a one-letter test secret does not mangle every word containing it.
        message = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", "***", message)
    return exc if message == exc.message else KibanaError(message, exc.status, None)


def _write_rule(client: KibanaClient, change: Change) -> None:
    body = change.desired
    assert body is not None
    _write(client, change,
           create=lambda: client.create_rule(change.id, body),
           update=lambda: client.update_rule(change.id, update_body(body)),
           delete=lambda: client.delete_rule(change.id))
    if change.set_enabled is True:
        client.enable_rule(change.id)
    elif change.set_enabled is False:
        client.disable_rule(change.id)


def _write(client: KibanaClient, change: Change, *, create: Callable[[], Any], update: Callable[[], Any],
           delete: Callable[[], Any]) -> None:
    """Create, update or recreate one object through its API (an enable or disable alone writes nothing here)."""
    if change.action is Action.CREATE:
        create()
    elif change.action is Action.UPDATE:
        update()
    elif change.action is Action.RECREATE:
        delete()
        try:
            create()
        except KibanaError as exc:
            raise _recreate_failed(client, change, exc) from None


def _recreate_failed(client: KibanaClient, change: Change, failure: KibanaError) -> KibanaError:
    """A recreate deleted the object and could not create the new one. A rule is created again as Kibana had it,
    so a failed push loses no rule; a connector cannot be (Kibana never returns its secrets), so the message
    says the next push creates it. Returns the error to report."""
    if change.live is None:
        return KibanaError(f"deleted, but creating it again failed: {failure.message}; the next push creates it",
                           failure.status, failure.body)
    try:
        client.create_rule(change.id, _rule_create_body(change.live))
    except KibanaError as exc:
        return KibanaError(f"deleted, but creating it again failed: {failure.message}; putting the old rule back "
                           f"failed too: {exc.message}; the next push creates it", failure.status, failure.body)
    return KibanaError(f"not recreated: {failure.message}; the old rule was created again as Kibana had it",
                       failure.status, failure.body)


def _rule_create_body(rule: dict[str, Any]) -> dict[str, Any]:
    """A ``POST /api/alerting/rule/{id}`` body from a ``GET`` answer: the fields create accepts (reference 5.1),
    without the server-managed ones (action uuids, connector types, API key owner, execution status, ...)."""
    body = {k: rule[k] for k in _RULE_CREATE_KEYS if rule.get(k) is not None}
    body["actions"] = [{k: a[k] for k in _RULE_ACTION_KEYS if a.get(k) is not None} for a in rule.get("actions") or []]
    return body


def _import_saved_objects(client: KibanaClient, changes: list[Change], record: Callable[[Outcome], None]) -> None:
    if not changes:
        return
    try:
        results = client.import_objects([c.desired for c in changes if c.desired is not None], overwrite=True)
    except KibanaError as exc:
        for change in changes:
            record(Outcome(change, False, f"import failed: {exc}"))
        return
    by_key = {(c.type, c.id): c for c in changes}
    seen: set[tuple[str, str]] = set()
    for result in results:
        for key, outcome in _import_outcomes(result, by_key):
            seen.add(key)
            record(outcome)
    for key, change in by_key.items():
        if key not in seen:
            record(Outcome(change, False, "Kibana's import answer does not mention this object; it may not be written"))


def _import_outcomes(result: ImportResult,
                     by_key: dict[tuple[str, str], Change]) -> list[tuple[tuple[str, str], Outcome]]:
    blocking = [e for e in result.errors if (e.get("error") or {}).get("type") in _ALL_OR_NOTHING_ERRORS]
    out = []
    for error in result.errors:
        key = (error.get("type", ""), error.get("id", ""))
        if key in by_key:
            out.append((key, Outcome(by_key[key], False, describe_import_error(error.get("error") or {}))))
    for item in result.success_results:
        key = (item.get("type", ""), item.get("id", ""))
        change = by_key.get(key)
        if change is None:
            continue
        if blocking:
            first = blocking[0]
            out.append((key, Outcome(change, False, "not written: Kibana imports all or nothing and "
                                                    f"{first.get('type')} {first.get('id')!r} failed in the same "
                                                    "request")))
        elif item.get("destinationId") and item["destinationId"] != item.get("id"):
            out.append((key, Outcome(change, False, f"id already used in another space; Kibana stored a copy "
                                                    f"under the new id {item['destinationId']!r}",
                                     id_taken_elsewhere=True)))
        else:
            out.append((key, Outcome(change, True, _DONE[change.action])))
    return out


def describe_import_error(error: dict[str, Any]) -> str:
    kind = error.get("type", "unknown")
    if kind == "missing_references":
        refs = ", ".join(f"{r.get('type')} {r.get('id')!r}" for r in error.get("references", []))
        return f"references objects Kibana does not have: {refs}"
    if kind == "conflict":
        return "conflicts with an existing object" + (f" {error['destinationId']!r}" if error.get("destinationId") else "")
    if kind == "ambiguous_conflict":
        ids = ", ".join(repr(d.get("id")) for d in error.get("destinations", []))
        return f"matches several objects copied from the same original ({ids}); delete the extra copies in Kibana"
    if kind == "unsupported_type":
        return "Kibana does not support this saved-object type"
    detail = error.get("message") or kind
    status = error.get("statusCode")
    return f"rejected by Kibana ({status}): {detail}" if status else f"rejected by Kibana: {detail}"


def _delete_saved_objects(client: KibanaClient, changes: list[Change], record: Callable[[Outcome], None]) -> None:
    if not changes:
        return
    try:
        # Without force Kibana refuses to delete an object shared to other spaces, where it may still be in use;
        # prune only answers for this space.
        statuses = client.bulk_delete([(c.type, c.id) for c in changes], force=False)
    except KibanaError as exc:
        for change in changes:
            record(Outcome(change, False, f"delete failed: {exc}"))
        return
    by_key = {(s.get("type"), s.get("id")): s for s in statuses}
    for change in changes:
        status = by_key.get((change.type, change.id), {})
        error = status.get("error") or {}
        if status.get("success") or error.get("statusCode") == 404:  # already gone is what we wanted
            record(Outcome(change, True, "deleted"))
        elif "multiple namespaces" in str(error.get("message")):
            record(Outcome(change, False, "not deleted: it is shared to other spaces too, where it may be in use; "
                                          "unshare it in Kibana (Stack Management > Saved objects) or delete it "
                                          "there"))
        else:
            record(Outcome(change, False, f"delete failed: {error.get('message', 'no status from Kibana')}"))
