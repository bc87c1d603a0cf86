"""The KQL parser: Kibana's grammar, Kibana's error messages, the fields a query names, and Lucene-isms."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from kibana_sync.query.kql import (
    And,
    Exists,
    Is,
    KQLSyntaxError,
    Literal,
    MatchAll,
    Nested,
    Not,
    Or,
    Range,
    Wildcard,
    _parse_cached,
    _parse_exact,
    _parse_fast,
    fields,
    lucene_hint,
    parse,
)


def lit(value: str, quoted: bool = False) -> Literal:
    return Literal(value, quoted)


# --- the guide's queries -------------------------------------------------------------------------------------

def test_guide_range_query():
    assert parse("data.price > 50000 and data.quantity > 1") == And((
        Range(lit("data.price"), "gt", lit("50000")), Range(lit("data.quantity"), "gt", lit("1"))))


def test_guide_phrase_query():
    assert parse('correlation_id:"550e8400-e29b-41d4-a716-446655440000"') == Is(
        lit("correlation_id"), lit("550e8400-e29b-41d4-a716-446655440000", quoted=True))


def test_guide_time_window_query():
    node = parse('@timestamp >= "2024-01-15T00:00:00" and @timestamp < "2024-01-16T00:00:00"')
    assert node == And((Range(lit("@timestamp"), "gte", lit("2024-01-15T00:00:00", True)),
                        Range(lit("@timestamp"), "lt", lit("2024-01-16T00:00:00", True))))


def test_guide_wildcard_query():
    node = parse("component:engine.* and level:ERROR")
    assert node == And((Is(lit("component"), Wildcard(("engine.", ""))), Is(lit("level"), lit("ERROR"))))
    assert node.children[0].value.matches("engine.executor")
    assert not node.children[0].value.matches("tilt.detector")


@pytest.mark.parametrize("query", [
    'event_type:"ORDER_FAILED" OR event_type:"ORDER_REJECTED"',
    'tags:"security_alert"',
    'event_type:"CONNECTION_LOST" OR event_type:"WEBSOCKET_ERROR"',
    "tilt_score > 70",
    "execution_time_ms > 100",
])
def test_genesis_saved_search_queries_parse(query):
    assert not isinstance(parse(query), MatchAll)


# --- grammar -------------------------------------------------------------------------------------------------

def test_blank_query_matches_everything():
    assert parse("") == parse("   \n") == parse("*") == parse("*:*") == MatchAll()


def test_operators_are_case_insensitive_and_and_binds_tighter_than_or():
    assert parse("a:1 OR b:2 AnD not c:3") == Or((
        Is(lit("a"), lit("1")), And((Is(lit("b"), lit("2")), Not(Is(lit("c"), lit("3")))))))


def test_parentheses_group():
    assert parse("(a:1 or b:2) and c:3") == And((Or((Is(lit("a"), lit("1")), Is(lit("b"), lit("2")))),
                                                 Is(lit("c"), lit("3"))))


def test_value_list_applies_the_field_to_every_value():
    assert parse("level:(ERROR or WARNING and not INFO)") == Or((
        Is(lit("level"), lit("ERROR")),
        And((Is(lit("level"), lit("WARNING")), Not(Is(lit("level"), lit("INFO")))))))


def test_field_star_is_exists():
    assert parse("tilt_score:*") == parse("tilt_score : *") == Exists(lit("tilt_score"))
    assert parse('tilt_score:"*"') == Is(lit("tilt_score"), lit("*", quoted=True))


def test_unquoted_values_may_contain_spaces_and_are_trimmed():
    assert parse("message: order  filled ") == Is(lit("message"), lit("order  filled"))


def test_a_word_containing_a_keyword_followed_by_space_splits_as_kibana_does():
    # Kibana's grammar stops an unquoted literal before "not " even inside a word, so this query fails there too.
    with pytest.raises(KQLSyntaxError) as err:
        parse("message:cannot connect")
    assert err.value.position == 11


def test_escapes():
    assert parse(r"a:x\*y") == Is(lit("a"), lit("x*y"))  # escaped star is a character, not a wildcard
    assert parse(r"a:\(b\)\:c") == Is(lit("a"), lit("(b):c"))
    assert parse(r'a:"say \"hi\" \\ \u0041"') == Is(lit("a"), lit('say "hi" \\ A', quoted=True))
    assert parse(r"a:\and") == Is(lit("a"), lit("and"))
    assert parse(r"a:x\ty") == Is(lit("a"), lit("x\ty"))


def test_unquoted_true_false_null_are_typed_like_kibana():
    assert parse("a:true").value.typed is True
    assert parse("a:null").value.typed is None
    assert parse('a:"true"').value.typed == "true"


def test_nested_queries():
    node = parse("items:{ name:apple and price > 5 }")
    assert node == Nested(lit("items"), And((Is(lit("name"), lit("apple")), Range(lit("price"), "gt", lit("5")))))
    assert fields("items:{ name:apple and stock:{ count > 1 } }") == ["items.name", "items.stock.count"]


def test_wildcard_and_quoted_field_names():
    assert parse("data.*:buy") == Is(Wildcard(("data.", "")), lit("buy"))
    assert parse('"odd field":1') == Is(lit("odd field", quoted=True), lit("1"))


def test_bare_values_search_all_fields():
    assert parse("timeout") == Is(None, lit("timeout"))
    assert fields("timeout or level:ERROR") == ["level"]


def test_fields_in_order_without_repeats():
    assert fields("b:1 and (a > 2 or b:3) and not c:* and data.*:x") == ["b", "a", "c", "data.*"]


# --- errors: Kibana's own test cases (kuery_syntax_error.test.ts) ---------------------------------------------

@pytest.mark.parametrize(("query", "message", "position"), [
    ("response:", 'Expected "(", "{", value, whitespace but end of input found.', 9),
    ("response:200 or ", 'Expected "(", NOT, field name, value but end of input found.', 16),
    ("response:(200 or )", 'Expected "(", NOT, value but ")" found.', 17),
    ("response:200 and not ", 'Expected "(", field name, value but end of input found.', 21),
    ("response:(200 and not )", 'Expected "(", value but ")" found.', 22),
    ('foo:"ba ', 'Expected "(", "{", value, whitespace but """ found.', 4),
    ('foo:"ba "r"', 'Expected AND, OR, end of input but "r" found.', 9),
    ("foo:ba:r", 'Expected AND, OR, end of input but ":" found.', 6),
    ("foo > ", "Expected literal, whitespace but end of input found.", 6),
    ("< 1000", 'Expected "(", NOT, end of input, field name, value, whitespace but "<" found.', 0),
])
def test_errors_read_like_kibanas(query, message, position):
    with pytest.raises(KQLSyntaxError) as err:
        parse(query)
    assert (err.value.message, err.value.position) == (message, position)
    assert err.value.pointer() == f"{query}\n{'-' * position}^"


@pytest.mark.parametrize(("query", "position", "expected"), [
    ("(level:ERROR", 12, '")"'),  # unbalanced parenthesis
    ("level:ERROR)", 11, "end of input"),
    ('message:"unterminated', 8, "value"),  # unbalanced quote
    ("level:ERROR and ", 16, "NOT"),  # dangling operator (without the space, "ERROR and" is one value)
    ("tilt_score:>70", 11, "value"),  # Lucene range
    ("a:{ b:1", 7, '"}"'),
])
def test_invalid_queries_report_where_and_what(query, position, expected):
    with pytest.raises(KQLSyntaxError) as err:
        parse(query)
    assert err.value.position == position
    assert expected in err.value.message


def test_deep_nesting_parses_and_absurd_nesting_is_a_syntax_error():
    assert parse("(" * 300 + "a:1" + ")" * 300) == Is(lit("a"), lit("1"))
    with pytest.raises(KQLSyntaxError, match="nests too deeply"):
        parse("(" * 5000 + "a:1" + ")" * 5000)


def test_syntax_error_is_a_value_error():
    with pytest.raises(ValueError, match="Expected"):
        fields("a:")


# --- Lucene hints --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "fix"), [
    ("tilt_score:>70", "`tilt_score > 70`"),
    ("execution_time_ms:>=100.5", "`execution_time_ms >= 100.5`"),
    ("a:[1 TO 5]", "`a >= 1 and a <= 5`"),
    ("a:{1 TO 5]", "`a > 1 and a <= 5`"),
    ("a:[10 TO *]", "`a >= 10`"),
    ("+level:ERROR -component:tilt", "`level:ERROR and not component:tilt`"),
    ("_exists_:tilt_score", "`tilt_score:*`"),
    ("a:1 && b:2", "`and`"),
    ("message:/err.*/", "wildcard"),
])
def test_lucene_hint_names_the_kql_spelling(query, fix):
    hint = lucene_hint(query)
    assert hint is not None and fix in hint and "language: lucene" in hint


@pytest.mark.parametrize("query", ["tilt_score > 70", 'tags:"security_alert"', "a:b-c", "x and not y", ""])
def test_no_lucene_hint_for_kql(query):
    assert lucene_hint(query) is None


# --- corpus --------------------------------------------------------------------------------------------------

def _kuery_queries(value):
    if isinstance(value, dict):
        if value.get("language") == "kuery" and isinstance(value.get("query"), str):
            yield value["query"]
        for v in value.values():
            yield from _kuery_queries(v)
    elif isinstance(value, list):
        for v in value:
            yield from _kuery_queries(v)
    elif isinstance(value, str) and value[:1] in "{[" and "kuery" in value:
        yield from _kuery_queries(_json_or_none(value))


def _json_or_none(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def test_every_kql_query_of_the_corpus_saved_searches_parses(corpus_dir: Path):
    with (corpus_dir / "MANIFEST.tsv").open() as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["type"] == "search" and r["json_valid"] == "yes"]
    queries = [q for r in rows for q in _kuery_queries(json.loads((corpus_dir / r["local_path"]).read_text()))]
    assert len(queries) > 200
    failures = []
    for q in queries:
        try:
            parse(q)
        except KQLSyntaxError as exc:
            failures.append((q, exc.message))
    assert failures == []


# --- the fast path agrees with the PEG port ------------------------------------------------------------------
#
# parse() reads valid queries with a recursive-descent fast path and falls back to the PEG port for anything it
# cannot read. The fast path may give up (None) but must never disagree: same AST, and nothing for a query the
# PEG port rejects, so every error message still comes from the port.

def _exact_or_error(query: str):
    try:
        return _parse_exact(query)
    except KQLSyntaxError as exc:
        return ("error", exc.message, exc.position)


def _assert_fast_agrees(query: str) -> None:
    exact, fast = _exact_or_error(query), _parse_fast(query)
    if isinstance(exact, tuple):
        assert fast is None, query
        with pytest.raises(KQLSyntaxError) as err:
            parse(query)
        assert ("error", err.value.message, err.value.position) == exact
    else:
        assert fast == exact, query
        assert parse(query) == exact


def test_fast_path_gives_the_exact_ast_for_every_corpus_kql_query(corpus_dir: Path):
    with (corpus_dir / "MANIFEST.tsv").open() as f:
        paths = [r["local_path"] for r in csv.DictReader(f, delimiter="\t") if r["json_valid"] == "yes"]
    queries = {q for p in paths for q in _kuery_queries(json.loads((corpus_dir / p).read_text()))}
    assert len(queries) > 200
    for q in sorted(queries):
        exact = _exact_or_error(q)
        # Valid corpus queries must take the fast path, not merely fall back to the slow one.
        assert isinstance(exact, tuple) or _parse_fast(q) == exact, q
        _assert_fast_agrees(q)


EDGE_CASES = [
    # escapes, quoted and unquoted
    r"a:x\*y", r"a:\(b\)\:c", r'a:"say \"hi\" \\ \u0041"', r"a:\and", r"a:\not", r"a:\Not", r"a:\OR b", r"a:x\ty",
    r"a:\t", r"a:\u0020x\u0020", r"a:\u002a", r"a:\u00zz", r'a:"x\u00zz"', r'a:"\t\r\n"', r'a:"x\*y"', r'a:"x\"',
    r'a:"x\\"', r"a:x\\y", r"a:x\"y", "a:x\\", r"\*:1", r"a\:b:c", r'"a\"b":c',
    # wildcards and exists
    "*", "*:*", " * ", "a:*", "a : *", 'a:"*"', "*:a", "a*:b", "a:b*", "a:*b*", "a:**", "a:x * y", r"a:\**",
    "data.*:buy", "a:* and b:*", "*:* or a:1",
    # nested field:{...}
    "items:{ name:apple and price > 5 }", "a:{b:{c:1}}", "a : { b:1 or not c:2 }", "a:{b:(1 or 2)}", "a:{}",
    "a:{ b:1", "a:{b:1}}", '"a b":{c:1}', "a*:{b:1}", "a:{ b > 1 }",
    # ranges
    "a > 1", "a>1", "a >= 1", "a <= 1", "a < 1", 'a < "x"', "a > b*", "a > 1 and b < 2", "a > ", "a > >1",
    "a >= 1 2", "a >  1  ", "a:>1", "a => 1", "< 1000", '"a" > 1', "a\u00a0>\u00a01",
    # not/and/or precedence and case
    "a:1 or b:2 and c:3", "a:1 and b:2 or c:3", "not a:1 or b:2", "not not a:1", "NOT a:1 AND b:2 OR c:3",
    "a:1 AnD b:2 oR c:3", "(a:1 or b:2) and c:3", "not (a:1 and b:2)", "((a:1))", "( a:1 )", "a:1 or",
    "a:1 or ", "a:1 and ", "and", "or", "not", "not ", "not a", "a and or b", "a or and b", "a:1\tor\nb:2",
    "a:1\u00a0or\u00a0b:2", "a:1 oror b:2", "a:1 or\tb:2", "a:cannot connect", "a:nothing", "a:knot x",
    "a:b or c", "a:b  or  c", "x or y", "x y z", "x ornament", "x andy", "x notable", "not  x",
    # value lists
    "a:(b or c)", "a:(b and c)", "a:(not b)", "a:(b or not c and d)", "a:( b )", "a:((b or c) and d)",
    'a:("x" or y*)', "a:(*)", "a:(b or *)", "a:(b or )", "a:()", "a:(b", "a:(not)", "a:(b) or c:d",
    "a:(b or c", "a:(b)c",
    # whitespace, blanks and stray characters
    "", " ", "\t\n\r\u00a0", "\u2003", "a:1 ", " a:1", "a :1", "a: 1", "a : 1", "a\u2003:1", "a:1)", "(a:1",
    "a:b:c", "a<b:c", "a:", ":", "a::b", '"unterminated', 'a:"x" "y"', 'a:"x"y', "a:{b:1} c", "a:1 (b)",
    "é:ü", "a:日本", "a:b\x00c",
]


@pytest.mark.parametrize("query", EDGE_CASES)
def test_fast_path_agrees_with_the_peg_port_on_edge_cases(query):
    _assert_fast_agrees(query)


def _random_queries(seed: int, count: int):
    """Token soup that hits the grammar's corners, and raw character soup over its special characters."""
    tokens = ["a", "b.c", "data.*", '"odd field"', "1", "x y", r'"q \" x"', "*", "a*b", r"x\*y", r"\(", r"\u0041",
              r"\and", r"\not", "not", "or", "and", "cannot", "\\", '"', " or ", " and ", " not ", "not ", " OR ",
              " AnD ", "(", ")", "{", "}", ":", " : ", "<", ">=", " ", "\t", "\u00a0", r"\t", r"\u00zz"]
    alphabet = 'ab:(){}<>=*"\\ \tnotrdANOu0F1\u00a0.'
    rng = random.Random(seed)
    for k in range(count):
        if k % 2:
            yield "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        else:
            yield "".join(rng.choice(tokens) for _ in range(rng.randint(1, 10)))


def test_fast_path_agrees_with_the_peg_port_on_random_queries():
    valid = 0
    for q in _random_queries(seed=7, count=4000):
        _assert_fast_agrees(q)
        valid += _parse_fast(q) is not None
    assert valid > 500  # the soup is not all syntax errors, so the fast path is exercised too


def test_fast_path_gives_up_on_deep_nesting_and_the_port_takes_over():
    query = "(" * 400 + "a:1" + ")" * 400
    assert _parse_fast(query) is None
    assert parse(query) == Is(lit("a"), lit("1"))


def test_results_are_cached_so_fields_does_not_parse_again():
    _parse_cached.cache_clear()
    parse("a:1 and b:2")
    assert fields("a:1 and b:2") == ["a", "b"]
    assert _parse_cached.cache_info().hits == 1


def test_a_cached_error_is_raised_afresh_each_time():
    errors = []
    for _ in range(2):
        with pytest.raises(KQLSyntaxError) as err:
            parse("response:")
        errors.append(err.value)
    assert errors[0] is not errors[1]
    assert {(e.message, e.position, e.query) for e in errors} == {
        ('Expected "(", "{", value, whitespace but end of input found.', 9, "response:")}
