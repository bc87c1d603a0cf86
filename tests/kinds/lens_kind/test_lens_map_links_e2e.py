"""Library Lens (data view and ES|QL), a map and links against the Kibana emulator: push, then ``diff`` finds
nothing to do; ``export`` writes them back as YAML that pushes to an empty space with nothing to do either."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from kibana_emulator import KibanaEmulator, serve

from kibana_sync.cli.main import main

pytestmark = pytest.mark.slow  # end to end or corpus-wide: run by the full suite, not the fast set

FILES = {
    "data_views/logs.yaml": "id: logs\nindex_pattern: logs-*\ntime_field: '@timestamp'\n"
                            "fields: {host.name: keyword, bytes: long, geo.location: geo_point}\n",
    "lenses/traffic.yaml": "title: Traffic by host\ndata_view: logs\nchart: bar_stacked\nx: '@timestamp'\n"
                           "breakdown: {terms: host.name}\nmetric: sum(bytes)\n",
    "lenses/top-hosts.yaml": "title: Top hosts\nchart: table\nesql: |\n  FROM logs-*\n  | STATS c = COUNT(*) BY host.name\n"
                             "rows: [host.name]\nmetric: c\n",
    "maps/visitors.yaml": "title: Visitors\nlayers:\n  - id: docs\n    type: GEOJSON_VECTOR\n"
                          "    sourceDescriptor: {type: ES_SEARCH, geoField: geo.location, indexPatternId: logs}\n"
                          "map_state: {zoom: 2, center: {lon: 0, lat: 0}}\n",
    "links/nav.yaml": "title: Navigation\nlayout: horizontal\nlinks:\n  - dashboard: overview\n"
                      "  - url: https://example.org/runbook\n    label: Runbook\n    open_in_new_tab: true\n",
    "dashboards/overview.yaml": "id: overview\ntitle: Overview\n",
}


@pytest.fixture
def url() -> Iterator[str]:
    with serve(KibanaEmulator()) as served:
        yield served


def cli(url: str, *args: str) -> Result:
    unset = {k: None for k in os.environ if k.startswith("KIBANA")}
    env = {**unset, "KIBANA_URL": url, "KIBANA_USERNAME": "elastic", "KIBANA_PASSWORD": "changeme"}
    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_push_then_diff_is_in_sync_and_export_reads_the_same_yaml_back(url: str, tmp_path: Path) -> None:
    tree = tmp_path / "objects"
    for rel, text in FILES.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(text)
    pushed = cli(url, "push", "--objects", str(tree))
    assert pushed.exit_code == 0, pushed.output
    diffed = cli(url, "diff", "--objects", str(tree))
    assert diffed.exit_code == 0 and "In sync" in diffed.output, diffed.output

    exported = tmp_path / "exported"
    done = cli(url, "export", "--all", "--out", str(exported))
    assert done.exit_code == 0, done.output
    by_title = {data["title"]: data for data in
                (yaml.safe_load(p.read_text()) for p in (exported / "lenses").glob("*.yaml"))}
    assert set(by_title) == {"Traffic by host", "Top hosts"}
    assert by_title["Traffic by host"]["chart"] == "bar_stacked"  # compact, not raw state
    assert by_title["Top hosts"]["esql"].startswith("FROM logs-*")
    (map_file,) = (exported / "maps").glob("*.yaml")
    assert yaml.safe_load(map_file.read_text())["layers"][0]["sourceDescriptor"]["indexPatternId"] == "logs"
    (links_file,) = (exported / "links").glob("*.yaml")
    assert yaml.safe_load(links_file.read_text())["links"][0] == {"dashboard": "overview"}
    again = cli(url, "diff", "--objects", str(exported))
    assert again.exit_code == 0 and "In sync" in again.output, again.output
