"""Every chart family, and the lookups compile (by ``chart:``) and read (by ``visualizationType``) use."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts import gauge, heatmap, legacy_metric, metric, pie, table, tagcloud, xy
from kibana_sync.lens.charts.family import ChartFamily
from kibana_sync.lens.config import LensChart

FAMILIES: tuple[ChartFamily, ...] = tuple(module.FAMILY for module in (
    xy, pie, metric, legacy_metric, table, heatmap, gauge, tagcloud))
_BY_CHART = {chart: family for family in FAMILIES for chart in family.charts}
_BY_VISUALIZATION_TYPE = {family.visualization_type: family for family in FAMILIES}


def family_for_chart(chart: str) -> ChartFamily:
    return _BY_CHART[chart]


def family_for_visualization_type(visualization_type: str) -> ChartFamily | None:
    return _BY_VISUALIZATION_TYPE.get(visualization_type)


def build_visualization(chart: LensChart, layer_id: str, buckets: dict[str, str],
                        metrics: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """(visualizationType, visualization state); ``buckets``/``metrics`` map chart keys to column ids."""
    family = family_for_chart(chart.chart)
    visualization = family.build(chart, layer_id, buckets, metrics)
    visualization.update(chart.raw_visualization)
    return family.visualization_type, visualization
