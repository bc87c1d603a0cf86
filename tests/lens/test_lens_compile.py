"""Compact Lens charts compile to the structure Kibana 8.11 stores (reference.md 4.1-4.3)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from kibana_sync.lens import LensChart, compile_lens, lens_fields, lens_queries, normalise_lens


def compile_chart(data: dict[str, Any], field_type: Any = lambda _f: None) -> dict[str, Any]:
    return compile_lens(LensChart.model_validate(data), "dv-genesis", field_type)


def layer_of(attributes: dict[str, Any]) -> dict[str, Any]:
    (layer,) = attributes["state"]["datasourceStates"]["formBased"]["layers"].values()
    return layer


def columns_by_operation(attributes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["operationType"]: c for c in layer_of(attributes)["columns"].values()}


def accessors(visualization: dict[str, Any]) -> list[str]:
    """Every column id a visualization points at, whatever its family."""
    found = []
    for key, value in visualization.items():
        if key.endswith("Accessor") or key == "accessor":
            found.append(value)
        elif key in ("accessors", "primaryGroups", "secondaryGroups", "metrics"):
            found += value
        elif key == "columns":
            found += [c["columnId"] for c in value]
        elif key == "layers":
            for layer in value:
                found += accessors(layer)
    return found


CHARTS = {
    "line": ("lnsXY", {"x": "@timestamp", "metric": "count"}),
    "area_stacked": ("lnsXY", {"x": "@timestamp", "metric": "count", "breakdown": {"terms": "event_type"}}),
    "bar_horizontal": ("lnsXY", {"x": {"terms": "symbol"}, "metrics": ["sum(qty)", "avg(qty)"]}),
    "bar_percentage_stacked": ("lnsXY", {"x": "@timestamp", "metric": "count", "breakdown": {"terms": "level"}}),
    "pie": ("lnsPie", {"slices": [{"terms": "level"}], "metric": "count"}),
    "donut": ("lnsPie", {"slices": [{"terms": "level"}, {"terms": "host"}], "metric": "count"}),
    "treemap": ("lnsPie", {"slices": [{"terms": "level"}], "metric": "sum(bytes)"}),
    "mosaic": ("lnsPie", {"slices": [{"terms": "level"}, {"terms": "host"}], "metric": "count"}),
    "metric": ("lnsMetric", {"metric": "count", "secondary_metric": "max(bytes)", "breakdown": {"terms": "host"}}),
    "legacy_metric": ("lnsLegacyMetric", {"metric": "unique_count(user)"}),
    "table": ("lnsDatatable", {"rows": [{"terms": "host"}], "split_by": [{"terms": "level"}],
                               "metrics": ["count", "p99(latency)"]}),
    "heatmap": ("lnsHeatmap", {"x": "@timestamp", "y": {"terms": "host"}, "metric": "median(latency)"}),
    "gauge": ("lnsGauge", {"metric": "avg(tilt)", "min": {"static_value": 0}, "max": {"static_value": 100},
                           "goal": {"static_value": 90}}),
    "tagcloud": ("lnsTagcloud", {"tags": {"terms": "word"}, "metric": "count"}),
}


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_every_chart_type_compiles_with_consistent_accessors(chart: str) -> None:
    vis_type, body = CHARTS[chart]
    attributes = compile_chart({"chart": chart, **body})
    assert attributes["visualizationType"] == vis_type
    assert attributes["type"] == "lens"
    layer = layer_of(attributes)
    used = accessors(attributes["state"]["visualization"])
    assert used, "the visualization shows no column"
    for column_id in used:
        assert column_id in layer["columns"] and column_id in layer["columnOrder"]
    assert sorted(layer["columnOrder"]) == sorted(layer["columns"])
    bucketed = [layer["columns"][c]["isBucketed"] for c in layer["columnOrder"]]
    assert bucketed == sorted(bucketed, reverse=True), "buckets come first in columnOrder"
    (reference,) = attributes["references"]
    assert reference == {"type": "index-pattern", "id": "dv-genesis",
                         "name": f"indexpattern-datasource-layer-{attributes['state']['visualization'].get('layerId') or attributes['state']['visualization']['layers'][0]['layerId']}"}


def test_xy_matches_the_reference_example() -> None:
    attributes = compile_chart({"chart": "line", "x": "@timestamp", "metric": "max(tilt_score)"})
    vis = attributes["state"]["visualization"]
    assert vis["preferredSeriesType"] == "line" and vis["valueLabels"] == "hide"
    assert vis["legend"] == {"isVisible": True, "position": "right"}
    (layer,) = vis["layers"]
    assert layer["seriesType"] == "line" and layer["layerType"] == "data"
    columns = layer_of(attributes)["columns"]
    assert columns[layer["xAccessor"]] == {
        "label": "@timestamp", "dataType": "date", "operationType": "date_histogram", "sourceField": "@timestamp",
        "isBucketed": True, "scale": "interval",
        "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False}}
    assert columns[layer["accessors"][0]] == {
        "label": "Maximum of tilt_score", "dataType": "number", "operationType": "max",
        "sourceField": "tilt_score", "isBucketed": False, "scale": "ratio", "params": {"emptyAsNull": True}}
    assert attributes["state"]["datasourceStates"]["indexpattern"] == {"layers": {}}


@pytest.mark.parametrize(("metric", "operation", "field", "label", "params"), [
    ("count", "count", "___records___", "Count of records", {"emptyAsNull": True}),
    ("sum(data.quantity)", "sum", "data.quantity", "Sum of data.quantity", {"emptyAsNull": True}),
    ("avg(x)", "average", "x", "Average of x", {"emptyAsNull": True}),
    ("average(x)", "average", "x", "Average of x", {"emptyAsNull": True}),
    ("min(x)", "min", "x", "Minimum of x", {"emptyAsNull": True}),
    ("max(x)", "max", "x", "Maximum of x", {"emptyAsNull": True}),
    ("median(x)", "median", "x", "Median of x", {"emptyAsNull": True}),
    ("p95(x)", "percentile", "x", "95th percentile of x", {"percentile": 95}),
    ("percentile(x, 99)", "percentile", "x", "99th percentile of x", {"percentile": 99}),
    ("percentile(x, 1)", "percentile", "x", "1st percentile of x", {"percentile": 1}),
    ("unique_count(user)", "unique_count", "user", "Unique count of user", {"emptyAsNull": True}),
    ("last_value(status)", "last_value", "status", "Last value of status",
     {"sortField": "@timestamp", "showArrayValues": False}),
])
def test_metric_strings(metric: str, operation: str, field: str, label: str, params: dict[str, Any]) -> None:
    column = columns_by_operation(compile_chart({"chart": "metric", "metric": metric}))[operation]
    assert (column["sourceField"], column["label"], column["params"]) == (field, label, params)
    assert column["isBucketed"] is False and column["scale"] == "ratio" and "customLabel" not in column


def test_metric_options_label_format_filter_and_time_shift() -> None:
    attributes = compile_chart({"chart": "metric", "metric": {
        "metric": "sum(bytes)", "label": "Traffic", "format": "bytes", "filter": "level:ERROR", "time_shift": "1d"}})
    column = columns_by_operation(attributes)["sum"]
    assert column["label"] == "Traffic" and column["customLabel"] is True
    assert column["params"]["format"] == {"id": "bytes", "params": {"decimals": 2}}
    assert column["filter"] == {"query": "level:ERROR", "language": "kuery"}
    assert column["timeShift"] == "1d"


def test_counter_rate_adds_the_column_it_is_computed_from() -> None:
    layer = layer_of(compile_chart({"chart": "line", "x": "@timestamp", "metric": "counter_rate(max(bytes))"}))
    rate = next(c for c in layer["columns"].values() if c["operationType"] == "counter_rate")
    (inner_id,) = rate["references"]
    assert layer["columns"][inner_id]["operationType"] == "max"
    assert inner_id in layer["columnOrder"]
    assert rate["label"] == "Counter rate of bytes per second" and rate["timeScale"] == "s"


def test_terms_defaults_and_ordering() -> None:
    attributes = compile_chart({"chart": "bar", "x": {"terms": "symbol", "size": 10},
                                "metrics": ["count", "sum(qty)"]})
    layer = layer_of(attributes)
    terms = columns_by_operation(attributes)["terms"]
    assert terms["label"] == "Top 10 values of symbol" and terms["dataType"] == "string"
    assert terms["params"]["orderBy"] == {"type": "column", "columnId": layer["columnOrder"][1]}
    assert terms["params"]["orderDirection"] == "desc" and terms["params"]["otherBucket"] is True
    assert terms["params"]["parentFormat"] == {"id": "terms"}
    by_second = columns_by_operation(compile_chart({"chart": "bar", "x": {"terms": "symbol", "order_by": 1},
                                                    "metrics": ["count", "sum(qty)"]}))
    assert by_second["terms"]["params"]["orderBy"]["columnId"] == layer["columnOrder"][2]
    alphabetical = columns_by_operation(compile_chart({"chart": "table", "rows": [
        {"terms": "symbol", "order_by": "alphabetical"}], "metric": "count"}))["terms"]["params"]
    assert alphabetical["orderBy"]["type"] == "alphabetical" and alphabetical["orderDirection"] == "asc"
    assert alphabetical["otherBucket"] is False  # tables do not group other values by default


def test_filters_histogram_and_range_buckets() -> None:
    filters = columns_by_operation(compile_chart({"chart": "bar", "x": {"filters": [
        {"query": "level:ERROR", "label": "errors"}]}, "metric": "count"}))["filters"]
    assert filters["params"]["filters"] == [{"input": {"query": "level:ERROR", "language": "kuery"},
                                             "label": "errors"}]
    histogram = columns_by_operation(compile_chart({"chart": "bar", "x": {"histogram": "execution_time_ms"},
                                                    "metric": "count"}))["range"]
    assert histogram["params"]["type"] == "histogram" and histogram["params"]["maxBars"] == "auto"
    assert histogram["scale"] == "interval" and histogram["label"] == "execution_time_ms"
    ranges = columns_by_operation(compile_chart({"chart": "bar", "x": {"range": "ms", "ranges": [
        {"from": 0, "to": 100, "label": "fast"}]}, "metric": "count"}))["range"]
    assert ranges["params"]["type"] == "range" and ranges["scale"] == "ordinal"
    assert ranges["params"]["ranges"] == [{"from": 0, "to": 100, "label": "fast"}]


def test_data_type_priority_hint_then_data_view_then_inference() -> None:
    chart = {"chart": "table", "rows": [{"terms": "port"}], "metric": "last_value(status)"}
    inferred = columns_by_operation(compile_chart(chart))
    assert inferred["terms"]["dataType"] == "string" and inferred["last_value"]["dataType"] == "number"
    types = {"port": "long", "status": "keyword"}
    from_view = columns_by_operation(compile_chart(chart, types.get))
    assert from_view["terms"]["dataType"] == "number" and from_view["last_value"]["dataType"] == "string"
    hinted = columns_by_operation(compile_chart({**chart, "rows": [{"terms": "port", "type": "ip"}]}, types.get))
    assert hinted["terms"]["dataType"] == "ip"


def test_compile_is_deterministic_and_already_normal() -> None:
    chart = {"chart": "bar_stacked", "query": "event_type:ORDER_*", "x": "@timestamp", "metric": "count",
             "breakdown": {"terms": "event_type.keyword", "size": 5}}
    first, second = compile_chart(chart), compile_chart(chart)
    assert first == second
    normal = normalise_lens(first)
    assert accessors(normal["state"]["visualization"]) == accessors(first["state"]["visualization"])
    assert layer_of(normal)["columns"] == layer_of(first)["columns"]
    assert layer_of(normal)["columnOrder"] == layer_of(first)["columnOrder"]
    assert first["state"]["query"] == {"query": "event_type:ORDER_*", "language": "kuery"}


@pytest.mark.parametrize(("metric", "message"), [
    ("sum", "expected a field name"),
    ("sum(a, b)", "expected a field name"),
    ("p95()", "expected a field name"),
    ("percentile(x)", "a field name and a number"),
    ("percentile(x, high)", "expected a number"),
    ("total(x)", "unknown metric 'total'"),
    ("sum(x", "cannot read metric"),
    ("counter_rate()", "needs the metric it is computed from"),
])
def test_metric_language_errors_say_what_was_expected(metric: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        LensChart.model_validate({"chart": "metric", "metric": metric})
    assert message in str(error.value)
    assert error.value.errors()[0]["loc"][:1] == ("metric",)


def test_shape_errors() -> None:
    with pytest.raises(ValidationError, match="exactly one of: date_histogram"):
        LensChart.model_validate({"chart": "bar", "x": {"terms": "a", "histogram": "b"}, "metric": "count"})
    with pytest.raises(ValidationError, match="either metric: or metrics"):
        LensChart.model_validate({"chart": "bar", "metric": "count", "metrics": ["count"]})
    with pytest.raises(ValidationError, match="unknown|Extra inputs"):
        LensChart.model_validate({"chart": "bar", "metric": "count", "colour": "red"})
    with pytest.raises(ValidationError, match="slices cannot be used in a bar chart; it takes x, breakdown"):
        LensChart.model_validate({"chart": "bar", "slices": [{"terms": "a"}], "metric": "count"})
    with pytest.raises(ValidationError, match="a gauge chart needs metric:"):
        LensChart.model_validate({"chart": "gauge", "metrics": ["count", "max(a)"]})
    with pytest.raises(ValidationError, match="a line chart needs metric: or metrics"):
        LensChart.model_validate({"chart": "line", "x": "@timestamp"})


def test_fields_and_queries_with_their_yaml_paths() -> None:
    chart = LensChart.model_validate({
        "chart": "bar", "query": "level:ERROR", "x": "@timestamp",
        "metrics": ["count", {"metric": "sum(data.quantity)", "filter": "side:BUY"}],
        "breakdown": {"filters": [{"query": "a:1"}, {"query": {"query": "b:2", "language": "lucene"}}]},
    })
    assert sorted(lens_fields(chart), key=str) == sorted([
        (("metrics", 1), "data.quantity"), (("x", "date_histogram"), "@timestamp")], key=str)
    assert lens_queries(chart) == [(("query",), "level:ERROR"), (("metrics", 1, "filter"), "side:BUY"),
                                   (("breakdown", "filters", 0, "query"), "a:1")]


def test_formula_compiles_to_helper_columns_and_a_math_tree() -> None:
    formula = "count(kql='level:ERROR') / count()"
    attributes = compile_chart({"chart": "metric", "metric": {"formula": formula, "label": "Error rate",
                                                              "format": "percent"}})
    layer = layer_of(attributes)
    formula_id = attributes["state"]["visualization"]["metricAccessor"]
    column = layer["columns"][formula_id]
    assert column["operationType"] == "formula" and column["params"]["formula"] == formula
    assert column["params"]["format"] == {"id": "percent", "params": {"decimals": 2}}
    (math_id,) = column["references"]
    assert layer["columnOrder"] == [formula_id, f"{formula_id}X0", f"{formula_id}X1", f"{formula_id}X2"]
    errors, total = layer["columns"][f"{formula_id}X0"], layer["columns"][f"{formula_id}X1"]
    assert errors["filter"] == {"query": "level:ERROR", "language": "kuery"} and "filter" not in total
    assert errors["label"] == "Part of Error rate" and errors["sourceField"] == "___records___"
    math = layer["columns"][math_id]
    assert math["operationType"] == "math" and math["references"] == [f"{formula_id}X0", f"{formula_id}X1"]
    assert math["params"]["tinymathAst"] == {
        "type": "function", "name": "divide", "args": [f"{formula_id}X0", f"{formula_id}X1"],
        "location": {"min": 0, "max": len(formula)}, "text": formula}


def test_formula_of_one_aggregation_needs_no_math_column() -> None:
    layer = layer_of(compile_chart({"chart": "metric", "metric": {"formula": "unique_count(user)"}}))
    formula = next(c for c in layer["columns"].values() if c["operationType"] == "formula")
    assert formula["label"] == "unique_count(user)" and "customLabel" not in formula
    (helper,) = formula["references"]
    assert layer["columns"][helper]["operationType"] == "unique_count"
    assert len(layer["columns"]) == 2


def test_formula_tree_keeps_kibana_locations_of_sub_expressions() -> None:
    formula = "1 - avg(free)/avg(total)"
    layer = layer_of(compile_chart({"chart": "metric", "metric": {"formula": formula}}))
    math = next(c for c in layer["columns"].values() if c["operationType"] == "math")
    tree = math["params"]["tinymathAst"]
    assert tree["name"] == "subtract" and tree["args"][0] == 1
    assert tree["args"][1]["location"] == {"min": 3, "max": len(formula)}
    assert tree["args"][1]["text"] == " avg(free)/avg(total)"  # tinymath keeps the leading space


@pytest.mark.parametrize(("formula", "message"), [
    ("count() / (sum(x)", "expected ')'"),
    ("sum(x) +", "unexpected"),
])
def test_formula_syntax_errors(formula: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        LensChart.model_validate({"chart": "metric", "metric": {"formula": formula}})


def test_fields_and_queries_inside_formulas() -> None:
    chart = LensChart.model_validate({"chart": "metric", "metric": {
        "formula": "sum(data.quantity, kql='side:BUY') / max(data.total)"}})
    assert lens_fields(chart) == [(("metric", "formula"), "data.quantity"), (("metric", "formula"), "data.total")]
    assert lens_queries(chart) == [(("metric", "formula"), "side:BUY")]


def test_reference_lines_get_their_own_layer() -> None:
    attributes = compile_chart({"chart": "line", "x": "@timestamp", "metric": "max(tilt_score)",
                                "reference_lines": [{"static_value": 90, "label": "Alert", "color": "#E7664C"}]})
    data_layer, line_layer = attributes["state"]["visualization"]["layers"]
    layers = attributes["state"]["datasourceStates"]["formBased"]["layers"]
    assert line_layer["layerType"] == "referenceLine" and line_layer["layerId"] in layers
    (accessor,) = line_layer["accessors"]
    assert accessor not in layers[data_layer["layerId"]]["columns"]  # ids stay unique across layers
    assert line_layer["yConfig"] == [{"forAccessor": accessor, "axisMode": "left", "color": "#E7664C"}]
    column = layers[line_layer["layerId"]]["columns"][accessor]
    assert column["operationType"] == "static_value" and column["params"] == {"value": "90"}
    assert column["label"] == "Alert" and column["isStaticValue"] is True
    assert sorted(r["name"] for r in attributes["references"]) == [
        f"indexpattern-datasource-layer-{data_layer['layerId']}",
        f"indexpattern-datasource-layer-{line_layer['layerId']}"]
    with pytest.raises(ValidationError, match="reference_lines cannot be used in a pie chart; it takes slices, metric, metrics"):
        LensChart.model_validate({"chart": "pie", "slices": [{"terms": "a"}], "metric": "count",
                                  "reference_lines": [{"static_value": 1}]})
