"""The plan: desired (build) vs live (what Kibana returns), normalised on both sides; pure and fast."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kibana_sync.kibana.ownership import (
    MANAGED_TAG_REF,
    is_marked_saved_object,
    mark_rule,
    unmark_rule,
    unmark_saved_object,
)
from kibana_sync.kibana.stores.base import Key
from kibana_sync.kibana.stores.registry import all_stores
from kibana_sync.project.build import Build, compile_project
from kibana_sync.project.id_suffix import with_id_suffix
from kibana_sync.project.loader import load_project
from kibana_sync.sync.live import rule_marker_filter
from kibana_sync.sync.plan import Action, LiveState, check_secrets, compute_plan, rule_marker_for
from kibana_sync.sync.report import render_text


def make_tree(root: Path) -> Path:
    (root / "data_views").mkdir(parents=True)
    (root / "data_views" / "logs.yaml").write_text(
        "id: genesis-logs\nindex_pattern: genesis-*\nname: GENESIS logs\ntime_field: '@timestamp'\n"
        "custom_labels: {level: Level}\n")
    (root / "connectors").mkdir()
    (root / "connectors" / "hook.yaml").write_text(
        "id: ops-webhook\nname: Ops webhook\ntype: .webhook\nconfig: {url: 'https://hooks.example.com/x', "
        "auth_type: basic}\nsecrets: {user: {env: HOOK_USER}, password: {env: HOOK_PASSWORD}}\n")
    (root / "alerts").mkdir()
    (root / "alerts" / "tilt.yaml").write_text(
        "id: tilt-high\nname: Tilt too high\nquery: {kql: 'tilt_score >= 90', data_view: genesis-logs}\n"
        "window: 5m\nactions: [{connector: ops-webhook, params: {body: tilt}}]\n")
    return root


@pytest.fixture
def build(tmp_path: Path) -> Build:
    project = load_project(make_tree(tmp_path / "objects"))
    assert project.ok, [str(d) for d in project.diagnostics.items]
    return compile_project(project)


def as_kibana_returns(obj: dict[str, Any]) -> dict[str, Any]:
    """A saved object the way _bulk_get answers: server fields added, export-only fields as Kibana sets them."""
    return {**json.loads(json.dumps(obj)), "namespaces": ["default"], "version": "WzEsMV0=",
            "updated_at": "2026-01-01T00:00:00.000Z", "created_at": "2026-01-01T00:00:00.000Z",
            "migrationVersion": {obj["type"]: obj["typeMigrationVersion"]}}


def connector_as_kibana_returns(id_: str, body: dict[str, Any]) -> dict[str, Any]:
    config = {"headers": None, **body["config"]}  # Kibana fills defaults; secrets are never returned
    return {"id": id_, "name": body["name"], "connector_type_id": body["connector_type_id"], "config": config,
            "is_preconfigured": False, "is_deprecated": False, "is_missing_secrets": False}


def rule_as_kibana_returns(id_: str, body: dict[str, Any]) -> dict[str, Any]:
    actions = [{**a, "uuid": f"u{i}", "connector_type_id": ".webhook"} for i, a in enumerate(body["actions"])]
    return {**json.loads(json.dumps(body)), "id": id_, "actions": actions, "scheduled_task_id": id_,
            "created_by": "elastic", "updated_at": "2026-01-01T00:00:00.000Z", "api_key_owner": "elastic",
            "mute_all": False, "muted_alert_ids": [], "execution_status": {"status": "ok"}, "revision": 3,
            "running": False}


STORE_OF = {"rule": "rules", "connector": "connectors"}  # any other key type is a saved object


def live_of(found: dict[Key, dict[str, Any]], **state: Any) -> LiveState:
    """What read_live gives when Kibana holds ``found``: each store lists them and has them in full."""
    live = LiveState(**state)
    for key, obj in found.items():
        view = live.view(STORE_OF.get(key[0], "saved_objects"))
        view.found[key] = view.listed[key] = obj
    return live


def also_listed(live: LiveState, key: Key, obj: dict[str, Any]) -> None:
    """An object the space holds that the build does not name (stale, made by hand, another owner's)."""
    live.view(STORE_OF.get(key[0], "saved_objects")).listed[key] = obj


def found(live: LiveState, key: Key) -> dict[str, Any]:
    return live.view(STORE_OF.get(key[0], "saved_objects")).found[key]


def in_sync_live(build: Build) -> LiveState:
    return live_of({
        **{(o["type"], o["id"]): as_kibana_returns(o) for o in build.saved_objects},
        **{("connector", i): connector_as_kibana_returns(i, b) for i, b in build.connectors.items()},
        **{("rule", i): rule_as_kibana_returns(i, b) for i, b in build.rules.items()}})


def data_view(build: Build) -> dict[str, Any]:
    return next(o for o in build.saved_objects if o["type"] == "index-pattern")


def test_empty_kibana_gets_one_create_per_object(build):
    plan = compute_plan(build, LiveState())
    assert [(c.action, c.type, c.id) for c in plan.changes] == [
        (Action.CREATE, "tag", "kibana-sync-managed"), (Action.CREATE, "index-pattern", "genesis-logs"),
        (Action.CREATE, "connector", "ops-webhook"), (Action.CREATE, "rule", "tilt-high")]
    assert plan.summary()["create"] == 4 and plan.has_changes


def test_what_was_just_pushed_compares_equal(build):
    """Server-managed fields (version, namespaces, timestamps, migrationVersion) never show as drift."""
    plan = compute_plan(build, in_sync_live(build))
    assert plan.changes == [] and plan.unchanged == 4


def test_embedded_json_is_compared_decoded_and_kibana_defaults_are_filled(build):
    live = in_sync_live(build)
    stored = found(live, ("index-pattern", "genesis-logs"))
    stored["attributes"]["fieldAttrs"] = json.dumps(json.loads(stored["attributes"]["fieldAttrs"]), indent=2)
    del stored["attributes"]["typeMeta"]  # an absent embedded attribute is Kibana's empty default
    assert compute_plan(build, live).changes == []


def test_a_change_made_in_kibana_is_an_update_named_in_yaml_terms(build):
    live = in_sync_live(build)
    found(live, ("index-pattern", "genesis-logs"))["attributes"]["timeFieldName"] = "timestamp"
    (change,) = compute_plan(build, live).changes
    assert (change.action, change.sign, change.id) == (Action.UPDATE, "~", "genesis-logs")
    assert [(f.path, f.old, f.new) for f in change.fields] == [(("time_field",), "timestamp", "@timestamp")]
    assert render_text(compute_plan(build, live)).splitlines()[0] == \
        '~  data view "GENESIS logs" › time_field: timestamp → @timestamp'


def test_prune_deletes_only_marked_objects_the_repo_no_longer_has(build):
    live = in_sync_live(build)
    stale = as_kibana_returns({**data_view(build), "id": "old-logs"})
    by_hand = as_kibana_returns({**data_view(build), "id": "hand-made",
                                 "references": [r for r in data_view(build)["references"] if r != MANAGED_TAG_REF]})
    also_listed(live, ("index-pattern", "old-logs"), stale)
    also_listed(live, ("index-pattern", "hand-made"), by_hand)
    assert compute_plan(build, live).changes == []
    (change,) = compute_plan(build, live, prune=True).changes
    assert (change.action, change.sign, change.id) == (Action.DELETE, "-", "old-logs")


def test_connector_secrets_are_rewritten_only_when_asked(build):
    live = in_sync_live(build)
    assert compute_plan(build, live).changes == []
    (change,) = compute_plan(build, live, update_secrets=True).changes
    assert (change.action, change.id) == (Action.UPDATE, "ops-webhook")
    assert "secrets" in change.note


def test_a_connector_kibana_has_no_secrets_for_is_rewritten_without_being_asked(build):
    live = in_sync_live(build)
    found(live, ("connector", "ops-webhook"))["is_missing_secrets"] = True
    (change,) = compute_plan(build, live).changes
    assert (change.action, change.id) == (Action.UPDATE, "ops-webhook")
    assert "no secrets" in change.note


def test_connector_config_change_is_an_update_with_its_field(build):
    live = in_sync_live(build)
    found(live, ("connector", "ops-webhook"))["config"]["url"] = "https://old.example.com/x"
    (change,) = compute_plan(build, live).changes
    assert change.action is Action.UPDATE
    assert [(f.path, f.old, f.new) for f in change.fields] == [
        (("config", "url"), "https://old.example.com/x", "https://hooks.example.com/x")]


def test_connector_type_change_recreates(build):
    live = in_sync_live(build)
    found(live, ("connector", "ops-webhook"))["connector_type_id"] = ".slack"
    (change,) = compute_plan(build, live).changes
    assert (change.action, change.sign) == (Action.RECREATE, "-+")


def test_id_suffix_renames_managed_ids_and_their_references_but_not_external_ones(build):
    external = {"type": "index-pattern", "id": "fleet-logs", "name": "x"}
    dv = data_view(build)
    build.add("saved_objects", "s1", {**dv, "type": "search", "id": "s1", "references": [
        {"type": "index-pattern", "id": "genesis-logs", "name": "kibanaSavedObjectMeta.searchSourceJSON.index"},
        external, MANAGED_TAG_REF]})
    suffixed = with_id_suffix(build, "-staging")
    assert {o["id"] for o in suffixed.saved_objects} == {
        "kibana-sync-managed-staging", "genesis-logs-staging", "s1-staging"}
    search = suffixed.saved_objects[-1]
    assert [r["id"] for r in search["references"]] == [
        "genesis-logs-staging", "fleet-logs", "kibana-sync-managed-staging"]
    assert list(suffixed.connectors) == ["ops-webhook-staging"]
    rule = suffixed.rules["tilt-high-staging"]
    assert rule["params"]["searchConfiguration"]["index"] == "genesis-logs-staging"
    assert [a["id"] for a in rule["actions"]] == ["ops-webhook-staging"]
    # the marker moves with the suffix, so prune still recognises this space's objects
    live = LiveState()
    also_listed(live, ("search", "gone-staging"), {**search, "id": "gone-staging"})
    deletes = [c.id for c in compute_plan(suffixed, live, prune=True, max_delete=1).changes
               if c.action is Action.DELETE]
    assert deletes == ["gone-staging"]


def test_rule_edited_in_kibana_is_an_update(build):
    live = in_sync_live(build)
    found(live, ("rule", "tilt-high"))["schedule"] = {"interval": "5m"}
    (change,) = compute_plan(build, live).changes
    assert (change.action, change.set_enabled) == (Action.UPDATE, None)
    assert [(f.path, f.old, f.new) for f in change.fields] == [(("schedule",), "5m", "1m")]


def test_rule_disabled_in_kibana_is_enabled_again_without_an_update(build):
    live = in_sync_live(build)
    found(live, ("rule", "tilt-high"))["enabled"] = False
    (change,) = compute_plan(build, live).changes
    assert (change.action, change.set_enabled) == (Action.ENABLE, True)
    assert render_text(compute_plan(build, live)).splitlines()[0] == \
        '~  rule "Tilt too high" › enabled: false → true'


def test_rule_type_or_consumer_change_recreates(build):
    live = in_sync_live(build)
    found(live, ("rule", "tilt-high"))["consumer"] = "stackAlerts"
    (change,) = compute_plan(build, live).changes
    assert (change.action, change.sign) == (Action.RECREATE, "-+")
    assert "consumer" in change.note


def test_prune_deletes_marked_rules_only(build):
    live = in_sync_live(build)
    marked = rule_as_kibana_returns("gone", build.rules["tilt-high"])
    by_hand = {**rule_as_kibana_returns("by-hand", build.rules["tilt-high"]), "tags": ["team"]}
    also_listed(live, ("rule", "gone"), marked)
    also_listed(live, ("rule", "by-hand"), by_hand)
    assert compute_plan(build, live).changes == []
    (change,) = compute_plan(build, live, prune=True).changes
    assert (change.action, change.id) == (Action.DELETE, "gone")


def test_a_create_whose_id_another_space_holds_is_an_error_naming_that_space(build):
    live = LiveState(elsewhere={("index-pattern", "genesis-logs"): ["default"]}, space="staging")
    plan = compute_plan(build, live)
    (error,) = plan.errors
    assert (error.id, error.sign) == ("genesis-logs", "!")
    assert error.error == ("id already used in another space: 'genesis-logs' already exists in space 'default'; "
                           "push this repo into a second space with --id-suffix (e.g. --id-suffix -staging)")
    assert plan.summary()["error"] == 1
    text = render_text(plan)
    assert '!  data view "GENESIS logs" (genesis-logs): id already used in another space' in text
    assert text.endswith("1 error(s) (marked !): push writes nothing until they are fixed.")


def test_missing_secret_variables_make_the_connector_an_error_before_anything_is_written(build):
    plan = compute_plan(build, LiveState())
    check_secrets(plan, {"HOOK_USER": "ops", "HOOK_PASSWORD": ""})
    (error,) = plan.errors
    assert error.id == "ops-webhook"
    assert error.error == "needs the environment variable(s) HOOK_PASSWORD (not set or empty)"
    in_sync = compute_plan(build, in_sync_live(build))
    check_secrets(in_sync, {})  # nothing to send, nothing needed
    assert in_sync.errors == []


def test_managed_objects_that_lost_their_yaml_are_counted_without_prune(build):
    live = in_sync_live(build)
    also_listed(live, ("index-pattern", "old-logs"), as_kibana_returns({**data_view(build), "id": "old-logs"}))
    also_listed(live, ("rule", "gone"), rule_as_kibana_returns("gone", build.rules["tilt-high"]))
    plan = compute_plan(build, live)
    assert plan.changes == [] and plan.stale == 2
    assert render_text(plan) == ("In sync: 4 object(s) unchanged. 2 managed objects have no YAML any more; "
                                 "--prune deletes them.")
    assert compute_plan(build, live, prune=True).stale == 0


def test_two_id_suffixes_in_one_space_never_prune_each_others_rules(build):
    ours, theirs = with_id_suffix(build, "-a"), with_id_suffix(build, "-b")
    assert "managed-by-kibana-sync-a" in ours.rules["tilt-high-a"]["tags"]
    assert "managed-by-kibana-sync" not in ours.rules["tilt-high-a"]["tags"]
    live = LiveState()
    also_listed(live, ("rule", "tilt-high-b"), rule_as_kibana_returns("tilt-high-b", theirs.rules["tilt-high-b"]))
    also_listed(live, ("rule", "gone-a"), rule_as_kibana_returns("gone-a", ours.rules["tilt-high-a"]))
    deletes = [c.id for c in compute_plan(ours, live, prune=True, max_delete=1).changes
               if c.action is Action.DELETE]
    assert deletes == ["gone-a"]
    assert rule_marker_filter(rule_marker_for(ours)) == 'alert.attributes.tags:"managed-by-kibana-sync-a"'


def test_suffixed_markers_unmark_like_the_plain_ones(build):
    suffixed = with_id_suffix(build, "-staging")
    dv = next(o for o in suffixed.saved_objects if o["type"] == "index-pattern")
    assert not is_marked_saved_object(unmark_saved_object(dv)) and is_marked_saved_object(dv)
    assert unmark_saved_object(dv)["references"] == [r for r in dv["references"]
                                                    if r["id"] != "kibana-sync-managed-staging"]
    rule = suffixed.rules["tilt-high-staging"]
    assert unmark_rule(rule)["tags"] == unmark_rule(build.rules["tilt-high"])["tags"]
    assert mark_rule(unmark_rule(rule), "-staging") == rule


def test_an_object_kibana_has_without_the_marker_is_a_conflict_unless_adopted(build):
    live = in_sync_live(build)
    hand_made = unmark_saved_object(found(live, ("index-pattern", "genesis-logs")))
    hand_made = {**hand_made, "attributes": {**hand_made["attributes"], "title": "logs-by-hand-*"}}
    live.view("saved_objects").found[("index-pattern", "genesis-logs")] = hand_made
    found(live, ("rule", "tilt-high"))["tags"] = ["team"]
    plan = compute_plan(build, live)
    assert [(c.id, c.sign) for c in plan.conflicts] == [("genesis-logs", "!"), ("tilt-high", "!")]
    assert "last updated at 2026-01-01T00:00:00.000Z" in plan.conflicts[0].conflict
    assert "last updated by" not in plan.conflicts[0].conflict  # saved objects do not say who (8.11)
    assert plan.summary()["conflict"] == 2 and plan.errors == []
    adopted = compute_plan(build, live, adopt=True)
    assert adopted.conflicts == [] and {c.id for c in adopted.changes if c.adopted} == {"genesis-logs", "tilt-high"}
    build.adopt.add("tilt-high")  # adopt: true in that YAML only
    one = compute_plan(build, live)
    assert [c.id for c in one.conflicts] == ["genesis-logs"]


@pytest.mark.parametrize("suffix", ["", "-staging"])
def test_an_object_without_the_marker_that_equals_the_yaml_is_unchanged_not_managed_not_a_conflict(build, suffix):
    build = with_id_suffix(build, suffix)
    live = in_sync_live(build)
    view_key, rule_key = ("index-pattern", "genesis-logs" + suffix), ("rule", "tilt-high" + suffix)
    live.view("saved_objects").found[view_key] = unmark_saved_object(found(live, view_key))
    live.view("rules").found[rule_key] = unmark_rule(found(live, rule_key))
    plan = compute_plan(build, live)
    assert plan.changes == [] and plan.conflicts == []
    assert sorted(c.id for c in plan.not_managed) == sorted(k[1] for k in (view_key, rule_key))
    assert plan.summary()["not_managed"] == 2
    assert plan.summary()["unchanged"] == sum(len(build.objects_of(s.name)) for s in all_stores())
    adopted = compute_plan(build, live, adopt=True)  # taking them over writes the marker
    assert adopted.not_managed == [] and {c.id for c in adopted.changes if c.adopted} == {view_key[1], rule_key[1]}


def test_connectors_cannot_carry_the_marker_so_they_are_never_conflicts(build):
    live = in_sync_live(build)
    found(live, ("connector", "ops-webhook"))["name"] = "Renamed by hand"
    (change,) = compute_plan(build, live).changes
    assert (change.id, change.action, change.conflict) == ("ops-webhook", Action.UPDATE, "")


def test_prune_guards_refuse_an_empty_folder_a_missing_kind_and_more_than_half(build, tmp_path):
    live = in_sync_live(build)
    (tmp_path / "nothing").mkdir()
    empty = compile_project(load_project(tmp_path / "nothing"))
    (refusal,) = compute_plan(empty, live, prune=True).refusals
    assert refusal.startswith("the objects folder holds no objects, and --prune would delete all 2 managed")
    assert compute_plan(empty, live, prune=True, max_delete=2).refusals == []
    assert compute_plan(empty, live, prune=True, max_delete=1).refusals != []
    no_rules = Build(objects={store: objects for store, objects in build.objects.items() if store != "rules"})
    (refusal,) = compute_plan(no_rules, live, prune=True).refusals
    assert refusal.startswith("the objects folder has no rule at all, and --prune would delete 1 of them")
    more = in_sync_live(build)
    for i in range(4):
        also_listed(more, ("index-pattern", f"old-{i}"), as_kibana_returns({**data_view(build), "id": f"old-{i}"}))
    (refusal,) = compute_plan(build, more, prune=True).refusals
    assert "--prune would delete 4 of the 7 managed objects in the space, more than half" in refusal
    assert compute_plan(build, live, prune=True).refusals == []  # nothing to delete, nothing to refuse


def test_a_stale_object_that_a_hand_made_object_uses_is_kept_and_its_users_listed(build):
    live = in_sync_live(build)
    also_listed(live, ("index-pattern", "old-logs"), as_kibana_returns({**data_view(build), "id": "old-logs"}))
    live.referrers = {("index-pattern", "old-logs"): [
        {"type": "dashboard", "id": "by-hand", "attributes": {"title": "By hand"}, "references": []},
        {**as_kibana_returns({**data_view(build), "id": "also-managed"})}]}
    plan = compute_plan(build, live, prune=True)
    assert plan.changes == []
    (kept,) = plan.kept
    assert kept.change.id == "old-logs" and [u.id for u in kept.users] == ["by-hand"]
    assert render_text(plan).splitlines()[0] == ('=  data view "GENESIS logs" (old-logs): not deleted: still used by '
                                                 'dashboard "By hand" (by-hand), made without kibana-sync')


def test_objects_no_kibana_sync_owner_wrote_are_listed_as_made_by_hand(build):
    live = in_sync_live(build)
    also_listed(live, ("dashboard", "by-hand"), {"type": "dashboard", "id": "by-hand", "references": [],
                                                 "attributes": {"title": "Made in the UI"}})
    other_owner = with_id_suffix(build, "-b")
    for obj in other_owner.saved_objects:
        also_listed(live, (obj["type"], obj["id"]), as_kibana_returns(obj))
    also_listed(live, ("connector", "preconfigured"), {"id": "preconfigured", "name": "Cloud", "is_preconfigured": True})
    plan = compute_plan(build, live)
    assert [(u.kind, u.id, u.title) for u in plan.unmanaged] == [("dashboard", "by-hand", "Made in the UI")]
    assert plan.changes == [] and "In Kibana but not in the repo (made by hand): 1 object(s)" in render_text(plan)
