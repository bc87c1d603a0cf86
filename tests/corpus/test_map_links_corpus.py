"""Every ``map`` and ``links`` object of ../shared/corpus (encoded and decoded containers, 7.x and 8.x) goes
through export -> build and comes back equal after normalising, and is written in the structured YAML form."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.registry import kind_named
from kibana_sync.project.loader import Project
from kibana_sync.source.yaml_reader import SourceFile

pytestmark = pytest.mark.slow  # end to end or corpus-wide: run by the full suite, not the fast set


def objects_of(corpus: Path, type_: str) -> list[tuple[str, dict[str, Any]]]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as manifest:
        rows = [r for r in csv.DictReader(manifest, delimiter="\t") if r["type"] == type_ and r["json_valid"] == "yes"]
    found = []
    for row in rows:
        text = (corpus / row["local_path"]).read_text(encoding="utf-8")
        found.append((row["local_path"], json.loads(text.splitlines()[0] if text.startswith("{\"") else text)))
    return found


@pytest.mark.parametrize(("type_", "expected"), [("map", 12), ("links", 5)])
def test_every_corpus_object_round_trips_exactly_in_structured_yaml(corpus_dir: Path, type_: str,
                                                                    expected: int) -> None:
    kind = kind_named(type_)
    objects = objects_of(corpus_dir, type_)
    assert len(objects) == expected
    broken, escaped = [], []
    for where, obj in objects:
        data = kind.decompile(obj).data
        if not _structured(type_, obj, data):
            escaped.append(where)
        entry = Entry(kind, data["id"], kind.model.model_validate(data), SourceFile("export.yaml", data))
        if kind.normalise(kind.compile(entry, Project(root=Path("."), entries=[entry]))) != kind.normalise(obj):
            broken.append(where)
    print(f"\n{type_}: {len(objects) - len(broken)}/{len(objects)} exact, {len(objects) - len(escaped)}/"
          f"{len(objects)} structured (decoded layers/state, compact links)")
    assert broken == []
    assert escaped == []


def _structured(type_: str, obj: dict[str, Any], data: dict[str, Any]) -> bool:
    """The YAML holds decoded structures where Kibana holds JSON strings (maps) or link lists (links)."""
    attributes = obj["attributes"]
    if type_ == "links":
        return all(("dashboard" in link or "url" in link) and "raw" not in link for link in data["links"])
    return all(isinstance(data.get(key), (list, dict)) for attribute, key in (
        ("layerListJSON", "layers"), ("mapStateJSON", "map_state"), ("uiStateJSON", "ui_state"))
        if attribute in attributes)
