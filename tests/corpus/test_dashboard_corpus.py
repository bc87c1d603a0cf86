"""The dashboard kind against real Kibana 8.x dashboards of the corpus (../shared/corpus, read-only).

Round-trip law: ``normalise(compile(decompile(O))) == normalise(O)`` for every 8.x dashboard, where compile
runs on an Entry built straight from the decompiled YAML data. And the shape law: what we compile for GENESIS
has the keys Kibana itself writes, at dashboard, panel and gridData level.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from deepdiff import DeepDiff

from kibana_sync.kibana.format import loads_embedded
from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.dashboard.kind import DashboardKind
from kibana_sync.project.loader import Project, load_project
from kibana_sync.source.yaml_reader import SourceFile

pytestmark = pytest.mark.slow  # end to end or corpus-wide: run by the full suite, not the fast set

KIND = DashboardKind()
SERVER_KEYS = {"created_at", "created_by", "updated_at", "updated_by", "version", "namespaces", "migrationVersion",
               "sort"}


def corpus_objects(corpus_dir: Path, types: tuple[str, ...] = ("dashboard",)) -> list[tuple[str, dict[str, Any]]]:
    with (corpus_dir / "MANIFEST.tsv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t")
                if r["type"] in types and r["version_bucket"].startswith("8")]
    return [(r["local_path"], json.loads((corpus_dir / r["local_path"]).read_text(encoding="utf-8"))) for r in rows]


def compile_decompiled(data: dict[str, Any]) -> dict[str, Any]:
    model = KIND.model.model_validate(data)
    entry = Entry(KIND, data["id"], model, SourceFile("export.yaml", data))
    return KIND.compile(entry, Project(root=Path("."), entries=[entry]))


def test_every_8x_corpus_dashboard_round_trips_exactly(corpus_dir: Path) -> None:
    dashboards = corpus_objects(corpus_dir)
    assert len(dashboards) > 200
    failures, compact, raw = [], 0, 0
    for path, original in dashboards:
        decompiled = KIND.decompile(original)
        compact, raw = compact + decompiled.compact_parts, raw + decompiled.raw_parts
        expected, got = KIND.normalise(original), KIND.normalise(compile_decompiled(decompiled.data))
        if got != expected:  # DeepDiff only to explain a failure: it is slow on large equal objects
            failures.append(f"{path}: {str(DeepDiff(expected, got))[:400]}")
    print(f"\n{len(dashboards) - len(failures)}/{len(dashboards)} corpus 8.x dashboards round-trip exactly; "
          f"panels compact {compact}, raw {raw} ({compact / max(compact + raw, 1):.0%} compact)")
    assert not failures, "\n".join(failures[:10])


def test_dashboards_of_every_era_write_most_panels_compactly(corpus_dir: Path) -> None:
    with (corpus_dir / "MANIFEST.tsv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["type"] == "dashboard" and r["json_valid"] == "yes"]
    counts: Counter[tuple[str, bool]] = Counter()
    for row in rows:
        obj = json.loads((corpus_dir / row["local_path"]).read_text(encoding="utf-8"))
        if not isinstance(obj["attributes"].get("panelsJSON"), str):
            continue  # elastic-package sources keep it decoded; the round-trip corpus test encodes them
        era = "8.x" if row["version_bucket"].startswith("8") else "pre-8"
        counts.update((era, "raw" not in p) for p in KIND.decompile(obj).data.get("panels", []))
    shares = {era: counts[(era, True)] / (counts[(era, True)] + counts[(era, False)]) for era in ("8.x", "pre-8")}
    print(f"\ncompact dashboard panels: {dict(counts)}; shares {shares}")
    assert all(share >= 0.9 for share in shares.values()), shares  # 95% in both eras when this was written


def test_markdown_and_saved_search_panels_of_the_corpus_decompile_compactly(corpus_dir: Path) -> None:
    kinds: Counter[str] = Counter()
    for _, original in corpus_objects(corpus_dir):
        for panel in KIND.decompile(original).data.get("panels", []):
            kinds.update(k for k in ("markdown", "search", "chart", "raw") if k in panel)
    assert kinds["markdown"] >= 100  # 134 by-value markdown panels in the dev corpus
    assert kinds["search"] >= 50  # 62 saved-search panels with Kibana's reference naming


# --- the shape of what we compile, against Kibana's own 8.x dashboards ----------------------------------------

def _shapes(dashboards: list[tuple[str, dict[str, Any]]]) -> dict[str, set[Any]]:
    shapes: dict[str, set[Any]] = {k: set() for k in ("object", "attributes", "panel", "config", "grid", "vis")}
    for _, o in dashboards:
        if "typeMigrationVersion" not in o:
            continue  # pre-8.8 envelopes use migrationVersion
        shapes["object"].add(frozenset(o) - SERVER_KEYS)
        shapes["attributes"].add(frozenset(o["attributes"]))
        for p in loads_embedded(o["attributes"]["panelsJSON"]):
            shapes["panel"].add((p.get("type"), frozenset(p) - {"version"}))
            shapes["config"].add((p.get("type"), frozenset(p.get("embeddableConfig", {}))))
            shapes["grid"].add(frozenset(p.get("gridData", {})))
            vis = p.get("embeddableConfig", {}).get("savedVis")
            if vis:
                shapes["vis"].add((frozenset(vis), frozenset(vis.get("params", {}))))
    return shapes


def test_compact_filters_have_the_shape_of_the_corpus_filters(corpus_dir: Path) -> None:
    real = set()
    for _, o in corpus_objects(corpus_dir, types=("dashboard", "search", "visualization")):
        source = loads_embedded(o["attributes"].get("kibanaSavedObjectMeta", {}).get("searchSourceJSON", "{}"))
        for f in source.get("filter", []) if isinstance(source, dict) else []:
            real.add((f["meta"].get("type"), frozenset(f), frozenset(f["meta"]), frozenset(f.get("query", {}))))
    data = {"id": "d", "title": "D", "data_view": "logs-*",
            "filters": [{"field": "a", "is": "x"}, {"field": "a", "is_one_of": ["x", "y"]}, {"field": "a", "exists": True}]}
    source = loads_embedded(compile_decompiled(data)["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    for f in source["filter"]:
        assert (f["meta"]["type"], frozenset(f), frozenset(f["meta"]), frozenset(f["query"])) in real


def test_most_corpus_dashboard_filters_decompile_compactly(corpus_dir: Path) -> None:
    kinds = Counter("compact" if "field" in f and "meta" not in f else "raw" for _, o in corpus_objects(corpus_dir)
                    for f in KIND.decompile(o).data.get("filters", []))
    # 116 compact, 21 verbatim in the dev corpus: 11 of those keep a `meta.field` the compact syntax cannot say
    assert kinds["compact"] >= 100 and kinds["compact"] > 5 * kinds["raw"]


@pytest.fixture(scope="module")
def genesis_compiled() -> list[dict[str, Any]]:
    project = load_project(Path(__file__).resolve().parents[2] / "objects")
    assert project.ok, [str(d) for d in project.diagnostics.errors]
    return [KIND.compile(e, project) for e in project.of_kind("dashboard")]


def test_genesis_dashboards_have_the_keys_kibana_8_writes(corpus_dir: Path,
                                                          genesis_compiled: list[dict[str, Any]]) -> None:
    real = _shapes(corpus_objects(corpus_dir))
    assert len(genesis_compiled) == 3
    for dashboard in genesis_compiled:
        assert frozenset(dashboard) in real["object"]
        assert frozenset(dashboard["attributes"]) - {"timeFrom", "timeTo", "refreshInterval"} <= \
            set().union(*real["attributes"])
        for key in ("panelsJSON", "optionsJSON"):
            assert isinstance(dashboard["attributes"][key], str)
        assert isinstance(dashboard["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"], str)
        for panel in json.loads(dashboard["attributes"]["panelsJSON"]):
            assert (panel["type"], frozenset(panel)) in real["panel"]
            assert (panel["type"], frozenset(panel["embeddableConfig"])) in real["config"]
            assert frozenset(panel["gridData"]) in real["grid"]


def test_genesis_time_settings_match_a_real_time_restoring_dashboard(corpus_dir: Path,
                                                                     genesis_compiled: list[dict[str, Any]]) -> None:
    restoring = [o["attributes"] for _, o in corpus_objects(corpus_dir) if o["attributes"].get("timeRestore")]
    assert restoring, "the corpus has dashboards that store their time range"
    real_keys = {frozenset(a) & {"timeFrom", "timeTo", "refreshInterval"} for a in restoring}
    real_refresh_keys = {frozenset(a["refreshInterval"]) for a in restoring if "refreshInterval" in a}
    for dashboard in genesis_compiled:
        attrs = dashboard["attributes"]
        assert attrs["timeRestore"] is True
        assert frozenset(attrs) & {"timeFrom", "timeTo", "refreshInterval"} in real_keys
        assert frozenset(attrs["refreshInterval"]) in real_refresh_keys


def test_compiled_markdown_panel_has_the_shape_of_a_real_one(corpus_dir: Path) -> None:
    real = _shapes(corpus_objects(corpus_dir))
    data = {"id": "d", "title": "Notes", "panels": [{"markdown": "# Hello", "w": 48, "h": 4}]}
    panel = json.loads(compile_decompiled(data)["attributes"]["panelsJSON"])[0]
    vis = panel["embeddableConfig"]["savedVis"]
    assert (frozenset(vis), frozenset(vis["params"])) in real["vis"]
    assert ("visualization", frozenset(panel["embeddableConfig"])) in real["config"]
