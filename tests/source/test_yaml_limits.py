"""Limits on YAML input: hostile or broken files are refused with a position and a reason, before any value is
built, and ordinary use of anchors still reads as before."""

import re
from pathlib import Path

import pytest

from kibana_sync.source import yaml_reader
from kibana_sync.source.yaml_reader import (
    ALIAS_EXPANSION_FLOOR,
    MAX_DEPTH,
    YAMLSourceError,
    decode_text,
    parse_yaml,
    read_yaml,
)


def billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_before_a_single_value_is_built(monkeypatch):
    built = 0
    construct = yaml_reader._construct

    def counting(loader, node):
        nonlocal built
        built += 1
        return construct(loader, node)

    monkeypatch.setattr(yaml_reader, "_construct", counting)
    text = billion_laughs()
    assert len(text) < 1024
    with pytest.raises(YAMLSourceError) as exc:
        parse_yaml(text)
    expanded = int(re.search(r"expand this document to (\d+) values", exc.value.message).group(1))
    assert expanded > 9 ** 9  # what building it would have cost
    assert built == 0


def test_anchors_reused_within_the_limit_still_read():
    text = "base: &b {w: 12, h: 8}\npanels:\n" + "".join(f"  - {{<<: *b, title: p{i}}}\n" for i in range(50))
    data = parse_yaml(text).data
    assert data["panels"][49] == {"w": 12, "h": 8, "title": "p49"}


def test_expansion_limit_scales_with_the_document():
    # Each alias to a 100-item list adds 101 values: just under and just over the floor.
    anchor = "a: &a [" + ",".join(["x"] * 99) + "]\n"
    under = anchor + "b: [" + ",".join(["*a"] * (ALIAS_EXPANSION_FLOOR // 100 - 2)) + "]\n"
    over = anchor + "b: [" + ",".join(["*a"] * (ALIAS_EXPANSION_FLOOR // 100 + 2)) + "]\n"
    assert len(parse_yaml(under).data["b"]) == ALIAS_EXPANSION_FLOOR // 100 - 2
    with pytest.raises(YAMLSourceError, match="aliases expand"):
        parse_yaml(over)


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "&a {b: *a}\n"])
def test_recursive_alias_is_refused_with_its_position(text):
    with pytest.raises(YAMLSourceError) as exc:
        parse_yaml(text)
    assert "recursive alias" in exc.value.message
    assert exc.value.line == 1


@pytest.mark.parametrize("text", ["[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
                                  "- " * (MAX_DEPTH + 1) + "x\n",
                                  "".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH)) + " " * MAX_DEPTH + "k: v\n",
                                  "a: &a 1\nb: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)])
def test_nesting_deeper_than_the_limit_is_refused(text):
    with pytest.raises(YAMLSourceError) as exc:
        parse_yaml(text)
    assert f"nesting deeper than {MAX_DEPTH} levels" in exc.value.message


def test_nesting_at_the_limit_reads():
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    data = parse_yaml(text).data
    for _ in range(MAX_DEPTH - 1):
        data = data[0]
    assert data == []


def test_nul_byte_is_refused_as_binary_with_its_position():
    with pytest.raises(YAMLSourceError) as exc:
        decode_text(b"title: a\nquery: b\x00c\n")
    assert (exc.value.line, exc.value.column) == (2, 9)
    assert "binary file" in exc.value.message


def test_utf16_file_is_refused_as_binary():
    with pytest.raises(YAMLSourceError, match="UTF-16"):
        decode_text("title: a\n".encode("utf-16"))


def test_non_utf8_bytes_are_refused_with_their_position():
    with pytest.raises(YAMLSourceError) as exc:
        decode_text("title: é\n".encode() + b"query: caf\xe9\n")
    assert (exc.value.line, exc.value.column) == (2, 11)
    assert "0xe9" in exc.value.message


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path, monkeypatch):
    path = tmp_path / "big.yaml"
    path.write_text("title: " + "x" * 200 + "\n")
    monkeypatch.setenv("KIBANA_SYNC_MAX_FILE_BYTES", "100")
    with pytest.raises(YAMLSourceError, match="208 bytes, more than the 100-byte limit"):
        read_yaml(path)
    monkeypatch.setenv("KIBANA_SYNC_MAX_FILE_BYTES", "1000")
    assert read_yaml(path).data["title"] == "x" * 200


def test_default_size_limit_is_kibanas_import_limit(monkeypatch):
    monkeypatch.delenv("KIBANA_SYNC_MAX_FILE_BYTES", raising=False)
    assert yaml_reader.max_file_bytes() == 26_214_400
    monkeypatch.setenv("KIBANA_SYNC_MAX_FILE_BYTES", "not a number")
    assert yaml_reader.max_file_bytes() == 26_214_400


@pytest.mark.parametrize(("text", "position"), [("title: !!timestamp x\n", (1, 8)), ("a: !!int x\n", (1, 4)),
                                                ("a: " + "1" * 5000 + "\n", (1, 4)), ("a: !!float x\n", (1, 4))])
def test_values_python_cannot_read_are_errors_with_a_position(text, position):
    # Found by the fuzz test: PyYAML raises AttributeError/ValueError for these, which used to be a traceback.
    with pytest.raises(YAMLSourceError) as exc:
        parse_yaml(text)
    assert (exc.value.line, exc.value.column) == position
    assert "cannot be read as" in exc.value.message
