"""What a chart names: the fields (so ``validate`` can warn about unknown ones) and the KQL queries (so it can
report syntax errors), each with its YAML path inside the chart."""

from __future__ import annotations

from kibana_sync.lens.config import Bucket, LensChart, MetricSpec, QueryText
from kibana_sync.lens.formula import formula_parts
from kibana_sync.lens.metrics import MetricCall
from kibana_sync.lens.slots import bucket_slots, metric_slots
from kibana_sync.query.filters import FilterSpec

Path = tuple[str | int, ...]


def _path(name: str) -> Path:
    """``slices.1`` -> ``("slices", 1)``."""
    return tuple(int(p) if p.isdigit() else p for p in name.split("."))


def lens_fields(chart: LensChart) -> list[tuple[Path, str]]:
    if chart.esql is not None:
        return []  # an ES|QL chart names columns of its query's result, not fields of a data view
    found: list[tuple[Path, str]] = []
    for name, spec in metric_slots(chart):
        found += _metric_fields(_path(name), spec)
    for name, bucket in bucket_slots(chart):
        found += _bucket_fields(_path(name), bucket)
    # A filter on another data view than the chart's would be checked against the wrong field list.
    found += [(("filters", i, "field"), f.field) for i, f in enumerate(chart.filters)
              if isinstance(f, FilterSpec) and (f.data_view is None or f.data_view == chart.data_view)]
    return found


def _metric_fields(path: Path, spec: MetricSpec) -> list[tuple[Path, str]]:
    if spec.formula is not None:
        return [((*path, "formula"), field) for field in formula_parts(spec.formula)[0]]
    call: MetricCall | None = spec.call
    while call is not None and call.inner is not None:
        call = call.inner
    if call is None or call.field is None:
        return []
    return [(path, call.field)]


def _bucket_fields(path: Path, bucket: Bucket) -> list[tuple[Path, str]]:
    operation = bucket.operation
    value = getattr(bucket, operation)
    found: list[tuple[Path, str]] = []
    if isinstance(value, str):
        found.append(((*path, operation), value))
    elif operation == "terms":
        found += [((*path, operation, i), f) for i, f in enumerate(value)]
    if isinstance(bucket.order_by, MetricSpec):
        found += _metric_fields((*path, "order_by"), bucket.order_by)
    return found


def lens_queries(chart: LensChart) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    _add_kql(found, ("query",), chart.query)
    for name, spec in metric_slots(chart):
        if spec.filter is not None:
            _add_kql(found, (*_path(name), "filter"), spec.filter)
        if spec.formula is not None:
            found += [((*_path(name), "formula"), query) for query in formula_parts(spec.formula)[1]]
    for name, bucket in bucket_slots(chart):
        for i, item in enumerate(bucket.filters or []):
            _add_kql(found, (*_path(name), "filters", i, "query"), item.query)
    return found


def _add_kql(found: list[tuple[Path, str]], path: Path, query: QueryText) -> None:
    if isinstance(query, str):
        if query:
            found.append((path, query))
    elif query.language == "kuery":
        found.append(((*path, "query"), query.query))
