"""The YAML reader must give every value a line and column, and reject what YAML silently accepts."""

import pytest

from kibana_sync.yamlsource import YAMLSourceError, parse_yaml

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
