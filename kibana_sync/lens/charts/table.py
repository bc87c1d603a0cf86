"""The data table: Lens ``lnsDatatable`` (rows, columns split by value, metrics)."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts.family import ChartFamily, single_layer
from kibana_sync.lens.config import LensChart
from kibana_sync.lens.reading import ChartReader


def build(chart: LensChart, layer_id: str, buckets: dict[str, str], metrics: dict[str, str]) -> dict[str, Any]:
    columns = [{"columnId": id_, "isTransposed": name.startswith("split_by.")} for name, id_ in buckets.items()]
    columns += [{"columnId": id_, "isTransposed": False} for id_ in metrics.values()]
    return single_layer(chart, layer_id, {"columns": columns})


def read(reader: ChartReader, data: dict[str, Any]) -> None:
    data["chart"] = "table"
    entries = reader.visualization.get("columns", [])
    ids = reader.sorted_ids([e.get("columnId") for e in entries])
    transposed = {e.get("columnId") for e in entries if e.get("isTransposed")}
    metrics = [c for c in ids if not reader.columns[c].get("isBucketed")]
    if metrics:
        reader.add_metrics(data, metrics)
    for column_id in ids:
        if reader.columns[column_id].get("isBucketed"):
            key = "split_by" if column_id in transposed else "rows"
            reader.add_bucket(data.setdefault(key, []), None, column_id, False)


FAMILY = ChartFamily("lnsDatatable", ("table",), build, read)
