"""The pre-8.5 metric chart: Lens ``lnsLegacyMetric`` (``lnsMetric`` with an ``accessor`` before 8.5)."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts.family import ChartFamily, single_layer
from kibana_sync.lens.config import LensChart
from kibana_sync.lens.reading import ChartReader


def build(chart: LensChart, layer_id: str, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    return single_layer(chart, layer_id, {"accessor": metrics["metric"], "size": "xl", "titlePosition": "bottom",
                                          "textAlign": "center"})


def read(reader: ChartReader, data: dict[str, Any]) -> None:
    data["chart"] = "legacy_metric"
    reader.add_metric(data, "metric", reader.visualization.get("accessor"))


FAMILY = ChartFamily("lnsLegacyMetric", ("legacy_metric",), build, read)
