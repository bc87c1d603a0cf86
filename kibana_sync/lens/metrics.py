"""The metric mini-language: ``count``, ``sum(bytes)``, ``p95(latency)``, ``counter_rate(max(bytes))``...

``parse_metric`` turns one string into a ``MetricCall``; ``format_metric`` is its exact inverse, so export writes the
same strings a person would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lens operation names, with the short spellings people write for them.
FIELD_OPERATIONS = ("count", "sum", "average", "min", "max", "median", "standard_deviation", "unique_count",
                    "last_value", "percentile", "percentile_rank")
ALIASES = {"avg": "average", "mean": "average", "cardinality": "unique_count", "std_dev": "standard_deviation"}
_SHORT_NAMES = {"average": "avg"}  # what export writes
# Operations computed from another metric column (Lens "reference-based" operations).
REFERENCE_OPERATIONS = ("counter_rate", "differences", "cumulative_sum", "moving_average")
# The numeric argument each operation takes after its field or inner metric, and its Lens params key.
NUMBER_ARGUMENT = {"percentile": "percentile", "percentile_rank": "value", "moving_average": "window"}

_CALL = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(?:\((.*)\))?\s*$", re.DOTALL)
_PERCENTILE_SHORTHAND = re.compile(r"^p(\d+(?:\.\d+)?)$")

EXPECTED = ("expected a metric such as count, sum(field), avg(field), min(field), max(field), median(field), "
            "p95(field), percentile(field, 95), unique_count(field), last_value(field) or "
            "counter_rate(max(field))")


@dataclass(frozen=True)
class MetricCall:
    """One parsed metric: ``operation`` applied to ``field`` (or to the ``inner`` metric), with its argument."""

    operation: str
    field: str | None = None
    argument: float | None = None
    inner: MetricCall | None = None


def parse_metric(text: str) -> MetricCall:
    """Parse ``text``; raise ValueError saying what was expected."""
    match = _CALL.match(text)
    if not match:
        raise ValueError(f"cannot read metric {text!r}; {EXPECTED}")
    name, inside = match.group(1), match.group(2)
    shorthand = _PERCENTILE_SHORTHAND.match(name)
    if shorthand:
        field, _ = _split_arguments(inside, text, 1)
        return MetricCall("percentile", field, _number(shorthand.group(1), text))
    operation = ALIASES.get(name, name)
    if operation in REFERENCE_OPERATIONS:
        return _reference_call(operation, inside, text)
    if operation not in FIELD_OPERATIONS:
        raise ValueError(f"unknown metric {name!r} in {text!r}; {EXPECTED}")
    if operation == "count":
        if not inside or not inside.strip():
            return MetricCall("count")
        field, _ = _split_arguments(inside, text, 1)
        return MetricCall("count", field)
    if operation in NUMBER_ARGUMENT:
        field, extra = _split_arguments(inside, text, 2)
        return MetricCall(operation, field, _number(extra, text))
    field, _ = _split_arguments(inside, text, 1)
    return MetricCall(operation, field)


def _reference_call(operation: str, inside: str | None, text: str) -> MetricCall:
    if not inside or not inside.strip():
        raise ValueError(f"{operation} needs the metric it is computed from, e.g. {operation}(max(bytes)); "
                         f"got {text!r}")
    inner_text, extra = _split_outer(inside)
    if operation in NUMBER_ARGUMENT:
        if extra is None:
            raise ValueError(f"{operation} needs a window, e.g. {operation}(avg(bytes), 5); got {text!r}")
        argument = _number(extra, text)
    elif extra is not None:
        raise ValueError(f"{operation} takes one metric, got {text!r}")
    else:
        argument = None
    return MetricCall(operation, argument=argument, inner=parse_metric(inner_text))


def _split_outer(inside: str) -> tuple[str, str | None]:
    """Split ``max(a), 5`` at the last top-level comma: the inner metric may contain parentheses."""
    depth = 0
    for i, char in enumerate(inside):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            return inside[:i].strip(), inside[i + 1:].strip()
    return inside.strip(), None


def _split_arguments(inside: str | None, text: str, count: int) -> tuple[str, str | None]:
    parts = [p.strip() for p in (inside or "").split(",")] if inside and inside.strip() else []
    if len(parts) != count or not all(parts):
        wanted = "a field name" if count == 1 else "a field name and a number, e.g. percentile(latency, 95)"
        raise ValueError(f"{text!r}: expected {wanted} inside the parentheses")
    return parts[0], parts[1] if count == 2 else None


def _number(value: str | None, text: str) -> float:
    try:
        number = float(value or "")
    except ValueError:
        raise ValueError(f"{text!r}: expected a number, got {value!r}") from None
    return int(number) if number.is_integer() else number


def format_metric(call: MetricCall) -> str:
    """The canonical string for ``call``: ``parse_metric(format_metric(c)) == c``."""
    if call.inner is not None:
        inner = format_metric(call.inner)
        if call.argument is not None:
            return f"{call.operation}({inner}, {_format_number(call.argument)})"
        return f"{call.operation}({inner})"
    if call.operation == "count" and call.field is None:
        return "count"
    if call.operation == "percentile" and call.argument is not None and float(call.argument).is_integer():
        return f"p{_format_number(call.argument)}({call.field})"
    name = _SHORT_NAMES.get(call.operation, call.operation)
    if call.argument is not None:
        return f"{name}({call.field}, {_format_number(call.argument)})"
    return f"{name}({call.field})"


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)
