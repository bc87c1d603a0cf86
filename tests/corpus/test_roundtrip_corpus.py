"""The round-trip law on real Kibana objects: ``build(export(O))`` normalised equals ``O`` normalised.

For every 8.x object of ../shared/corpus (and the objects the 8.x dashboards reference), per package: write the
objects as one Kibana NDJSON export (JSON fields encoded back to strings, as ``elastic-package build`` does),
export it into a temp objects folder, load and build that folder, drop the ownership marker and compare each
object with its kind's ``normalise``. Also the GENESIS project: build -> export -> build gives the same objects.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from deepdiff import DeepDiff

from kibana_sync.export.from_file import read_build_dir, read_export_file
from kibana_sync.export.pipeline import ExportReport, export_objects
from kibana_sync.kibana.ownership import unmark_rule, unmark_saved_object
from kibana_sync.kibana.targets import DEFAULT_TARGET, TARGETS, unreadable
from kibana_sync.kinds.registry import all_kinds, kind_for_saved_object_type
from kibana_sync.project.build import compile_project, render, write_atomically
from kibana_sync.project.loader import load_project

pytestmark = pytest.mark.slow  # end to end or corpus-wide: run by the full suite, not the fast set

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"  # as conftest's corpus_dir


def encode_like_elastic_package_build(obj: dict[str, Any], decoded_fields: list[str]) -> dict[str, Any]:
    """Kibana's stored form of a decoded (elastic-package source) object: the fields MANIFEST's
    ``decoded_fields`` names (``searchSourceJSON`` lives in ``kibanaSavedObjectMeta``) as compact JSON strings."""
    attrs = json.loads(json.dumps(obj.get("attributes", {})))  # a deep copy
    for name in decoded_fields:
        path = ["kibanaSavedObjectMeta", name] if name == "searchSourceJSON" else name.split(".")
        parent = attrs
        for part in path[:-1]:
            parent = parent.get(part, {})
        if path[-1] in parent and not isinstance(parent[path[-1]], str):
            parent[path[-1]] = json.dumps(parent[path[-1]], separators=(",", ":"), sort_keys=True,
                                          ensure_ascii=False)
    return {**obj, "attributes": attrs}


@dataclass
class CorpusBatch:
    """Objects that go into one NDJSON file: one package, each (type, id) at most once."""

    name: str
    objects: list[dict[str, Any]] = field(default_factory=list)


def corpus_batches(corpus: Path) -> list[CorpusBatch]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    by_package: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_package[(row["source"], row["package"])].append(row)
    batches = []
    for (source, package), package_rows in sorted(by_package.items()):
        chosen = _eight_x_with_references(corpus, package_rows)
        # package-spec keeps an encoded and a decoded copy of the same dashboard: one per batch.
        seen: Counter[tuple[str, str]] = Counter()
        split: dict[int, CorpusBatch] = {}
        for obj in chosen:
            key = (obj["type"], obj["id"])
            n = seen[key]
            seen[key] += 1
            split.setdefault(n, CorpusBatch(f"{source}-{package}-{n}")).objects.append(obj)
        batches.extend(split.values())
    return batches


def _eight_x_with_references(corpus: Path, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    loaded = []
    for row in rows:
        obj = json.loads((corpus / row["local_path"]).read_text(encoding="utf-8"))
        if row["decoded_fields"]:
            obj = encode_like_elastic_package_build(obj, row["decoded_fields"].split(","))
        loaded.append((row, obj))
    wanted = {id(obj) for row, obj in loaded if row["version_bucket"].startswith("8.")}
    referenced = {(r["type"], r["id"]) for row, obj in loaded if id(obj) in wanted
                  for r in obj.get("references", [])}
    return [obj for row, obj in loaded if id(obj) in wanted or (obj["type"], obj["id"]) in referenced]


@dataclass
class Tally:
    exact: Counter[str] = field(default_factory=Counter)
    total: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)  # content of a newer Kibana, refused by export
    failures: list[str] = field(default_factory=list)
    lens_by_value: int = 0  # by-value Lens panels in the original dashboards
    lens_compact: int = 0  # ... of which the YAML says in the compact form (a panel with `chart:`)
    panels: int = 0  # dashboard panels in the written YAML
    panels_compact: int = 0  # ... of which not `raw:` (a library reference counts as compact)

    def table(self) -> str:
        lines = [f"{'type':<16}{'exact':>8}{'total':>8}{'share':>9}"]
        for type_ in sorted(self.total):
            lines.append(f"{type_:<16}{self.exact[type_]:>8}{self.total[type_]:>8}"
                         f"{self.exact[type_] / self.total[type_]:>9.1%}")
        if self.refused:
            lines.append(f"refused as newer than Kibana {DEFAULT_TARGET} (counted apart): {dict(self.refused)}")
        share = f"{self.lens_compact / self.lens_by_value:.1%}" if self.lens_by_value else "n/a"
        lines.append(f"by-value Lens panels written compactly: {self.lens_compact} of {self.lens_by_value} ({share})")
        panel_share = f"{self.panels_compact / self.panels:.1%}" if self.panels else "n/a"
        lines.append(f"dashboard panels written compactly: {self.panels_compact} of {self.panels} ({panel_share})")
        return "\n".join(lines)


def roundtrip_batch(batch: CorpusBatch, work: Path, tally: Tally) -> None:
    ndjson = work / f"{batch.name}.ndjson"
    ndjson.write_text("\n".join(json.dumps(o, sort_keys=True) for o in batch.objects), encoding="utf-8")
    report = ExportReport()
    export_objects(read_export_file(ndjson, report), work / batch.name, report)
    refused = {(o["type"], o["id"]) for o in batch.objects if unreadable(o, TARGETS[DEFAULT_TARGET])}
    tally.lens_by_value += sum(_by_value_lens_panels(o) for o in batch.objects
                               if o["type"] == "dashboard" and (o["type"], o["id"]) not in refused)
    tally.lens_compact += sum(_compact_lens_panels(w.path) for w in report.written if w.kind == "dashboard")
    for written in (w for w in report.written if w.kind == "dashboard"):
        panels = yaml.safe_load(written.path.read_text(encoding="utf-8")).get("panels", [])
        tally.panels += len(panels)
        tally.panels_compact += sum("raw" not in p for p in panels)
    built, problems = build_each(work / batch.name)
    files = {(w.type, w.id): str(w.path) for w in report.written}
    for original in batch.objects:
        kind = kind_for_saved_object_type(original["type"])
        if kind is None:
            continue
        key = (original["type"], original["id"])
        if key in refused:
            tally.refused[key[0]] += 1
            # refused cleanly: named in an error, nothing written for it
            if not any(key[1] in f.subject and "cannot read" in f.message for f in report.findings) \
                    or key in {(w.type, w.id) for w in report.written}:
                tally.failures.append(f"{batch.name}: {key[0]} {key[1]}: newer content not refused cleanly")
            continue
        tally.total[key[0]] += 1
        expected = kind.normalise(original)
        got = None if key not in built else kind.normalise(unmark_saved_object(built[key]))
        if got == expected:
            tally.exact[key[0]] += 1
            continue
        why = (str(DeepDiff(expected, got))[:300] if got is not None else
               "; ".join(problems.get(files.get(key, ""), []))[:300] or
               "; ".join(f"{f}" for f in report.findings if key[1] in f.subject)[:300] or "not written")
        tally.failures.append(f"{batch.name}: {key[0]} {key[1]}: {why}")


def _by_value_lens_panels(dashboard: dict[str, Any]) -> int:
    panels = json.loads(dashboard["attributes"].get("panelsJSON") or "[]")
    return sum(p.get("type") == "lens" and "attributes" in p.get("embeddableConfig", {}) for p in panels)


def _compact_lens_panels(path: Path) -> int:
    panels = yaml.safe_load(path.read_text(encoding="utf-8")).get("panels", [])
    return sum("chart" in p for p in panels)


def build_each(objects_dir: Path) -> tuple[dict[tuple[str, str], dict[str, Any]], dict[str, list[str]]]:
    """What ``build`` makes of each object (compiled one by one, so one broken object does not hide the
    others), and the errors per file for those that could not be built."""
    project = load_project(objects_dir)
    problems: dict[str, list[str]] = defaultdict(list)
    for diagnostic in project.diagnostics.errors:
        problems[diagnostic.file].append(str(diagnostic))
    built = {}
    for entry in project.entries:
        if entry.source.path in problems:
            continue
        try:
            compiled = entry.kind.compile(entry, project)
        except Exception as exc:  # a kind's bug: record it against this object and measure the others
            problems[entry.source.path].append(f"compile failed: {type(exc).__name__}: {exc}")
            continue
        built[(compiled["type"], compiled["id"])] = compiled
    return built, problems


@pytest.fixture(scope="module")
def corpus_tally(tmp_path_factory: pytest.TempPathFactory) -> Tally:
    # The corpus_dir fixture is function-scoped; this fixture runs the (slow) corpus once per module.
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    tally = Tally()
    work = tmp_path_factory.mktemp("corpus")
    for batch in corpus_batches(CORPUS):
        roundtrip_batch(batch, work, tally)
    print("\n" + tally.table())
    return tally


def test_every_8x_corpus_object_round_trips_exactly(corpus_tally: Tally) -> None:
    assert sum(corpus_tally.total.values()) > 0, "no 8.x object of a type kibana-sync knows is in the corpus"
    assert not corpus_tally.failures, (f"{len(corpus_tally.failures)} object(s) do not round-trip:\n"
                                       + "\n".join(corpus_tally.failures[:20]))
    assert corpus_tally.exact == corpus_tally.total


def test_most_by_value_lens_panels_are_written_compactly(corpus_tally: Tally) -> None:
    assert corpus_tally.lens_by_value > 0
    assert corpus_tally.lens_compact / corpus_tally.lens_by_value >= 0.85, corpus_tally.table()


def test_most_dashboard_panels_are_written_compactly(corpus_tally: Tally) -> None:
    # library references, by-value Lens, markdown, legacy visualizations and maps; not 6.x layouts and the
    # Lens charts the compact syntax cannot say
    assert corpus_tally.panels > 0
    assert corpus_tally.panels_compact / corpus_tally.panels >= 0.9, corpus_tally.table()


def test_corpus_batches_encode_decoded_sources_like_kibana_stores_them(corpus_dir: Path) -> None:
    # The law is about Kibana's stored form, so no batch may carry a decoded JSON field.
    for batch in corpus_batches(corpus_dir):
        for obj in batch.objects:
            attrs = obj.get("attributes", {})
            meta = attrs.get("kibanaSavedObjectMeta", {})
            for value in (attrs.get("panelsJSON"), attrs.get("visState"), meta.get("searchSourceJSON"),
                          attrs.get("fieldAttrs"), attrs.get("layerListJSON")):
                assert value is None or isinstance(value, str), (batch.name, obj["type"], obj["id"])


def test_genesis_build_exports_back_to_yaml_that_builds_the_same(genesis_objects: Path, tmp_path: Path) -> None:
    project = load_project(genesis_objects)
    assert project.ok, [str(d) for d in project.diagnostics.errors]
    first = compile_project(project)
    write_atomically(render(first), tmp_path / "dist")

    report = export_objects(read_build_dir(tmp_path / "dist", ExportReport()), tmp_path / "objects")
    assert not report.failed, [str(f) for f in report.findings]
    again = load_project(tmp_path / "objects")
    assert again.ok, [str(d) for d in again.diagnostics.errors]
    second = compile_project(again)

    kinds = {k.saved_object_type: k for k in all_kinds() if k.saved_object_type}
    assert {(o["type"], o["id"]) for o in second.saved_objects} == {(o["type"], o["id"]) for o in first.saved_objects}
    for before, after in zip(sorted(first.saved_objects, key=_key), sorted(second.saved_objects, key=_key),
                             strict=True):
        kind = kinds[before["type"]]
        assert kind.normalise(after) == kind.normalise(before), before["id"]
    rule_kind = next((k for k in all_kinds() if k.store == "rules"), None)
    assert set(second.rules) == set(first.rules)
    for id_, body in first.rules.items():
        assert rule_kind is not None
        assert rule_kind.normalise(unmark_rule(second.rules[id_])) == rule_kind.normalise(unmark_rule(body)), id_
    assert second.connectors == first.connectors


def _key(obj: dict[str, Any]) -> tuple[str, str]:
    return obj["type"], obj["id"]


def test_encoding_turns_the_named_decoded_fields_into_strings() -> None:
    decoded = {"type": "dashboard", "id": "d", "attributes": {
        "panelsJSON": [{"b": 1, "a": 2}], "title": "t", "kibanaSavedObjectMeta": {"searchSourceJSON": {"q": 1}},
        "controlGroupInput": {"panelsJSON": {}, "controlStyle": "oneLine"}}}
    encoded = encode_like_elastic_package_build(
        decoded, ["panelsJSON", "searchSourceJSON", "controlGroupInput.panelsJSON"])["attributes"]
    assert encoded["panelsJSON"] == '[{"a":2,"b":1}]'
    assert encoded["kibanaSavedObjectMeta"]["searchSourceJSON"] == '{"q":1}'
    assert encoded["controlGroupInput"] == {"panelsJSON": "{}", "controlStyle": "oneLine"}
    assert encoded["title"] == "t"
    assert decoded["attributes"]["panelsJSON"] == [{"b": 1, "a": 2}]  # the corpus object is left alone
