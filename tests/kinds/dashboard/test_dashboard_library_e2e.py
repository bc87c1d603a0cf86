"""A dashboard whose panels are a library visualization, library Lens, a map, a links panel, a saved search, a
by-value legacy visualization and a Lens chart, with controls and drilldowns, against the Kibana emulator:
push into an empty Kibana, ``diff`` right after exits 0, and ``export`` gives back YAML that pushes with
nothing to do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from kibana_emulator import KibanaEmulator, serve

from kibana_sync.cli.main import main
from kibana_sync.kibana.ownership import unmark_saved_object
from kibana_sync.kinds.dashboard.kind import DashboardKind
from kibana_sync.project.build import compile_project
from kibana_sync.project.loader import load_project

pytestmark = pytest.mark.slow  # end to end

FILES = {
    "data_views/logs.yaml": "id: logs\nindex_pattern: logs-*\ntime_field: '@timestamp'\n"
                            "fields: {host.name: keyword, bytes: long, geo.location: geo_point}\n",
    "searches/errors.yaml": "id: errors\ntitle: Errors\ndata_view: logs\nquery: 'bytes > 0'\n",
    "visualizations/hosts-pie.yaml": "id: hosts-pie\ntitle: Hosts\ntype: pie\ndata_view: logs\nmetrics: [count]\n"
                                     "buckets: [{terms: host.name, size: 5}]\n",
    "lenses/traffic.yaml": "id: traffic\ntitle: Traffic by host\ndata_view: logs\nchart: bar_stacked\n"
                           "x: '@timestamp'\nbreakdown: {terms: host.name}\nmetric: sum(bytes)\n",
    "maps/visitors.yaml": "id: visitors\ntitle: Visitors\nlayers:\n  - id: docs\n    type: GEOJSON_VECTOR\n"
                          "    sourceDescriptor: {type: ES_SEARCH, geoField: geo.location, indexPatternId: logs}\n"
                          "map_state: {zoom: 2, center: {lon: 0, lat: 0}}\n",
    "links/nav.yaml": "id: nav\ntitle: Navigation\nlayout: horizontal\nlinks:\n  - dashboard: detail\n",
    "dashboards/detail.yaml": "id: detail\ntitle: Detail\n",
    "dashboards/overview.yaml": """\
id: overview
title: Overview
data_view: logs
time: {from: now-24h, to: now}
controls:
  - {options_list: host.name, title: Host}
  - {range_slider: bytes}
  - {time_slider: true}
control_group: {chaining: NONE}
panels:
  - {title: Navigation, links: nav, w: 48, h: 4}
  - {title: Hosts, visualization: hosts-pie}
  - {title: Traffic, lens: traffic, drilldowns: [{to_dashboard: detail, name: Detail}]}
  - {title: Visitors, map: visitors}
  - {title: Errors, search: errors}
  - title: Hosts by value
    vis: {type: pie, data_view: logs, metrics: [count], buckets: [{terms: host.name, size: 3}]}
  - title: Bytes
    chart: metric
    metric: sum(bytes)
    drilldowns: [{url: "https://example.org/{{event.value}}", name: Runbook, new_tab: true}]
""",
}


def cli(url: str | None, *args: str) -> Result:
    unset = {k: None for k in os.environ if k.startswith("KIBANA")}
    env = {**unset, "KIBANA_URL": url, "KIBANA_USERNAME": "elastic", "KIBANA_PASSWORD": "changeme"} if url else unset
    result = CliRunner().invoke(main, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_a_dashboard_of_every_panel_type_pushes_and_diffs_clean(tmp_path: Path) -> None:
    tree = tmp_path / "objects"
    for rel, text in FILES.items():
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text(text, encoding="utf-8")
    validated = cli(None, "validate", "--objects", str(tree))
    assert validated.exit_code == 0, validated.output
    built = {o["id"]: o for o in compile_project(load_project(tree)).saved_objects if o["type"] == "dashboard"}

    emulator = KibanaEmulator()
    with serve(emulator) as url:
        pushed = cli(url, "push", "--objects", str(tree))
        assert pushed.exit_code == 0, pushed.output
        diffed = cli(url, "diff", "--objects", str(tree))
        assert diffed.exit_code == 0, diffed.output
        exported = tmp_path / "exported"
        done = cli(url, "export", "--all", "--out", str(exported))
        assert done.exit_code == 0, done.output
        stored = emulator.get_object("dashboard", "overview")
        assert stored is not None
        kind = DashboardKind()
        assert kind.normalise(unmark_saved_object(stored)) == kind.normalise(unmark_saved_object(built["overview"]))

        [overview] = [p for p in (exported / "dashboards").glob("*.yaml")
                      if yaml.safe_load(p.read_text(encoding="utf-8"))["title"] == "Overview"]
        data = yaml.safe_load(overview.read_text(encoding="utf-8"))
        keys = [next(k for k in ("links", "visualization", "lens", "map", "search", "vis", "chart", "raw")
                     if k in p) for p in data["panels"]]
        assert keys == ["links", "visualization", "lens", "map", "search", "vis", "chart"]
        assert [next(iter(c)) for c in data["controls"]] == ["options_list", "range_slider", "time_slider"]
        assert data["control_group"] == {"chaining": "NONE"}
        assert data["panels"][2]["drilldowns"][0]["name"] == "Detail"

    with serve(KibanaEmulator()) as empty:  # what export wrote pushes into an empty space and is then in sync
        repushed = cli(empty, "push", "--objects", str(exported))
        assert repushed.exit_code == 0, repushed.output
        rediffed = cli(empty, "diff", "--objects", str(exported))
        assert rediffed.exit_code == 0, rediffed.output
