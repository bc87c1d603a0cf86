"""Read a YAML file into plain Python data while remembering where every value came from.

Pydantic reports problems as a path of keys (``panels.2.metric``); to tell a person *where* that is,
we keep the line and column of every mapping key and sequence item, keyed by the same path.
"""

from __future__ import annotations

import os
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
    """A parsed YAML document that can tell the 1-based (line, column) of any path in it.

    Positions are only needed to report a problem, so they are worked out on demand: the text is composed again
    (no values built) and only the path asked for is followed, so a problem in a 100,000-line file costs one
    compose, not a walk of every node.
    """

    path: str
    data: Any
    text: str | None = None
    _root: yaml.Node | None = field(default=None, repr=False)

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
        """Where the deepest existing prefix of ``path`` is written: a mapping entry's key, a sequence item."""
        if self.text is None:
            return (1, 1)
        # The loader's stream only matters for the first compose; later it only flattens merge keys.
        loader = _Loader(self.text if self._root is None else "")
        try:
            if self._root is None:
                self._root = loader.get_single_node()
            node = self._root
            if node is None:
                return (1, 1)
            mark = _mark(node)
            for part in path:
                if isinstance(node, yaml.MappingNode):
                    loader.flatten_mapping(node)
                    # The last pair with this key is the one the data holds (a written key overrides a merged one).
                    pair = next((p for p in reversed(node.value) if _key_matches(loader, p[0], part)), None)
                    if pair is None:
                        break
                    mark, node = _mark(pair[0]), pair[1]
                elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                    node = node.value[part]
                    mark = _mark(node)
                else:
                    break
            return mark
        finally:
            loader.dispose()


def _key_matches(loader: _Loader, key_node: yaml.Node, part: str | int) -> bool:
    if key_node.__class__ is _ScalarNode and key_node.tag == _STR:
        return key_node.value == part
    try:
        return bool(loader.construct_object(key_node, deep=True) == part)
    except (yaml.YAMLError, ValueError, TypeError, AttributeError, OverflowError):
        return False


def format_path(parts: Sequence[str | int]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is much faster; marks are kept


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_INT = "tag:yaml.org,2002:int"


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
                # Keys and small values repeat across files ("title", "w", "16"): each is matched once.
                known = _PLAIN_TAGS.get(value)
                if known is not None:
                    return known
                found = _STR
                for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                    if regexp.match(value):
                        found = tag
                        break
                if len(_PLAIN_TAGS) < _PLAIN_TAGS_LIMIT and len(value) < 64:
                    _PLAIN_TAGS[value] = found
                return found
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_LIMIT = 50_000


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
        value = node.value
        # Plain decimal ints (grid positions and sizes: most numbers in a file) skip PyYAML's sign, underscore,
        # base and sexagesimal handling; "010" is octal in YAML 1.1, so a leading zero takes the general path.
        if tag == _INT and value.isascii() and value.isdigit() and (value[0] != "0" or len(value) == 1) \
                and len(value) < 4000:
            return int(value)
        constructor = _SCALAR_CONSTRUCTORS.get(tag)
        try:
            return constructor(loader, node) if constructor is not None else loader.construct_object(node, deep=True)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:  # e.g. "!!timestamp x", 5000 digits
            raise _unreadable(node) from exc
    if cls is _SequenceNode and tag == _SEQ:
        return [item.value if item.tag == _STR and item.__class__ is _ScalarNode else _construct(loader, item)
                for item in node.value]
    if cls is _MappingNode and tag == _MAP:
        return _construct_mapping(loader, node)
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:  # e.g. "!!set [a]"
        raise _unreadable(node) from exc


def _unreadable(node: yaml.Node) -> YAMLSourceError:
    value = node.value if isinstance(node.value, str) else ""
    shown = f" {value[:40]!r}" if value else ""
    return YAMLSourceError(f"invalid YAML: value{shown} cannot be read as {node.tag.removeprefix('tag:yaml.org,2002:')}",
                           *_mark(node))


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


# Limits on what one YAML file may make the reader do. Each is checked where it is cheapest: size and binary
# content on the bytes before decoding, nesting and alias expansion on the composed node graph (aliases there are
# shared nodes, so composing a "billion laughs" file is linear) before a single Python value is built.
MAX_FILE_BYTES = 26_214_400  # Kibana's import limit (savedObjects.maxImportPayloadBytes): no object can be bigger
MAX_FILE_BYTES_ENV = "KIBANA_SYNC_MAX_FILE_BYTES"
MAX_DEPTH = 100  # real objects nest under 30 levels; Python's recursion limit sits near 500 mappings deep
ALIAS_EXPANSION_FACTOR = 10  # with aliases expanded, a document may grow to this many times its own nodes
ALIAS_EXPANSION_FLOOR = 10_000  # ... or to this many nodes, so small files can reuse an anchor freely


def max_file_bytes() -> int:
    """The file size limit: ``KIBANA_SYNC_MAX_FILE_BYTES`` when set to a positive integer, else Kibana's."""
    value = os.environ.get(MAX_FILE_BYTES_ENV, "")
    return int(value) if value.isdigit() and int(value) > 0 else MAX_FILE_BYTES


def _check_node_graph(root: yaml.Node) -> int:
    """Refuse a node graph nested deeper than MAX_DEPTH or whose aliases would expand it beyond the allowed
    multiple of its size; return how many nodes building it would construct. One visit per distinct node: the
    expanded size of a node shared by aliases is computed once."""
    expanded: dict[int, int] = {}
    scalars = 0
    on_path: set[int] = set()
    # Each frame: node, its children, index of the next child, running expanded size.
    stack: list[list[Any]] = [[root, _children(root), 0, 1]]
    on_path.add(id(root))
    while stack:
        frame = stack[-1]
        node, children, i = frame[0], frame[1], frame[2]
        if i < len(children):
            frame[2] = i + 1
            child = children[i]
            known = expanded.get(id(child))
            if known is not None:
                frame[3] += known
            elif id(child) in on_path:
                raise YAMLSourceError("invalid YAML: recursive alias (an anchored value contains an alias to "
                                      "itself)", *_mark(child))
            elif child.__class__ is _ScalarNode:
                frame[3] += 1
                scalars += 1
            else:
                if len(stack) >= MAX_DEPTH:
                    raise YAMLSourceError(f"nesting deeper than {MAX_DEPTH} levels: refused (limit on input)",
                                          *_mark(child))
                on_path.add(id(child))
                stack.append([child, _children(child), 0, 1])
            continue
        stack.pop()
        on_path.discard(id(node))
        expanded[id(node)] = frame[3]
        if stack:
            stack[-1][3] += frame[3]
    total, written = expanded[id(root)], len(expanded) + scalars
    allowed = max(ALIAS_EXPANSION_FLOOR, ALIAS_EXPANSION_FACTOR * written)
    if total > allowed:
        raise YAMLSourceError(
            f"aliases expand this document to {total} values, more than {ALIAS_EXPANSION_FACTOR} times its "
            f"{written} written ones: refused (limit on input, e.g. a \"billion laughs\" file)", *_mark(root))
    return total


def _check_depth(root: yaml.Node) -> None:
    """MAX_DEPTH for a document without anchors (so without aliases or cycles): a level-by-level pass over its
    collections only, a fraction of the cost of building it."""
    level, depth = [root], 1
    while level:
        if depth > MAX_DEPTH:
            raise YAMLSourceError(f"nesting deeper than {MAX_DEPTH} levels: refused (limit on input)", *_mark(level[0]))
        below: list[yaml.Node] = []
        for node in level:
            if node.__class__ is _MappingNode:
                for key_node, value_node in node.value:
                    if value_node.__class__ is not _ScalarNode:
                        below.append(value_node)
                    if key_node.__class__ is not _ScalarNode:
                        below.append(key_node)
            elif node.__class__ is _SequenceNode:
                below += [item for item in node.value if item.__class__ is not _ScalarNode]
        level, depth = below, depth + 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    if node.__class__ is _MappingNode:
        return [n for pair in node.value for n in pair]
    if node.__class__ is _SequenceNode:
        return node.value
    return []


def parse_yaml(text: str, path: str = "<string>") -> SourceFile:
    """Parse one YAML document; raise YAMLSourceError (with line/column) on malformed input or input beyond the
    limits above."""
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            if root is not None and root.__class__ is not _ScalarNode:
                # Aliases need an anchor, and an anchor needs a "&": files without one skip the alias count.
                _check_node_graph(root) if "&" in text else _check_depth(root)
            data = None if root is None else _construct(loader, root)
        finally:
            loader.dispose()
    except RecursionError as exc:  # unreachable within MAX_DEPTH; kept so a deep file can never be a traceback
        raise YAMLSourceError(f"nesting deeper than Python can read: refused (limit on input, {MAX_DEPTH} levels)",
                              1, 1) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YAMLSourceError(f"invalid YAML: {exc.problem or exc.context}", line, col) from exc
    except yaml.YAMLError as exc:  # e.g. "expected a single document"
        raise YAMLSourceError(f"invalid YAML: {exc}", 1, 1) from exc
    return SourceFile(path=path, data=data, text=text)


def decode_text(data: bytes) -> str:
    """UTF-8 text from a file's bytes, or YAMLSourceError naming where it is not text: a NUL byte (a binary file,
    or UTF-16/32) or a byte sequence that is not UTF-8."""
    nul = data.find(b"\0")
    if nul >= 0:
        line, col = _byte_position(data, nul)
        raise YAMLSourceError("binary file (NUL byte): expected UTF-8 text; a UTF-16 file must be saved as UTF-8",
                              line, col)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(data, exc.start)
        raise YAMLSourceError(f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot start or continue a UTF-8 "
                              "character; save the file as UTF-8", line, col) from None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def read_text_limited(path: Path) -> str:
    """A text file's content, refused with YAMLSourceError when it is larger than ``max_file_bytes()`` (checked
    before reading), binary or not UTF-8."""
    limit = max_file_bytes()
    size = path.stat().st_size
    if size > limit:
        raise YAMLSourceError(f"file is {size} bytes, more than the {limit}-byte limit on input (set "
                              f"{MAX_FILE_BYTES_ENV} to change it)", 1, 1)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)  # a file that grew since stat still cannot exceed the limit
    if len(data) > limit:
        raise YAMLSourceError(f"file is more than the {limit}-byte limit on input (set {MAX_FILE_BYTES_ENV} to "
                              "change it)", 1, 1)
    return decode_text(data)


def read_yaml(path: Path, display: str | None = None) -> SourceFile:
    return parse_yaml(read_text_limited(path), display or str(path))
