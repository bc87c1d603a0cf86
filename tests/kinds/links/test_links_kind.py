"""Links (``objects/links/``): Kibana 8.11's links panel saved to the library, written as a list of dashboard
and URL links with only the options that differ from Kibana's defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.registry import kind_named
from kibana_sync.project.loader import Project, load_project
from kibana_sync.source.yaml_reader import SourceFile

LINKS = kind_named("links")
LINKS_YAML = """\
title: Related
layout: horizontal
links:
  - dashboard: overview
    label: Overview
  - dashboard: {external: fleet-dash}
    use_current_filters: false
  - url: https://example.org/runbook
    label: Runbook
    open_in_new_tab: true
"""


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def load(tmp_path: Path, text: str = LINKS_YAML) -> Project:
    write(tmp_path, "dashboards/overview.yaml", "title: Overview\n")
    write(tmp_path, "links/related.yaml", text)
    return load_project(tmp_path)


def compiled(tmp_path: Path, text: str = LINKS_YAML) -> dict:
    project = load(tmp_path, text)
    assert project.ok, [str(d) for d in project.diagnostics.items]
    return LINKS.compile(project.get("related"), project)


def test_build_writes_the_8_11_links_shape_with_references_named_by_link_id(tmp_path: Path) -> None:
    obj = compiled(tmp_path)
    assert obj["type"] == "links" and "typeMigrationVersion" not in obj  # links has no migrations in 8.11
    links = obj["attributes"]["links"]
    assert [link["type"] for link in links] == ["dashboardLink", "dashboardLink", "externalLink"]
    assert [link["order"] for link in links] == [0, 1, 2]
    assert links[0]["options"] == {"openInNewTab": False, "useCurrentFilters": True, "useCurrentDateRange": True}
    assert links[1]["options"]["useCurrentFilters"] is False
    assert links[2]["destination"] == "https://example.org/runbook"
    assert links[2]["options"] == {"openInNewTab": True, "encodeUrl": True}
    refs = {r["name"]: (r["type"], r["id"]) for r in obj["references"]}
    assert refs == {f"link_{links[0]['id']}_dashboard": ("dashboard", "overview"),
                    f"link_{links[1]['id']}_dashboard": ("dashboard", "fleet-dash")}
    assert links[0]["destinationRefName"] == f"link_{links[0]['id']}_dashboard"
    assert compiled(tmp_path)["attributes"]["links"][0]["id"] == links[0]["id"]  # stable across builds


def test_export_reads_back_compact_links_keeping_the_ids_kibana_drew() -> None:
    obj = {"type": "links", "id": "related", "references": [
        {"type": "dashboard", "id": "overview", "name": "link_aa_dashboard"}],
        "attributes": {"title": "Related", "layout": "vertical", "links": [
            {"id": "bb", "type": "externalLink", "order": 1, "destination": "https://x", "options": {"encodeUrl": False}},
            {"id": "aa", "type": "dashboardLink", "order": 0, "destinationRefName": "link_aa_dashboard",
             "options": {"openInNewTab": False, "useCurrentFilters": True, "useCurrentDateRange": False}},
            {"id": "cc", "type": "externalLink", "order": 2, "destination": "https://y"}]}}
    data = LINKS.decompile(obj).data
    assert data["links"] == [{"dashboard": "overview", "use_current_date_range": False, "id": "aa"},
                             {"url": "https://x", "encode_url": False, "id": "bb"},
                             {"url": "https://y", "no_options": True, "id": "cc"}]
    entry = Entry(LINKS, "related", LINKS.model.model_validate(data), SourceFile("<decompiled>", data))
    again = LINKS.compile(entry, Project(root=Path("."), entries=[]))
    assert LINKS.normalise(again) == LINKS.normalise(obj)
    assert "options" not in again["attributes"]["links"][2]  # stored as Kibana had it, not filled in


def test_links_built_here_export_without_ids(tmp_path: Path) -> None:
    data = LINKS.decompile(compiled(tmp_path)).data
    assert all("id" not in link for link in data["links"])


def test_a_link_to_a_dashboard_not_in_the_repo_is_reported(tmp_path: Path) -> None:
    project = load(tmp_path, "title: R\nlinks:\n  - dashboard: missing\n")
    errors = [str(d) for d in project.diagnostics.items]
    assert any("links/related.yaml" in e and "missing" in e for e in errors), errors


@pytest.mark.parametrize(("text", "message"), [
    ("title: R\nlinks:\n  - label: nowhere\n", "exactly one of dashboard"),
    ("title: R\nlinks:\n  - url: https://x\n    use_current_filters: false\n", "only apply to dashboard links"),
    ("title: R\nlayout: diagonal\n", "layout"),
])
def test_malformed_links_are_errors_at_the_file(tmp_path: Path, text: str, message: str) -> None:
    errors = [str(d) for d in load(tmp_path, text).diagnostics.items]
    assert any("links/related.yaml" in e and message in e for e in errors), errors
