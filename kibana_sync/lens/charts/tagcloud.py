"""The tag cloud: Lens ``lnsTagcloud`` (a terms bucket sized by one metric)."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts.family import ChartFamily, single_layer
from kibana_sync.lens.config import LensChart
from kibana_sync.lens.reading import ChartReader


def build(chart: LensChart, layer_id: str, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    return single_layer(chart, layer_id, {"tagAccessor": buckets["tags"], "valueAccessor": metrics["metric"],
                                          "maxFontSize": 72, "minFontSize": 18, "orientation": "single",
                                          "showLabel": True})


def read(reader: ChartReader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "tagcloud"
    reader.add_metric(data, "metric", vis.get("valueAccessor"))
    reader.add_bucket(data, "tags", vis.get("tagAccessor"), True)


FAMILY = ChartFamily("lnsTagcloud", ("tagcloud",), build, read)
