"""Lens ``formBased`` columns built from the compact metric and bucket specs, with Kibana's default labels,
data types and params (the shape Kibana 8.11's editor writes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kibana_sync.lens.config import Bucket, MetricSpec, query_text
from kibana_sync.lens.formula import EMPTY_AS_NULL_OPERATIONS, RECORDS_FIELD, formula_columns
from kibana_sync.lens.metrics import NUMBER_ARGUMENT, MetricCall
from kibana_sync.query.field_types import LENS_DATA_TYPES

FieldType = Callable[[str], "str | None"]


def unknown_field_type(_field: str) -> None:
    """The ``FieldType`` when nothing is known of the data view's fields (external, or read back from Kibana)."""
    return None

_OF_LABELS = {
    "sum": "Sum of {}", "average": "Average of {}", "min": "Minimum of {}", "max": "Maximum of {}",
    "median": "Median of {}", "standard_deviation": "Standard deviation of {}", "unique_count": "Unique count of {}",
    "last_value": "Last value of {}", "count": "Count of {}",
    "counter_rate": "Counter rate of {}", "differences": "Differences of {}", "cumulative_sum": "Cumulative sum of {}",
    "moving_average": "Moving average of {}",
}
_TIME_SCALE_SUFFIX = {"s": "per second", "m": "per minute", "h": "per hour", "d": "per day"}


def ordinal(number: float) -> str:
    if not float(number).is_integer():
        return f"{number}th"
    n = int(number)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def default_metric_label(call: MetricCall) -> str:
    if call.inner is not None:
        return _OF_LABELS[call.operation].format(_field_display(call.inner))
    if call.operation == "count" and call.field is None:
        return "Count of records"
    if call.operation == "percentile":
        return f"{ordinal(call.argument or 0)} percentile of {call.field}"
    if call.operation == "percentile_rank":
        return f"Percentile rank ({call.argument}) of {call.field}"
    return _OF_LABELS[call.operation].format(call.field)


def _field_display(call: MetricCall) -> str:
    # Reference operations name the field of the metric they are computed from ("Counter rate of bytes").
    return call.field if call.field is not None else "records"


def with_suffixes(label: str, spec: MetricSpec, time_scale: str | None) -> str:
    """Kibana appends the time scale, shift and reduced range to a default label."""
    if time_scale:
        label = f"{label} {_TIME_SCALE_SUFFIX[time_scale]}"
    if spec.time_shift:
        label = f"{label} -{spec.time_shift}"
    if spec.reduced_time_range:
        label = f"{label} last {spec.reduced_time_range}"
    return label


def data_type(hint: str | None, field: str | None, field_type: FieldType, inferred: str) -> str:
    """Explicit hint > the data view's field type > what the operation implies."""
    if hint is not None:
        return hint
    mapping_type = field_type(field) if field and field != RECORDS_FIELD else None
    return LENS_DATA_TYPES.get(mapping_type or "", inferred)


def format_params(spec: MetricSpec | Bucket) -> dict[str, Any]:
    if spec.format is None:
        return {}
    extra = spec.format.model_extra or {}
    return {"format": {"id": spec.format.id, "params": dict(extra)} if extra else {"id": spec.format.id}}


def _finish(column: dict[str, Any], spec: MetricSpec | Bucket, default_label: str) -> dict[str, Any]:
    """Apply what every column shares: custom label, extra params and raw keys."""
    column["label"] = spec.label if spec.label is not None else default_label
    column["params"] = {**column.get("params", {}), **format_params(spec), **spec.params}
    if spec.label is not None:
        column["customLabel"] = True
    column.update(spec.raw)
    return column


def metric_columns(spec: MetricSpec, new_id: Callable[[], str],
                   field_type: FieldType) -> dict[str, dict[str, Any]]:
    """The column(s) of one metric in columnOrder order: reference operations add the column they are
    computed from right after their own."""
    column_id = new_id()
    if spec.static_value is not None:
        column = {"label": f"Static value: {spec.static_value}", "dataType": "number",
                  "operationType": "static_value", "isBucketed": False, "scale": "ratio",
                  "isStaticValue": True, "params": {"value": str(spec.static_value)}, "references": []}
        return {column_id: _finish(column, spec, column["label"])}
    if spec.formula is not None:
        label = spec.label if spec.label is not None else spec.formula
        column = {"label": label, "dataType": "number", "operationType": "formula", "isBucketed": False,
                  "scale": "ratio", "params": {"formula": spec.formula, "isFormulaBroken": False}}
        _add_metric_options(column, spec)
        inherited = {k: column[k] for k in ("filter", "timeShift", "reducedTimeRange") if k in column}
        helpers, reference = formula_columns(spec.formula, column_id, spec.raw_helper_label or label, inherited)
        column["references"] = [reference]
        return {column_id: _finish(column, spec, label), **helpers}
    call = spec.call
    assert call is not None  # the model guarantees one of static_value, formula, metric
    columns: dict[str, dict[str, Any]] = {}
    column: dict[str, Any]
    if call.inner is not None:
        inner_id = new_id()
        columns[inner_id] = _plain_metric(call.inner, field_type, None)
        column = {"label": "", "dataType": "number", "operationType": call.operation, "isBucketed": False,
                  "scale": "ratio", "references": [inner_id]}
        if call.argument is not None:
            column["params"] = {NUMBER_ARGUMENT[call.operation]: call.argument}
        if call.operation == "counter_rate" and spec.time_scale is None:
            column["timeScale"] = "s"
    else:
        column = _plain_metric(call, field_type, spec.type)
    _add_metric_options(column, spec)
    default = with_suffixes(default_metric_label(call), spec, column.get("timeScale"))
    return {column_id: _finish(column, spec, default), **columns}


def _plain_metric(call: MetricCall, field_type: FieldType, hint: str | None) -> dict[str, Any]:
    field = call.field or RECORDS_FIELD
    params: dict[str, Any] = {}
    if call.operation in EMPTY_AS_NULL_OPERATIONS:
        params["emptyAsNull"] = True
    if call.operation in NUMBER_ARGUMENT:
        params[NUMBER_ARGUMENT[call.operation]] = call.argument
    if call.operation == "last_value":
        params.update({"sortField": "@timestamp", "showArrayValues": False})
    if call.operation in ("count", "unique_count"):
        dt = hint or "number"  # a count is a number whatever the field's type
    else:
        dt = data_type(hint, field, field_type, "number")
    return {"label": default_metric_label(call), "dataType": dt, "operationType": call.operation,
            "sourceField": field, "isBucketed": False, "scale": "ratio", "params": params}


def _add_metric_options(column: dict[str, Any], spec: MetricSpec) -> None:
    if spec.filter is not None:
        query, language = query_text(spec.filter)
        column["filter"] = {"query": query, "language": language}
    if spec.time_scale is not None:
        column["timeScale"] = spec.time_scale
    if spec.time_shift is not None:
        column["timeShift"] = spec.time_shift
    if spec.reduced_time_range is not None:
        column["reducedTimeRange"] = spec.reduced_time_range


def bucket_column(bucket: Bucket, field_type: FieldType, order_column: str | None,
                  default_other_bucket: bool) -> dict[str, Any]:
    """One bucket column; ``order_column`` is the metric column a terms bucket ranks by (None: none exists)."""
    op = bucket.operation
    builder = _BUCKET_BUILDERS[op]
    column, default_label = builder(bucket, field_type, order_column, default_other_bucket)
    return _finish(column, bucket, default_label)


def _date_histogram(bucket: Bucket, field_type: FieldType, _order: str | None,
                    _other: bool) -> tuple[dict[str, Any], str]:
    field = bucket.date_histogram or ""
    include_empty = True if bucket.include_empty_rows is None else bucket.include_empty_rows
    column = {"dataType": data_type(bucket.type, field, field_type, "date"), "operationType": "date_histogram",
              "sourceField": field, "isBucketed": True, "scale": "interval",
              "params": {"interval": bucket.interval, "includeEmptyRows": include_empty,
                         "dropPartials": bucket.drop_partials}}
    return column, field


def _terms(bucket: Bucket, field_type: FieldType, order_column: str | None,
           default_other_bucket: bool) -> tuple[dict[str, Any], str]:
    fields = [bucket.terms] if isinstance(bucket.terms, str) else list(bucket.terms or [])
    field = fields[0]
    order_by, direction = _order(bucket, order_column)
    custom_order = bucket.order_by if isinstance(bucket.order_by, MetricSpec) else None
    params: dict[str, Any] = {
        "size": bucket.size, "orderBy": order_by, "orderDirection": direction,
        "otherBucket": default_other_bucket if bucket.other_bucket is None else bucket.other_bucket,
        "missingBucket": bucket.missing_bucket, "parentFormat": {"id": "terms"},
        "include": list(bucket.include or []), "exclude": list(bucket.exclude or []),
        "includeIsRegex": False, "excludeIsRegex": False,
    }
    if custom_order is not None and custom_order.call is not None:
        params["orderAgg"] = _plain_metric(custom_order.call, field_type, custom_order.type)
    if len(fields) > 1:
        params["secondaryFields"] = fields[1:]
    label = f"Top {bucket.size} values of {field}"
    if len(fields) > 1:
        others = len(fields) - 1
        label += f" + {others} {'other' if others == 1 else 'others'}"
    column = {"dataType": data_type(bucket.type, field, field_type, "string"), "operationType": "terms",
              "scale": "ordinal", "sourceField": field, "isBucketed": True, "params": params}
    return column, label


def _order(bucket: Bucket, order_column: str | None) -> tuple[dict[str, Any], str]:
    if isinstance(bucket.order_by, MetricSpec):
        return {"type": "custom"}, bucket.order or "desc"
    if bucket.order_by in ("alphabetical", "rare", "significant") or order_column is None:
        kind = bucket.order_by if isinstance(bucket.order_by, str) else "alphabetical"
        order_by: dict[str, Any] = {"type": kind}
        if kind == "alphabetical":  # what Kibana's editor writes (most real panels have it)
            order_by["fallback"] = True
        return order_by, bucket.order or ("asc" if kind == "alphabetical" else "desc")
    return {"type": "column", "columnId": order_column}, bucket.order or "desc"


def _filters(bucket: Bucket, _field_type: FieldType, _order: str | None,
             _other: bool) -> tuple[dict[str, Any], str]:
    filters = []
    for item in bucket.filters or []:
        query, language = query_text(item.query)
        filters.append({"input": {"query": query, "language": language}, "label": item.label})
    column = {"dataType": bucket.type or "string", "operationType": "filters", "scale": "ordinal",
              "isBucketed": True, "params": {"filters": filters}}
    return column, "Filters"


def _range(bucket: Bucket, field_type: FieldType, _order: str | None,
           _other: bool) -> tuple[dict[str, Any], str]:
    field = bucket.histogram or bucket.range or ""
    is_histogram = bucket.histogram is not None
    ranges = [r.model_dump(by_alias=True) for r in bucket.ranges or []] or [{"from": 0, "to": 1000, "label": ""}]
    params = {"type": "histogram" if is_histogram else "range", "maxBars": bucket.bars, "ranges": ranges,
              "includeEmptyRows": True if bucket.include_empty_rows is None else bucket.include_empty_rows}
    column = {"dataType": data_type(bucket.type, field, field_type, "number"), "operationType": "range",
              "sourceField": field, "isBucketed": True, "scale": "interval" if is_histogram else "ordinal",
              "params": params}
    return column, field


_BUCKET_BUILDERS = {"date_histogram": _date_histogram, "terms": _terms, "filters": _filters,
                    "histogram": _range, "range": _range}
