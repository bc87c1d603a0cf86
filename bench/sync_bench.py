"""Benchmark ``diff`` and ``push`` against the Kibana emulator with a fixed latency per request.

Generates a repo of N saved objects (one data view, searches, dashboards with two Lens panels each, plus the
managed tag) and R rules with one connector, then measures, in-process:

* ``diff`` of an empty Kibana, ``push`` into it, ``diff`` in sync, a no-op ``push`` (must write nothing);
* a one-request-per-object client (GET each saved object and rule) for comparison;
* the same push into an empty Kibana with one rule or connector write at a time, to show what sending them
  ``CONCURRENT_WRITES`` at a time gains (``concurrent_writes_wall_ratio``: concurrent wall / sequential wall);
* the round-trip floor: the fewest requests the API allows for each job, sent one after the other by a bare
  client that does nothing else (no planning, no comparing), timed against a fresh emulator. It includes the
  server's own work (e.g. serialising 1,000 objects for ``_bulk_get``), which no client can avoid;
  ``latency_floor_s`` is the latency part alone (requests x latency).

Usage: ``python bench/sync_bench.py [--objects 1000] [--rules 100] [--latency-ms 20]``; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the emulator lives with the tests

from kibana_emulator import KibanaEmulator  # noqa: E402

from kibana_sync.kibana.client import KibanaClient  # noqa: E402
from kibana_sync.kibana.connection import ConnectionSettings  # noqa: E402
from kibana_sync.kibana.ownership import MANAGED_TAG_ID  # noqa: E402
from kibana_sync.kibana.stores import base as store_base  # noqa: E402
from kibana_sync.kinds.connector.kind import resolve_secrets  # noqa: E402
from kibana_sync.project.build import Build, compile_project  # noqa: E402
from kibana_sync.project.loader import load_project  # noqa: E402
from kibana_sync.sync.apply import apply_plan  # noqa: E402
from kibana_sync.sync.live import RULE_MARKER_FILTER  # noqa: E402
from kibana_sync.sync.target import check_target, make_plan  # noqa: E402

MANAGED_TAG_REF = {"type": "tag", "id": MANAGED_TAG_ID}


def write_repo(root: Path, saved_objects: int, rules: int) -> Path:
    """``saved_objects`` counts the managed tag and the data view, so the build has exactly that many."""
    files = {
        "data_views/bench.yaml": "id: bench\nindex_pattern: bench-*\ntime_field: '@timestamp'\n"
                                 "fields: {level: keyword, component: keyword, value: float}\n",
        "connectors/bench-index.yaml": "id: bench-index\nname: Bench index\ntype: .index\nconfig: {index: alerts}\n",
    }
    rest = saved_objects - 2
    for i in range(rest // 2):
        files[f"searches/s{i:04}.yaml"] = (f"title: Search {i}\ndata_view: bench\nquery: 'level:ERROR and value > {i}'\n"
                                           "columns: [level, component]\n")
    for i in range(rest - rest // 2):
        files[f"dashboards/d{i:04}.yaml"] = (
            f"title: Dashboard {i}\ndata_view: bench\npanels:\n"
            f"  - {{title: Errors {i}, chart: bar, x: {{terms: component}}, metric: count}}\n"
            f"  - {{title: Value {i}, chart: metric, metric: sum(value)}}\n")
    for i in range(rules):
        files[f"alerts/r{i:03}.yaml"] = (
            f"name: Rule {i}\nquery: {{kql: 'value > {i}', data_view: bench}}\nwindow: 5m\n"
            "actions: [{connector: bench-index, params: {documents: [{rule: '{{rule.name}}'}]}}]\n")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def measure(emulator: KibanaEmulator, job: Callable[[], Any]) -> dict[str, Any]:
    emulator.reset_log()
    start = time.perf_counter()
    job()
    wall = time.perf_counter() - start
    # Counted at the server: the reads run concurrently, and the log also shows retries.
    return {"requests": len(emulator.requests),
            "saved_object_requests": sum(r.path.startswith("/api/saved_objects") for r in emulator.requests),
            "writes": len(emulator.writes()), "wall_s": round(wall, 3)}


def bare_reads(client: KibanaClient, build: Build) -> None:
    """What any diff must ask, sequentially: status, the objects, the marked objects (for the "no YAML any
    more" count), the rules, the connectors."""
    client.version()
    client.bulk_get([(o["type"], o["id"]) for o in build.saved_objects])
    client.find(["index-pattern", "search", "dashboard", "tag"], has_reference=MANAGED_TAG_REF, fields=["title"])
    client.find_rules(filter=RULE_MARKER_FILTER)
    client.list_connectors()


def bare_push(client: KibanaClient, build: Build) -> None:
    """What any push into an empty Kibana must send: the reads, the space list (do other spaces hold the ids
    to be created?), one import, one POST per connector and rule."""
    bare_reads(client, build)
    client.list_spaces()
    client.import_objects(build.saved_objects)
    for id_, body in build.connectors.items():
        client.create_connector(id_, resolve_secrets(body, {}))
    for id_, body in build.rules.items():
        client.create_rule(id_, body)


def new_kibana(latency_ms: int) -> tuple[KibanaEmulator, KibanaClient]:
    emulator = KibanaEmulator()
    emulator.faults.latency_ms = latency_ms
    settings = ConnectionSettings(url="http://kibana.bench:5601", username="elastic", password="changeme")
    return emulator, KibanaClient(settings, transport=emulator.transport())


def run(saved_objects: int, rules: int, latency_ms: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        project = load_project(write_repo(Path(tmp) / "objects", saved_objects, rules))
        assert project.ok, [str(d) for d in project.diagnostics.errors][:5]
        build = compile_project(project)
        compile_s = time.perf_counter() - start

    bare_emulator, bare = new_kibana(latency_ms)
    floor = {"diff_empty": measure(bare_emulator, lambda: bare_reads(bare, build)),
             "push_empty": measure(bare_emulator, lambda: bare_push(bare, build)),
             "diff_in_sync": measure(bare_emulator, lambda: bare_reads(bare, build))}
    floor["push_noop"] = floor["diff_in_sync"]

    emulator, client = new_kibana(latency_ms)

    def diff() -> None:
        check_target(client)
        make_plan(client, build)

    def push() -> None:
        check_target(client)
        plan = make_plan(client, build)
        failed = [o for o in apply_plan(client, plan, environ={}) if not o.ok]
        assert not failed, failed[:3]

    def one_request_per_object() -> None:
        for obj in build.saved_objects:  # the client has no single-object GET; a one-item bulk read is the same
            client.bulk_get([(obj["type"], obj["id"])])
        for id_ in build.rules:
            client.get_rule(id_)
        client.list_connectors()

    results = {"diff_empty": measure(emulator, diff), "push_empty": measure(emulator, push),
               "diff_in_sync": measure(emulator, diff), "push_noop": measure(emulator, push)}
    for name, result in results.items():
        result["floor"] = {"requests": floor[name]["requests"], "wall_s": floor[name]["wall_s"],
                           "latency_floor_s": round(floor[name]["requests"] * latency_ms / 1000, 3)}
        result["x_floor"] = round(result["wall_s"] / floor[name]["wall_s"], 2)
    results["one_request_per_object_read"] = measure(emulator, one_request_per_object)

    sequential_emulator, sequential_client = new_kibana(latency_ms)
    concurrency, store_base.CONCURRENT_WRITES = store_base.CONCURRENT_WRITES, 1
    try:
        def push_sequential() -> None:
            check_target(sequential_client)
            plan = make_plan(sequential_client, build)
            assert all(o.ok for o in apply_plan(sequential_client, plan, environ={}))
        results["push_empty_one_write_at_a_time"] = measure(sequential_emulator, push_sequential)
    finally:
        store_base.CONCURRENT_WRITES = concurrency
    in_sync = results["diff_in_sync"]
    return {
        "setup": {"saved_objects": len(build.saved_objects), "rules": len(build.rules),
                  "connectors": len(build.connectors), "latency_ms": latency_ms,
                  "compile_s": round(compile_s, 3)},
        "results": results,
        "targets": {
            "diff_saved_object_requests_per_1000": round(in_sync["saved_object_requests"] * 1000
                                                         / len(build.saved_objects), 2),
            "noop_push_writes": results["push_noop"]["writes"],
            "concurrent_writes": store_base.CONCURRENT_WRITES,
            "concurrent_writes_wall_ratio": round(results["push_empty"]["wall_s"]
                                                  / results["push_empty_one_write_at_a_time"]["wall_s"], 2),
            **{f"{name}_x_floor": results[name]["x_floor"] for name in floor},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000, help="saved objects in the build (>= 4)")
    parser.add_argument("--rules", type=int, default=100)
    parser.add_argument("--latency-ms", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(run(args.objects, args.rules, args.latency_ms), indent=2))


if __name__ == "__main__":
    main()
