"""Compact chart -> Lens by-value attributes (reference.md 4.1-4.3), deterministic: the layer is ``layer1`` and
columns are ``col1``, ``col2``... in columnOrder order, which is also the form ``normalise_lens`` gives ids."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.charts.families import build_visualization
from kibana_sync.lens.charts.xy import reference_layer
from kibana_sync.lens.columns import FieldType, bucket_column, metric_columns
from kibana_sync.lens.config import Bucket, LensChart, MetricSpec, query_text
from kibana_sync.lens.esql import compile_esql
from kibana_sync.lens.filters import compile_lens_filters
from kibana_sync.lens.layers import LAYER_ID, LAYER_REFERENCE_PREFIX, REFERENCE_LAYER_ID, column_id
from kibana_sync.lens.slots import bucket_slots, metric_slots
from kibana_sync.lens.stored_keys import apply_stored_as


class LayerBuilder:
    """Collects one formBased layer's columns: buckets take the first ids (they come first in columnOrder),
    metrics the following ones."""

    def __init__(self, field_type: FieldType, bucket_count: int, first: int = 1) -> None:
        self.field_type = field_type
        self.columns: dict[str, dict[str, Any]] = {}
        self.bucket_ids: list[str] = []
        self.metric_ids: list[str] = []
        self._next_bucket = first
        self._next_metric = first + bucket_count

    def _metric_id(self) -> str:
        self._next_metric += 1
        return column_id(self._next_metric - 1)

    def add_metric(self, spec: MetricSpec) -> str:
        columns = metric_columns(spec, self._metric_id, self.field_type)
        self.columns.update(columns)
        self.metric_ids.extend(columns)
        return next(iter(columns))

    def add_bucket(self, bucket: Bucket, metric_ids: list[str], other_bucket: bool) -> str:
        id_ = column_id(self._next_bucket)
        self._next_bucket += 1
        self.columns[id_] = bucket_column(bucket, self.field_type, _order_column(bucket, metric_ids),
                                          other_bucket)
        self.bucket_ids.append(id_)
        return id_

    @property
    def next_number(self) -> int:
        """The first column number free after this layer (ids stay unique across layers)."""
        return self._next_metric

    def layer(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {"columns": self.columns, "columnOrder": [*self.bucket_ids, *self.metric_ids],
                "incompleteColumns": {}, "sampling": 1, **raw}


def _order_column(bucket: Bucket, metric_ids: list[str]) -> str | None:
    if isinstance(bucket.order_by, int) and not isinstance(bucket.order_by, bool):
        return metric_ids[bucket.order_by] if bucket.order_by < len(metric_ids) else None
    return metric_ids[0] if metric_ids else None


def default_other_bucket(chart: LensChart) -> bool:
    # Kibana's editor turns "group other values" on for charts and off for tables.
    return chart.chart != "table"


def compile_lens(chart: LensChart, data_view_id: str | None, field_type: FieldType) -> dict[str, Any]:
    """The Lens attributes for ``chart`` (what goes into a panel's ``embeddableConfig.attributes``); an ES|QL
    chart reads no data view, so ``data_view_id`` may then be None."""
    attributes = compile_editor_form(chart, data_view_id, field_type)
    if chart.stored is not None:
        apply_stored_as(attributes, chart.stored, data_view_id)
    return attributes


def compile_editor_form(chart: LensChart, data_view_id: str | None, field_type: FieldType) -> dict[str, Any]:
    """The Lens attributes the 8.11 editor would store for ``chart`` (its ``stored:`` key not applied)."""
    if chart.esql is not None:
        return compile_esql(chart)
    if data_view_id is None:
        raise ValueError("a Lens chart without esql: needs a data view")
    buckets = bucket_slots(chart)
    builder = LayerBuilder(field_type, len(buckets))
    metric_ids = {name: builder.add_metric(spec) for name, spec in metric_slots(chart)}
    ordered_metrics = list(metric_ids.values())
    bucket_ids = {name: builder.add_bucket(b, ordered_metrics, default_other_bucket(chart))
                  for name, b in buckets}
    layers = {LAYER_ID: builder.layer(chart.raw_datasource_layer)}
    references = [{"type": "index-pattern", "id": data_view_id, "name": LAYER_REFERENCE_PREFIX + LAYER_ID}]
    reference_ids: list[str] = []
    if chart.reference_lines:
        lines = LayerBuilder(field_type, 0, builder.next_number)
        reference_ids = [lines.add_metric(spec) for spec in chart.reference_lines]
        layers[REFERENCE_LAYER_ID] = lines.layer({})
        references.append({"type": "index-pattern", "id": data_view_id,
                           "name": LAYER_REFERENCE_PREFIX + REFERENCE_LAYER_ID})
    vis_type, visualization = build_visualization(chart, LAYER_ID, bucket_ids, metric_ids)
    if reference_ids:
        visualization["layers"].append(reference_layer(chart, REFERENCE_LAYER_ID, reference_ids))
    query, language = query_text(chart.query)
    filters, filter_references = compile_lens_filters(chart.filters, data_view_id)
    references += filter_references
    state: dict[str, Any] = {
        "visualization": visualization,
        "query": {"query": query, "language": language},
        "filters": filters,
        "datasourceStates": {
            "formBased": {"layers": layers},
            "indexpattern": {"layers": {}},
            "textBased": {"layers": {}},
        },
        "internalReferences": [],
        "adHocDataViews": {},
        **chart.raw_state,
    }
    references += chart.raw_references
    return {"title": "", "description": "", "visualizationType": vis_type, "type": "lens",
            "references": references, "state": state, **chart.raw_attributes}
