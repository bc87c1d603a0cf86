"""ES's TimeValue and ByteSizeValue as the policy parser reads and re-prints them (libs/core TimeValue.java,
server ByteSizeValue.java): values keep their unit on output (`getStringRep`), `0` is `0ms`."""

from __future__ import annotations

from .errors import Cause

_TIME_UNITS = {"nanos": 1, "micros": 1_000, "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000,
               "h": 3_600_000_000_000, "d": 86_400_000_000_000}
_SIZE_UNITS = {"b": 1, "kb": 1 << 10, "k": 1 << 10, "mb": 1 << 20, "m": 1 << 20, "gb": 1 << 30, "g": 1 << 30,
               "tb": 1 << 40, "t": 1 << 40, "pb": 1 << 50, "p": 1 << 50}


class UnitError(Exception):
    def __init__(self, cause: Cause) -> None:
        super().__init__(cause.reason)
        self.cause = cause


def parse_time(text: object, setting: str) -> tuple[int, str]:
    """-> (nanos, string rep). Errors are ElasticsearchParseException (`parse_exception`)."""
    raw = str(text)
    normalized = raw.strip().lower()
    if normalized == "0":
        return 0, "0ms"
    if normalized == "-1":
        return -1, "-1"
    for suffix in ("nanos", "micros", "ms", "s", "m", "h", "d"):
        if normalized.endswith(suffix):
            number = normalized[: -len(suffix)].strip()
            try:
                value = int(number)
            except ValueError:
                try:
                    float(number)
                except ValueError:
                    raise UnitError(Cause("parse_exception", f"failed to parse [{raw}]")) from None
                raise UnitError(Cause("parse_exception",
                                      f"failed to parse [{raw}], fractional time values are not supported")) from None
            if value < -1:
                raise UnitError(Cause("illegal_argument_exception",
                                      f"failed to parse setting [{setting}] with value [{raw}] as a time value: "
                                      "negative durations are not supported"))
            return value * _TIME_UNITS[suffix], f"{value}{suffix}"
    raise UnitError(Cause("parse_exception", f"failed to parse setting [{setting}] with value [{raw}] as a time "
                                             "value: unit is missing or unrecognized"))


def human_time(nanos: int) -> str:
    """`TimeValue.toString()` (= toHumanReadableString(1)): largest unit, one truncated decimal, `.0` dropped."""
    if nanos < 0:
        return str(nanos)
    if nanos == 0:
        return "0s"
    steps = (("d", _TIME_UNITS["d"]), ("h", _TIME_UNITS["h"]), ("m", _TIME_UNITS["m"]), ("s", _TIME_UNITS["s"]),
             ("ms", _TIME_UNITS["ms"]), ("micros", 1000), ("nanos", 1))
    suffix, size = next((name, unit) for name, unit in steps if nanos >= unit)
    value = nanos / size
    whole, _, frac = repr(float(value)).partition(".")
    digit = frac[:1]
    return f"{whole}{suffix}" if digit in ("", "0") else f"{whole}.{digit}{suffix}"


def parse_size(text: object, setting: str) -> str:
    """-> ByteSizeValue string rep (lower-case unit)."""
    raw = str(text)
    normalized = raw.strip().lower()
    for suffix in sorted(_SIZE_UNITS, key=len, reverse=True):
        if normalized.endswith(suffix):
            number = normalized[: -len(suffix)].strip()
            try:
                return f"{int(number)}{suffix}"
            except ValueError:
                try:
                    return f"{int(float(number) * _SIZE_UNITS[suffix])}b"
                except ValueError:
                    break
    if normalized in ("-1", "0"):
        return "-1" if normalized == "-1" else "0b"
    raise UnitError(Cause("parse_exception", f"failed to parse setting [{setting}] with value [{raw}] as a size in "
                                             "bytes: unit is missing or unrecognized"))
