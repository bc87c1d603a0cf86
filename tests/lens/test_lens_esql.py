"""ES|QL (text-based) Lens charts in the compact form: the query as a block string, columns named as the query
returns them; the shape follows reference-objects-es.md 6.2 (Kibana 8.11, technical preview)."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from kibana_sync.lens import LensChart, compile_lens, decompile_lens, lens_fields, normalise_lens
from kibana_sync.lens.text_based import ad_hoc_id, index_pattern

QUERY = "FROM logs-* | STATS c = COUNT(*) BY host.name"
COLUMNS = [{"columnId": "c", "fieldName": "c", "meta": {"type": "number"}},
           {"columnId": "host.name", "fieldName": "host.name", "meta": {"type": "string"}}]
# The example of reference-objects-es.md 6.2, with the arbitrary ids the editor draws.
SAVED_BY_KIBANA = {
    "title": "", "description": "", "visualizationType": "lnsXY", "type": "lens", "references": [],
    "state": {
        "query": {"esql": QUERY}, "filters": [],
        "datasourceStates": {"formBased": {"layers": {}}, "textBased": {"layers": {"8a1c": {
            "index": "f2d9", "query": {"esql": QUERY}, "columns": copy.deepcopy(COLUMNS),
            "allColumns": copy.deepcopy(COLUMNS), "timeField": "@timestamp"}}}},
        "visualization": {"legend": {"isVisible": True, "position": "right"}, "valueLabels": "hide",
                          "preferredSeriesType": "bar", "layers": [
                              {"layerId": "8a1c", "layerType": "data", "seriesType": "bar", "accessors": ["c"],
                               "xAccessor": "host.name"}]},
        "adHocDataViews": {"f2d9": {"id": "f2d9", "title": "logs-*", "timeFieldName": "@timestamp"}},
        "internalReferences": [{"type": "index-pattern", "id": "f2d9",
                                "name": "textBasedLanguages-datasource-layer-8a1c"}]}}


def test_an_esql_chart_saved_by_kibana_reads_as_the_query_and_column_names() -> None:
    data = decompile_lens(SAVED_BY_KIBANA)
    assert data == {"chart": "bar", "esql": QUERY, "x": "host.name", "metric": "c"}
    compiled = compile_lens(LensChart.model_validate(data), None, lambda _field: None)
    assert normalise_lens(compiled) == normalise_lens(SAVED_BY_KIBANA)


def test_compile_writes_the_8_11_text_based_layer_with_an_ad_hoc_data_view() -> None:
    chart = LensChart.model_validate({"chart": "bar", "esql": QUERY, "x": "host.name", "metric": "c"})
    state = compile_lens(chart, None, lambda _field: None)["state"]
    layer = state["datasourceStates"]["textBased"]["layers"]["layer1"]
    view_id = ad_hoc_id("logs-*")
    assert layer["index"] == view_id and layer["query"] == state["query"] == {"esql": QUERY}
    assert layer["columns"] == COLUMNS  # metrics first, as STATS ... BY returns them
    assert state["adHocDataViews"][view_id]["title"] == "logs-*"
    assert state["internalReferences"] == [{"type": "index-pattern", "id": view_id,
                                            "name": "textBasedLanguages-datasource-layer-layer1"}]
    assert "formBased" not in state["datasourceStates"]


def test_a_column_type_other_than_the_default_is_written_and_read_back() -> None:
    given = {"chart": "line", "esql": "FROM logs-* | STATS c = COUNT(*) BY t = BUCKET(@timestamp, 1 hour)",
             "x": {"column": "t", "type": "date"}, "metric": "c"}
    compiled = compile_lens(LensChart.model_validate(given), None, lambda _field: None)
    columns = compiled["state"]["datasourceStates"]["textBased"]["layers"]["layer1"]["columns"]
    assert columns[1] == {"columnId": "t", "fieldName": "t", "meta": {"type": "date"}}
    assert decompile_lens(compiled) == given


@pytest.mark.parametrize(("query", "pattern"), [
    ("FROM logs-* | LIMIT 10", "logs-*"),
    ("from logs-*, metrics-* metadata _id | STATS c = COUNT(*)", "logs-*,metrics-*"),
    ("FROM logs-*\n| WHERE x > 1", "logs-*"),
    ("ROW a = 1", ""),
])
def test_the_ad_hoc_data_view_is_titled_by_the_indices_after_from(query: str, pattern: str) -> None:
    assert index_pattern(query) == pattern


@pytest.mark.parametrize(("chart", "message"), [
    ({"chart": "bar", "esql": QUERY, "x": "host.name", "metric": "count()"}, None),
    ({"chart": "bar", "esql": QUERY, "x": {"terms": "host.name"}, "metric": "c"}, "aggregate in the query"),
    ({"chart": "bar", "esql": QUERY, "data_view": "logs", "x": "host.name", "metric": "c"}, "drop data_view"),
    ({"chart": "bar", "esql": QUERY, "query": "a:1", "x": "host.name", "metric": "c"}, "drop query"),
    ({"chart": "bar", "x": {"column": "host.name"}, "metric": "count"}, "has no esql"),
])
def test_esql_charts_say_what_is_wrong(chart: dict, message: str | None) -> None:
    if message is None:  # any string names a column in an ES|QL chart, even one that looks like a metric
        assert LensChart.model_validate(chart).metric.column == "count()"
        return
    with pytest.raises(ValidationError, match=message):
        LensChart.model_validate(chart)


def test_esql_columns_are_not_checked_against_a_data_view() -> None:
    chart = LensChart.model_validate({"chart": "bar", "esql": QUERY, "x": "host.name", "metric": "c"})
    assert lens_fields(chart) == []
