"""decompile_lens is the exact inverse of compile_lens (or says "not expressible"), and normalise_lens makes
equal meaning compare equal."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kibana_sync.lens import LensChart, compile_lens, decompile_lens, normalise_lens
from kibana_sync.lens.metrics import format_metric, parse_metric


def compile_data(data: dict[str, Any]) -> dict[str, Any]:
    return compile_lens(LensChart.model_validate(data), data.get("data_view", "dv"), lambda _f: None)


COMPACT_CHARTS = [
    {"chart": "bar_stacked", "data_view": "dv", "query": "event_type:ORDER_*", "x": "@timestamp",
     "metric": "count", "breakdown": {"terms": "event_type.keyword"}},
    {"chart": "line", "data_view": "dv", "x": {"date_histogram": "@timestamp", "interval": "1m"},
     "metrics": ["p95(execution_time_ms)", {"metric": "avg(tilt)", "label": "Tilt", "format": "percent",
                                            "color": "#54B399"}],
     "nesting": "x_first", "breakdown": {"terms": "host", "size": 3, "order_by": 1}, "legend": "bottom"},
    {"chart": "donut", "data_view": "dv", "slices": [{"terms": "level", "other_bucket": False}],
     "metric": "unique_count(user)"},
    {"chart": "table", "data_view": "dv", "rows": [{"terms": ["host", "service"], "size": 20}],
     "metrics": ["count", "last_value(status)"]},
    {"chart": "heatmap", "data_view": "dv", "x": "@timestamp", "y": {"terms": "host"},
     "metric": "counter_rate(max(bytes))"},
    {"chart": "gauge", "data_view": "dv", "metric": "avg(tilt)", "max": {"static_value": 100}},
    {"chart": "line", "data_view": "dv", "x": "@timestamp", "metric": "max(tilt_score)",
     "reference_lines": [{"static_value": 90, "label": "Alert", "color": "#E7664C"}, {"static_value": 70.5}]},
    {"chart": "bar", "data_view": "dv", "x": {"histogram": "latency", "bars": 20},
     "metric": {"metric": "count", "filter": "level:ERROR", "label": "Errors"}},
]


@pytest.mark.parametrize("data", COMPACT_CHARTS, ids=lambda d: d["chart"])
def test_decompile_gives_back_the_compact_form(data: dict[str, Any]) -> None:
    assert decompile_lens(compile_data(data)) == data


def test_unusual_option_is_kept_raw_not_lost() -> None:
    attributes = compile_data(COMPACT_CHARTS[0])
    attributes["state"]["visualization"]["curveType"] = "CURVE_MONOTONE_X"
    attributes["state"]["visualization"]["layers"][0]["palette"] = {"type": "palette", "name": "status"}
    data = decompile_lens(attributes)
    assert data is not None
    assert data["raw_visualization"] == {"curveType": "CURVE_MONOTONE_X"}
    assert data["raw_layer"] == {"palette": {"type": "palette", "name": "status"}}
    assert normalise_lens(compile_data(data)) == normalise_lens(attributes)


def test_not_expressible_returns_none() -> None:
    attributes = compile_data(COMPACT_CHARTS[0])
    attributes["visualizationType"] = "lnsChoropleth"
    assert decompile_lens(attributes) is None
    removed = compile_data(COMPACT_CHARTS[0])
    del removed["state"]["visualization"]["preferredSeriesType"]  # raw keys can add, never remove
    assert decompile_lens(removed) is None


def test_column_data_type_hint_only_when_it_differs_from_inference() -> None:
    attributes = compile_lens(LensChart.model_validate(COMPACT_CHARTS[0]), "dv",
                              {"event_type.keyword": "ip"}.get)
    data = decompile_lens(attributes)
    assert data is not None and data["breakdown"] == {"terms": "event_type.keyword", "type": "ip"}
    assert decompile_lens(compile_data(COMPACT_CHARTS[0]))["breakdown"] == {"terms": "event_type.keyword"}


def _renamed(attributes: dict[str, Any]) -> dict[str, Any]:
    """The same chart with Kibana-style random ids."""
    text = json.dumps(attributes)
    for old, new in (("layer1", "6f1c2c1e-0d4b"), ("col1", "a1b2"), ("col2", "c3d4"), ("col3", "e5f6")):
        text = text.replace(f'"{old}"', f'"{new}"').replace(f'-{old}"', f'-{new}"')
    return json.loads(text)


def test_normalise_ignores_ids_but_not_meaning() -> None:
    attributes = compile_data(COMPACT_CHARTS[0])
    renamed = _renamed(attributes)
    assert renamed != attributes
    assert normalise_lens(renamed) == normalise_lens(attributes)
    changed = copy.deepcopy(renamed)
    next(iter(changed["state"]["datasourceStates"]["formBased"]["layers"].values()))["columns"]["a1b2"][
        "params"]["size"] = 7
    assert normalise_lens(changed) != normalise_lens(attributes)


def test_normalise_applies_the_8_x_migrations() -> None:
    new = compile_data({"chart": "donut", "data_view": "dv", "slices": [{"terms": "level"}], "metric": "count"})
    old = copy.deepcopy(new)
    sources = old["state"]["datasourceStates"]
    sources["indexpattern"] = sources.pop("formBased")  # before 8.6
    del sources["textBased"]
    layer = old["state"]["visualization"]["layers"][0]
    layer["groups"] = layer.pop("primaryGroups")  # before 8.5
    layer["metric"] = layer.pop("metrics")[0]  # before 8.6
    count = next(c for c in sources["indexpattern"]["layers"]["layer1"]["columns"].values()
                 if c["operationType"] == "count")
    count["sourceField"] = "Records"  # before 8.1
    old["references"].append({"type": "index-pattern", "id": "dv",
                              "name": "indexpattern-datasource-current-indexpattern"})
    assert normalise_lens(old) == normalise_lens(new)


def test_legacy_metric_rename_of_8_5() -> None:
    new = compile_data({"chart": "legacy_metric", "data_view": "dv", "metric": "count"})
    old = copy.deepcopy(new)
    old["visualizationType"] = "lnsMetric"
    sources = old["state"]["datasourceStates"]
    sources["indexpattern"] = sources.pop("formBased")  # a pre-8.5 state is also pre-8.6
    del sources["textBased"]
    for key in ("size", "titlePosition", "textAlign"):
        del old["state"]["visualization"][key]
    assert normalise_lens(old) == normalise_lens(new)
    # what Kibana holds after migrating it: formBased only (no empty indexpattern/textBased states)
    assert decompile_lens(old) == {"chart": "legacy_metric", "data_view": "dv", "metric": "count", "stored": {
        "unset": ["datasourceStates.indexpattern", "datasourceStates.textBased"]}}


@pytest.mark.parametrize("text", ["count", "sum(a.b)", "avg(x)", "p95(x)", "percentile(x, 99.5)",
                                  "unique_count(u)", "last_value(s)", "counter_rate(max(bytes))",
                                  "moving_average(sum(x), 5)", "percentile_rank(x, 100)"])
def test_metric_language_formats_back_to_itself(text: str) -> None:
    assert format_metric(parse_metric(text)) == text


def test_formula_round_trips_compactly() -> None:
    data = {"chart": "line", "data_view": "dv", "x": "@timestamp",
            "metric": {"formula": "counter_rate(max(bytes)) * -1", "label": "Out"}}
    assert decompile_lens(compile_data(data)) == data


@pytest.mark.parametrize("attributes", [
    {}, {"state": None}, {"state": {"datasourceStates": {"formBased": None}}},
    {"visualizationType": "lnsPie", "state": {"visualization": {"layers": [None]}}},
])
def test_malformed_attributes_are_kept_raw_without_crashing(attributes: dict[str, Any]) -> None:
    assert decompile_lens(attributes) is None
    assert isinstance(normalise_lens(attributes), dict)
