"""Older (7.x and earlier) corpus objects: not the compact form's target, but export must lose nothing.

Whatever the compact YAML cannot say is kept raw, so ``normalise(compile(decompile(O))) == normalise(O)`` holds for
them too; e.g. Kibana 7.0 dashboards whose panels still use the 6.x ``col/row/size_x/size_y`` layout.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.registry import kind_for_saved_object_type
from kibana_sync.project.loader import Project
from kibana_sync.source.yaml_reader import SourceFile

pytestmark = pytest.mark.slow  # end to end or corpus-wide: run by the full suite, not the fast set

TYPES = ("dashboard", "search", "index-pattern")


def older_objects(corpus_dir: Path) -> list[tuple[str, dict]]:
    with (corpus_dir / "MANIFEST.tsv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t")
                if r["type"] in TYPES and r["json_valid"] == "yes" and not r["version_bucket"].startswith("8")]
    return [(r["local_path"], json.loads((corpus_dir / r["local_path"]).read_text(encoding="utf-8"))) for r in rows]


def round_trip(obj: dict) -> dict:
    kind = kind_for_saved_object_type(obj["type"])
    data = kind.decompile(obj).data
    entry = Entry(kind, data["id"], kind.model.model_validate(data), SourceFile("export.yaml", data))
    return kind.compile(entry, Project(root=Path("."), entries=[entry]))


def test_every_pre_8_corpus_object_round_trips_through_raw_passthrough(corpus_dir: Path) -> None:
    objects = older_objects(corpus_dir)
    assert len(objects) > 500
    failures = []
    for path, obj in objects:
        kind = kind_for_saved_object_type(obj["type"])
        if kind.normalise(round_trip(obj)) != kind.normalise(obj):
            failures.append(path)
    assert not failures, failures[:10]


def test_a_6x_layout_panel_stays_without_a_grid(corpus_dir: Path) -> None:
    path = corpus_dir / "kibana-objects/rock-dashboards/rock/dashboard/34f2bfe0-7bc4-11e7-b629-a97b0307bf20.json"
    if not path.exists():
        pytest.skip("rock dashboard not in this corpus")
    compiled = round_trip(json.loads(path.read_text(encoding="utf-8")))
    panels = json.loads(compiled["attributes"]["panelsJSON"])
    assert all("gridData" not in p and {"col", "row", "size_x", "size_y"} <= set(p) for p in panels)
