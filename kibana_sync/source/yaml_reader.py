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
    """A parsed YAML document plus the 1-based (line, column) of each path in it.

    Positions are only needed to report a problem, so they are worked out on first use: loading a large
    tree of valid files then costs one fast parse per file.
    """

    path: str
    data: Any
    text: str | None = None
    _positions: dict[Path_, tuple[int, int]] | None = field(default=None, repr=False)

    @property
    def positions(self) -> dict[Path_, tuple[int, int]]:
        if self._positions is None:
            self._positions = _positions_of(self.text) if self.text is not None else {}
        return self._positions

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


_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is much faster; marks are kept


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


_WILDCARD = tuple(_BaseLoader.yaml_implicit_resolvers.get(None, ()))
_IMPLICIT = {first: (*resolvers, *_WILDCARD)
             for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items() if first is not None}


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    # libyaml calls ``resolve`` for every node it composes; PyYAML's generic version (path resolvers, list
    # concatenation per call) was a third of the composing time. Same tags: the safe loader registers no path
    # resolvers, and the table below is PyYAML's own implicit resolvers with the wildcard ones appended.
    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:  # plain (unquoted): may be a number, bool, null...
                for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


assert not _Loader.yaml_path_resolvers, "_Loader.resolve ignores path resolvers"


_ScalarNode, _SequenceNode, _MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
# Keys that make PyYAML rewrite a mapping (``<<: *base`` merges, ``=`` value keys) before it is read.
_MERGE = "tag:yaml.org,2002:merge"
_REWRITING_KEYS = (_MERGE, "tag:yaml.org,2002:value")
# Implicit scalars other than strings; called directly, they skip construct_object's bookkeeping (which only
# matters for collections, to share an anchored one between its aliases).
_SCALAR_CONSTRUCTORS = {tag: _Loader.yaml_constructors[tag] for tag in
                        ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                         "tag:yaml.org,2002:float")}


def _construct(loader: _Loader, node: yaml.Node) -> Any:
    """Node tree -> Python data. Strings, mappings, lists and implicit numbers, bools and nulls (nearly all of
    a file) are built here directly, a fraction of PyYAML's constructor cost; other scalars and explicit tags
    go through PyYAML. Unlike PyYAML, a key given twice is an error instead of the last one silently winning."""
    cls, tag = node.__class__, node.tag
    if cls is _ScalarNode:
        if tag == _STR:
            return node.value
        constructor = _SCALAR_CONSTRUCTORS.get(tag)
        return constructor(loader, node) if constructor is not None else loader.construct_object(node, deep=True)
    if cls is _SequenceNode and tag == _SEQ:
        return [item.value if item.tag == _STR and item.__class__ is _ScalarNode else _construct(loader, item)
                for item in node.value]
    if cls is _MappingNode and tag == _MAP:
        return _construct_mapping(loader, node)
    return loader.construct_object(node, deep=True)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    # flatten_mapping rewrites the node in place, merged pairs first; an alias builds the node again later, so
    # the node keeps how many pairs were merged.
    merged = getattr(node, "merged_pairs", 0)
    if any(key_node.tag in _REWRITING_KEYS for key_node, _ in node.value):
        own = sum(key_node.tag != _MERGE for key_node, _ in node.value)
        loader.flatten_mapping(node)
        merged = node.merged_pairs = len(node.value) - own
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value[merged:] if merged else node.value:
        if key_node.tag == _STR and key_node.__class__ is _ScalarNode:
            key = key_node.value
        else:
            key = _construct(loader, key_node)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise YAMLSourceError("mapping keys must be plain scalars", *_mark(key_node))
        if key in mapping:
            raise YAMLSourceError(f"duplicate key {key!r}", *_mark(key_node))
        mapping[key] = (value_node.value if value_node.tag == _STR and value_node.__class__ is _ScalarNode
                        else _construct(loader, value_node))
    if not merged:
        return mapping
    # A key written in the mapping overrides a merged one (YAML's merge rule), which is not a duplicate.
    base = {_construct(loader, key_node): _construct(loader, value_node)
            for key_node, value_node in node.value[:merged]}
    base.update(mapping)
    return base


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk(loader: _Loader, node: yaml.Node, path: Path_, positions: dict[Path_, tuple[int, int]]) -> None:
    positions.setdefault(path, _mark(node))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            child = (*path, loader.construct_object(key_node, deep=True))
            positions[child] = _mark(key_node)
            _walk(loader, value_node, child, positions)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(loader, item, (*path, i), positions)


def _positions_of(text: str) -> dict[Path_, tuple[int, int]]:
    positions: dict[Path_, tuple[int, int]] = {}
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _walk(loader, root, (), positions)
    finally:
        loader.dispose()
    return positions


def parse_yaml(text: str, path: str = "<string>") -> SourceFile:
    """Parse one YAML document; raise YAMLSourceError (with line/column) on malformed input."""
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            data = None if root is None else _construct(loader, root)
        finally:
            loader.dispose()
    except RecursionError as exc:  # an alias that contains itself
        raise YAMLSourceError("invalid YAML: recursive alias", 1, 1) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YAMLSourceError(f"invalid YAML: {exc.problem or exc.context}", line, col) from exc
    except yaml.YAMLError as exc:  # e.g. "expected a single document"
        raise YAMLSourceError(f"invalid YAML: {exc}", 1, 1) from exc
    return SourceFile(path=path, data=data, text=text)


def read_yaml(path: Path, display: str | None = None) -> SourceFile:
    return parse_yaml(path.read_text(encoding="utf-8"), display or str(path))
