"""Each chart family (``kibana_sync/lens/charts/<family>.py``) holds its compile side and its read side; here
they are held to being inverses: reading what a family compiled gives back the compact keys it was given, for
charts on a data view and for ES|QL charts alike. The corpus-wide form of the law is in tests/corpus."""

from __future__ import annotations

import typing

import pytest

from kibana_sync.lens import LensChart, compile_lens
from kibana_sync.lens.charts.families import FAMILIES, family_for_chart
from kibana_sync.lens.config import ChartType
from kibana_sync.lens.decompile import decompile_or_explain

ESQL = "FROM logs-* | STATS c = COUNT(*), b = SUM(bytes) BY host.name"
SAMPLES: dict[str, list[dict[str, typing.Any]]] = {
    "lnsXY": [
        {"chart": "line", "x": "@timestamp", "metric": "count"},
        {"chart": "bar_stacked", "x": "@timestamp", "breakdown": {"terms": "host", "size": 3},
         "metrics": [{"metric": "sum(bytes)", "color": "#54B399"}, "count"], "legend": "bottom"},
        {"chart": "area", "x": "@timestamp", "metric": "count",
         "reference_lines": [{"static_value": 90, "label": "Alert"}]},
        {"chart": "bar", "esql": ESQL, "x": "host.name", "metrics": ["c", "b"]},
    ],
    "lnsPie": [
        {"chart": "donut", "slices": [{"terms": "host"}], "metric": "count"},
        {"chart": "mosaic", "slices": [{"terms": "host"}, {"terms": "os"}], "metric": "count", "legend": "left"},
        {"chart": "pie", "esql": ESQL, "slices": ["host.name"], "metric": "c"},
    ],
    "lnsMetric": [
        {"chart": "metric", "metric": "avg(bytes)", "secondary_metric": "max(bytes)",
         "breakdown": {"terms": "host"}},
        {"chart": "metric", "esql": ESQL, "metric": "c", "breakdown": "host.name"},
    ],
    "lnsLegacyMetric": [
        {"chart": "legacy_metric", "metric": "count"},
        {"chart": "legacy_metric", "esql": ESQL, "metric": "c"},
    ],
    "lnsDatatable": [
        {"chart": "table", "rows": [{"terms": "host"}], "split_by": [{"terms": "os"}],
         "metrics": ["count", "sum(bytes)"]},
        {"chart": "table", "esql": ESQL, "rows": ["host.name"], "metrics": ["c", "b"]},
    ],
    "lnsHeatmap": [
        {"chart": "heatmap", "x": "@timestamp", "y": {"terms": "host"}, "metric": "count", "legend": "hidden"},
        {"chart": "heatmap", "esql": ESQL, "x": "host.name", "metric": "c"},
    ],
    "lnsGauge": [
        {"chart": "gauge", "metric": "avg(bytes)", "min": {"static_value": 0}, "max": {"static_value": 100}},
        {"chart": "gauge", "esql": ESQL, "metric": "c", "max": "b"},
    ],
    "lnsTagcloud": [
        {"chart": "tagcloud", "tags": {"terms": "host"}, "metric": "count"},
        {"chart": "tagcloud", "esql": ESQL, "tags": "host.name", "metric": "c"},
    ],
}
CASES = [(vis_type, sample) for vis_type, samples in SAMPLES.items() for sample in samples]


def test_every_chart_type_belongs_to_exactly_one_family() -> None:
    served = [chart for family in FAMILIES for chart in family.charts]
    assert sorted(served) == sorted(typing.get_args(ChartType))
    assert len({family.visualization_type for family in FAMILIES}) == len(FAMILIES)
    assert set(SAMPLES) == {family.visualization_type for family in FAMILIES}  # every family is tested below


@pytest.mark.parametrize(("vis_type", "sample"), CASES,
                         ids=[f"{v}-{s['chart']}{'-esql' if 'esql' in s else ''}" for v, s in CASES])
def test_a_family_reads_back_exactly_the_keys_it_compiled(vis_type: str, sample: dict[str, typing.Any]) -> None:
    given = sample if "esql" in sample else {**sample, "data_view": "logs"}
    chart = LensChart.model_validate(given)
    assert family_for_chart(chart.chart).visualization_type == vis_type
    attributes = compile_lens(chart, chart.data_view, lambda _field: None)
    assert attributes["visualizationType"] == vis_type
    assert decompile_or_explain(attributes) == given
