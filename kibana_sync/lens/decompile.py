"""Lens attributes -> the compact chart mapping, or None when the compact form cannot say it exactly.

Three passes: read what the compact keys can say (chart, buckets, metrics, the common options); compile that
and keep whatever still differs verbatim in the ``raw``/``params`` keys of the column, layer or visualization
it belongs to; compile once more and return the mapping only if it reproduces the normalised attributes.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from kibana_sync.lens.columns import RECORDS_FIELD
from kibana_sync.lens.compile import LAYER_ID, LAYER_REFERENCE_PREFIX, REFERENCE_LAYER_ID, compile_lens
from kibana_sync.lens.config import PIE_CHARTS, XY_CHARTS, LensChart
from kibana_sync.lens.metrics import (
    FIELD_OPERATIONS,
    NUMBER_ARGUMENT,
    REFERENCE_OPERATIONS,
    MetricCall,
    format_metric,
)
from kibana_sync.lens.normalise import formbased_layers, normalise_lens

_STATE_KEYS = ("visualization", "query", "filters", "datasourceStates")


class Inexpressible(Exception):
    """The compact form cannot say this exactly; the message says what."""


def decompile_lens(attributes: dict[str, Any]) -> dict[str, Any] | None:
    """The compact mapping (with ``data_view``), or None when only the raw attributes are exact."""
    try:
        return decompile_or_explain(attributes)
    except Inexpressible:
        return None
    except (LookupError, TypeError, AttributeError):  # malformed attributes: the caller keeps them raw
        return None


def decompile_or_explain(attributes: dict[str, Any]) -> dict[str, Any]:
    """Like ``decompile_lens`` but raises Inexpressible saying why (used by tests and reports)."""
    normal = normalise_lens(attributes)
    reader = _Reader(normal)
    data = reader.read()
    reader.keep_differences(data)
    if _compiled(data, reader.data_view) != normal:
        raise Inexpressible("compiled form differs")
    return data


def _compiled(data: dict[str, Any], data_view: str) -> dict[str, Any]:
    try:
        chart = LensChart.model_validate(data)
    except ValidationError as exc:
        raise Inexpressible(f"invalid compact form: {exc.errors()[0]['msg']}") from None
    return normalise_lens(compile_lens(chart, data_view, lambda _field: None))


class _Reader:
    """Reads one normalised Lens attributes object into the compact mapping."""

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

    # -- first pass: what the compact keys say ---------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        vis_type = self.normal.get("visualizationType")
        data: dict[str, Any] = {"chart": None, "data_view": self.data_view}
        query = self.state.get("query", {})
        if query.get("language", "kuery") == "kuery":
            if query.get("query", ""):
                data["query"] = query["query"]
        else:
            data["query"] = {"query": query.get("query", ""), "language": query.get("language")}
        if self.state.get("filters"):
            data["filters"] = self.state["filters"]
        layer_names = (LAYER_REFERENCE_PREFIX + LAYER_ID, LAYER_REFERENCE_PREFIX + REFERENCE_LAYER_ID)
        others = [r for r in self.normal.get("references", []) if r.get("name") not in layer_names]
        if others:
            data["raw_references"] = others
        reader = _FAMILIES.get(vis_type or "")
        if reader is None:
            raise Inexpressible(f"visualization {vis_type}")
        reader(self, data)
        used = {c for _, _, c in self.slots}
        pending = list(used)
        while pending:  # formulas and reference operations pull in the columns they are computed from
            for reference in self.columns.get(pending.pop(), {}).get("references", []):
                if reference not in used:
                    used.add(reference)
                    pending.append(reference)
        if set(self.columns) - used:
            raise Inexpressible("columns the visualization does not show")
        return data

    def _sorted(self, ids: list[str]) -> list[str]:
        missing = [i for i in ids if i not in self.columns]
        if missing:
            raise Inexpressible("accessor without column")
        return sorted(ids, key=lambda i: self.order.index(i) if i in self.order else len(self.order))

    def _metric(self, data: dict[str, Any], key: str, column_id: str) -> None:
        data[key] = self._metric_spec(self.columns[column_id])
        self.slots.append((data, key, column_id))

    def _metrics(self, data: dict[str, Any], ids: list[str]) -> None:
        if len(ids) == 1:
            self._metric(data, "metric", ids[0])
            return
        data["metrics"] = []
        for column_id in self._sorted(ids):
            data["metrics"].append(self._metric_spec(self.columns[column_id]))
            self.slots.append((data["metrics"], len(data["metrics"]) - 1, column_id))

    def _bucket(self, container: Any, key: Any, column_id: str, default_other: bool) -> None:
        spec = self._bucket_spec(self.columns[column_id], default_other)
        if isinstance(container, list):
            container.append(spec)
            key = len(container) - 1
        else:
            container[key] = spec
        self.slots.append((container, key, column_id))

    def _metric_ids(self) -> list[str]:
        return [c for _, _, c in self.slots if not self.columns[c].get("isBucketed")]

    def _metric_spec(self, column: dict[str, Any]) -> Any:
        operation = column.get("operationType")
        params = column.get("params", {})
        spec: dict[str, Any]
        if operation == "static_value":
            spec = {"static_value": _number_or_text(params.get("value"))}
        elif operation == "formula":
            spec = {"formula": params.get("formula")}
            helper_label = self._helper_label(column)
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

    def _helper_label(self, column: dict[str, Any]) -> str | None:
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

    def _bucket_spec(self, column: dict[str, Any], default_other: bool) -> Any:
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
            spec = self._terms_spec(column, default_other)
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

    def _terms_spec(self, column: dict[str, Any], default_other: bool) -> dict[str, Any]:
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
            metric_ids = self._metric_ids()
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
            spec["order_by"] = self._metric_spec(params["orderAgg"])
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

    # -- second pass: keep verbatim what still differs ------------------------------------------------------

    def keep_differences(self, data: dict[str, Any]) -> None:
        compiled = _compiled(data, self.data_view)
        state = compiled["state"]
        compiled_layers = formbased_layers(state)
        layer = compiled_layers.get(LAYER_ID, {})
        reference_layer = compiled_layers.get(REFERENCE_LAYER_ID, {})
        columns = {**layer.get("columns", {}), **reference_layer.get("columns", {})}
        if _without(reference_layer, "columns") != _without(self.reference_layer or {}, "columns"):
            raise Inexpressible("reference line layer differs")
        if set(columns) != set(self.columns):
            raise Inexpressible("column ids differ")
        owners = {column_id: (container, key) for container, key, column_id in self.slots}
        for column_id, column in self.columns.items():
            if column == columns[column_id]:
                continue
            if column_id not in owners:
                raise Inexpressible("inner column differs")
            container, key = owners[column_id]
            _keep_column_differences(container, key, column, columns[column_id])
        _diff_into(data, "raw_datasource_layer", _without(self.layer, "columns"), _without(layer, "columns"))
        self._keep_visualization_differences(data, state.get("visualization", {}))
        _diff_into(data, "raw_state", _without(self.state, *_STATE_KEYS), _without(state, *_STATE_KEYS))
        _diff_into(data, "raw_attributes", _without(self.normal, "state", "references"),
                   _without(compiled, "state", "references"))

    def _keep_visualization_differences(self, data: dict[str, Any], compiled: dict[str, Any]) -> None:
        original = self.visualization
        if "layers" in original:
            layers, compiled_layers = original["layers"], compiled.get("layers", [])
            if len(layers) != len(compiled_layers):
                raise Inexpressible("visualization layers differ")
            for key, layer, compiled_layer in zip(("raw_layer", "raw_reference_layer"), layers, compiled_layers,
                                                  strict=False):
                _diff_into(data, key, layer, compiled_layer)
            original, compiled = _without(original, "layers"), _without(compiled, "layers")
        _diff_into(data, "raw_visualization", original, compiled)


def _without(mapping: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in keys}


def _diff_into(target: dict[str, Any], key: str, original: dict[str, Any], compiled: dict[str, Any]) -> None:
    """Put every key whose value differs into ``target[key]``; a key only the compiled side has cannot be
    expressed (raw keys add or replace, they never remove)."""
    extra = [k for k in compiled if k not in original]
    if extra:
        raise Inexpressible(f"{key}: compiled form adds {', '.join(extra)}")
    differences = {k: v for k, v in original.items() if compiled.get(k) != v}
    if differences:
        target[key] = {**target.get(key, {}), **differences}


def _keep_column_differences(container: Any, key: Any, original: dict[str, Any],
                             compiled: dict[str, Any]) -> None:
    spec = container[key]
    if isinstance(spec, str):
        spec = {"metric": spec} if "(" in spec or spec == "count" else {"date_histogram": spec}
    _diff_into(spec, "params", original.get("params", {}), compiled.get("params", {}))
    _diff_into(spec, "raw", _without(original, "params"), _without(compiled, "params"))
    container[key] = spec


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


# -- the visualization families --------------------------------------------------------------------------------

def _read_xy(reader: _Reader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    layers = vis.get("layers", [])
    if len(layers) != (2 if reader.reference_layer is not None else 1) or \
            layers[0].get("layerType", "data") != "data":
        raise Inexpressible(f"{len(layers)} XY layers")
    layer = layers[0]
    data["chart"] = layer.get("seriesType")
    if data["chart"] not in XY_CHARTS:
        raise Inexpressible(f"series type {data['chart']}")
    metric_ids = reader._sorted(list(layer.get("accessors", [])))
    if not metric_ids:
        raise Inexpressible("XY without metrics")
    reader._metrics(data, metric_ids)
    x, split = layer.get("xAccessor"), layer.get("splitAccessor")
    if x is not None and split is not None and reader.order.index(x) < reader.order.index(split):
        data["nesting"] = "x_first"
    if x is not None:
        reader._bucket(data, "x", x, True)
    if split is not None:
        reader._bucket(data, "breakdown", split, True)
    _read_colors(reader, data, layer)
    if reader.reference_layer is not None:
        _read_reference_lines(reader, data, layers[1])
    legend = vis.get("legend", {})
    if legend.get("isVisible") is False:
        data["legend"] = "hidden"
    elif legend.get("position", "right") != "right":
        data["legend"] = legend["position"]
    if vis.get("valueLabels") == "show":
        data["value_labels"] = True
    for key, name in (("xTitle", "x_title"), ("yTitle", "y_title")):
        if key in vis:
            data[name] = vis[key]


def _read_colors(reader: _Reader, data: dict[str, Any], layer: dict[str, Any]) -> None:
    """Per-series colour and axis (yConfig) become keys of the metric they belong to."""
    config = layer.get("yConfig")
    if not config:
        return
    owners = {column_id: (container, key) for container, key, column_id in reader.slots}
    accessors = [c for c in reader._metric_ids()]
    if [e.get("forAccessor") for e in config] != [a for a in accessors if a in {e.get("forAccessor")
                                                                               for e in config}]:
        return  # an order the compact form cannot reproduce: left to raw_layer
    for entry in config:
        if set(entry) - {"forAccessor", "color", "axisMode"} or len(entry) < 2 or \
                entry.get("axisMode", "left") not in ("left", "right"):
            return
    for entry in config:
        container, key = owners[entry["forAccessor"]]
        spec = container[key]
        if isinstance(spec, str):
            spec = {"metric": spec}
        if "color" in entry:
            spec["color"] = entry["color"]
        if "axisMode" in entry:
            spec["axis"] = entry["axisMode"]
        container[key] = spec


def _read_reference_lines(reader: _Reader, data: dict[str, Any], layer: dict[str, Any]) -> None:
    data["reference_lines"] = lines = []
    config = {e.get("forAccessor"): e for e in layer.get("yConfig") or [] if isinstance(e, dict)}
    for column_id in layer.get("accessors", []):
        spec = reader._metric_spec(reader.columns[column_id])
        spec = {"metric": spec} if isinstance(spec, str) else spec
        entry = config.get(column_id, {})
        if "color" in entry:
            spec["color"] = entry["color"]
        if entry.get("axisMode") in ("right",):
            spec["axis"] = entry["axisMode"]
        lines.append(spec)
        reader.slots.append((lines, len(lines) - 1, column_id))


def _read_pie(reader: _Reader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    layers = vis.get("layers", [])
    if len(layers) != 1:
        raise Inexpressible(f"{len(layers)} pie layers")
    layer = layers[0]
    data["chart"] = vis.get("shape")
    if data["chart"] not in PIE_CHARTS:
        raise Inexpressible(f"pie shape {data['chart']}")
    reader._metrics(data, list(layer.get("metrics", [])))
    data["slices"] = []
    for column_id in reader._sorted([*layer.get("primaryGroups", []), *layer.get("secondaryGroups", [])]):
        reader._bucket(data["slices"], None, column_id, True)
    if layer.get("legendDisplay") == "hide":
        data["legend"] = "hidden"
    elif layer.get("legendDisplay") == "show" and layer.get("legendPosition"):
        data["legend"] = layer["legendPosition"]


def _read_metric(reader: _Reader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "metric"
    reader._metric(data, "metric", vis.get("metricAccessor"))
    for accessor, key in (("secondaryMetricAccessor", "secondary_metric"), ("maxAccessor", "max")):
        if vis.get(accessor):
            reader._metric(data, key, vis[accessor])
    if vis.get("breakdownByAccessor"):
        reader._bucket(data, "breakdown", vis["breakdownByAccessor"], True)


def _read_legacy_metric(reader: _Reader, data: dict[str, Any]) -> None:
    data["chart"] = "legacy_metric"
    reader._metric(data, "metric", reader.visualization.get("accessor"))


def _read_table(reader: _Reader, data: dict[str, Any]) -> None:
    data["chart"] = "table"
    entries = reader.visualization.get("columns", [])
    ids = reader._sorted([e.get("columnId") for e in entries])
    transposed = {e.get("columnId") for e in entries if e.get("isTransposed")}
    metrics = [c for c in ids if not reader.columns[c].get("isBucketed")]
    if metrics:
        reader._metrics(data, metrics)
    for column_id in ids:
        if reader.columns[column_id].get("isBucketed"):
            key = "split_by" if column_id in transposed else "rows"
            reader._bucket(data.setdefault(key, []), None, column_id, False)


def _read_heatmap(reader: _Reader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "heatmap"
    reader._metric(data, "metric", vis.get("valueAccessor"))
    for accessor, key in (("yAccessor", "y"), ("xAccessor", "x")):
        if vis.get(accessor):
            reader._bucket(data, key, vis[accessor], True)


def _read_gauge(reader: _Reader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "gauge"
    reader._metric(data, "metric", vis.get("metricAccessor"))
    for key in ("min", "max", "goal"):
        if vis.get(f"{key}Accessor"):
            reader._metric(data, key, vis[f"{key}Accessor"])


def _read_tagcloud(reader: _Reader, data: dict[str, Any]) -> None:
    vis = reader.visualization
    data["chart"] = "tagcloud"
    reader._metric(data, "metric", vis.get("valueAccessor"))
    reader._bucket(data, "tags", vis.get("tagAccessor"), True)


_FAMILIES = {"lnsXY": _read_xy, "lnsPie": _read_pie, "lnsMetric": _read_metric,
             "lnsLegacyMetric": _read_legacy_metric, "lnsDatatable": _read_table, "lnsHeatmap": _read_heatmap,
             "lnsGauge": _read_gauge, "lnsTagcloud": _read_tagcloud}
