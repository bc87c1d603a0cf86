"""The plan: what ``push`` would change, computed from the build (desired) and what Kibana has (live).

Pure: no I/O. The same steps run for every store (saved objects, rules, connectors, ...): an object Kibana lacks
is a create; one Kibana has is compared by the store's planner (``store_plans``); one that Kibana has without
this owner's marker is a conflict unless adopted; a marked object the repo no longer has is stale (deleted with
``--prune``, within the prune guards). Both sides go through the same kind's ``normalise`` before they are
compared, so an object that was just pushed compares equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kibana_sync.kibana.ownership import (
    MANAGED_TAG_ID,
    MANAGED_TAG_NAME,
    Marker,
    marker_suffix,
    rule_marker_tag,
    with_marker_suffix,
)
from kibana_sync.kibana.stores.base import Key, SpaceView, Store
from kibana_sync.kibana.stores.registry import all_stores
from kibana_sync.kinds.base import Kind
from kibana_sync.kinds.registry import all_kinds, apply_position
from kibana_sync.project.build import Build
from kibana_sync.sync.change import Action, Change
from kibana_sync.sync.field_diff import object_title
from kibana_sync.sync.store_plans import planner_for

ADOPT_HINT = ("push will not overwrite it: delete it in Kibana, give the YAML another id, or take it over with "
              "`push --adopt` (all such objects) or `adopt: true` in its YAML")
# Share of the managed objects one push may delete without --max-delete.
MAX_DELETE_SHARE = 0.5


@dataclass(frozen=True)
class Unmanaged:
    """An object in the space that the repo does not have and no kibana-sync owner wrote (made by hand)."""

    kind: str
    type: str
    id: str
    title: str


@dataclass
class Kept:
    """A stale managed object that prune leaves in place because objects made by hand still use it."""

    change: Change
    users: list[Unmanaged]


@dataclass
class LiveState:
    """What Kibana has, as read by ``live.read_live``: one view per store, keyed like the build."""

    views: dict[str, SpaceView] = field(default_factory=dict)
    # key -> other spaces that hold that id, for objects this space lacks
    elsewhere: dict[Key, list[str]] = field(default_factory=dict)
    # key of a prune candidate -> objects in the space that reference it (read only with --prune)
    referrers: dict[Key, list[dict[str, Any]]] = field(default_factory=dict)
    space: str = "default"  # the space read, for the --id-suffix the errors propose

    def view(self, store: str) -> SpaceView:
        return self.views.setdefault(store, SpaceView())


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    stale: int = 0  # managed objects whose YAML is gone, left in place because --prune was not given
    unmanaged: list[Unmanaged] = field(default_factory=list)
    # objects made without kibana-sync that already equal the YAML: left alone, counted in `unchanged`
    not_managed: list[Change] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # prune guards that stop the whole push

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def errors(self) -> list[Change]:
        return [c for c in self.changes if c.error]

    @property
    def conflicts(self) -> list[Change]:
        return [c for c in self.changes if c.conflict and not c.error]

    def count(self, *actions: Action) -> int:
        return sum(c.action in actions and not c.conflict for c in self.changes)

    def summary(self) -> dict[str, int]:
        return {
            "create": self.count(Action.CREATE),
            "update": self.count(Action.UPDATE, Action.ENABLE, Action.DISABLE),
            "recreate": self.count(Action.RECREATE),
            "delete": self.count(Action.DELETE),
            "unchanged": self.unchanged,
            # Only when there are any, so tools reading the summary of a clean plan see the same keys as before.
            **({"error": len(self.errors)} if self.errors else {}),
            **({"conflict": len(self.conflicts)} if self.conflicts else {}),
            **({"stale": self.stale} if self.stale else {}),
            **({"unmanaged": len(self.unmanaged)} if self.unmanaged else {}),
            **({"not_managed": len(self.not_managed)} if self.not_managed else {}),
            **({"kept": len(self.kept)} if self.kept else {}),
            **({"refused": len(self.refusals)} if self.refusals else {}),
        }


def compute_plan(build: Build, live: LiveState, *, prune: bool = False, update_secrets: bool = False,
                 adopt: bool = False, max_delete: int | None = None) -> Plan:
    plan = Plan()
    marker = marker_of(build)
    managed = 0
    for store in all_stores():
        desired = build.objects_of(store.name)
        view = live.view(store.name)
        for key, body in desired.items():
            _plan_object(plan, store, key, body, view.found.get(key), marker,
                         adopt=adopt or key[1] in build.adopt, update_secrets=update_secrets)
        owned = {k: obj for k, obj in view.listed.items() if store.prunable and store.is_marked(obj, marker)}
        managed += len(owned)
        stale = {k: obj for k, obj in owned.items() if k not in desired}
        if prune:
            _plan_deletes(plan, store, stale, live)
        else:
            plan.stale += len(stale)
        plan.unmanaged.extend(_unmanaged(store, view, desired))
    _mark_id_collisions(plan, live)
    if prune:
        plan.refusals = prune_refusals(plan, build, managed, max_delete)
    return plan


def kind_of(store: str, type_: str) -> Kind | None:
    """The kind that owns objects of ``type_`` in ``store`` (None for a saved-object type no kind handles)."""
    for kind in all_kinds():
        # Stores holding several kinds without saved-object types (Elasticsearch) key objects by kind name.
        if kind.store == store and (kind.saved_object_type or kind.name) == type_:
            return kind
    return None


def _plan_object(plan: Plan, store: Store, key: Key, body: dict[str, Any], current: dict[str, Any] | None,
                 marker: Marker, *, adopt: bool, update_secrets: bool) -> None:
    kind = kind_of(store.name, key[0])
    change = Change(Action.CREATE, store.name, kind.name if kind else key[0], key[0], key[1],
                    object_title(key[0], body) or key[1], desired=body)
    if current is None:
        plan.changes.append(change)
        return
    if store.can_mark and not store.is_marked(current, marker):
        if not adopt and not planner_for(store).compare(_probe(change), kind, as_owned(store, current, marker),
                                                        body, update_secrets=False):
            # Writing nothing destroys nothing, so an identical object made by hand is no conflict; it is
            # listed, because until it is adopted a later change to it in the repo will be one.
            plan.not_managed.append(change)
            plan.unchanged += 1
            return
        if not adopt:
            change.action = Action.UPDATE
            change.conflict = (f"exists in Kibana without kibana-sync's marker, last updated "
                               f"{store.last_updated(current)} (made by hand?); {ADOPT_HINT}")
            plan.changes.append(change)
            return
        change.adopted = True
    if planner_for(store).compare(change, kind, current, body, update_secrets=update_secrets):
        if change.adopted:
            change.note = "; ".join(p for p in ("adopted: made without kibana-sync, managed from now on",
                                                change.note) if p)
        plan.changes.append(change)
    else:
        plan.unchanged += 1


def _probe(change: Change) -> Change:
    # The planners fill in the change they compare; asking "would anything be written?" must not touch it.
    return Change(change.action, change.store, change.kind, change.type, change.id, change.title,
                  desired=change.desired)


def as_owned(store: Store, current: dict[str, Any], marker: Marker) -> dict[str, Any]:
    """``current`` as it would read had this owner written it: with the store's marker, renamed for the
    ``--id-suffix`` the way the build's marker is (``project/id_suffix.py``), so only the marker is added."""
    marked = store.mark(current)
    if not marker.suffix:
        return marked
    if isinstance(marked.get("references"), list):
        marked = {**marked, "references": [{**r, "id": marker.tag_id} if r.get("type") == "tag"
                                           and r.get("id") == MANAGED_TAG_ID else r for r in marked["references"]]}
    if isinstance(marked.get("tags"), list):
        marked = {**marked, "tags": with_marker_suffix(marked["tags"], marker.suffix)}
    return marked


def _plan_deletes(plan: Plan, store: Store, stale: Mapping[Key, dict[str, Any]], live: LiveState) -> None:
    # Deleting in reverse apply order keeps referrers from pointing at already-deleted objects.
    for key in sorted(stale, key=lambda k: _delete_order(store, k)):
        kind = kind_of(store.name, key[0])
        change = Change(Action.DELETE, store.name, kind.name if kind else key[0], key[0], key[1],
                        object_title(key[0], stale[key]) or key[1])
        users = [_unmanaged_entry(store, (u.get("type", ""), u.get("id", "")), u)
                 for u in live.referrers.get(key, []) if not store.is_marked_by_anyone(u)]
        if users:
            plan.kept.append(Kept(change, users))
        else:
            plan.changes.append(change)


def _delete_order(store: Store, key: Key) -> tuple[int, str]:
    kind = kind_of(store.name, key[0])
    return (-(apply_position(kind) if kind else len(all_kinds())), key[1])


def _unmanaged(store: Store, view: SpaceView, desired: Mapping[Key, Any]) -> list[Unmanaged]:
    return sorted((_unmanaged_entry(store, key, obj) for key, obj in view.listed.items()
                   if key not in desired and not store.is_marked_by_anyone(obj) and not store.is_builtin(obj)),
                  key=lambda u: (u.kind, u.title.lower(), u.id))


def _unmanaged_entry(store: Store, key: Key, obj: dict[str, Any]) -> Unmanaged:
    kind = kind_of(store.name, key[0])
    return Unmanaged(kind.name if kind else key[0], key[0], key[1], object_title(key[0], obj) or key[1])


def prune_refusals(plan: Plan, build: Build, managed: int, max_delete: int | None) -> list[str]:
    """Why this prune must not run (empty when it may): an objects folder with nothing (or nothing of a kind
    being deleted) in it is far likelier a wrong path than a wish to empty the space, and so is deleting more
    than half of what this repo manages. ``--max-delete N`` allows up to N deletes past these guards."""
    deletes = [c for c in plan.changes if c.action is Action.DELETE]
    if not deletes or (max_delete is not None and len(deletes) <= max_delete):
        return []
    allow = f"check --objects, or allow it with --max-delete {len(deletes)}"
    if build.count <= 1:  # only the marker tag, which every build has
        return [f"the objects folder holds no objects, and --prune would delete all {len(deletes)} managed "
                f"object(s) in the space; {allow}"]
    refusals = []
    built_kinds = {kind_of(s.name, k[0]).name for s in all_stores() for k in build.objects_of(s.name)
                   if kind_of(s.name, k[0]) is not None}
    for kind in sorted({c.kind for c in deletes} - built_kinds):
        n = sum(c.kind == kind for c in deletes)
        refusals.append(f"the objects folder has no {kind.replace('_', ' ')} at all, and --prune would delete "
                        f"{n} of them; {allow}")
    if len(deletes) > MAX_DELETE_SHARE * managed:
        refusals.append(f"--prune would delete {len(deletes)} of the {managed} managed objects in the space, more "
                        f"than half; {allow}")
    return refusals


ID_TAKEN_HINT = "push this repo into a second space with --id-suffix (e.g. --id-suffix -{space})"


def _mark_id_collisions(plan: Plan, live: LiveState) -> None:
    """Creates whose id another space holds: Kibana would store a copy under a random id (saved objects) or
    answer 409 (rules, connectors), so they are errors before anything is written."""
    for change in plan.changes:
        if change.action is not Action.CREATE:
            continue
        spaces = live.elsewhere.get(change.key)
        if spaces:
            where = ", ".join(repr(s) for s in sorted(spaces))
            change.error = (f"id already used in another space: {change.id!r} already exists in space {where}; "
                            + ID_TAKEN_HINT.format(space=live.space))


def check_secrets(plan: Plan, environ: Mapping[str, str]) -> None:
    """Before push writes anything: what each store's planner needs from the environment (a connector's secret
    variables). Marks the changes that cannot be sent as errors, naming the variables, never values."""
    stores = {s.name: s for s in all_stores()}
    for change in plan.changes:
        if change.action is Action.DELETE or change.desired is None or change.error:
            continue
        problem = planner_for(stores[change.store]).environment_problem(change.desired, environ)
        if problem:
            change.error = problem


def marker_of(build: Build) -> Marker:
    """This build's owner: the marker for its ``--id-suffix`` (read off the marker tag, renamed like every id)."""
    tag = next((o["id"] for o in build.saved_objects
                if o["type"] == "tag" and o["attributes"].get("name") == MANAGED_TAG_NAME), "")
    return Marker(marker_suffix(tag))


def managed_tag_id(build: Build) -> str:
    """The marker tag's id in this build (``--id-suffix`` changes it, like every id)."""
    return marker_of(build).tag_id


def rule_marker_for(build: Build) -> str:
    """The tag this build's rules carry: the marker for the build's ``--id-suffix``, like the marker tag id."""
    return rule_marker_tag(marker_of(build).suffix)
