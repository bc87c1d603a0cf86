"""What a person writes for a Lens panel: the chart type, its buckets and metrics, and a few display options.

Everything the compact keys cannot say is written verbatim in a ``raw...`` key (``raw`` and ``params`` on one
column, ``raw_visualization`` / ``raw_layer`` on the chart), so an export never loses information.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from kibana_sync.lens.formula import parse_formula
from kibana_sync.lens.metrics import MetricCall, parse_metric
from kibana_sync.lens.stored_keys import StoredAs
from kibana_sync.query.filters import Filter
from kibana_sync.source.model import Model, Ref

XY_CHARTS = ("line", "area", "area_stacked", "area_percentage_stacked", "bar", "bar_stacked",
             "bar_percentage_stacked", "bar_horizontal", "bar_horizontal_stacked",
             "bar_horizontal_percentage_stacked")
PIE_CHARTS = ("pie", "donut", "treemap", "mosaic", "waffle")
ChartType = Literal[
    "line", "area", "area_stacked", "area_percentage_stacked", "bar", "bar_stacked", "bar_percentage_stacked",
    "bar_horizontal", "bar_horizontal_stacked", "bar_horizontal_percentage_stacked",
    "pie", "donut", "treemap", "mosaic", "waffle",
    "metric", "legacy_metric", "table", "heatmap", "gauge", "tagcloud",
]
DataType = Literal["number", "string", "date", "boolean", "ip", "geo_point", "geo_shape", "murmur3", "histogram"]


class Query(Model):
    """A query in another language than KQL (a plain string means KQL)."""

    query: str
    language: Literal["kuery", "lucene"] = "kuery"


QueryText = str | Query


def query_text(query: QueryText) -> tuple[str, str]:
    return (query, "kuery") if isinstance(query, str) else (query.query, query.language)


class Format(Model):
    """A number format; ``format: bytes`` is short for ``{id: bytes, decimals: 2}`` (Kibana's default)."""

    model_config = {**Model.model_config, "extra": "allow"}  # the params differ per format id
    id: Literal["number", "percent", "bytes", "bits", "duration", "custom", "string"]


def _format_from_string(value: Any) -> Any:
    return {"id": value, "decimals": 2} if isinstance(value, str) else value


FormatSpec = Annotated[Format, BeforeValidator(_format_from_string)]


class ColumnOptions(Model):
    """Keys every column (metric or bucket) accepts."""

    label: str | None = Field(default=None, description="custom label; Kibana's default label if unset")
    type: DataType | None = Field(default=None, description="the column's data type when it differs from what "
                                                            "the operation and the data view imply")
    format: FormatSpec | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="extra Lens params, kept verbatim")
    raw: dict[str, Any] = Field(default_factory=dict, description="extra Lens column keys, kept verbatim")


@functools.lru_cache(maxsize=4096)
def _parsed_metric(text: str) -> MetricCall:
    """Metric strings repeat across panels and are read again at compile; MetricCall is frozen, so one parse
    can serve them all (a failed parse raises and is not cached)."""
    return parse_metric(text)


class MetricSpec(ColumnOptions):
    """One metric: a mini-language string (``sum(bytes)``), a ``formula`` or a ``static_value``."""

    metric: str | None = None
    formula: str | None = None
    static_value: int | float | str | None = None
    column: str | None = Field(default=None, description="ES|QL charts: a column of the query's result")
    filter: QueryText | None = Field(default=None, description="KQL that limits the documents of this metric")
    time_shift: str | None = None
    time_scale: Literal["s", "m", "h", "d"] | None = None
    reduced_time_range: str | None = None
    color: str | None = None
    axis: Literal["left", "right"] | None = None
    raw_helper_label: str | None = Field(default=None, description="a formula's helper columns are labelled "
                                         "'Part of <this>'; default: the formula's label")

    @model_validator(mode="after")
    def _parse(self) -> MetricSpec:
        given = [k for k in ("metric", "formula", "static_value", "column") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a metric needs exactly one of: metric (e.g. 'sum(bytes)'), formula, static_value "
                             "(or in an ES|QL chart, column); "
                             f"got {', '.join(given) or 'none'}")
        if self.metric is not None:
            _parsed_metric(self.metric)
        if self.formula is not None:
            parse_formula(self.formula)
        return self

    @property
    def call(self) -> MetricCall | None:
        return None if self.metric is None else _parsed_metric(self.metric)


def _metric_from_string(value: Any) -> Any:
    return {"metric": value} if isinstance(value, str) else value


Metric = Annotated[MetricSpec, BeforeValidator(_metric_from_string)]


class FilterBucket(Model):
    """One bucket of a ``filters`` breakdown: its KQL and the label it shows (not a filter pill: see query.filters)."""

    query: QueryText
    label: str = ""


class RangeSpec(Model):
    model_config = {**Model.model_config, "extra": "allow"}  # Kibana keeps extra keys (e.g. type) verbatim
    from_: float | None = Field(default=None, alias="from")
    to: float | None = None
    label: str = ""


BUCKET_OPERATIONS = ("date_histogram", "terms", "filters", "histogram", "range", "column")


class Bucket(ColumnOptions):
    """One bucket column: exactly one of ``date_histogram``, ``terms``, ``filters``, ``histogram``, ``range``."""

    date_histogram: str | None = None
    terms: str | list[str] | None = None
    filters: list[FilterBucket] | None = None
    histogram: str | None = None
    range: str | None = None
    column: str | None = Field(default=None, description="ES|QL charts: a column of the query's result")
    # date_histogram
    interval: str = "auto"
    include_empty_rows: bool | None = Field(default=None, description="default: true for date histograms")
    drop_partials: bool = False
    # terms
    size: int = 5
    order_by: int | Literal["alphabetical", "rare", "significant"] | Metric | None = Field(
        default=None, description="metric index (default 0), alphabetical, rare, significant, or a metric")
    order: Literal["asc", "desc"] | None = None
    other_bucket: bool | None = None
    missing_bucket: bool = False
    include: list[str | float] | None = None
    exclude: list[str | float] | None = None
    # histogram / range
    bars: int | float | Literal["auto"] = "auto"
    ranges: list[RangeSpec] | None = None

    @model_validator(mode="after")
    def _one_operation(self) -> Bucket:
        given = [k for k in BUCKET_OPERATIONS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a bucket needs exactly one of: date_histogram: <field>, terms: <field>, "
                             f"filters: [...], histogram: <field>, range: <field>; got {', '.join(given) or 'none'}")
        if self.range is not None and not self.ranges:
            raise ValueError("a range bucket needs ranges: [{from: ..., to: ..., label: ...}]")
        return self

    @property
    def operation(self) -> str:
        return next(k for k in BUCKET_OPERATIONS if getattr(self, k) is not None)


def _bucket_from_string(value: Any) -> Any:
    # `x: "@timestamp"` is the common case: a date histogram on the time field.
    return {"date_histogram": value} if isinstance(value, str) else value


BucketSpec = Annotated[Bucket, BeforeValidator(_bucket_from_string)]
LegendPosition = Literal["right", "left", "top", "bottom", "hidden"]


class LensChart(Model):
    """The keys a person writes for one Lens chart (the dashboard adds the panel's own keys)."""

    chart: ChartType
    data_view: Ref | None = Field(default=None, description="default: the dashboard's data view")
    query: QueryText = ""
    esql: str | None = Field(default=None, description="an ES|QL query (technical preview in 8.11): the chart "
                             "then names columns of its result (x: host.name, metrics: [c]) instead of "
                             "aggregating a data view")
    filters: list[Filter] = Field(default_factory=list, description="as on dashboards: {field, is, ...} or a "
                                  "Kibana filter object kept verbatim; data_view defaults to the chart's")
    # buckets
    x: BucketSpec | None = None
    y: BucketSpec | None = Field(default=None, description="heatmap rows")
    breakdown: BucketSpec | None = None
    slices: list[BucketSpec] = Field(default_factory=list, description="pie/donut/treemap groups")
    tags: BucketSpec | None = Field(default=None, description="tag cloud words")
    rows: list[BucketSpec] = Field(default_factory=list, description="table rows")
    split_by: list[BucketSpec] = Field(default_factory=list, description="table columns split by value")
    # metrics
    metric: Metric | None = None
    metrics: list[Metric] = Field(default_factory=list)
    secondary_metric: Metric | None = None
    reference_lines: list[Metric] = Field(default_factory=list, description="XY: horizontal lines, e.g. "
                                          "{static_value: 90, label: Alert, color: '#E7664C'}")
    raw_reference_layer: dict[str, Any] = Field(default_factory=dict, description="keys of the reference "
                                                "line layer kept verbatim")
    min: Metric | None = None
    max: Metric | None = None
    goal: Metric | None = None
    # display
    legend: LegendPosition | None = None
    value_labels: bool | None = None
    x_title: str | None = None
    y_title: str | None = None
    nesting: Literal["breakdown_first", "x_first"] = "breakdown_first"
    raw_visualization: dict[str, Any] = Field(default_factory=dict,
                                              description="visualization keys kept verbatim")
    raw_layer: dict[str, Any] = Field(default_factory=dict, description="keys of the visualization's data "
                                                                       "layer kept verbatim")
    raw_datasource_layer: dict[str, Any] = Field(default_factory=dict)
    raw_references: list[dict[str, str]] = Field(default_factory=list,
                                                 description="references other than the layer's data view")
    raw_state: dict[str, Any] = Field(default_factory=dict, description="Lens state keys kept verbatim")
    raw_attributes: dict[str, Any] = Field(default_factory=dict,
                                           description="Lens attributes kept verbatim (e.g. a stored title)")
    stored: StoredAs | None = Field(default=None, description="how the stored chart differs from what compile "
                                    "writes today (charts saved by older editors); written by export")

    @model_validator(mode="before")
    @classmethod
    def _esql_columns(cls, data: Any) -> Any:
        return esql_columns(data, SLOT_KEYS)

    @model_validator(mode="after")
    def _shape(self) -> LensChart:
        check_chart_shape(self)
        return self

    @property
    def all_metrics(self) -> list[MetricSpec]:
        return [self.metric] if self.metric is not None else list(self.metrics)


# Every key that holds a bucket or a metric (``words``: a library Lens's name for a tag cloud's ``tags``).
SLOT_KEYS = ("x", "y", "breakdown", "slices", "tags", "words", "rows", "split_by", "metric", "metrics",
             "secondary_metric", "reference_lines", "min", "max", "goal")


def esql_columns(data: Any, keys: tuple[str, ...]) -> Any:
    """In an ES|QL chart a plain string names a result column (elsewhere: a metric or a date histogram)."""
    if not isinstance(data, dict) or data.get("esql") is None:
        return data
    data = dict(data)
    for key in keys:
        value = data.get(key)
        if isinstance(value, list):
            data[key] = [_column_from_string(v) for v in value]
        elif value is not None:
            data[key] = _column_from_string(value)
    return data


def _column_from_string(value: Any) -> Any:
    return {"column": value} if isinstance(value, str) else value


def check_chart_shape(chart: LensChart) -> None:
    """The keys a chart type needs and accepts (raises ValueError); models built on LensChart call it too."""
    if chart.esql is not None:
        _check_esql(chart)
    elif any(isinstance(spec, (MetricSpec, Bucket)) and spec.column is not None for spec in _slot_values(chart)):
        raise ValueError("column: names a result column of an ES|QL query; this chart has no esql:")
    if chart.metric is not None and chart.metrics:
        raise ValueError("write either metric: or metrics: [...], not both")
    family = chart_family(chart.chart)
    misplaced = [k for k in _FAMILY_ONLY_KEYS if k not in _FAMILY_KEYS[family]
                 and getattr(chart, k) not in (None, [])]
    if misplaced:
        raise ValueError(f"{', '.join(misplaced)} cannot be used in a {chart.chart} chart; it takes "
                         f"{', '.join(_FAMILY_KEYS[family])}")
    if family not in ("xy", "pie", "table") and chart.metric is None:
        raise ValueError(f"a {chart.chart} chart needs metric: (one metric, e.g. 'count')")
    if not chart.all_metrics and family != "table":
        raise ValueError(f"a {chart.chart} chart needs metric: or metrics: [...]")
    if not chart.all_metrics and not chart.rows:
        raise ValueError("a table needs rows: [...] or metrics: [...]")
    if chart.chart == "tagcloud" and chart.tags is None:
        raise ValueError("a tagcloud needs tags: (a terms bucket)")


def chart_family(chart: str) -> str:
    if chart in XY_CHARTS:
        return "xy"
    if chart in PIE_CHARTS:
        return "pie"
    return chart


# Keys that only some charts use, and which of them each family takes.
_FAMILY_ONLY_KEYS = ("x", "y", "breakdown", "slices", "tags", "rows", "split_by", "secondary_metric", "min",
                     "max", "goal", "reference_lines")
_FAMILY_KEYS = {
    "xy": ("x", "breakdown", "metric", "metrics", "reference_lines"),
    "pie": ("slices", "metric", "metrics"),
    "table": ("rows", "split_by", "metric", "metrics"),
    "metric": ("metric", "secondary_metric", "max", "breakdown"),
    "legacy_metric": ("metric",),
    "heatmap": ("x", "y", "metric"),
    "gauge": ("metric", "min", "max", "goal"),
    "tagcloud": ("tags", "metric"),
}


def _slot_values(chart: LensChart) -> list[Any]:
    values: list[Any] = []
    for key in _slot_keys(type(chart)):
        value = getattr(chart, key, None)
        values.extend(value if isinstance(value, list) else [value])
    return [v for v in values if v is not None]


@functools.cache
def _slot_keys(model: type) -> tuple[str, ...]:
    # The slot keys a chart model has: asking a pydantic model for an attribute it lacks ("words" on most of
    # them) raises inside getattr, which made this check a tenth of validating a dashboard.
    return tuple(k for k in SLOT_KEYS if k in getattr(model, "model_fields", {}) or hasattr(model, k))


def _check_esql(chart: LensChart) -> None:
    if not chart.esql.strip():
        raise ValueError("esql: is empty")
    if chart.data_view is not None:
        raise ValueError("an ES|QL chart reads the indices its FROM names; drop data_view:")
    if chart.query != "":
        raise ValueError("an ES|QL chart filters in its esql: query; drop query:")
    for spec in _slot_values(chart):
        if isinstance(spec, Bucket) and spec.column is None or \
                isinstance(spec, MetricSpec) and spec.column is None and spec.static_value is None:
            raise ValueError("an ES|QL chart names columns of its result (x: host.name, metrics: [c]); "
                             "aggregate in the query (STATS c = COUNT(*) BY host.name)")
