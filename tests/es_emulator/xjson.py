"""JSON bodies parsed the way ES's XContent parser sees them: values plus token locations.

ES parse errors carry Jackson's token location as `[line:column]` (1-based, `XContentLocation.toString`), and
ES enables strict duplicate detection on JSON. `ObjectParser` reports an unknown field at the field name's
location, and wraps it in `[<parser>] failed to parse field [<f>]` at the location the parser stands on when the
exception passes (`ObjectParser.parseValue/throwFailedToParse`): the value token for scalars and unknown fields,
the closing brace when a constructor rejects the finished object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import Cause, EsError

Path = tuple[Any, ...]


@dataclass(frozen=True)
class Loc:
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


@dataclass
class Spans:
    start: dict[Path, Loc]  # first character of the value at a path
    end: dict[Path, Loc]  # closing bracket of an object/array (== start for scalars)
    key: dict[Path, Loc]  # opening quote of the field name (object members only)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.spans = Spans({}, {}, {})
        self._line_starts = [0] + [n + 1 for n, ch in enumerate(text) if ch == "\n"]

    def loc(self, index: int | None = None) -> Loc:
        index = self.i if index is None else index
        line = _bisect(self._line_starts, index)
        return Loc(line + 1, index - self._line_starts[line] + 1)

    def fail(self, message: str) -> EsError:
        # Jackson's own message; ES wraps a JsonParseException as an XContentParseException (inferred shape).
        return EsError(400, [Cause("x_content_parse_exception", f"[{self.loc()}] {message}")])

    def ws(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t\r\n":
            self.i += 1

    def value(self, path: Path) -> Any:
        self.ws()
        if self.i >= len(self.text):
            raise self.fail("Unexpected end-of-input")
        start = self.loc()
        self.spans.start[path] = start
        ch = self.text[self.i]
        if ch == "{":
            result = self.obj(path)
        elif ch == "[":
            result = self.arr(path)
        elif ch == '"':
            result = self.string()
        else:
            result = self.scalar()
        self.spans.end.setdefault(path, start)
        return result

    def obj(self, path: Path) -> dict[str, Any]:
        self.i += 1
        out: dict[str, Any] = {}
        self.ws()
        if self.text[self.i:self.i + 1] == "}":
            self.spans.end[path] = self.loc()
            self.i += 1
            return out
        while True:
            self.ws()
            if self.text[self.i:self.i + 1] != '"':
                raise self.fail(f"Unexpected character ('{self.text[self.i:self.i + 1]}'): was expecting double-quote "
                                "to start field name")
            key_loc = self.loc()
            key = self.string()
            if key in out:
                raise self.fail(f"Duplicate field '{key}'")
            self.ws()
            if self.text[self.i:self.i + 1] != ":":
                raise self.fail("Unexpected character: was expecting a colon to separate field name and value")
            self.i += 1
            self.spans.key[(*path, key)] = key_loc
            out[key] = self.value((*path, key))
            self.ws()
            ch = self.text[self.i:self.i + 1]
            if ch == ",":
                self.i += 1
                continue
            if ch == "}":
                self.spans.end[path] = self.loc()
                self.i += 1
                return out
            raise self.fail(f"Unexpected character ('{ch}'): was expecting comma to separate Object entries")

    def arr(self, path: Path) -> list[Any]:
        self.i += 1
        out: list[Any] = []
        self.ws()
        if self.text[self.i:self.i + 1] == "]":
            self.spans.end[path] = self.loc()
            self.i += 1
            return out
        while True:
            out.append(self.value((*path, len(out))))
            self.ws()
            ch = self.text[self.i:self.i + 1]
            if ch == ",":
                self.i += 1
                continue
            if ch == "]":
                self.spans.end[path] = self.loc()
                self.i += 1
                return out
            raise self.fail(f"Unexpected character ('{ch}'): was expecting comma to separate Array entries")

    def string(self) -> str:
        decoder = json.JSONDecoder()
        try:
            value, end = decoder.raw_decode(self.text, self.i)
        except ValueError as err:
            raise self.fail("Unexpected end-of-input in VALUE_STRING") from err
        self.i = end
        return value

    def scalar(self) -> Any:
        decoder = json.JSONDecoder()
        try:
            value, end = decoder.raw_decode(self.text, self.i)
        except ValueError as err:
            raise self.fail(f"Unrecognized token '{self.text[self.i:self.i + 10].split()[0]}': was expecting "
                            "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')") from err
        self.i = end
        return value


def _bisect(starts: list[int], index: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= index:
            lo = mid
        else:
            hi = mid - 1
    return lo


def parse(body: bytes) -> tuple[Any, Spans]:
    """Parse a request body; an empty body is ES's `parse_exception: request body is required`."""
    text = body.decode("utf-8", errors="replace")
    if not text.strip():
        raise EsError(400, [Cause("parse_exception", "request body is required")])
    reader = _Reader(text)
    value = reader.value(())
    reader.ws()
    if reader.i < len(text):
        raise reader.fail(f"Unexpected character ('{text[reader.i]}')")
    return value, reader.spans


def token_name(value: Any) -> str:
    """The XContent token a JSON value starts with (used in `doesn't support values of type: <TOKEN>`)."""
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, bool):
        return "VALUE_BOOLEAN"
    if isinstance(value, int | float):
        return "VALUE_NUMBER"
    if value is None:
        return "VALUE_NULL"
    return "VALUE_STRING"


class ObjectParsing:
    """Builds ES's nested `x_content_parse_exception` chains for one parsed body.

    `frames` are the enclosing `(parser name, field name)` pairs, outermost first, exactly as `ObjectParser`
    and `declareNamedObjects` name them (`[<parser>] failed to parse field [<field>]`)."""

    def __init__(self, spans: Spans) -> None:
        self.spans = spans

    def wrap(self, frames: list[tuple[str, str]], at: Loc, inner: list[Cause]) -> EsError:
        chain = [Cause("x_content_parse_exception", f"[{at}] [{parser}] failed to parse field [{name}]")
                 for parser, name in frames]
        return EsError(400, [*chain, *inner])

    def unknown_field(self, frames: list[tuple[str, str]], parser: str, path: Path, known: list[str]) -> EsError:
        field = path[-1]
        inner = Cause("x_content_parse_exception",
                      f"[{self.spans.key[path]}] [{parser}] unknown field [{field}]{did_you_mean(field, known)}")
        return self.wrap(frames, self.spans.start[path], [inner])

    def bad_type(self, frames: list[tuple[str, str]], parser: str, path: Path, value: Any) -> EsError:
        """`FieldParser.assertSupports`: a token the declared ValueType does not accept."""
        inner = Cause("x_content_parse_exception",
                      f"[{self.spans.start[path]}] [{parser}] {path[-1]} doesn't support values of type: "
                      f"{token_name(value)}")
        return self.wrap(frames, self.spans.start[path], [inner])

    def expect_object(self, frames: list[tuple[str, str]], parser: str, path: Path, value: Any) -> None:
        """ObjectParser.throwExpectedStartObject."""
        if not isinstance(value, dict):
            inner = Cause("x_content_parse_exception", f"[{self.spans.start[path]}] [{parser}] Expected "
                                                       f"START_OBJECT but was: {token_name(value)}")
            raise self.wrap(frames, self.spans.start[path], [inner])

    def value_error(self, frames: list[tuple[str, str]], path: Path, inner: Cause) -> EsError:
        """A field parser threw (e.g. a TimeValue that does not parse): wrapped at the value's location."""
        return self.wrap(frames, self.spans.start[path], [inner])

    def build_error(self, frames: list[tuple[str, str]], path: Path, reason: str) -> EsError:
        """A constructor rejected the finished object (IllegalArgumentException at its closing brace)."""
        return self.wrap(frames, self.spans.end[path], [Cause("illegal_argument_exception", reason)])


def did_you_mean(field: str, candidates: list[str]) -> str:
    """`SuggestingErrorOnUnknown`: candidates with Lucene Levenshtein similarity > 0.5, best first (inferred)."""
    scored = sorted(((similarity(field, c), c) for c in candidates if similarity(field, c) > 0.5),
                    key=lambda t: (-t[0], t[1]))
    if not scored:
        return ""
    names = [c for _, c in scored]
    return f" did you mean [{names[0]}]?" if len(names) == 1 else f" did you mean any of {_jl(names)}?"


def _jl(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def similarity(a: str, b: str) -> float:
    """Lucene `LevenshteinDistance.getDistance`: 1 - edits / max(len)."""
    if not a and not b:
        return 1.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1.0 - prev[-1] / max(len(a), len(b))
