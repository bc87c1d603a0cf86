"""Request counts of Elasticsearch objects in ``diff`` and ``push``, against the Elasticsearch emulator in-process.

Generates N component templates, N index templates composed of them, one ILM policy and one pipeline, then
counts the requests Elasticsearch gets for: ``diff`` of an empty cluster, ``push`` into it, ``diff`` in sync, a
no-op ``push``, and a ``diff`` after one template was changed by hand. Reads are one listing per type plus the
version (5 requests) whatever N is; writes are one PUT per object that differs.

Usage: ``python bench/es_bench.py [--templates 200]``; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the emulator lives with the tests

import httpx  # noqa: E402
from es_emulator import ElasticsearchEmulator  # noqa: E402

from kibana_sync.kibana.client import KibanaClient  # noqa: E402
from kibana_sync.kibana.connection import ConnectionSettings  # noqa: E402
from kibana_sync.kibana.elasticsearch import ElasticsearchClient  # noqa: E402
from kibana_sync.kibana.stores.registry import store_named  # noqa: E402
from kibana_sync.project.build import compile_project  # noqa: E402
from kibana_sync.project.loader import load_project  # noqa: E402
from kibana_sync.sync.apply import apply_plan  # noqa: E402
from kibana_sync.sync.plan import LiveState, compute_plan  # noqa: E402


def write_repo(root: Path, n: int) -> None:
    (root / "ilm_policies").mkdir(parents=True)
    (root / "ilm_policies" / "logs.yaml").write_text(
        "phases:\n  hot:\n    actions:\n      rollover: {max_age: 7d}\n  delete:\n    min_age: 30d\n"
        "    actions: {delete: {}}\n")
    (root / "ingest_pipelines").mkdir()
    (root / "ingest_pipelines" / "logs.yaml").write_text("processors:\n  - set: {field: a, value: b}\n")
    (root / "component_templates").mkdir()
    (root / "index_templates").mkdir()
    for i in range(n):
        (root / "component_templates" / f"c{i}.yaml").write_text(
            "template:\n  settings: {index.lifecycle.name: logs}\n  mappings:\n    properties:\n"
            f"      f{i}: {{type: keyword}}\n")
        (root / "index_templates" / f"t{i}.yaml").write_text(
            f"index_patterns: [logs-{i}-*]\ndata_stream: {{}}\ncomposed_of: [c{i}]\npriority: 100\n"
            "template: {settings: {index.default_pipeline: logs}}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--templates", type=int, default=200)
    args = parser.parse_args()
    es = ElasticsearchEmulator()
    client = KibanaClient(ConnectionSettings(url="http://kibana.test"))
    client.elasticsearch = ElasticsearchClient(
        ConnectionSettings(url="http://es.test", username="elastic", password="changeme"), transport=es.transport())
    store = store_named("elasticsearch")
    with tempfile.TemporaryDirectory() as tmp:
        write_repo(Path(tmp), args.templates)
        build = compile_project(load_project(Path(tmp)))
    keys = list(build.objects_of("elasticsearch"))

    def plan():
        view = store.read_space(client, keys, [])
        planned = compute_plan(build, LiveState(views={"elasticsearch": view}))
        planned.changes = [c for c in planned.changes if c.store == "elasticsearch"]  # no Kibana here
        return planned

    def count(job) -> int:
        es.reset_log()
        job()
        return len(es.requests)

    result: dict[str, int] = {"objects": len(keys)}
    result["diff_empty_requests"] = count(plan)
    result["push_empty_requests"] = count(lambda: apply_plan(client, plan(), environ={}))
    result["diff_in_sync_requests"] = count(lambda: plan())
    in_sync = plan()
    result["diff_in_sync_changes"] = len(in_sync.changes)
    result["push_no_op_requests"] = count(lambda: apply_plan(client, plan(), environ={}))
    with httpx.Client(base_url="http://es.test", transport=es.transport(), auth=("elastic", "changeme")) as http:
        body = http.get("/_index_template/t0").json()["index_templates"][0]["index_template"]
        body["priority"] = 101
        http.put("/_index_template/t0", json=body)
    drift = plan()
    result["diff_after_hand_change_changes"] = len(drift.changes)
    result["diff_after_hand_change_fields"] = sum(len(c.fields) for c in drift.changes)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
