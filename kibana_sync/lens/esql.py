"""ES|QL (text-based) charts: compile the compact keys into Lens's ``textBased`` state, and read it back with
the same per-family readers as data-view charts (``EsqlReader`` offers them ``ChartReader``'s interface).

A chart names the columns of the query's result; each becomes one layer column ``{columnId: <name>,
fieldName: <name>, meta: {type}}``, metrics first, as ``STATS ... BY ...`` returns them.
"""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts.families import build_visualization
from kibana_sync.lens.config import Bucket, LensChart, MetricSpec
from kibana_sync.lens.layers import LAYER_ID
from kibana_sync.lens.reading import Inexpressible
from kibana_sync.lens.slots import bucket_slots, metric_slots
from kibana_sync.lens.text_based import (
    ESQL_LAYER_REFERENCE_PREFIX,
    ad_hoc_id,
    index_pattern,
    text_based_layers,
)

TIME_FIELD = "@timestamp"


def default_column_type(spec: MetricSpec | Bucket, name: str) -> str:
    """What ``meta.type`` a column gets unless it says ``type:``: metrics are numbers, the time field a date,
    other buckets strings."""
    if isinstance(spec, MetricSpec):
        return "number"
    return "date" if name == TIME_FIELD else "string"


def compile_esql(chart: LensChart) -> dict[str, Any]:
    """The Lens attributes of an ES|QL chart (``chart.esql`` is set)."""
    query = chart.esql or ""
    pattern = index_pattern(query)
    view_id = ad_hoc_id(pattern)
    columns: list[dict[str, Any]] = []
    metrics: dict[str, str] = {}
    buckets: dict[str, str] = {}
    for target, slots in ((metrics, metric_slots(chart)), (buckets, bucket_slots(chart))):
        for key, spec in slots:
            if spec.column is None:
                raise ValueError(f"{key}: an ES|QL chart names result columns")
            target[key] = spec.column
            if all(c["columnId"] != spec.column for c in columns):
                columns.append({"columnId": spec.column, "fieldName": spec.column,
                                "meta": {"type": spec.type or default_column_type(spec, spec.column)}})
    layer = {"index": view_id, "query": {"esql": query}, "columns": columns, "allColumns": [dict(c) for c in columns],
             "timeField": TIME_FIELD, **chart.raw_datasource_layer}
    vis_type, visualization = build_visualization(chart, LAYER_ID, buckets, metrics)
    state: dict[str, Any] = {
        "visualization": visualization,
        "query": {"esql": query},
        "filters": [],
        "datasourceStates": {"textBased": {"layers": {LAYER_ID: layer}}},
        "internalReferences": [{"type": "index-pattern", "id": view_id,
                                "name": ESQL_LAYER_REFERENCE_PREFIX + LAYER_ID}],
        "adHocDataViews": {view_id: {"id": view_id, "title": pattern, "timeFieldName": TIME_FIELD}},
        **chart.raw_state,
    }
    return {"title": "", "description": "", "visualizationType": vis_type, "type": "lens",
            "references": list(chart.raw_references), "state": state, **chart.raw_attributes}


class EsqlReader:
    """Reads normalised ES|QL Lens attributes for the family readers (the interface of ``ChartReader``)."""

    reference_layer = None  # ES|QL charts in 8.11 have no reference-line layer

    def __init__(self, normal: dict[str, Any]) -> None:
        self.normal = normal
        self.state = normal.get("state", {})
        self.visualization: dict[str, Any] = self.state.get("visualization") or {}
        layers = text_based_layers(self.state)
        if list(layers) != [LAYER_ID] or set(self.state.get("datasourceStates", {})) != {"textBased"}:
            raise Inexpressible("ES|QL chart with several layers or datasources")
        self.layer = layers[LAYER_ID]
        query = self.layer.get("query")
        if not isinstance(query, dict) or set(query) != {"esql"} or self.state.get("query") != query:
            raise Inexpressible("ES|QL layer query differs from the chart's")
        self.esql: str = query["esql"]
        self.columns: dict[str, dict[str, Any]] = {}
        for column in self.layer.get("columns", []):
            if column.get("columnId") != column.get("fieldName") or not isinstance(column.get("meta"), dict):
                raise Inexpressible("ES|QL column id is not its name")
            meta_type = column["meta"].get("type")
            self.columns[column["columnId"]] = {**column, "isBucketed": meta_type != "number"}
        self.order = list(self.columns)
        self.slots: list[tuple[Any, Any, str]] = []
        self._metric_ids: list[str] = []

    def common_keys(self) -> dict[str, Any]:
        if self.state.get("filters"):
            raise Inexpressible("filters on an ES|QL chart")
        return {"chart": None, "esql": self.esql}

    def check_every_column_is_shown(self) -> None:
        if set(self.columns) - {c for _, _, c in self.slots}:
            raise Inexpressible("columns the visualization does not show")

    def sorted_ids(self, ids: list[str]) -> list[str]:
        if any(i not in self.columns for i in ids):
            raise Inexpressible("accessor without column")
        return sorted(ids, key=self.order.index)

    def _spec(self, column_id: str, metric: bool) -> Any:
        column = self.columns[column_id]
        spec: dict[str, Any] = {"column": column_id}
        kind = MetricSpec(column=column_id) if metric else Bucket(column=column_id)
        if column["meta"].get("type") != default_column_type(kind, column_id):
            spec["type"] = column["meta"].get("type")
        return column_id if list(spec) == ["column"] else spec

    def metric_spec(self, column: dict[str, Any]) -> Any:
        return self._spec(column["columnId"], True)

    def add_metric(self, data: dict[str, Any], key: str, column_id: str) -> None:
        if column_id not in self.columns:
            raise Inexpressible("accessor without column")
        data[key] = self._spec(column_id, True)
        self.slots.append((data, key, column_id))
        self._metric_ids.append(column_id)

    def add_metrics(self, data: dict[str, Any], ids: list[str]) -> None:
        if len(ids) == 1:
            self.add_metric(data, "metric", ids[0])
            return
        data["metrics"] = []
        for column_id in self.sorted_ids(ids):
            data["metrics"].append(self._spec(column_id, True))
            self.slots.append((data["metrics"], len(data["metrics"]) - 1, column_id))
            self._metric_ids.append(column_id)

    def add_bucket(self, container: Any, key: Any, column_id: str, default_other: bool) -> None:
        if column_id not in self.columns:
            raise Inexpressible("accessor without column")
        spec = self._spec(column_id, False)
        if isinstance(container, list):
            container.append(spec)
            key = len(container) - 1
        else:
            container[key] = spec
        self.slots.append((container, key, column_id))

    def metric_ids(self) -> list[str]:
        return list(self._metric_ids)
