"""Apply a plan to Kibana through the stores: writes store by store in apply order, deletions last in reverse.

Within a store, objects go in dependency levels: an object is sent only after everything it depends on in this
push (a search's data view, a dashboard's search, a rule's data view and connectors) was written. Whatever
depends on a failed write is not attempted and says why, so nothing is left pointing at an object that is not
there; saved objects of one level go in one ``_import`` (Kibana imports all or nothing per request when a
reference is missing, reference 2.3, so one level per request also keeps one failure from sinking unrelated
objects of another level). Every object gets an ``Outcome``; because the next run re-plans from what Kibana has,
a rerun after a partial failure converges.

A 403 for lack of privileges stops the push at once with one message naming the privilege: every later write
would fail the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from kibana_sync.kibana.client import KibanaClient
from kibana_sync.kibana.stores.base import Key, Store, Write, WriteResult
from kibana_sync.kibana.stores.registry import all_stores
from kibana_sync.kinds.connector.kind import MissingSecretsError
from kibana_sync.sync.change import Action, Change
from kibana_sync.sync.plan import Plan
from kibana_sync.sync.store_plans import planner_for


@dataclass
class Outcome:
    change: Change
    ok: bool
    message: str
    id_taken_elsewhere: bool = False  # the id exists in another space (ids are global): see CROSS_SPACE_HINT
    skipped: bool = False  # not attempted because something it depends on failed


class Applied(list[Outcome]):
    """The outcomes, in the order they landed; ``stopped`` says why the push stopped early, when it did."""

    stopped: str = ""


CROSS_SPACE_HINT = (
    "Saved-object, rule and connector ids are global across Kibana spaces, so one repo cannot be pushed with "
    "the same ids into a second space. Give each space its own ids with --id-suffix (e.g. --id-suffix -{space}), "
    "and delete the copies Kibana made under random ids in space {space!r}.")


Progress = Callable[[Outcome], None]


class _Stop(Exception):
    pass


def apply_plan(client: KibanaClient, plan: Plan, *, environ: Mapping[str, str],
               progress: Progress | None = None) -> Applied:
    outcomes = Applied()
    failed: dict[Key, str] = {}
    labels = {c.key: c.kind.replace('_', ' ') for c in plan.changes}

    def record(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if not outcome.ok:
            failed[outcome.change.key] = outcome.message
        if progress is not None:
            progress(outcome)

    writes = [c for c in plan.changes if c.action is not Action.DELETE]
    deletes = [c for c in plan.changes if c.action is Action.DELETE]
    try:
        for store in all_stores():
            mine = [c for c in writes if c.store == store.name]
            for level in dependency_levels(store, mine):
                _write_level(client, store, level, environ, failed, labels, record)
        for store in reversed(all_stores()):
            mine = [c for c in deletes if c.store == store.name]
            if mine:
                by_key = {c.key: c for c in mine}
                _record_results(store, store.delete(client, list(by_key)), by_key, record)
    except _Stop as stop:
        outcomes.stopped = str(stop)
    return outcomes


def _write_level(client: KibanaClient, store: Store, level: Sequence[Change], environ: Mapping[str, str],
                 failed: Mapping[Key, str], labels: Mapping[Key, str], record: Progress) -> None:
    ready: dict[Key, Change] = {}
    sends: list[Write] = []
    for change in level:
        blocked = sorted(store.dependencies(change.desired or {}) & failed.keys())
        if blocked:
            record(Outcome(change, False, "not attempted: " + ", ".join(
                f"{labels.get(k, k[0])} {k[1]!r} failed" for k in blocked), skipped=True))
            continue
        try:
            sends.append(planner_for(store).write_of(change, environ))
        except MissingSecretsError as exc:
            record(Outcome(change, False, str(exc)))
            continue
        ready[change.key] = change
    if sends:
        _record_results(store, store.write(client, sends), ready, record)


def _record_results(store: Store, results: Sequence[WriteResult], by_key: Mapping[Key, Change],
                    record: Progress) -> None:
    denied = next((r for r in results if is_permission_denied(r)), None)
    for result in results:
        if result is denied or (denied is not None and is_permission_denied(result)):
            continue  # said once, below
        record(Outcome(by_key[result.key], result.ok, result.message, result.id_taken_elsewhere))
    if denied is not None:
        raise _Stop(f"{denied.message}\nThe Kibana user cannot write {store.name.replace('_', ' ')} in this space: "
                    f"it needs the {store.privilege} (docs/SAFETY.md lists the least-privilege role). Push stopped "
                    "at the first refusal; the next push sends what is still different.")


def is_permission_denied(result: WriteResult) -> bool:
    # A 403 is also how Kibana refuses a connector type the license lacks; that one is about one object.
    return not result.ok and result.status == 403 and "license" not in result.message


def dependency_levels(store: Store, changes: Sequence[Change]) -> list[list[Change]]:
    """``changes`` in levels: each change after every change of this store it depends on. Build order is kept
    within a level; a dependency cycle (not expected from a valid build) puts its members in one level."""
    keys = {c.key for c in changes}
    deps = {c.key: store.dependencies(c.desired or {}) & keys - {c.key} for c in changes}
    level: dict[Key, int] = {}

    def depth(key: Key, seen: frozenset[Key]) -> int:
        if key in level:
            return level[key]
        inner = [depth(d, seen | {key}) + 1 for d in deps[key] if d not in seen]
        level[key] = max(inner, default=0)
        return level[key]

    for change in changes:
        depth(change.key, frozenset())
    out: list[list[Change]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for change in changes:
        out[level[change.key]].append(change)
    return out
