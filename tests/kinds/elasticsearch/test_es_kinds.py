"""The Elasticsearch kinds: what validate refuses (as Elasticsearch 8.11 would), the comparable form of what
Elasticsearch returns, and the fields a template maps."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kibana_sync.cli.main import main
from kibana_sync.kinds.index_template.kind import fields_of_index_template, patterns_overlap
from kibana_sync.kinds.registry import kind_named
from kibana_sync.project.build import compile_project
from kibana_sync.project.loader import load_project

POLICY = """\
phases:
  hot:
    actions:
      rollover: {max_age: 7d, max_primary_shard_size: 50GB}
  delete:
    min_age: 90d
    actions: {delete: {}}
"""
COMPONENT = """\
template:
  settings: {index.lifecycle.name: logs, number_of_shards: 1}
  mappings:
    properties:
      level: {type: keyword}
      data: {properties: {symbol: {type: keyword}, price: {type: double}}}
"""
TEMPLATE = """\
index_patterns: [logs-app-*]
data_stream: {}
composed_of: [base]
priority: 200
template:
  mappings:
    properties:
      message: {type: text, fields: {raw: {type: keyword}}}
"""


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "objects"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def validate(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", "--objects", str(root)])
    return result.exit_code, result.output


VALID = {"ilm_policies/logs.yaml": POLICY, "component_templates/base.yaml": COMPONENT,
         "index_templates/logs-app.yaml": TEMPLATE}


def test_a_valid_set_validates_and_compiles_to_the_api_bodies_with_the_marker(tmp_path):
    root = tree(tmp_path, VALID)
    code, out = validate(root)
    assert code == 0, out
    build = compile_project(load_project(root))
    template = build.elasticsearch[("index_template", "logs-app")]
    assert template["composed_of"] == ["base"] and template["data_stream"] == {}
    assert template["_meta"] == {"managed_by": "kibana-sync"}
    policy = build.elasticsearch[("ilm_policy", "logs")]
    assert policy["policy"]["phases"]["delete"] == {"min_age": "90d", "actions": {"delete": {}}}
    assert policy["policy"]["_meta"] == {"managed_by": "kibana-sync"}


@pytest.mark.parametrize(("rel", "text", "where", "message"), [
    ("ilm_policies/p.yaml", "phases:\n  lukewarm:\n    actions: {}\n", ":2:3:",
     "Timeseries lifecycle does not support phase [lukewarm]"),
    ("ilm_policies/p.yaml", "phases:\n  cold:\n    actions:\n      shrink: {number_of_shards: 1}\n", ":4:7:",
     "invalid action [shrink] defined in phase [cold]"),
    ("ilm_policies/p.yaml", "phases:\n  hot:\n    actions:\n      rollover: {min_docs: 1}\n", ":4:7:",
     "At least one max_* rollover condition must be set."),
    # Rollover conditions are parsed like min_age: a typo in a unit is Elasticsearch's error at push otherwise.
    ("ilm_policies/p.yaml", "phases:\n  hot:\n    actions:\n      rollover: {max_age: 7x}\n", ":4:18:",
     "failed to parse setting [max_age] with value [7x] as a time value"),
    ("ilm_policies/p.yaml", "phases:\n  hot:\n    actions:\n      rollover: {max_size: 50 gigs}\n", ":4:18:",
     "failed to parse setting [max_size] with value [50 gigs] as a size in bytes"),
    ("ilm_policies/p.yaml", "phases:\n  cold:\n    actions:\n      searchable_snapshot: {}\n", ":4:7:",
     "Required [snapshot_repository]"),
    ("ilm_policies/p.yaml", "phases:\n  hot:\n    actions:\n      explode: {}\n", ":4:7:",
     "unable to parse LifecycleAction with name [explode]"),
    ("component_templates/c.yaml", "template:\n  mappings:\n    properties:\n      level: {type: strng}\n",
     ":4:15:", "No handler for type [strng] declared on field [level]"),
    ("index_templates/t.yaml", "index_patterns: [x-*]\ncomposed_of: [nowhere]\n", ":2:15:",
     "unknown component_template 'nowhere'"),
    ("component_templates/c.yaml", "template:\n  settings: {number_of_replica: 1}\n", ":2:14:",
     "unknown setting [index.number_of_replica]"),
    # A type that is not a name (found by the fuzz test: it ended validate with a traceback).
    ("component_templates/c.yaml", "template:\n  mappings:\n    properties:\n      level: {type: []}\n",
     ":4:15:", "Expected a field type name for [type] on field [level] but got a list"),
    ("component_templates/c.yaml", "template:\n  mappings:\n    runtime:\n      day: {type: [keyword]}\n",
     ":4:13:", "No handler for type [['keyword']] declared on runtime field [day]"),
    ("ingest_pipelines/p.yaml", "processors:\n  - hash: {field: a}\n", ":2:5:",
     "No processor type exists with name [hash]"),
    ("ingest_pipelines/p.yaml", "processors:\n  - rename: {field: a}\n", ":2:5:",
     "[target_field] required property is missing"),
])
def test_what_elasticsearch_refuses_fails_validate_at_its_line(tmp_path, rel, text, where, message):
    code, out = validate(tree(tmp_path, {rel: text}))
    assert code == 2, out
    line = next(li for li in out.splitlines() if message in li)
    assert f"{rel}{where} error:" in line


def test_overlapping_patterns_at_one_priority_are_refused_and_another_priority_is_not(tmp_path):
    files = {"index_templates/a.yaml": "index_patterns: [genesis-*]\n",
             "index_templates/b.yaml": "index_patterns: [genesis-logs-*]\n"}
    code, out = validate(tree(tmp_path, files))
    assert code == 2 and "same priority [0]" in out
    files["index_templates/b.yaml"] = "index_patterns: [genesis-logs-*]\npriority: 10\n"
    code, out = validate(tree(tmp_path / "again", files))
    assert code == 0, out


def test_an_external_component_is_accepted_with_a_warning_free_pass(tmp_path):
    files = {"index_templates/t.yaml": "index_patterns: [x-*]\ncomposed_of: [{external: logs@settings}]\n"}
    code, out = validate(tree(tmp_path, files))
    assert code == 0, out


def test_patterns_overlap():
    assert patterns_overlap("genesis-*", "genesis-logs-*")
    assert patterns_overlap("*-logs", "genesis-*")
    assert not patterns_overlap("genesis-logs-*", "metrics-*")
    assert not patterns_overlap("a-*-x", "a-*-y")


def test_normalise_takes_out_what_elasticsearch_adds_on_read():
    kind = kind_named("ilm_policy")
    sent = {"type": "ilm_policy", "id": "p", "policy": {"phases": {
        "hot": {"actions": {"rollover": {"max_primary_shard_size": "50GB"}}},
        "delete": {"min_age": "90d", "actions": {"delete": {}}}}}}
    read = {"type": "ilm_policy", "id": "p", "version": 3, "modified_date": "2026-12-04T10:00Z",
            "in_use_by": {"indices": [], "data_streams": [], "composable_templates": []},
            "policy": {"phases": {
                "hot": {"min_age": "0ms", "actions": {"rollover": {"max_primary_shard_size": "50gb"}}},
                "delete": {"min_age": "90d", "actions": {"delete": {"delete_searchable_snapshot": True}}}}}}
    assert kind.normalise(sent) == kind.normalise(read)
    template = kind_named("index_template")
    sent_t = {"type": "index_template", "id": "t", "index_patterns": ["x-*"], "data_stream": {},
              "template": {"settings": {"number_of_shards": 1, "index.lifecycle.name": "p"}}}
    read_t = {"type": "index_template", "id": "t", "index_patterns": ["x-*"], "composed_of": [],
              "data_stream": {"hidden": False, "allow_custom_routing": False},
              "template": {"settings": {"index": {"number_of_shards": "1", "lifecycle": {"name": "p"}}}}}
    assert template.normalise(sent_t) == template.normalise(read_t)
    read_t["template"]["settings"]["index"]["number_of_shards"] = "2"
    assert template.normalise(sent_t) != template.normalise(read_t)


def test_decompile_writes_readable_yaml_without_the_marker():
    kind = kind_named("index_template")
    read = {"type": "index_template", "id": "t", "index_patterns": ["x-*"], "composed_of": [],
            "data_stream": {"hidden": False, "allow_custom_routing": False},
            "_meta": {"managed_by": "kibana-sync", "description": "d"},
            "template": {"settings": {"index": {"number_of_shards": "1"}}}}
    data = kind.decompile(read).data
    assert data == {"id": "t", "index_patterns": ["x-*"], "data_stream": {}, "_meta": {"description": "d"},
                    "template": {"settings": {"index.number_of_shards": 1}}}
    assert kind.model.model_validate(data)


def test_fields_of_an_index_template_include_its_components(tmp_path):
    project = load_project(tree(tmp_path, VALID))
    entry = project.of_kind("index_template")[0]
    assert fields_of_index_template(entry, project) == {
        "level": "keyword", "data.symbol": "keyword", "data.price": "double", "message": "text",
        "message.raw": "keyword"}
