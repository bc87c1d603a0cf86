"""Issue 9: the corpus migration round trip (Kibana -> export --all -> push into an empty space -> compare).

Fast tests check the comparer itself on small hand-made objects; the slow tests run the whole round trip per
corpus source and assert the targets: 100% of the expected objects of every type present after the round trip,
>= 99% of them equal, every package pushes. See README.md in this folder for what is compared.
"""

from __future__ import annotations

import copy
import json

import pytest

from migration.compare import canonical, compare
from migration.harness import CORPUS, era, importable, load_manifest, packages, run_all, summarise

# ------------------------------------------------------------------------------------------ comparer, fast


def _lens_state(layer: str, cols: tuple[str, str]) -> dict:
    x, y = cols
    return {
        "visualization": {"preferredSeriesType": "line", "layers": [
            {"layerId": layer, "layerType": "data", "seriesType": "line", "xAccessor": x, "accessors": [y],
             "yConfig": [{"forAccessor": y, "axisMode": "left"}]}]},
        "query": {"query": "", "language": "kuery"}, "filters": [],
        "datasourceStates": {"formBased": {"layers": {layer: {
            "columns": {
                x: {"label": "@timestamp", "dataType": "date", "operationType": "date_histogram",
                    "sourceField": "@timestamp", "isBucketed": True, "scale": "interval",
                    "params": {"interval": "auto"}},
                y: {"label": "Count", "dataType": "number", "operationType": "count", "sourceField": "___records___",
                    "isBucketed": False, "scale": "ratio"}},
            "columnOrder": [x, y], "incompleteColumns": {}}}}},
        "internalReferences": [], "adHocDataViews": {}}


def _lens(layer: str, cols: tuple[str, str], **extra) -> dict:
    return {"type": "lens", "id": "l1", "attributes": {"title": "L", "visualizationType": "lnsXY",
                                                       "state": _lens_state(layer, cols)},
            "references": [{"type": "index-pattern", "id": "dv",
                            "name": f"indexpattern-datasource-layer-{layer}"}], **extra}


def _dashboard(panels: list, refs: list | None = None, **attributes) -> dict:
    return {"type": "dashboard", "id": "d1",
            "attributes": {"title": "D", "panelsJSON": json.dumps(panels), "optionsJSON": "{}", **attributes},
            "references": refs or []}


def _vis(params: dict, type_: str = "markdown", **extra) -> dict:
    return {"type": "visualization", "id": "v1", "attributes": {
        "title": "V", "uiStateJSON": "{}", "description": "",
        "visState": json.dumps({"title": "V", "type": type_, "params": params, "aggs": []}), **extra},
        "references": []}


def test_a_real_difference_is_seen_with_its_path():
    a = _dashboard([{"type": "visualization", "panelIndex": "1", "title": "Errors"}])
    b = _dashboard([{"type": "visualization", "panelIndex": "1", "title": "Warnings"}])
    differences = compare(a, b)
    assert [d.path for d in differences] == ["attributes.panelsJSON.<json>[0].title"]
    assert compare(a, copy.deepcopy(a)) == []


def test_lens_layer_and_column_ids_are_set_aside():
    a = _lens("3f1c9a", ("c-x", "c-y"))
    b = _lens("layer1", ("col-a", "col-b"))
    assert compare(a, b) == []
    assert canonical(a)["references"][0]["name"] == "indexpattern-datasource-layer-layer0"


def test_lens_ids_in_a_by_value_panel_and_its_prefixed_dashboard_reference():
    def dashboard(layer: str, cols: tuple[str, str]) -> dict:
        attributes = {"title": "", "visualizationType": "lnsXY", "type": "lens", "state": _lens_state(layer, cols),
                      "references": [{"type": "index-pattern", "id": "dv",
                                      "name": f"indexpattern-datasource-layer-{layer}"}]}
        panel = {"type": "lens", "panelIndex": "p1", "gridData": {"x": 0, "y": 0, "w": 24, "h": 15, "i": "p1"},
                 "embeddableConfig": {"attributes": attributes}}
        return _dashboard([panel], [{"type": "index-pattern", "id": "dv",
                                     "name": f"p1:indexpattern-datasource-layer-{layer}"}])
    assert compare(dashboard("aaa", ("x1", "y1")), dashboard("bbb", ("x2", "y2"))) == []
    # the reference still has to point at the same data view
    other = dashboard("bbb", ("x2", "y2"))
    other["references"][0]["id"] = "another-view"
    assert [d.path for d in compare(dashboard("aaa", ("x1", "y1")), other)] == ["references[0].id"]


def test_a_lens_column_order_change_is_a_difference():
    a = _lens("L", ("x", "y"))
    b = _lens("L", ("x", "y"))
    b["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]["L"]["columnOrder"] = ["y", "x"]
    assert any("columnOrder" in d.path for d in compare(a, b))


def test_a_lens_column_pointing_elsewhere_is_a_difference():
    a = _lens("L", ("x", "y"))
    b = _lens("L", ("x", "y"))
    b["attributes"]["state"]["visualization"]["layers"][0]["accessors"] = ["x"]
    assert compare(a, b)


def test_documented_vis_defaults_are_filled_and_only_those():
    # addendum 1.3/1.4: markdown's fontSize defaults to 12 when missing from params
    assert compare(_vis({"markdown": "# hi"}), _vis({"markdown": "# hi", "fontSize": 12})) == []
    assert compare(_vis({"markdown": "# hi"}), _vis({"markdown": "# hi", "fontSize": 14}))
    # only top-level keys are filled (1.3 "shallowly"): a partial nested object is not completed
    assert compare(_vis({"metric": {"percentageMode": False}}, "metric"),
                   _vis({}, "metric"))
    # pie legendDisplay's default is only inferred (1.4): not filled
    assert compare(_vis({}, "pie"), _vis({"legendDisplay": "hide"}, "pie"))
    # nothing documents `hits` on a dashboard: absent and 0 differ
    assert compare(_dashboard([], hits=0), _dashboard([]))


def test_documented_control_group_defaults():
    bare = _dashboard([], controlGroupInput={"panelsJSON": json.dumps(
        {"c1": {"type": "optionsListControl", "order": 0, "explicitInput": {"id": "c1", "fieldName": "f"}}})})
    full = _dashboard([], controlGroupInput={
        "controlStyle": "oneLine", "chainingSystem": "HIERARCHICAL",
        "ignoreParentSettingsJSON": json.dumps({"ignoreFilters": False, "ignoreQuery": False,
                                                "ignoreTimerange": False, "ignoreValidations": False}),
        "panelsJSON": json.dumps({"c1": {"type": "optionsListControl", "order": 0, "width": "medium",
                                         "grow": True, "explicitInput": {"id": "c1", "fieldName": "f"}}})})
    assert compare(bare, full) == []
    full["attributes"]["controlGroupInput"]["controlStyle"] = "twoLine"
    assert compare(bare, full)


def test_embedded_json_is_compared_decoded_but_must_stay_a_string():
    a = _vis({"markdown": "x"})
    b = copy.deepcopy(a)
    state = json.loads(b["attributes"]["visState"])
    b["attributes"]["visState"] = json.dumps(dict(reversed(list(state.items()))), indent=2)
    assert compare(a, b) == []  # key order and whitespace inside the string do not matter
    b["attributes"]["visState"] = state  # an object where Kibana stores a string
    assert compare(a, b)


def test_server_fields_marker_and_reference_order_are_ignored():
    a = _lens("L", ("x", "y"), updated_at="2020-01-01", version="WzEsMV0=", typeMigrationVersion="8.9.0",
              namespaces=["default"], managed=False)
    a["references"].append({"type": "tag", "id": "t1", "name": "tag-ref-t1"})
    b = _lens("L", ("x", "y"), coreMigrationVersion="8.8.0", created_at="2024-01-01")
    b["references"] = [{"type": "tag", "id": "kibana-sync-managed", "name": "tag-ref-kibana-sync-managed"},
                       {"type": "tag", "id": "t1", "name": "tag-ref-t1"}, *b["references"]]
    assert compare(a, b) == []
    b["references"] = b["references"][:1]  # dropping a real reference is seen
    assert compare(a, b)


def test_true_and_1_differ():
    assert compare(_vis({"markdown": "x", "openLinksInNewTab": True}),
                   _vis({"markdown": "x", "openLinksInNewTab": 1}))


def test_eras():
    assert [era(b) for b in ("pre-7 / unknown", "6.5 (migrationVersion)", "7.3 (panel version)", "7.17", "8.0",
                             "8.7", "8.8+", "8.0 (panel version)")] == [
        "pre-7", "pre-7", "7.x", "7.x", "8.0–8.7", "8.0–8.7", "8.8+", "8.0–8.7"]


def test_decoded_source_files_are_encoded_like_elastic_package_build():
    row = next(iter(load_manifest())) if (CORPUS / "MANIFEST.tsv").is_file() else None
    if row is None:
        pytest.skip("../shared/corpus is not present")
    row.decoded_fields = "optionsJSON,panelsJSON,searchSourceJSON,controlGroupInput.panelsJSON"
    doc = {"type": "dashboard", "id": "d", "attributes": {
        "panelsJSON": [{"panelIndex": "1"}], "optionsJSON": {"useMargins": True}, "title": "t",
        "kibanaSavedObjectMeta": {"searchSourceJSON": {"query": {"query": "", "language": "kuery"}}},
        "controlGroupInput": {"panelsJSON": {"c": {}}, "controlStyle": "oneLine"}}}
    out = importable(doc, row)["attributes"]
    assert out["panelsJSON"] == '[{"panelIndex":"1"}]'
    assert out["kibanaSavedObjectMeta"]["searchSourceJSON"] == '{"query":{"query":"","language":"kuery"}}'
    assert out["controlGroupInput"]["panelsJSON"] == '{"c":{}}'
    assert doc["attributes"]["panelsJSON"] == [{"panelIndex": "1"}]  # the corpus copy is untouched


def test_packages_with_two_files_of_one_id_become_variants(corpus_dir):
    units = packages(corpus_dir, source="package-spec")
    for unit in units:
        keys = [o.key for o in unit.objects]
        assert len(keys) == len(set(keys)), unit.name
    assert sum(len(u.objects) for u in units) == sum(1 for o in load_manifest(corpus_dir)
                                                     if o.source == "package-spec")


# ------------------------------------------------------------------------------------- round trip, slow
def _sources() -> list[str]:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        return ["(no corpus)"]
    return sorted({o.source for o in load_manifest()})


@pytest.mark.slow
def test_environment_stubs_reach_b_by_push_into_an_empty_space(corpus_dir):
    # 1password's dashboards use Fleet's `logs-*`, which the package does not ship: the harness makes a stub in
    # A only; export carries it and push creates it in B like the package's objects, so B holds nothing made
    # without kibana-sync (no conflict, no "not managed" object) and nothing of the stub is compared.
    (unit,) = packages(corpus_dir, source="package-storage", package="1password")
    (result,) = run_all([unit], jobs=1, corpus=corpus_dir)
    assert result.stubs and not result.harness_error
    assert result.push_rc == 0, result.push_stdout_tail
    assert "not managed" not in result.push_stdout_tail and "conflict" not in result.push_stdout_tail
    # the space pushed into is around the objects, not one of them: never listed as made by hand (15f537f)
    assert "Migration B" not in result.push_stdout_tail and "made by hand" not in result.push_stdout_tail
    assert {(o.type, o.id) for o in result.objects} == {(o.type, o.id) for o in unit.objects}
    assert all(o.outcome in ("equal", "differs") for o in result.objects)
    assert result.extra_in_b == []


@pytest.mark.slow
@pytest.mark.parametrize("source", _sources())
def test_corpus_round_trip(source, corpus_dir):
    results = run_all(packages(corpus_dir, source=source), jobs=2, corpus=corpus_dir)
    summary = summarise(results)
    report = json.dumps({k: summary[k] for k in ("totals", "coverage_by_type", "exactness_by_era", "refusals",
                                                 "packages_push_failed", "harness_errors")}, indent=1)
    assert not summary["harness_errors"], report
    for type_, row in summary["coverage_by_type"].items():
        assert row["present"] == row["expected"], f"{type_}: {row['present']}/{row['expected']} present\n{report}"
    totals = summary["totals"]
    assert totals["equal"] >= 0.99 * totals["present"], f"{totals['equal']}/{totals['present']} equal\n{report}"
    assert not summary["packages_push_failed"], report
