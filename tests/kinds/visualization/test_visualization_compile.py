"""Legacy visualizations: the compact YAML compiles to what Kibana 8.11 stores (reference-objects-es.md section 1),
and decompile is its exact inverse."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.visualization.aggs import METRIC_SCHEMA
from kibana_sync.kinds.visualization.kind import VisualizationKind
from kibana_sync.kinds.visualization.params import PARAM_DEFAULTS
from kibana_sync.source.yaml_reader import SourceFile
from kibana_sync.source.yaml_writer import dump_yaml

KIND = VisualizationKind()
INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


def compile_data(data: dict[str, Any]) -> dict[str, Any]:
    data = {"id": "v", **data}
    entry = Entry(KIND, data["id"], KIND.model.model_validate(data), SourceFile("v.yaml", data))
    return KIND.compile(entry, None)


def vis_state(obj: dict[str, Any]) -> dict[str, Any]:
    return json.loads(obj["attributes"]["visState"])


def search_source(obj: dict[str, Any]) -> dict[str, Any]:
    return json.loads(obj["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])


def round_trip(obj: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    decompiled = KIND.decompile(copy.deepcopy(obj))
    return compile_data(decompiled.data), decompiled


# --- compile: the saved object Kibana stores ------------------------------------------------------------------

def test_a_compact_pie_compiles_to_kibanas_saved_object_with_references() -> None:
    obj = compile_data({"title": "Browsers", "type": "pie", "data_view": "logs", "query": "status >= 500",
                        "metrics": ["count"], "buckets": [{"terms": "user_agent.name", "size": 5,
                                                           "order": "desc", "orderBy": "1"}]})
    assert obj["type"] == "visualization" and obj["typeMigrationVersion"] == "8.5.0"
    assert set(obj["attributes"]) == {"title", "description", "visState", "uiStateJSON", "version",
                                      "kibanaSavedObjectMeta"}
    state = vis_state(obj)
    assert state["title"] == "Browsers" and state["type"] == "pie"
    assert state["aggs"] == [
        {"id": "1", "enabled": True, "type": "count", "params": {}, "schema": "metric"},
        {"id": "2", "enabled": True, "type": "terms",
         "params": {"field": "user_agent.name", "size": 5, "order": "desc", "orderBy": "1"}, "schema": "segment"}]
    assert state["params"] == PARAM_DEFAULTS["pie"]  # nothing written: Kibana's defaults, in full
    assert search_source(obj) == {"query": {"query": "status >= 500", "language": "kuery"}, "filter": [],
                                  "indexRefName": INDEX_REF}
    assert obj["references"] == [{"id": "logs", "name": INDEX_REF, "type": "index-pattern"}]
    assert json.loads(obj["attributes"]["uiStateJSON"]) == {}


@pytest.mark.parametrize(("vis_type", "schema"), [("table", "bucket"), ("metric", "group"), ("gauge", "group"),
                                                   ("histogram", "segment"), ("tagcloud", "segment")])
def test_buckets_take_the_schema_the_vis_type_uses(vis_type: str, schema: str) -> None:
    aggs = vis_state(compile_data({"title": "t", "type": vis_type, "data_view": "logs",
                                   "metrics": ["avg(bytes)"], "buckets": [{"terms": "host", "size": 3}]}))["aggs"]
    assert [(a["id"], a["type"], a["schema"], a["params"]) for a in aggs] == [
        ("1", "avg", METRIC_SCHEMA, {"field": "bytes"}), ("2", "terms", schema, {"field": "host", "size": 3})]


def test_ids_schema_and_enabled_can_be_given_and_aggs_without_a_field_use_type() -> None:
    aggs = vis_state(compile_data({"title": "t", "type": "histogram", "data_view": "logs",
                                   "metrics": [{"type": "count", "customLabel": "Hits", "id": "7"},
                                               {"max": "load", "schema": "radius", "enabled": False}],
                                   "buckets": [{"type": "filters", "filters": [{"input": {"query": "a"}}]}]}))["aggs"]
    assert aggs == [
        {"id": "7", "enabled": True, "type": "count", "params": {"customLabel": "Hits"}, "schema": "metric"},
        {"id": "2", "enabled": False, "type": "max", "params": {"field": "load"}, "schema": "radius"},
        {"id": "3", "enabled": True, "type": "filters", "params": {"filters": [{"input": {"query": "a"}}]},
         "schema": "segment"}]


@pytest.mark.parametrize("entry", ["avg bytes", {"size": 5}, {"terms": "a", "avg": "b"}])
def test_an_aggregation_the_compact_form_cannot_read_is_a_validation_error(entry: Any) -> None:
    with pytest.raises(ValidationError, match="metrics"):
        KIND.model.model_validate({"title": "t", "type": "pie", "metrics": [entry]})


def test_params_are_the_types_defaults_under_what_is_written_shallowly() -> None:
    params = vis_state(compile_data({"title": "t", "type": "metric", "data_view": "logs", "metrics": ["count"],
                                     "params": {"addLegend": True, "metric": {"percentageMode": True}}}))["params"]
    assert params["addLegend"] is True and params["addTooltip"] is True  # default filled beside it
    assert params["metric"] == {"percentageMode": True}  # a nested object is taken as written (1.3)


def test_a_markdown_without_data_view_has_no_index_reference() -> None:
    obj = compile_data({"title": "Runbook", "type": "markdown", "params": {"markdown": "## Steps"}})
    assert vis_state(obj) == {"title": "Runbook", "type": "markdown", "aggs": [],
                              "params": {"fontSize": 12, "openLinksInNewTab": False, "markdown": "## Steps"}}
    assert search_source(obj) == {"query": {"query": "", "language": "kuery"}, "filter": []}
    assert obj["references"] == []


def test_a_visualization_on_a_saved_search_names_it_search_0() -> None:
    obj = compile_data({"title": "t", "type": "table", "search": "errors", "metrics": ["count"]})
    assert obj["attributes"]["savedSearchRefName"] == "search_0"
    assert obj["references"] == [{"id": "errors", "name": "search_0", "type": "search"}]
    assert "indexRefName" not in search_source(obj)


def test_input_controls_name_their_data_view_by_position_and_external_ones_build() -> None:
    controls = [{"id": "1", "type": "list", "label": "Host", "fieldName": "host", "parent": "",
                 "options": {"type": "terms", "multiselect": True, "dynamicOptions": True, "size": 5,
                             "order": "desc"}, "data_view": "logs"},
                {"id": "2", "type": "range", "label": "Bytes", "fieldName": "bytes", "parent": "",
                 "options": {"decimalPlaces": 0, "step": 1}, "data_view": {"external": "fleet-dv"}}]
    obj = compile_data({"title": "Controls", "type": "input_control_vis", "params": {"controls": controls}})
    stored = vis_state(obj)["params"]["controls"]
    assert [c["indexPatternRefName"] for c in stored] == ["control_0_index_pattern", "control_1_index_pattern"]
    assert not any("data_view" in c for c in stored)
    assert obj["references"] == [
        {"id": "logs", "name": "control_0_index_pattern", "type": "index-pattern"},
        {"id": "fleet-dv", "name": "control_1_index_pattern", "type": "index-pattern"}]
    entry = Entry(KIND, "v", KIND.model.model_validate({"id": "v", "title": "Controls", "type": "input_control_vis",
                                                         "params": {"controls": controls}}), SourceFile("v", {}))
    assert [(u.kind, u.path) for u in KIND.references(entry)] == [
        ("data_view", ("params", "controls", 0, "data_view")), ("data_view", ("params", "controls", 1, "data_view"))]


def test_a_lucene_query_object_needs_language_lucene() -> None:
    dsl = {"query_string": {"query": "*", "analyze_wildcard": True}}
    obj = compile_data({"title": "t", "type": "table", "language": "lucene", "query": dsl, "metrics": ["count"]})
    assert search_source(obj)["query"] == {"query": dsl, "language": "lucene"}
    with pytest.raises(ValidationError, match="language: lucene"):
        KIND.model.model_validate({"title": "t", "type": "table", "query": dsl})


# --- decompile: the exact inverse -----------------------------------------------------------------------------

def kibana_vis(vis: dict[str, Any], source: dict[str, Any], refs: list[dict[str, str]],
               **attrs: Any) -> dict[str, Any]:
    return {"id": "v1", "type": "visualization", "references": refs, "attributes": {
        "title": vis["title"], "description": "", "version": 1, "uiStateJSON": "{}",
        "visState": json.dumps(vis), "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)}, **attrs}}


def test_decompile_writes_the_compact_form_and_compiles_back_exactly() -> None:
    vis = {"title": "Top hosts", "type": "table", "params": {**PARAM_DEFAULTS["table"], "perPage": 20},
           "aggs": [{"id": "1", "enabled": True, "type": "sum", "params": {"field": "bytes"}, "schema": "metric"},
                    {"id": "2", "enabled": True, "type": "terms", "schema": "bucket",
                     "params": {"field": "host", "size": 10, "order": "desc", "orderBy": "1"}}]}
    source = {"query": {"query": "env:prod", "language": "kuery"}, "filter": [], "indexRefName": INDEX_REF}
    obj = kibana_vis(vis, source, [{"id": "logs", "name": INDEX_REF, "type": "index-pattern"}])
    compiled, decompiled = round_trip(obj)
    assert decompiled.data == {"id": "v1", "title": "Top hosts", "type": "table", "data_view": "logs",
                               "query": "env:prod", "metrics": ["sum(bytes)"],
                               "buckets": [{"terms": "host", "size": 10, "order": "desc", "orderBy": "1"}],
                               "params": {"perPage": 20}}
    assert (decompiled.compact_parts, decompiled.raw_parts) == (1, 0)
    assert KIND.normalise(compiled) == KIND.normalise(obj)
    assert vis_state(compiled) == vis  # with every default present, even the text is the same


def test_metrics_stored_after_buckets_come_back_in_their_stored_order() -> None:
    # The editor lists the aggs as stored, so the order is part of the object (7.x saved metrics after buckets).
    aggs = [{"id": "1", "enabled": True, "type": "count", "params": {}, "schema": "metric"},
            {"id": "2", "enabled": True, "type": "date_histogram", "params": {"field": "@timestamp"},
             "schema": "segment"},
            {"id": "3", "enabled": True, "type": "avg", "params": {"field": "load"}, "schema": "metric"}]
    obj = kibana_vis({"title": "t", "type": "line", "params": {}, "aggs": aggs}, {}, [])
    compiled, decompiled = round_trip(obj)
    assert decompiled.data["metrics"] == ["count", "avg(load)"]  # ids count over the stored order: none written
    assert decompiled.data["buckets"] == ["date_histogram(@timestamp)"]
    assert decompiled.data["agg_order"] == ["metric", "bucket", "metric"]
    assert vis_state(compiled)["aggs"] == aggs
    assert KIND.normalise(compiled) == KIND.normalise(obj)
    swapped = copy.deepcopy(obj)
    swapped["attributes"]["visState"] = json.dumps({"title": "t", "type": "line", "params": {},
                                                    "aggs": [aggs[0], aggs[2], aggs[1]]})
    assert KIND.normalise(swapped) != KIND.normalise(obj)  # a reordering is a change to push


def test_an_agg_order_that_does_not_match_the_lists_is_an_error() -> None:
    with pytest.raises(ValidationError, match="agg_order names 1 metric"):
        compile_data({"title": "T", "type": "line", "metrics": ["count", "avg(x)"], "agg_order": ["metric"]})


def test_what_the_compact_form_cannot_say_stays_structured_beside_it() -> None:
    vis = {"title": "Old title", "type": "pie", "params": {"addLegend": True}, "listeners": {},
           "aggs": [{"id": "1", "type": "count", "schema": "metric", "params": {}}]}  # no `enabled`
    source = {"query": {"query": "", "language": "kuery"}, "filter": [], "highlightAll": True}
    obj = kibana_vis(vis, source, [{"id": "x", "name": "mystery", "type": "lens"}], title="New title",
                     legacyField=3)
    compiled, decompiled = round_trip(obj)
    data = decompiled.data
    assert data["vis_title"] == "Old title" and data["raw_vis_state"] == {"listeners": {}}
    assert data["aggs"] == vis["aggs"] and "metrics" not in data
    assert data["raw_search_source"] == {"highlightAll": True}
    assert data["raw_attributes"] == {"legacyField": 3}
    assert data["raw_references"] == [{"id": "x", "name": "mystery", "type": "lens"}]
    assert (decompiled.compact_parts, decompiled.raw_parts) == (0, 1)
    assert KIND.normalise(compiled) == KIND.normalise(obj)
    assert "visState" not in dump_yaml(data)  # decoded, never escaped JSON


def test_vega_spec_is_kept_as_exact_text_in_a_block() -> None:
    spec = '{\n  // a comment, legal in HJSON\n  $schema: https://vega.github.io/schema/vega-lite/v5.json\n  mark: bar\n}'
    obj = kibana_vis({"title": "Vega", "type": "vega", "params": {"spec": spec}, "aggs": []},
                     {"query": {"query": "", "language": "kuery"}, "filter": []}, [])
    compiled, decompiled = round_trip(obj)
    assert decompiled.data["params"] == {"spec": spec}
    assert "  spec: |" in dump_yaml(decompiled.data)
    assert vis_state(compiled)["params"]["spec"] == spec


def test_tsvb_data_views_are_named_by_kibanas_reference_names() -> None:
    params = {"id": "p", "type": "timeseries", "index_pattern_ref_name": "metrics_0_index_pattern",
              "series": [{"id": "s", "override_index_pattern": 1,
                          "series_index_pattern_ref_name": "metrics_1_index_pattern"}]}
    refs = [{"id": "logs", "name": "metrics_0_index_pattern", "type": "index-pattern"},
            {"id": "metrics", "name": "metrics_1_index_pattern", "type": "index-pattern"}]
    obj = kibana_vis({"title": "TSVB", "type": "metrics", "params": params, "aggs": []}, {}, refs)
    compiled, decompiled = round_trip(obj)
    assert decompiled.data["data_view_refs"] == {"metrics_0_index_pattern": "logs",
                                                 "metrics_1_index_pattern": "metrics"}
    assert decompiled.data["params"] == params  # no defaults known for TSVB: written in full
    assert KIND.normalise(compiled) == KIND.normalise(obj)


def test_a_default_left_out_of_the_stored_params_compares_equal_to_it_written() -> None:
    # Kibana fills top-level params on load (1.3), so an object saved before a param existed means the default.
    bare = kibana_vis({"title": "t", "type": "tagcloud", "params": {"maxFontSize": 50}, "aggs": []}, {}, [])
    full = kibana_vis({"title": "t", "type": "tagcloud", "aggs": [],
                       "params": {**PARAM_DEFAULTS["tagcloud"], "maxFontSize": 50}}, {}, [])
    assert KIND.normalise(bare) == KIND.normalise(full)
    other = kibana_vis({"title": "t", "type": "tagcloud", "params": {"maxFontSize": 51}, "aggs": []}, {}, [])
    assert KIND.normalise(other) != KIND.normalise(full)


# --- against real 8.x objects of the corpus (../shared/corpus, read-only) -------------------------------------

CORPUS_EXAMPLES = {
    "area": "package-storage/oracle_weblogic/visualization/oracle_weblogic-12f3e390-baf5-11ec-bb0c-dbfaa8a6536b.json",
    "histogram": "package-storage/apache/visualization/apache-error-logs-over-time.json",
    "input_control_vis": "package-storage/apache/visualization/apache-ed44f820-3a10-11eb-8946-296aab7b13db.json",
    "markdown": "package-storage/nginx/visualization/nginx-97109780-a2a5-11e7-928f-5dbe6f6f5519.json",
    "metric": "package-storage/suricata/visualization/suricata-169c0600-d297-11ea-90e3-8767fe7ccf14.json",
    "pie": "package-storage/apache/visualization/apache-browsers.json",
    "table": "package-storage/oracle_weblogic/visualization/oracle_weblogic-26eb5e80-b895-11ec-b6f8-0795d197226b.json",
    "tagcloud": "package-storage/oracle_weblogic/visualization/oracle_weblogic-4673b9f0-b895-11ec-b6f8-0795d197226b.json",
}


@pytest.mark.parametrize("vis_type", sorted(CORPUS_EXAMPLES))
def test_real_8x_objects_decompile_compactly_and_compile_to_kibanas_shape(corpus_dir: Path, vis_type: str) -> None:
    original = json.loads((corpus_dir / "kibana-objects" / CORPUS_EXAMPLES[vis_type]).read_text(encoding="utf-8"))
    compiled, decompiled = round_trip(original)
    assert decompiled.data["type"] == vis_type
    assert KIND.normalise(compiled) == KIND.normalise(original)
    assert set(compiled["attributes"]) == set(original["attributes"])
    stored = json.loads(original["attributes"]["visState"])
    assert set(vis_state(compiled)) == set(stored)
    assert [set(a) for a in vis_state(compiled)["aggs"]] == [set(a) for a in stored["aggs"]]
    assert set(vis_state(compiled)["params"]) == set(stored["params"])  # no default the object lacked added
    assert sorted(r["name"] for r in compiled["references"]) == sorted(r["name"] for r in original["references"])
    if "listeners" not in stored:  # the 7.x leftover is kept raw; everything else here is compact
        assert decompiled.compact_parts == 1, dump_yaml(decompiled.data)


def test_a_search_source_without_query_or_filter_compiles_back_without_them() -> None:
    # elastic-package and 7.x visualizations often store only the index reference; Kibana 8.11 keeps it so.
    vis = {"title": "Hosts", "type": "markdown", "params": {**PARAM_DEFAULTS["markdown"], "markdown": "x"},
           "aggs": []}
    source = {"indexRefName": INDEX_REF}
    obj = kibana_vis(vis, source, [{"id": "logs", "name": INDEX_REF, "type": "index-pattern"}])
    compiled, decompiled = round_trip(obj)
    assert decompiled.data["unset"] == ["query", "filter"]
    assert search_source(compiled) == source


def test_a_query_both_unset_and_given_is_an_error() -> None:
    with pytest.raises(ValidationError, match="query is listed in unset but also given"):
        compile_data({"title": "T", "type": "markdown", "query": "a", "unset": ["query"]})


def test_unset_params_must_be_defaults_of_the_type_and_not_written_too() -> None:
    with pytest.raises(ValidationError, match="unset_params names spec, which Kibana has no default for"):
        compile_data({"title": "T", "type": "pie", "unset_params": ["spec"]})
    with pytest.raises(ValidationError, match="legendDisplay is listed in unset_params but also given"):
        compile_data({"title": "T", "type": "pie", "params": {"legendDisplay": "show"},
                      "unset_params": ["legendDisplay"]})


# --- what older Kibanas and package builders stored comes back as stored (real corpus objects) ---------------

def _corpus_object(corpus_dir: Path, path: str) -> dict[str, Any]:
    return json.loads((corpus_dir / "kibana-objects" / path).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("path", "order"), [
    ("rock-dashboards/rock-ecs/visualization/12938910-19a0-11e7-85aa-cd4a4afebcf7.json",
     ["metric", "bucket", "metric"]),
    ("rock-dashboards/rock-ecs/visualization/0672b950-47d8-11e8-bb80-b7240cd6c2af.json",
     ["bucket", "metric", "metric", "metric"]),
])
def test_corpus_aggs_stored_buckets_first_come_back_in_that_order(corpus_dir: Path, path: str,
                                                                  order: list[str]) -> None:
    original = _corpus_object(corpus_dir, path)
    compiled, decompiled = round_trip(original)
    assert decompiled.data["agg_order"] == order and "aggs" not in decompiled.data  # metrics/buckets
    assert vis_state(compiled)["aggs"] == vis_state(original)["aggs"]


@pytest.mark.parametrize(("path", "absent"), [
    ("package-storage/apache/visualization/apache-browsers.json", ["legendDisplay"]),
    ("package-storage/apache/visualization/apache-error-logs-over-time.json",
     ["categoryAxes", "valueAxes", "seriesParams"]),
])
def test_corpus_params_the_object_did_not_store_are_not_pushed(corpus_dir: Path, path: str,
                                                               absent: list[str]) -> None:
    original = _corpus_object(corpus_dir, path)
    compiled, decompiled = round_trip(original)
    assert set(absent) <= set(decompiled.data["unset_params"])
    assert vis_state(compiled)["params"] == vis_state(original)["params"]  # defaults it stored come back too


def test_corpus_visualization_without_vis_title_or_ui_state_is_pushed_without(corpus_dir: Path) -> None:
    no_title = _corpus_object(corpus_dir, "package-storage/system/visualization/system-Number-of-Events.json")
    compiled, decompiled = round_trip(no_title)
    assert "vis_title" in decompiled.data["unset"] and "title" not in vis_state(compiled)
    no_ui = _corpus_object(corpus_dir, "pfelk/pfelk/visualization/HAProxy-HTTP-Status-Codes.json")
    compiled, decompiled = round_trip(no_ui)
    assert "ui_state" in decompiled.data["unset"] and "uiStateJSON" not in compiled["attributes"]


def test_corpus_filters_with_kibana7_display_values_keep_them(corpus_dir: Path) -> None:
    original = _corpus_object(corpus_dir, "package-storage/system/visualization/"
                                          "system-1b5f17d0-feea-11e9-8405-516218e3d268.json")
    compiled, decompiled = round_trip(original)
    assert decompiled.data["filter_display_values"] is True
    assert all("meta" not in f for f in decompiled.data["filters"])  # still the compact filters
    assert search_source(compiled)["filter"] == search_source(original)["filter"]
