"""First pass of decompiling: read what the compact keys can say from normalised Lens attributes."""

from __future__ import annotations

from typing import Any

from kibana_sync.lens.columns import RECORDS_FIELD
from kibana_sync.lens.filters import read_lens_filters
from kibana_sync.lens.layers import LAYER_ID, LAYER_REFERENCE_PREFIX, REFERENCE_LAYER_ID
from kibana_sync.lens.metrics import (
    FIELD_OPERATIONS,
    NUMBER_ARGUMENT,
    REFERENCE_OPERATIONS,
    MetricCall,
    format_metric,
)
from kibana_sync.lens.normalise import formbased_layers


class Inexpressible(Exception):
    """The compact form cannot say this exactly; the message says what."""


class ChartReader:
    """Reads one normalised Lens attributes object into the compact mapping (first pass)."""

    def __init__(self, normal: dict[str, Any]) -> None:
        self.normal = normal
        self.state = normal.get("state", {})
        layers = formbased_layers(self.state)
        self.visualization: dict[str, Any] = self.state.get("visualization") or {}
        if list(layers) not in ([LAYER_ID], [LAYER_ID, REFERENCE_LAYER_ID]) or \
                REFERENCE_LAYER_ID in layers and not self._has_reference_layer():
            raise Inexpressible(f"{len(layers)} datasource layers")
        if set(self.state.get("datasourceStates", {})) != {"formBased"}:
            raise Inexpressible("datasource other than formBased")
        self.layer = layers[LAYER_ID]
        self.reference_layer = layers.get(REFERENCE_LAYER_ID)
        # Column ids are unique across layers once normalised, so one lookup serves both.
        self.columns: dict[str, dict[str, Any]] = {
            **self.layer.get("columns", {}), **(self.reference_layer or {}).get("columns", {})}
        self.order: list[str] = [*self.layer.get("columnOrder", []),
                                 *(self.reference_layer or {}).get("columnOrder", [])]
        self.data_view = self._data_view(list(layers))
        self.slots: list[tuple[Any, Any, str]] = []  # (container, key, column id) of every column written

    def _has_reference_layer(self) -> bool:
        layers = self.visualization.get("layers", [])
        return len(layers) == 2 and layers[1].get("layerType") == "referenceLine" \
            and layers[1].get("layerId") == REFERENCE_LAYER_ID

    def _data_view(self, layer_ids: list[str]) -> str:
        names = {LAYER_REFERENCE_PREFIX + id_ for id_ in layer_ids}
        layer_refs = [r for r in self.normal.get("references", [])
                      if r.get("name") in names and r.get("type") == "index-pattern"]
        if len(layer_refs) != len(layer_ids) or len({r["id"] for r in layer_refs}) != 1:
            raise Inexpressible("not one data view reference per layer")
        return layer_refs[0]["id"]

    def common_keys(self) -> dict[str, Any]:
        """The keys every chart has: data view, query, filters and the references of the filters."""
        data: dict[str, Any] = {"chart": None, "data_view": self.data_view}
        query = self.state.get("query", {})
        if query.get("language", "kuery") == "kuery":
            if query.get("query", ""):
                data["query"] = query["query"]
        else:
            data["query"] = {"query": query.get("query", ""), "language": query.get("language")}
        references = self.normal.get("references", [])
        used: list[dict[str, Any]] = []
        if self.state.get("filters"):
            data["filters"], used = read_lens_filters(self.state["filters"], references, self.data_view)
        layer_names = (LAYER_REFERENCE_PREFIX + LAYER_ID, LAYER_REFERENCE_PREFIX + REFERENCE_LAYER_ID)
        others = [r for r in references if r.get("name") not in layer_names and not any(r is u for u in used)]
        if others:
            data["raw_references"] = others
        return data

    def check_every_column_is_shown(self) -> None:
        used = {c for _, _, c in self.slots}
        pending = list(used)
        while pending:  # formulas and reference operations pull in the columns they are computed from
            for reference in self.columns.get(pending.pop(), {}).get("references", []):
                if reference not in used:
                    used.add(reference)
                    pending.append(reference)
        if set(self.columns) - used:
            raise Inexpressible("columns the visualization does not show")

    def sorted_ids(self, ids: list[str]) -> list[str]:
        missing = [i for i in ids if i not in self.columns]
        if missing:
            raise Inexpressible("accessor without column")
        return sorted(ids, key=lambda i: self.order.index(i) if i in self.order else len(self.order))

    def add_metric(self, data: dict[str, Any], key: str, column_id: str) -> None:
        data[key] = self.metric_spec(self.columns[column_id])
        self.slots.append((data, key, column_id))

    def add_metrics(self, data: dict[str, Any], ids: list[str]) -> None:
        if len(ids) == 1:
            self.add_metric(data, "metric", ids[0])
            return
        data["metrics"] = []
        for column_id in self.sorted_ids(ids):
            data["metrics"].append(self.metric_spec(self.columns[column_id]))
            self.slots.append((data["metrics"], len(data["metrics"]) - 1, column_id))

    def add_bucket(self, container: Any, key: Any, column_id: str, default_other: bool) -> None:
        spec = self.bucket_spec(self.columns[column_id], default_other)
        if isinstance(container, list):
            container.append(spec)
            key = len(container) - 1
        else:
            container[key] = spec
        self.slots.append((container, key, column_id))

    def metric_ids(self) -> list[str]:
        return [c for _, _, c in self.slots if not self.columns[c].get("isBucketed")]

    def metric_spec(self, column: dict[str, Any]) -> Any:
        operation = column.get("operationType")
        params = column.get("params", {})
        spec: dict[str, Any]
        if operation == "static_value":
            spec = {"static_value": _number_or_text(params.get("value"))}
        elif operation == "formula":
            spec = {"formula": params.get("formula")}
            helper_label = self.helper_label(column)
            if helper_label is not None and helper_label != column.get("label"):
                spec["raw_helper_label"] = helper_label
        else:
            spec = {"metric": format_metric(self._call(column))}
        if column.get("customLabel") and not (operation == "formula" and column.get("label") == spec["formula"]):
            spec["label"] = column.get("label")
        query = column.get("filter")
        if isinstance(query, dict):
            spec["filter"] = query.get("query") if query.get("language") == "kuery" else query
        for key, name in (("timeShift", "time_shift"), ("reducedTimeRange", "reduced_time_range")):
            if key in column:
                spec[name] = column[key]
        if "timeScale" in column and not (operation == "counter_rate" and column["timeScale"] == "s"):
            spec["time_scale"] = column["timeScale"]
        if column.get("dataType") != "number":
            spec["type"] = column.get("dataType")
        _read_format(params, spec)
        return spec["metric"] if list(spec) == ["metric"] else spec

    def helper_label(self, column: dict[str, Any]) -> str | None:
        """X in the "Part of X" label of a formula's helper columns (the formula's label when last edited)."""
        references = column.get("references") or [""]
        label = self.columns.get(references[0], {}).get("label", "")
        return label[len("Part of "):] if label.startswith("Part of ") else None

    def _call(self, column: dict[str, Any]) -> MetricCall:
        operation = column.get("operationType")
        params = column.get("params", {})
        argument = params.get(NUMBER_ARGUMENT[operation]) if operation in NUMBER_ARGUMENT else None
        if operation in FIELD_OPERATIONS:
            field = column.get("sourceField")
            if operation == "count" and field == RECORDS_FIELD:
                field = None
            elif not isinstance(field, str):
                raise Inexpressible(f"{operation} without a field")
            return MetricCall(operation, field, argument)
        if operation in REFERENCE_OPERATIONS:
            references = column.get("references", [])
            if len(references) != 1 or references[0] not in self.columns:
                raise Inexpressible(f"{operation} with {len(references)} references")
            inner = self.columns[references[0]]
            if inner.get("operationType") not in FIELD_OPERATIONS:
                raise Inexpressible(f"{operation} of {inner.get('operationType')}")
            return MetricCall(operation, argument=argument, inner=self._call(inner))
        raise Inexpressible(f"operation {operation}")

    def bucket_spec(self, column: dict[str, Any], default_other: bool) -> Any:
        operation = column.get("operationType")
        params = column.get("params", {})
        field = column.get("sourceField")
        spec: dict[str, Any]
        inferred = "string"
        if operation == "date_histogram":
            inferred = "date"
            spec = {"date_histogram": field}
            if params.get("interval", "auto") != "auto":
                spec["interval"] = params["interval"]
            if params.get("includeEmptyRows") is False:
                spec["include_empty_rows"] = False
            if params.get("dropPartials"):
                spec["drop_partials"] = True
        elif operation == "terms":
            spec = self.terms_spec(column, default_other)
        elif operation == "filters":
            spec = {"filters": [_filter_item(f) for f in params.get("filters", [])]}
        elif operation == "range":
            inferred = "number"
            if params.get("type") == "histogram":
                spec = {"histogram": field}
                if params.get("maxBars", "auto") != "auto":
                    spec["bars"] = params["maxBars"]
            else:
                spec = {"range": field, "ranges": params.get("ranges", [])}
            if params.get("includeEmptyRows") is False:
                spec["include_empty_rows"] = False
        else:
            raise Inexpressible(f"bucket operation {operation}")
        if column.get("customLabel"):
            spec["label"] = column.get("label")
        if column.get("dataType") != inferred:
            spec["type"] = column.get("dataType")
        _read_format(params, spec)
        if list(spec) == ["date_histogram"] and isinstance(field, str):
            return field
        return spec

    def terms_spec(self, column: dict[str, Any], default_other: bool) -> dict[str, Any]:
        params = column.get("params", {})
        secondary = params.get("secondaryFields") or []
        spec: dict[str, Any] = {"terms": [column.get("sourceField"), *secondary] if secondary
                                else column.get("sourceField")}
        if params.get("size", 5) != 5:
            spec["size"] = params.get("size")
        order_by = params.get("orderBy", {})
        kind = order_by.get("type")
        default_direction = "desc"
        if kind == "column":
            metric_ids = self.metric_ids()
            if order_by.get("columnId") not in metric_ids:
                raise Inexpressible("terms ordered by a column that is not a metric")
            index = metric_ids.index(order_by["columnId"])
            if index:
                spec["order_by"] = index
        elif kind == "alphabetical":
            spec["order_by"] = "alphabetical"
            default_direction = "asc"
        elif kind in ("rare", "significant"):
            spec["order_by"] = kind
        elif kind == "custom" and isinstance(params.get("orderAgg"), dict):
            spec["order_by"] = self.metric_spec(params["orderAgg"])
        else:
            raise Inexpressible(f"terms order {kind}")
        if params.get("orderDirection", default_direction) != default_direction:
            spec["order"] = params["orderDirection"]
        if params.get("otherBucket", default_other) != default_other:
            spec["other_bucket"] = params.get("otherBucket")
        if params.get("missingBucket"):
            spec["missing_bucket"] = True
        for key in ("include", "exclude"):
            if params.get(key):
                spec[key] = params[key]
        return spec


def _number_or_text(value: Any) -> Any:
    """A static value as the number it spells, when compiling that number gives the same text back."""
    for kind in (int, float):
        try:
            if str(kind(value)) == value:
                return kind(value)
        except (TypeError, ValueError):
            continue
    return value


def _read_format(params: dict[str, Any], spec: dict[str, Any]) -> None:
    fmt = params.get("format")
    if not isinstance(fmt, dict) or set(fmt) - {"id", "params"} or not isinstance(fmt.get("params", {}), dict):
        return
    inner = fmt.get("params")
    if inner == {"decimals": 2}:
        spec["format"] = fmt["id"]
    elif inner is None or (inner and "id" not in inner):
        spec["format"] = {"id": fmt["id"], **(inner or {})}


def _filter_item(item: dict[str, Any]) -> dict[str, Any]:
    query = item.get("input", {})
    text: Any = query.get("query", "") if query.get("language", "kuery") == "kuery" else query
    return {"query": text, "label": item.get("label", "")}
