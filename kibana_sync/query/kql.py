"""KQL (Kibana Query Language) parser, a port of Kibana's own grammar.

The rules mirror ``packages/kbn-es-query/src/kuery/grammar/grammar.peggy`` one for one, run as a packrat PEG
parser the way Kibana's generated parser runs them: each rule's result is cached per input position, named rules
("value", "fieldName", "OR", ...) report only their name, and a syntax error lists what was expected at the
furthest position reached. That is what makes our messages read like Kibana's, e.g.
``Expected "(", "{", value, whitespace but ">" found.`` for ``tilt_score:>70``. The editor-cursor alternatives
of the grammar (autocomplete) never match outside Kibana's editor and are left out.

That port costs a Python call per character, so ``parse`` first tries a recursive-descent fast path that reads
the same grammar with regexes and gives up wherever the port would backtrack; the port then runs only to decide
what the fast path could not, which in practice means producing an error message. Results are cached per query.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any, TypeVar
from typing import Literal as Lit

__all__ = [
    "And", "Exists", "Is", "KQLSyntaxError", "Literal", "MatchAll", "Nested", "Node", "Not", "Or", "Range",
    "Wildcard", "fields", "lucene_hint", "parse",
]


class KQLSyntaxError(ValueError):
    """A query Kibana would reject; ``position`` is the 0-based offset where parsing stopped."""

    def __init__(self, message: str, position: int, query: str):
        self.message, self.position, self.query = message, position, query
        super().__init__(message)

    def pointer(self) -> str:
        """Kibana's two-line picture of where the error is: the query, then ``---^`` under the offset."""
        return f"{self.query}\n{'-' * self.position}^"


# --- the AST -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Literal:
    """A plain value or field name. ``quoted`` values are phrases; unquoted ``true``/``false``/``null`` are typed."""

    value: str
    quoted: bool = False

    @property
    def text(self) -> str:
        return self.value

    @property
    def typed(self) -> str | bool | None:
        if not self.quoted:
            if self.value == "null":
                return None
            if self.value in ("true", "false"):
                return self.value == "true"
        return self.value


@dataclass(frozen=True)
class Wildcard:
    """An unquoted value or field name with ``*``: the literal text between the wildcards."""

    parts: tuple[str, ...]

    @property
    def text(self) -> str:
        return "*".join(p.replace("*", "\\*") for p in self.parts)

    def matches(self, name: str) -> bool:
        return re.fullmatch(".*".join(re.escape(p) for p in self.parts), name, re.DOTALL) is not None


Term = Literal | Wildcard
_STAR = Wildcard(("", ""))


@dataclass(frozen=True)
class MatchAll:
    """The empty query (and ``*``, ``*:*``): every document."""


@dataclass(frozen=True)
class Is:
    """``field:value``; ``field`` is None for a bare value, which Kibana searches in every field."""

    field: Term | None
    value: Term


@dataclass(frozen=True)
class Exists:
    """``field:*``."""

    field: Term


@dataclass(frozen=True)
class Range:
    field: Term
    operator: Lit["lt", "lte", "gt", "gte"]
    value: Term


@dataclass(frozen=True)
class Nested:
    """``path:{ query }`` on a nested field; the inner query's fields are relative to ``path``."""

    path: Term
    query: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = MatchAll | Is | Exists | Range | Nested | And | Or | Not


def _is(field: Term | None, value: Term) -> Node:
    # Kibana's `is` function: a lone unquoted `*` value means "exists", and also "everything" without a field.
    if value == _STAR:
        return MatchAll() if field is None or field == _STAR else Exists(field)
    return Is(field, value)


# --- the parser ----------------------------------------------------------------------------------------------

_RECURSION_LIMIT = 20_000
_FAIL: Any = object()
_WILD = object()  # an unescaped `*` inside an unquoted literal (Kibana's KQL_WILDCARD_SYMBOL)
_SPACE = " \t\r\n\u00a0"
_SPECIAL = '\\():<>"*{}'
_HEX = "0123456789abcdefABCDEF"
# Names Kibana's KQLSyntaxError shows for the grammar's named rules.
_RULE_NAMES = {"fieldName": "field name"}

R = TypeVar("R")


def _rule(name: str | None = None) -> Callable[[Callable[[_Parser], R]], Callable[[_Parser], R]]:
    """One grammar rule: memoised per position; a named rule hides its inner failures and reports its name."""

    def decorate(method: Callable[[_Parser], R]) -> Callable[[_Parser], R]:
        rule_id = method.__name__

        @wraps(method)
        def run(self: _Parser) -> R:
            key = (rule_id, self.pos)
            cached = self.cache.get(key)
            if cached is not None:
                # A cache hit reports no expectations, exactly like Kibana's generated parser.
                self.pos = cached[1]
                return cached[0]
            start = self.pos
            if name:
                self.silent += 1
            result = method(self)
            if result is _FAIL:
                self.pos = start
            if name:
                self.silent -= 1
                if result is _FAIL:
                    self.expect(name)
            self.cache[key] = (result, self.pos)
            return result

        return run

    return decorate


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.silent = 0
        self.max_fail = 0
        self.expected: list[str] = []
        self.cache: dict[tuple[str, int], tuple[Any, int]] = {}

    # primitives ---------------------------------------------------------------------------------------------

    def expect(self, description: str) -> None:
        if self.silent or self.pos < self.max_fail:
            return
        if self.pos > self.max_fail:
            self.max_fail, self.expected = self.pos, []
        self.expected.append(description)

    def lit(self, s: str, ignore_case: bool = False) -> Any:
        chunk = self.text[self.pos:self.pos + len(s)]
        if chunk == s or ignore_case and chunk.lower() == s:
            self.pos += len(s)
            return chunk
        self.expect(f'"{s}"' + ("i" if ignore_case else ""))
        return _FAIL

    def char_in(self, chars: str, description: str) -> Any:
        if self.pos < len(self.text) and self.text[self.pos] in chars:
            self.pos += 1
            return self.text[self.pos - 1]
        self.expect(description)
        return _FAIL

    def any_char(self) -> Any:
        if self.pos < len(self.text):
            self.pos += 1
            return self.text[self.pos - 1]
        self.expect("any character")
        return _FAIL

    def spaces(self) -> list[str]:
        out = []
        while (s := self.Space()) is not _FAIL:
            out.append(s)
        return out

    def lookahead_fails(self, rule: Callable[[], Any]) -> bool:
        """``!rule``: true when ``rule`` does not match here; never consumes input or reports failures."""
        start = self.pos
        self.silent += 1
        result = rule()
        self.silent -= 1
        self.pos = start
        return result is _FAIL

    def seq(self, *steps: Callable[[], Any]) -> Any:
        """Run steps in order; on the first failure rewind and fail, else return every step's result."""
        start = self.pos
        results = []
        for step in steps:
            r = step()
            if r is _FAIL:
                self.pos = start
                return _FAIL
            results.append(r)
        return results

    # rules (same names and order as grammar.peggy) ----------------------------------------------------------

    @_rule()
    def start(self) -> Any:
        self.spaces()
        query = self.OrQuery()
        self.OptionalSpace()
        return MatchAll() if query is _FAIL else query

    def _chain(self, operand: Callable[[], Any], operator: Callable[[], Any]) -> Any:
        """``head:operand tail:(operator operand)+``: the operands, or a failure (rewound) if there is no tail."""
        start = self.pos
        head = operand()
        if head is _FAIL:
            return _FAIL
        items = [head]
        while (step := self.seq(operator, operand)) is not _FAIL:
            items.append(step[1])
        if len(items) == 1:
            self.pos = start
            return _FAIL
        return items

    @_rule()
    def OrQuery(self) -> Any:
        items = self._chain(self.AndQuery, self.Or)
        return Or(tuple(items)) if items is not _FAIL else self.AndQuery()

    @_rule()
    def AndQuery(self) -> Any:
        items = self._chain(self.NotQuery, self.And)
        return And(tuple(items)) if items is not _FAIL else self.NotQuery()

    @_rule()
    def NotQuery(self) -> Any:
        r = self.seq(self.Not, self.SubQuery)
        return Not(r[1]) if r is not _FAIL else self.SubQuery()

    @_rule()
    def SubQuery(self) -> Any:
        r = self.seq(lambda: self.lit("("), self.spaces, self.OrQuery, self.OptionalSpace, lambda: self.lit(")"))
        return r[2] if r is not _FAIL else self.NestedQuery()

    @_rule()
    def NestedQuery(self) -> Any:
        r = self.seq(self.Field, self.spaces, lambda: self.lit(":"), self.spaces, lambda: self.lit("{"),
                     self.spaces, self.OrQuery, self.OptionalSpace, lambda: self.lit("}"))
        return Nested(r[0], r[6]) if r is not _FAIL else self.Expression()

    @_rule()
    def Expression(self) -> Any:
        for alternative in (self.FieldRangeExpression, self.FieldValueExpression, self.ValueExpression):
            r = alternative()
            if r is not _FAIL:
                return r
        return _FAIL

    @_rule("fieldName")
    def Field(self) -> Any:
        return self.Literal()

    @_rule()
    def FieldRangeExpression(self) -> Any:
        r = self.seq(self.Field, self.spaces, self.RangeOperator, self.spaces, self.Literal)
        return Range(r[0], r[2], r[4]) if r is not _FAIL else _FAIL

    @_rule()
    def FieldValueExpression(self) -> Any:
        r = self.seq(self.Field, self.spaces, lambda: self.lit(":"), self.spaces, self.ListOfValues)
        return r[4](r[0]) if r is not _FAIL else _FAIL

    @_rule()
    def ValueExpression(self) -> Any:
        partial = self.Value()
        return partial(None) if partial is not _FAIL else _FAIL

    # Value lists build "partials": functions that receive the field once it is known.

    @_rule()
    def ListOfValues(self) -> Any:
        r = self.seq(lambda: self.lit("("), self.spaces, self.OrListOfValues, self.OptionalSpace,
                     lambda: self.lit(")"))
        return r[2] if r is not _FAIL else self.Value()

    @_rule()
    def OrListOfValues(self) -> Any:
        items = self._chain(self.AndListOfValues, self.Or)
        if items is _FAIL:
            return self.AndListOfValues()
        return lambda field: Or(tuple(p(field) for p in items))

    @_rule()
    def AndListOfValues(self) -> Any:
        items = self._chain(self.NotListOfValues, self.And)
        if items is _FAIL:
            return self.NotListOfValues()
        return lambda field: And(tuple(p(field) for p in items))

    @_rule()
    def NotListOfValues(self) -> Any:
        r = self.seq(self.Not, self.ListOfValues)
        if r is _FAIL:
            return self.ListOfValues()
        return lambda field: Not(r[1](field))

    @_rule("value")
    def Value(self) -> Any:
        value = self.QuotedString()
        if value is _FAIL:
            value = self.UnquotedLiteral()
        return _FAIL if value is _FAIL else (lambda field: _is(field, value))

    @_rule("OR")
    def Or(self) -> Any:
        return self.seq(self.spaces1, lambda: self.lit("or", True), self.spaces1)

    @_rule("AND")
    def And(self) -> Any:
        return self.seq(self.spaces1, lambda: self.lit("and", True), self.spaces1)

    @_rule("NOT")
    def Not(self) -> Any:
        return self.seq(lambda: self.lit("not", True), self.spaces1)

    def spaces1(self) -> Any:
        out = self.spaces()
        return out if out else _FAIL

    @_rule("literal")
    def Literal(self) -> Any:
        value = self.QuotedString()
        return value if value is not _FAIL else self.UnquotedLiteral()

    @_rule()
    def QuotedString(self) -> Any:
        if self.lit('"') is _FAIL:
            return _FAIL
        chars = []
        while (c := self.QuotedCharacter()) is not _FAIL:
            chars.append(c)
        if self.lit('"') is _FAIL:
            return _FAIL
        return Literal("".join(chars), quoted=True)

    @_rule()
    def QuotedCharacter(self) -> Any:
        for alternative in (self.EscapedWhitespace, self.EscapedUnicodeSequence, self._escaped_quote_or_backslash):
            c = alternative()
            if c is not _FAIL:
                return c
        return self.char_in_not('"')

    def _escaped_quote_or_backslash(self) -> Any:
        r = self.seq(lambda: self.lit("\\"), lambda: self.char_in('\\"', '[\\\\"]'))
        return r[1] if r is not _FAIL else _FAIL

    def char_in_not(self, excluded: str) -> Any:
        if self.pos < len(self.text) and self.text[self.pos] not in excluded:
            self.pos += 1
            return self.text[self.pos - 1]
        self.expect(f"[^{excluded}]")
        return _FAIL

    @_rule()
    def UnquotedLiteral(self) -> Any:
        chars: list[Any] = []
        while (c := self.UnquotedCharacter()) is not _FAIL:
            chars.append(c)
        return _unquoted(chars) if chars else _FAIL

    @_rule()
    def UnquotedCharacter(self) -> Any:
        for alternative in (self.EscapedWhitespace, self.EscapedSpecialCharacter, self.EscapedUnicodeSequence,
                            self.EscapedKeyword, self.Wildcard):
            c = alternative()
            if c is not _FAIL:
                return c
        if self.lookahead_fails(self.SpecialCharacter) and self.lookahead_fails(self.Keyword):
            return self.any_char()
        return _FAIL

    @_rule()
    def Wildcard(self) -> Any:
        return _WILD if self.lit("*") is not _FAIL else _FAIL

    @_rule()
    def OptionalSpace(self) -> Any:
        return self.spaces()

    @_rule()
    def EscapedWhitespace(self) -> Any:
        for escape, char in (("\\t", "\t"), ("\\r", "\r"), ("\\n", "\n")):
            if self.lit(escape) is not _FAIL:
                return char
        return _FAIL

    @_rule()
    def EscapedSpecialCharacter(self) -> Any:
        r = self.seq(lambda: self.lit("\\"), self.SpecialCharacter)
        return r[1] if r is not _FAIL else _FAIL

    @_rule()
    def EscapedKeyword(self) -> Any:
        if self.lit("\\") is _FAIL:
            return _FAIL
        for keyword in ("or", "and", "not"):
            k = self.lit(keyword, True)
            if k is not _FAIL:
                return k
        return _FAIL

    @_rule()
    def Keyword(self) -> Any:
        for alternative in (self.Or, self.And, self.Not):
            r = alternative()
            if r is not _FAIL:
                return r
        return _FAIL

    @_rule()
    def SpecialCharacter(self) -> Any:
        return self.char_in(_SPECIAL, '[\\\\():<>"*{}]')

    @_rule()
    def EscapedUnicodeSequence(self) -> Any:
        r = self.seq(lambda: self.lit("\\"), self.UnicodeSequence)
        return r[1] if r is not _FAIL else _FAIL

    @_rule()
    def UnicodeSequence(self) -> Any:
        r = self.seq(lambda: self.lit("u"), *[self.HexDigit] * 4)
        return chr(int("".join(r[1:]), 16)) if r is not _FAIL else _FAIL

    @_rule()
    def HexDigit(self) -> Any:
        return self.char_in(_HEX, "[0-9a-f]i")

    @_rule()
    def RangeOperator(self) -> Any:
        for op, name in (("<=", "lte"), (">=", "gte"), ("<", "lt"), (">", "gt")):
            if self.lit(op) is not _FAIL:
                return name
        return _FAIL

    @_rule("whitespace")
    def Space(self) -> Any:
        return self.char_in(_SPACE, "[\\ \\t\\r\\n\\u00A0]")

    # error reporting ----------------------------------------------------------------------------------------

    def error(self) -> KQLSyntaxError:
        names = [_RULE_NAMES.get(d, d) for d in sorted(set(self.expected))]
        expected = ", ".join(dict.fromkeys(names))
        found = f'"{self.text[self.max_fail]}"' if self.max_fail < len(self.text) else "end of input"
        return KQLSyntaxError(f"Expected {expected} but {found} found.", self.max_fail, self.text)


def _unquoted(chars: list[Any]) -> Term:
    """Kibana trims the literal's outer whitespace (spaces are allowed inside unquoted values)."""
    while chars and chars[0] is not _WILD and chars[0] in _SPACE:
        chars = chars[1:]
    while chars and chars[-1] is not _WILD and chars[-1] in _SPACE:
        chars = chars[:-1]
    if _WILD not in chars:
        return Literal("".join(chars))
    parts, current = [], []
    for c in chars:
        if c is _WILD:
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
    parts.append("".join(current))
    return Wildcard(tuple(parts))


# --- the fast path -------------------------------------------------------------------------------------------
#
# The PEG port above costs a Python call per character and per rule. This recursive-descent parser reads the
# same grammar with one regex per literal or operator. It makes exactly the choices the PEG makes on queries it
# can parse. Wherever the PEG would backtrack into another alternative it gives up with _Bail (as does nesting
# past Python's recursion limit) and the PEG port decides instead; for this grammar that backtracking always ends
# in a syntax error, so the port's job is to produce Kibana's message. tests/test_kql.py checks both agree.

class _Bail(Exception):
    pass


_WS = "[ \t\r\n\u00a0]"
# Kibana's Keyword lookahead (the Or, And and Not rules): where an unquoted literal must stop. Letter classes
# rather than re.IGNORECASE, because the PEG compares with str.lower() and ASCII-only classes cannot drift.
_OR_WORD, _AND_WORD, _NOT_WORD = "[oO][rR]", "[aA][nN][dD]", "[nN][oO][tT]"
_KEYWORD_AHEAD = f"{_WS}+(?:{_OR_WORD}|{_AND_WORD}){_WS}|{_NOT_WORD}{_WS}"
# Alternatives in the grammar's order (UnquotedCharacter, QuotedCharacter); possessive repetition, because a
# PEG repetition never gives characters back (`"a\"` must not match as `a\` plus the closing quote).
_UNQUOTED = re.compile(
    rf'(?:\\[trn]|\\[\\():<>"*{{}}]|\\u[0-9a-fA-F]{{4}}|\\(?:{_OR_WORD}|{_AND_WORD}|{_NOT_WORD})|\*'
    rf'|(?!{_KEYWORD_AHEAD})[^\\():<>"*{{}}])++')
_UNQUOTED_CHAR = re.compile(
    rf'\\([trn])|\\([\\():<>"*{{}}])|\\u([0-9a-fA-F]{{4}})|\\({_OR_WORD}|{_AND_WORD}|{_NOT_WORD})|(\*)|(.)',
    re.DOTALL)
_QUOTED = re.compile(r'"((?:\\[trn]|\\u[0-9a-fA-F]{4}|\\["\\]|[^"])*+)"')
_QUOTED_CHAR = re.compile(r'\\([trn])|\\u([0-9a-fA-F]{4})|\\(["\\])|(.)', re.DOTALL)
_SKIP = re.compile(f"{_WS}*")
_OR_OP = re.compile(f"{_WS}+{_OR_WORD}{_WS}+")
_AND_OP = re.compile(f"{_WS}+{_AND_WORD}{_WS}+")
_NOT_OP = re.compile(f"{_NOT_WORD}{_WS}+")
_RANGE_NAMES = {"<=": "lte", ">=": "gte", "<": "lt", ">": "gt"}
_ESCAPED_WHITESPACE = {"t": "\t", "r": "\r", "n": "\n"}


def _unquoted_chars(text: str) -> list[Any]:
    chars: list[Any] = []
    for white, special, code, keyword, star, char in _UNQUOTED_CHAR.findall(text):
        if white:
            chars.append(_ESCAPED_WHITESPACE[white])
        elif code:
            chars.append(chr(int(code, 16)))
        elif star:
            chars.append(_WILD)
        else:
            chars.append(special or keyword or char)
    return chars


def _quoted_text(text: str) -> str:
    out = []
    for white, code, escaped, char in _QUOTED_CHAR.findall(text):
        if white:
            out.append(_ESCAPED_WHITESPACE[white])
        elif code:
            out.append(chr(int(code, 16)))
        else:
            out.append(escaped or char)
    return "".join(out)


def _fast_literal(t: str, i: int) -> tuple[Term, int]:
    if t.startswith('"', i):
        m = _QUOTED.match(t, i)
        if m is None:
            raise _Bail
        text = m[1]
        return Literal(_quoted_text(text) if "\\" in text else text, True), m.end()
    m = _UNQUOTED.match(t, i)
    if m is None:
        raise _Bail
    text = m[0]
    if "\\" in text:
        return _unquoted(_unquoted_chars(text)), m.end()
    text = text.strip(_SPACE)  # same trim as _unquoted: `*` is no space, so it stops the strip like _WILD
    return (Wildcard(tuple(text.split("*"))) if "*" in text else Literal(text)), m.end()


def _fast_or(t: str, i: int) -> tuple[Node, int]:
    node, i = _fast_and(t, i)
    m = _OR_OP.match(t, i)
    if m is None:
        return node, i
    items = [node]
    while m is not None:
        node, i = _fast_and(t, m.end())
        items.append(node)
        m = _OR_OP.match(t, i)
    return Or(tuple(items)), i


def _fast_and(t: str, i: int) -> tuple[Node, int]:
    node, i = _fast_not(t, i)
    m = _AND_OP.match(t, i)
    if m is None:
        return node, i
    items = [node]
    while m is not None:
        node, i = _fast_not(t, m.end())
        items.append(node)
        m = _AND_OP.match(t, i)
    return And(tuple(items)), i


def _fast_not(t: str, i: int) -> tuple[Node, int]:
    m = _NOT_OP.match(t, i)
    if m is None:
        return _fast_sub(t, i)
    node, i = _fast_sub(t, m.end())
    return Not(node), i


def _fast_sub(t: str, i: int) -> tuple[Node, int]:
    if t.startswith("(", i):
        node, i = _fast_or(t, _SKIP.match(t, i + 1).end())
        i = _SKIP.match(t, i).end()
        if not t.startswith(")", i):
            raise _Bail
        return node, i + 1
    term, end = _fast_literal(t, i)
    j = _SKIP.match(t, end).end()
    c = t[j:j + 1]
    if c == ":":
        k = _SKIP.match(t, j + 1).end()
        if t.startswith("{", k):
            node, k = _fast_or(t, _SKIP.match(t, k + 1).end())
            k = _SKIP.match(t, k).end()
            if not t.startswith("}", k):
                raise _Bail
            return Nested(term, node), k + 1
        if t.startswith("(", k):
            partial, k = _fast_values(t, k)
            return partial(term), k
        value, k = _fast_literal(t, k)
        return _is(term, value), k
    if c == "<" or c == ">":
        op = t[j:j + 2] if t.startswith("=", j + 1) else c
        value, k = _fast_literal(t, _SKIP.match(t, j + len(op)).end())
        return Range(term, _RANGE_NAMES[op], value), k
    return _is(None, term), end


# Value lists, like the PEG's, build "partials" that receive the field once the whole list is read.
Partial = Callable[[Term], Node]


def _fast_values(t: str, i: int) -> tuple[Partial, int]:
    if t.startswith("(", i):
        partial, i = _fast_or_values(t, _SKIP.match(t, i + 1).end())
        i = _SKIP.match(t, i).end()
        if not t.startswith(")", i):
            raise _Bail
        return partial, i + 1
    value, i = _fast_literal(t, i)
    return (lambda field: _is(field, value)), i


def _fast_or_values(t: str, i: int) -> tuple[Partial, int]:
    partial, i = _fast_and_values(t, i)
    m = _OR_OP.match(t, i)
    if m is None:
        return partial, i
    items = [partial]
    while m is not None:
        partial, i = _fast_and_values(t, m.end())
        items.append(partial)
        m = _OR_OP.match(t, i)
    return (lambda field: Or(tuple(p(field) for p in items))), i


def _fast_and_values(t: str, i: int) -> tuple[Partial, int]:
    partial, i = _fast_not_values(t, i)
    m = _AND_OP.match(t, i)
    if m is None:
        return partial, i
    items = [partial]
    while m is not None:
        partial, i = _fast_not_values(t, m.end())
        items.append(partial)
        m = _AND_OP.match(t, i)
    return (lambda field: And(tuple(p(field) for p in items))), i


def _fast_not_values(t: str, i: int) -> tuple[Partial, int]:
    m = _NOT_OP.match(t, i)
    if m is None:
        return _fast_values(t, i)
    partial, i = _fast_values(t, m.end())
    return (lambda field: Not(partial(field))), i


def _parse_fast(query: str) -> Node | None:
    """The query's AST, or None where only the PEG port can tell (mostly: the query is invalid)."""
    i = _SKIP.match(query).end()
    if i == len(query):
        return MatchAll()
    try:
        node, i = _fast_or(query, i)
    except (_Bail, RecursionError):
        return None
    return node if _SKIP.match(query, i).end() == len(query) else None


# --- public API ----------------------------------------------------------------------------------------------

def _parse_exact(query: str) -> Node:
    """The PEG port alone: slow, but the only source of Kibana's error messages."""
    parser = _Parser(query)
    # Each nesting level costs about a dozen Python frames; lift the default limit (1000) so a hundred levels of
    # parentheses parse, and turn absurd nesting into a syntax error rather than a crash.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
    try:
        node = parser.start()
    except RecursionError:
        raise KQLSyntaxError("Query nests too deeply.", 0, query) from None
    finally:
        sys.setrecursionlimit(limit)
    if parser.pos < len(query):
        parser.expect("end of input")
        raise parser.error()
    return node


# validate and fields() ask about the same query more than once, and builds repeat panel queries; ASTs are
# immutable, so sharing them is safe. Errors are cached too: the PEG port is what makes them expensive.
@lru_cache(maxsize=8192)
def _parse_cached(query: str) -> Node | KQLSyntaxError:
    node = _parse_fast(query)
    if node is not None:
        return node
    try:
        return _parse_exact(query)
    except KQLSyntaxError as exc:
        return exc


def parse(query: str) -> Node:
    """The query's AST; raises KQLSyntaxError where Kibana would. Empty or blank queries match everything."""
    result = _parse_cached(query)
    if isinstance(result, KQLSyntaxError):
        # A fresh exception each time, so callers never share (and grow) one traceback.
        raise KQLSyntaxError(result.message, result.position, result.query)
    return result


def _walk_fields(node: Node, prefix: str) -> Iterator[str]:
    match node:
        case Is(field=None):
            return
        case Is(field=f) | Exists(field=f) | Range(field=f):
            yield prefix + f.text
        case Nested(path=p, query=q):
            yield from _walk_fields(q, f"{prefix}{p.text}.")
        case And(children=cs) | Or(children=cs):
            for c in cs:
                yield from _walk_fields(c, prefix)
        case Not(child=c):
            yield from _walk_fields(c, prefix)


def fields(query: str) -> list[str]:
    """Field names the query names, in order of appearance, without repeats (``a:{b:1}`` names ``a.b``)."""
    return list(_fields_cached(query))


# Every chart of a dashboard usually repeats one query, and validate asks for its fields once per chart.
@lru_cache(maxsize=8192)
def _fields_cached(query: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_walk_fields(parse(query), "")))


# --- Lucene-isms ---------------------------------------------------------------------------------------------

_FIELD = r"(?P<field>[^\s:()\"]+)"
_LUCENE_RANGE_OP = re.compile(_FIELD + r"\s*:\s*(?P<op>>=|<=|>|<)\s*(?P<value>\"[^\"]*\"|[^\s()]+)")
_LUCENE_INTERVAL = re.compile(
    _FIELD + r"\s*:\s*(?P<open>[\[{])\s*(?P<low>\S+)\s+TO\s+(?P<high>[^\s\]}]+)\s*(?P<close>[\]}])")
_LUCENE_PLUS_MINUS = re.compile(r"(?:^|(?<=[\s(]))[+-](?=[^\s+-])")
_LUCENE_OPERATORS = re.compile(r"&&|\|\||(?:^|(?<=[\s(]))!(?=\S)")
_LUCENE_REGEX = re.compile(_FIELD + r"\s*:\s*/[^/]+/")
_LUCENE_EXISTS = re.compile(r"_exists_\s*:\s*(?P<field>[^\s()]+)")
_OR_LUCENE = " or set `language: lucene`"


def _interval_hint(m: re.Match[str]) -> str:
    field = m["field"]
    bounds = []
    if m["low"] != "*":
        bounds.append(f"{field} {'>=' if m['open'] == '[' else '>'} {m['low']}")
    if m["high"] != "*":
        bounds.append(f"{field} {'<=' if m['close'] == ']' else '<'} {m['high']}")
    return " and ".join(bounds) or f"{field}:*"


def _plus_minus_hint(query: str) -> str:
    terms = []
    for token in query.split():
        if token.startswith("+"):
            terms.append(token[1:])
        elif token.startswith("-"):
            terms.append(f"not {token[1:]}")
        else:
            return "x and not y"  # optional (unprefixed) clauses have no exact KQL spelling
    return " and ".join(terms)


def lucene_hint(query: str) -> str | None:
    """A one-line fix when the query uses Lucene syntax that KQL rejects or reads differently, else None.

    ``tilt_score:>70`` fails in KQL; ``a:[1 TO 5]`` and ``+x -y`` parse, but as plain text, not as a range
    or as must/must-not clauses.
    """
    if m := _LUCENE_RANGE_OP.search(query):
        return f"write `{m['field']} {m['op']} {m['value']}` (KQL range){_OR_LUCENE}"
    if m := _LUCENE_INTERVAL.search(query):
        return f"write `{_interval_hint(m)}` (KQL range){_OR_LUCENE}"
    if m := _LUCENE_EXISTS.search(query):
        return f"write `{m['field']}:*` (KQL exists){_OR_LUCENE}"
    if _LUCENE_REGEX.search(query):
        return f"KQL has no regular expressions: use a wildcard such as `field:abc*`{_OR_LUCENE}"
    if _LUCENE_PLUS_MINUS.search(query):
        return f"KQL has no +/- operators: write `{_plus_minus_hint(query)}`{_OR_LUCENE}"
    if _LUCENE_OPERATORS.search(query):
        return f"KQL spells boolean operators `and`, `or`, `not` (not &&, ||, !){_OR_LUCENE}"
    return None
