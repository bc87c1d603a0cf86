from __future__ import annotations

from typing import Any

import pytest
import yaml

from kibana_sync.source.yaml_reader import parse_yaml
from kibana_sync.source.yaml_writer import dump_yaml

TRICKY_STRINGS = [
    "yes", "no", "on", "off", "true", "False", "null", "~", "", "1", "1.0", "1e3", "0x1F", "0o17", "012", ".inf",
    "2024-01-01", "2024-01-01T10:00:00Z", "12:30", "@timestamp", "*", "&anchor", "!tag", "%x", "- item", "? q",
    "a: b", "a #b", "#comment", "[1, 2]", "{a: 1}", "'quoted'", '"double"', " leading", "trailing ", "tab\there",
    "ünïcødé ✓", "line\nbreak", "ends with newline\n", "\n", "two\n\ntrailing\n\n", "  indented first\nline",
    "trailing spaces  \non a line", "cr\r\nlf", "{{context.value}}", "status:500 and not level:debug",
]


@pytest.mark.parametrize("value", TRICKY_STRINGS)
def test_every_string_reads_back_exactly(value: str) -> None:
    text = dump_yaml({"value": value, "in_list": [value]})
    assert yaml.safe_load(text) == {"value": value, "in_list": [value]}
    # The project's own loader (positions, duplicate-key checks) must read it the same way.
    assert parse_yaml(text).data == {"value": value, "in_list": [value]}


@pytest.mark.parametrize("value", [0, -1, 1.5, 1e-7, 10**20, True, False, None, [], {}, [[]], {"a": {}}])
def test_other_scalars_and_empty_collections_read_back_exactly(value: Any) -> None:
    assert yaml.safe_load(dump_yaml({"value": value})) == {"value": value}


def test_keys_keep_the_order_the_data_has() -> None:
    data = {"title": "Orders", "id": "orders", "description": "", "panels": [{"w": 1, "h": 2, "x": 0}]}
    text = dump_yaml(data)
    assert [line.split(":")[0] for line in text.splitlines() if not line.startswith(" ")] == \
        ["title", "id", "description", "panels"]
    assert text.index("w: 1") < text.index("h: 2") < text.index("x: 0")


def test_multi_line_text_is_a_literal_block_a_person_can_edit() -> None:
    markdown = "# Trading\n\nSee **the runbook**.\n"
    query = '{\n  "query": {"range": {"tilt_score": {"gte": 90}}}\n}'
    text = dump_yaml({"markdown": markdown, "es_query": query})
    assert "markdown: |\n  # Trading\n\n  See **the runbook**.\n" in text
    assert 'es_query: |-\n  {\n    "query": {"range": {"tilt_score": {"gte": 90}}}\n  }\n' in text


def test_plain_strings_are_not_quoted_and_ambiguous_ones_are() -> None:
    text = dump_yaml({"title": "GENESIS trading overview", "index_pattern": "genesis-*", "flag": "yes",
                      "version": "8.11", "time_field": "@timestamp"})
    assert "title: GENESIS trading overview\n" in text
    assert "index_pattern: genesis-*\n" in text
    assert "flag: 'yes'\n" in text
    assert "version: '8.11'\n" in text
    assert "time_field: '@timestamp'\n" in text


def test_block_style_with_lists_indented_under_their_key() -> None:
    text = dump_yaml({"panels": [{"title": "a", "columns": ["x", "y"]}]})
    assert text == "panels:\n  - title: a\n    columns:\n      - x\n      - y\n"


def test_shared_sub_objects_are_written_out_not_aliased() -> None:
    shared = {"from": "now-15m", "to": "now"}
    text = dump_yaml({"a": shared, "b": shared})
    assert "&" not in text and "*" not in text
    assert yaml.safe_load(text) == {"a": shared, "b": shared}


def test_long_lines_are_not_folded() -> None:
    long_query = "level:error and " * 20 + "component:engine"
    assert dump_yaml({"query": long_query}) == f"query: {long_query}\n"


def test_writing_what_was_read_gives_the_same_text() -> None:
    data = {"id": "x", "title": "T", "text": "a\nb\n", "items": [{"k": "1.0"}, {"k": None}], "n": 3}
    once = dump_yaml(data)
    assert dump_yaml(yaml.safe_load(once)) == once
