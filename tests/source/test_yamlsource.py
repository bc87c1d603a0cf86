"""The YAML reader must give every value a line and column, and reject what YAML silently accepts."""

import pytest

from kibana_sync.source.yaml_reader import YAMLSourceError, parse_yaml

DOC = """\
title: Trading
panels:
  - title: Order flow
    chart: line
  - title: Volume
    metric: sum(data.quantity)
"""


def test_locates_nested_keys_and_list_items():
    source = parse_yaml(DOC, "d.yaml")
    assert source.locate(("panels", 1, "metric")) == (6, 5, "panels[1].metric")
    assert source.locate(("panels", 0)) == (3, 5, "panels[0]")


def test_skips_pydantic_union_tags_in_locations():
    source = parse_yaml(DOC, "d.yaml")
    # pydantic inserts the union member's tag ("LensPanel") between the index and the field
    assert source.locate(("panels", 0, "LensPanel", "chart")) == (4, 5, "panels[0].chart")


def test_names_a_missing_key_at_its_parent():
    source = parse_yaml(DOC, "d.yaml")
    assert source.locate(("panels", 1, "chart")) == (5, 5, "panels[1].chart")


def test_duplicate_keys_are_errors_with_position():
    with pytest.raises(YAMLSourceError) as exc:
        parse_yaml("title: a\nquery: x\ntitle: b\n")
    assert (exc.value.line, exc.value.column) == (3, 1)
    assert "duplicate key 'title'" in exc.value.message


def test_malformed_yaml_reports_line():
    with pytest.raises(YAMLSourceError) as exc:
        parse_yaml("title: [unclosed\nquery: x\n")
    assert exc.value.line == 2
    assert exc.value.message.startswith("invalid YAML")


def test_multiple_documents_are_rejected():
    with pytest.raises(YAMLSourceError):
        parse_yaml("a: 1\n---\nb: 2\n")


# Every scalar form PyYAML's safe loader resolves, plus anchors, merges and explicit tags: parse_yaml builds the
# common cases itself for speed, so it is checked against PyYAML's pure-Python loader as the reference.
SAME_AS_PYYAML = """\
plain: text
quoted: "true"
single: '12'
empty:
tilde: ~
null_word: null
bools: [yes, No, true, FALSE, on, Off, y, n]
ints: [0, -7, +3, 0x1F, 0o17, 1_000, 190:20:30]
floats: [1.5, -.inf, .NaN_not, 6.8523015e+5, 1e3]
dates: [2024-01-31, 2024-01-31T10:00:00Z]
explicit: [!!str 42, !!int "42", !!float "1", !!binary aGVsbG8=]
base: &base {a: 1, b: [x, y]}
merged:
  <<: *base
  b: own
multi_merge:
  <<: [*base, {c: 3}]
alias: *base
block: |
  line one
  line two
folded: >-
  folded
  text
3: int key
2.5: float key
true: bool key
"@timestamp": desc
"""


def test_data_is_what_pyyaml_builds():
    import yaml

    expected = yaml.load(SAME_AS_PYYAML, Loader=yaml.SafeLoader)
    got = parse_yaml(SAME_AS_PYYAML).data
    assert got["floats"][2] == ".NaN_not"  # not a float: resolved from the whole scalar, not its start
    assert got == expected
    assert [type(v) for v in got["bools"] + got["ints"] + got["floats"]] == \
        [type(v) for v in expected["bools"] + expected["ints"] + expected["floats"]]


def test_merged_keys_can_be_overridden_but_own_keys_not_repeated():
    assert parse_yaml("base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: own\n").data["m"] == {"a": 1, "b": "own"}
    # a mapping with a merge, used again through an alias, is still no duplicate
    twice = parse_yaml("b: &b {a: 1, b: 2}\nm: &m\n  <<: *b\n  b: own\nn: *m\n").data
    assert twice["m"] == twice["n"] == {"a": 1, "b": "own"}
    with pytest.raises(YAMLSourceError) as exc:
        parse_yaml("base: &b {a: 1}\nm:\n  <<: *b\n  b: 1\n  b: 2\n")
    assert (exc.value.line, exc.value.column, exc.value.message) == (5, 3, "duplicate key 'b'")


def test_value_key_and_unknown_tags_behave_as_in_pyyaml():
    assert parse_yaml("a: {=: 1}\n").data == {"a": {"=": 1}}
    with pytest.raises(YAMLSourceError) as exc:
        parse_yaml("a: !custom 1\n")
    assert exc.value.message.startswith("invalid YAML")
