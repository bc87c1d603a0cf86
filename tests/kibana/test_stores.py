"""One store per Kibana API behind one interface: what each reads in how many requests, what a write batch
answers per object, and that every kind names a registered store."""

from __future__ import annotations

from pathlib import Path

import pytest
from kibana_emulator import KibanaEmulator

from kibana_sync.kibana.client import KibanaClient
from kibana_sync.kibana.connection import ConnectionSettings
from kibana_sync.kibana.ownership import Marker, unmark_saved_object
from kibana_sync.kibana.stores.base import Write, WriteAction
from kibana_sync.kibana.stores.registry import all_stores, store_named
from kibana_sync.kinds.registry import all_kinds
from kibana_sync.project.build import Build, compile_project
from kibana_sync.project.loader import load_project
from kibana_sync.sync.apply import apply_plan, dependency_levels
from kibana_sync.sync.plan import LiveState, compute_plan
from kibana_sync.sync.target import check_target, make_plan

FILES = {
    "data_views/logs.yaml": "id: logs\nindex_pattern: logs-*\ntime_field: '@timestamp'\n",
    "searches/errors.yaml": "id: errors\ntitle: Errors\ndata_view: logs\nquery: 'level:ERROR'\n",
    "dashboards/ops.yaml": "id: ops\ntitle: Ops\npanels:\n  - {title: Errors, search: errors}\n",
    "connectors/index.yaml": "id: out\nname: Out\ntype: .index\nconfig: {index: alerts}\n",
    "alerts/tilt.yaml": "id: tilt\nname: Tilt\nquery: {kql: 'tilt_score >= 90', data_view: logs}\nwindow: 5m\n"
                        "actions: [{connector: out, params: {documents: [{a: 1}]}}]\n",
}


@pytest.fixture
def build(tmp_path: Path) -> Build:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return compile_project(load_project(tmp_path))


def kibana() -> tuple[KibanaEmulator, KibanaClient]:
    emulator = KibanaEmulator()
    settings = ConnectionSettings(url="http://kibana.test:5601", username="elastic", password="changeme")
    return emulator, KibanaClient(settings, transport=emulator.transport(), sleep=lambda _: None)


def test_every_kind_names_a_registered_store():
    names = {s.name for s in all_stores()}
    assert {k.store for k in all_kinds()} <= names
    order = [s.name for s in all_stores()]  # apply order: rules use data views and connectors
    assert order.index("saved_objects") < order.index("rules") and order.index("connectors") < order.index("rules")
    with pytest.raises(KeyError, match="no store 'nope'"):
        store_named("nope")


def test_each_store_reads_the_space_in_one_or_two_requests(build):
    emulator, client = kibana()
    for store, requests in (("saved_objects", 2), ("rules", 1), ("connectors", 1)):
        emulator.reset_log()
        keys = list(build.objects_of(store))
        view = store_named(store).read_space(client, keys, ["index-pattern", "search", "dashboard", "tag"])
        assert view.found == {} and len(emulator.requests) == requests, store


def test_a_write_batch_answers_once_per_object_in_order(build):
    emulator, client = kibana()
    saved = store_named("saved_objects")
    writes = [Write(k, WriteAction.CREATE, body) for k, body in build.objects_of("saved_objects").items()]
    results = saved.write(client, writes)
    assert [(r.key, r.ok, r.message) for r in results] == [(w.key, True, "created") for w in writes]
    deleted = saved.delete(client, [("search", "errors"), ("search", "never-was")])
    assert [(r.key, r.ok, r.message) for r in deleted] == [(("search", "errors"), True, "deleted"),
                                                           (("search", "never-was"), True, "deleted")]
    assert emulator.get_object("search", "errors") is None


def test_ownership_is_read_from_the_marker_of_this_owner_only(build):
    saved = store_named("saved_objects")
    dashboard = build.objects_of("saved_objects")[("dashboard", "ops")]
    assert saved.is_marked(dashboard, Marker()) and not saved.is_marked(dashboard, Marker("-staging"))
    assert not saved.is_marked(unmark_saved_object(dashboard), Marker())
    rules = store_named("rules")
    assert rules.is_marked(build.rules["tilt"], Marker()) and rules.is_marked_by_anyone(build.rules["tilt"])
    assert not store_named("connectors").can_mark and not store_named("connectors").prunable


def test_dependencies_order_the_writes_in_levels(build):
    assert store_named("rules").dependencies(build.rules["tilt"]) == {("connector", "out"), ("index-pattern", "logs")}
    plan = compute_plan(build, LiveState())  # nothing in Kibana: everything is a create
    saved = [c for c in plan.changes if c.store == "saved_objects"]
    levels = dependency_levels(store_named("saved_objects"), saved)
    assert [[c.id for c in level] for level in levels] == [["kibana-sync-managed", "logs"], ["errors"], ["ops"]]


def test_a_diff_of_a_space_in_sync_costs_five_requests(build):
    """Status, then one read per store (two for saved objects: the wanted objects and the space's listing)."""
    emulator, client = kibana()
    assert all(o.ok for o in apply_plan(client, make_plan(client, build), environ={}))
    emulator.reset_log()
    check_target(client)
    plan = make_plan(client, build)
    assert plan.changes == [] and len(emulator.requests) == 5
