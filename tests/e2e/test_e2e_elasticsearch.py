"""Elasticsearch objects end to end (issue 11): the CLI in-process over loopback HTTP to the Kibana and the
Elasticsearch 8.11 emulators, an empty stack filled in dependency order, diff clean right after, a template
changed by hand shown down to the field, ownership conflicts and prune by the marker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from es_emulator import ElasticsearchEmulator
from kibana_emulator import KibanaEmulator, serve

from kibana_sync.cli.main import main

pytestmark = pytest.mark.slow

FILES = {
    "ilm_policies/genesis-logs.yaml": """\
phases:
  hot:
    actions:
      rollover: {max_age: 7d, max_primary_shard_size: 50GB}
  warm:
    min_age: 7d
    actions:
      forcemerge: {max_num_segments: 1}
  delete:
    min_age: 90d
    actions: {delete: {}}
_meta: {description: GENESIS logs}
""",
    "ingest_pipelines/genesis-logs.yaml": """\
description: timestamp into @timestamp
processors:
  - date: {field: timestamp, formats: [ISO8601], target_field: "@timestamp", ignore_failure: true}
""",
    "component_templates/genesis-logs-base.yaml": """\
template:
  settings:
    index.lifecycle.name: genesis-logs
    number_of_shards: 1
  mappings:
    properties:
      "@timestamp": {type: date}
      level: {type: keyword}
      component: {type: keyword}
""",
    "index_templates/genesis-logs-trading.yaml": """\
index_patterns: [genesis-logs-trading-*]
data_stream: {}
composed_of: [genesis-logs-base]
priority: 200
template:
  settings: {index: {default_pipeline: genesis-logs}}
  mappings:
    properties:
      data:
        properties:
          symbol: {type: keyword}
          execution_time_ms: {type: float}
""",
    "data_views/logs.yaml": "id: logs\nname: Logs\nindex_pattern: genesis-logs-*\ntime_field: '@timestamp'\n",
    "searches/slow.yaml": "id: slow\ntitle: Slow\ndata_view: logs\nquery: 'data.execution_time_ms > 100'\n",
    "dashboards/ops.yaml": "id: ops\ntitle: Ops\ndata_view: logs\npanels:\n  - {title: Slow, search: slow}\n",
}
ES_ORDER = [("PUT", "/_ilm/policy/genesis-logs"), ("PUT", "/_ingest/pipeline/genesis-logs"),
            ("PUT", "/_component_template/genesis-logs-base"), ("PUT", "/_index_template/genesis-logs-trading")]


@dataclass
class Stack:
    kibana: KibanaEmulator
    es: ElasticsearchEmulator
    kibana_url: str
    es_url: str


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def stack() -> Iterator[Stack]:
    kibana, es = KibanaEmulator(), ElasticsearchEmulator()
    with serve(kibana) as kibana_url, serve(es) as es_url:  # type: ignore[arg-type]
        yield Stack(kibana, es, kibana_url, es_url)
    assert not es.unexpected_errors, es.unexpected_errors


@pytest.fixture
def objects(tmp_path: Path) -> Path:
    for rel, text in FILES.items():
        (tmp_path / "objects" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "objects" / rel).write_text(text)
    return tmp_path / "objects"


def run(stack: Stack, objects: Path | None, *args: str, es: bool = True) -> Result:
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith(("KIBANA", "ES_"))}
    env.update(KIBANA_URL=stack.kibana_url, KIBANA_USERNAME="elastic", KIBANA_PASSWORD="changeme")
    if es:
        env["ES_URL"] = stack.es_url
    where = ["--objects", str(objects)] if objects is not None else []
    done = CliRunner().invoke(main, [*args, *where], env=env)
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return Result(done.exit_code, done.stdout, done.stderr)


def es_http(stack: Stack) -> httpx.Client:
    return httpx.Client(base_url=stack.es_url, auth=("elastic", "changeme"))


def test_push_fills_an_empty_stack_in_dependency_order_and_diff_is_clean(stack, objects):
    pushed = run(stack, objects, "push")
    assert pushed.code == 0, pushed.out + pushed.err
    writes = [(r.method, r.path) for r in stack.es.requests if r.method in ("PUT", "POST", "DELETE")]
    assert writes == ES_ORDER
    # Elasticsearch before Kibana: every ES write is logged before the first Kibana write.
    text = pushed.out
    assert text.index('ilm policy "genesis-logs"') < text.index('index template "genesis-logs-trading"') \
        < text.index('data view "Logs"') < text.index('dashboard "Ops"')
    with es_http(stack) as es:
        template = es.get("/_index_template/genesis-logs-trading").json()["index_templates"][0]["index_template"]
        assert template["_meta"] == {"managed_by": "kibana-sync"}
        assert es.get("/_ilm/policy/genesis-logs").json()["genesis-logs"]["policy"]["_meta"] == {
            "description": "GENESIS logs", "managed_by": "kibana-sync"}
        # The data stream the template describes can be created: the template is what ES needs.
        assert es.put("/_data_stream/genesis-logs-trading-default").status_code == 200
    clean = run(stack, objects, "diff")
    assert clean.code == 0, clean.out + clean.err


def test_a_template_changed_by_hand_shows_in_diff_down_to_the_field(stack, objects):
    assert run(stack, objects, "push").code == 0
    with es_http(stack) as es:
        template = es.get("/_index_template/genesis-logs-trading").json()["index_templates"][0]["index_template"]
        template["template"]["mappings"]["properties"]["data"]["properties"]["symbol"]["type"] = "text"
        template["priority"] = 150
        assert es.put("/_index_template/genesis-logs-trading", json=template).status_code == 200
        policy = es.get("/_ilm/policy/genesis-logs").json()["genesis-logs"]["policy"]
        policy["phases"]["delete"]["min_age"] = "30d"
        assert es.put("/_ilm/policy/genesis-logs", json={"policy": policy}).status_code == 200
    drift = run(stack, objects, "diff")
    assert drift.code == 1, drift.out + drift.err
    assert 'index template "genesis-logs-trading"' in drift.out
    assert "template › mappings › properties › data › properties › symbol › type" in drift.out
    assert "text" in drift.out and "keyword" in drift.out
    assert "priority" in drift.out
    assert "phases › delete › min_age" in drift.out
    assert run(stack, objects, "push").code == 0
    assert run(stack, objects, "diff").code == 0


def test_a_same_named_template_made_by_hand_is_a_conflict_until_adopted(stack, objects):
    with es_http(stack) as es:
        assert es.put("/_component_template/genesis-logs-base",
                      json={"template": {"mappings": {"properties": {"level": {"type": "text"}}}}}).status_code == 200
    stack.es.reset_log()
    diff = run(stack, objects, "diff")
    assert diff.code == 1
    assert 'component template "genesis-logs-base" (genesis-logs-base): conflict' in diff.out
    refused = run(stack, objects, "push")
    assert refused.code == 2
    assert not [r for r in stack.es.requests if r.method != "GET"]
    assert run(stack, objects, "push", "--adopt").code == 0
    assert run(stack, objects, "diff").code == 0


def test_prune_deletes_only_objects_kibana_sync_made(stack, objects):
    assert run(stack, objects, "push").code == 0
    with es_http(stack) as es:
        assert es.put("/_ilm/policy/by-hand", json={"policy": {"phases": {"delete": {
            "min_age": "1d", "actions": {"delete": {}}}}}}).status_code == 200
    (objects / "index_templates" / "genesis-logs-trading.yaml").unlink()
    (objects / "component_templates" / "genesis-logs-base.yaml").unlink()
    # The data view stays; the prune guard allows removing what the repo no longer has.
    pruned = run(stack, objects, "push", "--prune", "--max-delete", "2")
    assert pruned.code == 0, pruned.out + pruned.err
    deletes = [r.path for r in stack.es.requests if r.method == "DELETE"]
    assert deletes == ["/_index_template/genesis-logs-trading", "/_component_template/genesis-logs-base"]
    with es_http(stack) as es:
        assert es.get("/_ilm/policy/by-hand").status_code == 200
        assert es.get("/_ilm/policy/genesis-logs").status_code == 200


def test_es_objects_without_an_es_url_name_the_option(stack, objects):
    result = run(stack, objects, "diff", es=False)
    assert result.code == 2
    assert "--es-url" in result.err and "ES_URL" in result.err


def test_export_brings_es_objects_back_as_yaml_that_pushes_clean(stack, objects, tmp_path):
    assert run(stack, objects, "push").code == 0
    with es_http(stack) as es:  # made by hand and built in: neither is the repo's, only the first is exported
        assert es.put("/_ingest/pipeline/by-hand", json={"processors": [{"set": {"field": "a", "value": 1}}]}
                      ).status_code == 200
        assert es.put("/_component_template/builtin", json={"template": {}, "_meta": {"managed": True}}
                      ).status_code == 200
    out = tmp_path / "exported"
    exported = run(stack, None, "export", "--type", "index_template", "--out", str(out))
    assert exported.code == 0, exported.out + exported.err
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.yaml"))
    # The template brings what it names: its component, the component's ILM policy, its pipeline.
    assert written == ["component_templates/genesis-logs-base.yaml", "ilm_policies/genesis-logs.yaml",
                       "index_templates/genesis-logs-trading.yaml", "ingest_pipelines/genesis-logs.yaml"]
    text = (out / "index_templates" / "genesis-logs-trading.yaml").read_text()
    assert "managed_by" not in text and "{" not in text.split("template:")[0].replace("data_stream: {}", "")
    everything = tmp_path / "all"
    assert run(stack, None, "export", "--all", "--out", str(everything)).code == 0
    assert (everything / "ingest_pipelines" / "by-hand.yaml").is_file()
    assert not (everything / "component_templates" / "builtin.yaml").exists()
    (everything / "ingest_pipelines" / "by-hand.yaml").unlink()  # not ours: it would be a conflict
    clean = run(stack, everything, "diff")
    assert clean.code == 0, clean.out + clean.err


KIND_ORDER = ["ilm policy", "ingest pipeline", "component template", "index template", "data view", "search",
              "dashboard", "connector", "rule"]


def test_the_genesis_repo_fills_an_empty_stack_in_dependency_order_and_diffs_clean(stack, genesis_objects):
    pushed = run(stack, genesis_objects, "push")
    assert pushed.code == 0, pushed.out + pushed.err
    landed = [line.split('"')[0].removeprefix("ok").strip() for line in pushed.out.splitlines()
              if line.startswith("ok ")]
    order = [kind for kind in dict.fromkeys(landed) if kind in KIND_ORDER]
    assert order == [k for k in KIND_ORDER if k in order] and {"ilm policy", "index template", "rule"} <= set(order)
    assert run(stack, genesis_objects, "diff").code == 0
