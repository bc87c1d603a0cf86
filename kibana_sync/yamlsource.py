"""Read a YAML file into plain Python data while remembering where every value came from.

Pydantic reports problems as a path of keys (``panels.2.metric``); to tell a person *where* that is,
we keep the line and column of every mapping key and sequence item, keyed by the same path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class YAMLSourceError(Exception):
    def __init__(self, message: str, line: int, column: int):
        self.message, self.line, self.column = message, line, column
        super().__init__(f"{line}:{column}: {message}")


@dataclass
class SourceFile:
    """A parsed YAML document plus the 1-based (line, column) of each path in it."""

    path: str
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: Sequence[Any]) -> tuple[int, int, str]:
        """Best position for a (possibly pydantic-decorated) location path, plus the readable field path.

        Pydantic inserts union-member tags into ``loc``; elements that do not exist in the data are
        skipped so the deepest real key still wins.
        """
        node: Any = self.data
        real: list[str | int] = []
        for i, part in enumerate(loc):
            if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
                real.append(part)
            elif i == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str):
                # A missing required key is still worth naming: point at its parent mapping.
                real.append(part)
        line, col = self.position(tuple(real))
        return line, col, format_path(real)

    def position(self, path: Path_) -> tuple[int, int]:
        for n in range(len(path), -1, -1):
            if path[:n] in self.positions:
                return self.positions[path[:n]]
        return (1, 1)


def format_path(parts: Sequence[str | int]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


# libyaml's parser is an order of magnitude faster and keeps node marks; fall back when PyYAML lacks it.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _scalar(loader: _Loader, node: yaml.Node) -> Any:
    return loader.construct_object(node, deep=True)


def _walk(loader: _Loader, node: yaml.Node, path: Path_, positions: dict) -> Any:
    positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise YAMLSourceError("mapping keys must be plain scalars",
                                      key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in out:
                raise YAMLSourceError(f"duplicate key {key!r}",
                                      key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            child = (*path, key)
            positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _walk(loader, value_node, child, positions)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, item, (*path, i), positions) for i, item in enumerate(node.value)]
    return _scalar(loader, node)


def parse_yaml(text: str, path: str = "<string>") -> SourceFile:
    """Parse one YAML document; raise YAMLSourceError (with line/column) on malformed input."""
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            positions: dict[Path_, tuple[int, int]] = {}
            data = None if root is None else _walk(loader, root, (), positions)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YAMLSourceError(f"invalid YAML: {exc.problem or exc.context}", line, col) from exc
    except yaml.YAMLError as exc:  # e.g. "expected a single document"
        raise YAMLSourceError(f"invalid YAML: {exc}", 1, 1) from exc
    return SourceFile(path=path, data=data, positions=positions)


def read_yaml(path: Path, display: str | None = None) -> SourceFile:
    return parse_yaml(path.read_text(encoding="utf-8"), display or str(path))
