"""The visualization kind against every legacy visualization of the corpus (../shared/corpus, read-only), 7.x and
8.x, encoded (JSON strings) and decoded (elastic-package source files) alike.

Round-trip law: ``normalise(compile(decompile(O))) == normalise(O)`` for every object, where compile runs on an
Entry built straight from the decompiled YAML data (after a trip through the YAML text, as export writes it).
Re-export law: exporting what was pushed writes the same YAML text, so an unchanged Kibana changes no file.
The share written in the compact form is printed and held to a floor measured on the dev corpus.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from deepdiff import DeepDiff

from kibana_sync.kibana.format import loads_embedded
from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.visualization.kind import VisualizationKind
from kibana_sync.source.yaml_reader import SourceFile
from kibana_sync.source.yaml_writer import dump_yaml

pytestmark = pytest.mark.slow  # corpus-wide: run by the full suite, not the fast set

KIND = VisualizationKind()
COMPACT_FLOOR = 0.55  # measured: 1021 of 1847 (55.3%) on the dev corpus
COMPACT_TYPE_FLOOR = 0.70  # of the types the compact form covers; measured 1021 of 1441 (70.9%)


def visualizations(corpus_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    paths = sorted((corpus_dir / "kibana-objects").glob("*/*/visualization/*.json"))
    return [(str(p.relative_to(corpus_dir)), json.loads(p.read_text(encoding="utf-8"))) for p in paths]


def compile_yaml(data: dict[str, Any]) -> dict[str, Any]:
    data = yaml.safe_load(dump_yaml(data))  # what a person finds in objects/visualizations/ after export
    entry = Entry(KIND, data["id"], KIND.model.model_validate(data), SourceFile("export.yaml", data))
    return KIND.compile(entry, None)


def test_every_corpus_visualization_round_trips_exactly(corpus_dir: Path) -> None:
    objects = visualizations(corpus_dir)
    assert len(objects) >= 1847
    failures: list[str] = []
    rewritten: list[str] = []
    compact, by_type, compact_by_type = 0, Counter[str](), Counter[str]()
    listeners_only = 0  # compact but for the 7.x leftover `listeners: {}` kept in raw_vis_state
    for path, original in objects:
        decompiled = KIND.decompile(json.loads(json.dumps(original)))
        vis_type = decompiled.data["type"]
        by_type[vis_type] += 1
        compact_by_type[vis_type] += decompiled.compact_parts
        compact += decompiled.compact_parts
        listeners_only += _compact_but_for_listeners(decompiled.data)
        pushed = compile_yaml(decompiled.data)
        expected, got = KIND.normalise(original), KIND.normalise(pushed)
        if dump_yaml(KIND.decompile(pushed).data) != dump_yaml(decompiled.data):
            rewritten.append(path)
        if got != expected:  # DeepDiff only to explain a failure
            failures.append(f"{path}: {str(DeepDiff(expected, got))[:400]}")
    covered = sum(n for t, n in by_type.items() if t in COMPACT_TYPES)
    print(f"\n{len(objects) - len(failures)}/{len(objects)} corpus visualizations round-trip exactly; "
          f"compact {compact}/{len(objects)} ({compact / len(objects):.1%}), "
          f"{compact}/{covered} ({compact / covered:.1%}) of the types the compact form covers")
    print(f"  {listeners_only} more are compact but for the 7.x leftover `raw_vis_state: {{listeners: {{}}}}`")
    print("  " + ", ".join(f"{t} {compact_by_type[t]}/{n}" for t, n in by_type.most_common()))
    assert not failures, "\n".join(failures[:10])
    assert not rewritten, rewritten[:10]
    assert compact / len(objects) >= COMPACT_FLOOR
    assert compact / covered >= COMPACT_TYPE_FLOOR


def test_every_corpus_visualization_is_pushed_as_kibana_stored_it(corpus_dir: Path) -> None:
    """Stricter than the law above: no normalising at all. The aggs in their stored order, the params the object
    stored (defaults included, none it lacked), visState/uiState/searchSource keys present or absent as stored."""
    wrong = []
    for path, original in visualizations(corpus_dir):
        pushed = compile_yaml(KIND.decompile(json.loads(json.dumps(original))).data)
        if _decoded(pushed) != _decoded(original):
            wrong.append(f"{path}: {str(DeepDiff(json.loads(_decoded(original)), json.loads(_decoded(pushed))))[:300]}")
    assert not wrong, "\n".join(wrong[:10])


def _decoded(obj: dict[str, Any]) -> str:
    """Attributes and references with the embedded JSON decoded, as JSON text (so true and 1 differ)."""
    attrs = dict(obj["attributes"])
    for key in ("visState", "uiStateJSON"):
        if key in attrs:
            attrs[key] = loads_embedded(attrs[key])
    meta = attrs.get("kibanaSavedObjectMeta")
    if isinstance(meta, dict) and "searchSourceJSON" in meta:
        attrs["kibanaSavedObjectMeta"] = {**meta, "searchSourceJSON": loads_embedded(meta["searchSourceJSON"])}
    refs = sorted(obj.get("references", []), key=lambda r: json.dumps(r, sort_keys=True))
    return json.dumps({"attributes": attrs, "references": refs}, sort_keys=True)


def _compact_but_for_listeners(data: dict[str, Any]) -> bool:
    raw = [k for k in data if k.startswith("raw_") or k == "aggs"]
    return data["type"] in COMPACT_TYPES and raw == ["raw_vis_state"] and data["raw_vis_state"] == {"listeners": {}} \
        and all(isinstance(f, dict) and "meta" not in f for f in data.get("filters", []))


def test_every_compact_visualization_of_the_corpus_has_no_raw_part(corpus_dir: Path) -> None:
    for path, original in visualizations(corpus_dir):
        decompiled = KIND.decompile(original)
        if decompiled.compact_parts:
            assert not any(k.startswith("raw_") or k == "aggs" for k in decompiled.data), path


COMPACT_TYPES = frozenset({"markdown", "metric", "pie", "line", "area", "histogram", "horizontal_bar", "table",
                           "tagcloud", "gauge", "goal", "input_control_vis"})
