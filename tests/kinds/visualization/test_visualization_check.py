"""``validate`` on visualizations written by hand: references resolve (external ones are accepted), the query is
checked as Kibana parses it, and fields unknown to the data view are warned about where they are written."""

from __future__ import annotations

from pathlib import Path

from kibana_sync.project.loader import Project, load_project
from kibana_sync.source.diagnostics import Severity

DATA_VIEW = """\
id: logs
index_pattern: logs-*
time_field: "@timestamp"
fields:
  host: keyword
  bytes: long
"""


def project_with(tmp_path: Path, vis_yaml: str) -> Project:
    for rel, text in (("data_views/logs.yaml", DATA_VIEW), ("visualizations/v.yaml", vis_yaml)):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return load_project(tmp_path)


def messages(project: Project, severity: Severity) -> list[str]:
    return [str(d) for d in project.diagnostics.items if d.severity is severity]


def test_a_compact_visualization_in_the_repo_validates_and_compiles(tmp_path: Path) -> None:
    project = project_with(tmp_path, """\
title: Bytes by host
type: histogram
data_view: logs
query: "host : web*"
metrics: [sum(bytes)]
buckets:
  - {terms: host, size: 5, order: desc, orderBy: "1"}
""")
    assert project.ok and not messages(project, Severity.WARNING), [str(d) for d in project.diagnostics.items]
    entry = project.get("v")
    assert entry is not None and entry.kind.name == "visualization"
    assert entry.kind.compile(entry, project)["references"][0]["id"] == "logs"


def test_invalid_kql_is_an_error_at_the_query_line(tmp_path: Path) -> None:
    project = project_with(tmp_path, "title: t\ntype: table\ndata_view: logs\nquery: 'host:'\nmetrics: [count]\n")
    errors = messages(project, Severity.ERROR)
    assert len(errors) == 1 and "v.yaml:4:" in errors[0] and "query" in errors[0]


def test_unknown_fields_in_aggs_and_controls_are_warnings_where_written(tmp_path: Path) -> None:
    project = project_with(tmp_path, """\
title: t
type: pie
data_view: logs
metrics: [avg(byts)]
buckets: [{terms: hots}]
""")
    warnings = messages(project, Severity.WARNING)
    assert project.ok
    assert any("v.yaml:4:" in w and "'byts'" in w for w in warnings)
    assert any("v.yaml:5:" in w and "'hots'" in w for w in warnings)
    controls = project_with(tmp_path, """\
title: c
type: input_control_vis
params:
  controls:
    - {id: "1", type: list, label: H, fieldName: hostt, parent: "", data_view: logs,
       options: {type: terms, multiselect: true, dynamicOptions: true, size: 5, order: desc}}
""")
    assert any("'hostt'" in w for w in messages(controls, Severity.WARNING))


def test_unknown_data_views_are_errors_and_external_ones_build(tmp_path: Path) -> None:
    project = project_with(tmp_path, "title: t\ntype: metric\ndata_view: nope\nmetrics: [count]\n")
    assert any("unknown data_view 'nope'" in e for e in messages(project, Severity.ERROR))
    external = project_with(tmp_path, "title: t\ntype: metric\ndata_view: {external: fleet}\nmetrics: [count]\n")
    assert external.ok
    entry = external.get("v")
    assert entry is not None
    assert entry.kind.compile(entry, external)["references"] == [
        {"id": "fleet", "name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern"}]


def test_fields_follow_the_saved_search_even_when_another_kind_shares_its_id(tmp_path: Path) -> None:
    # Ids are per kind: an ILM policy named like the saved search must not hide the search's data view.
    for rel, text in (("searches/errors.yaml", "id: errors\ntitle: Errors\ndata_view: logs\n"),
                      ("ilm_policies/errors.yaml", "phases:\n  hot:\n    actions:\n      rollover: {max_age: 7d}\n")):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    project = project_with(tmp_path, "title: t\ntype: table\nsearch: errors\nmetrics: [avg(byts)]\n")
    warnings = messages(project, Severity.WARNING)
    assert len(warnings) == 1 and "byts" in warnings[0] and "v.yaml:4:" in warnings[0], warnings
