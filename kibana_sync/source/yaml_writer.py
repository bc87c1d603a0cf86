"""Write YAML a person wants to edit: keys in the order the data has them (the order a kind writes them, not
sorted), block style, lists indented under their key, multi-line text as literal ``|`` blocks, and quotes only
where a plain scalar would read back as something else ("yes", "1.0", "2024-01-01", "null")."""

from __future__ import annotations

import re
from typing import Any

import yaml


class _ReadableDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # PyYAML puts "- item" at the key's own column; indenting it is how people write YAML by hand.
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        # Shared sub-objects must be written out in full: anchors and aliases would confuse a reader.
        return True


def _represent_str(dumper: _ReadableDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value.rstrip("\n") or (value.endswith("\n") and len(value) > 1):
        # The emitter itself falls back to a quoted scalar when a literal block cannot hold the text exactly
        # (trailing spaces on a line, control characters), so this never changes the value.
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_str(value)


_ReadableDumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """The YAML text for ``data``; ``yaml.safe_load`` of it gives ``data`` back exactly."""
    if not isinstance(data, (dict, list)) or not data:
        return dump_yaml_with_pyyaml(data)
    try:
        lines: list[str] = []
        _emit(data, 0, lines, "")
        return "".join(lines)
    except _NotPlain:
        return dump_yaml_with_pyyaml(data)


def dump_yaml_with_pyyaml(data: Any) -> str:
    """What ``dump_yaml`` writes, by PyYAML's own emitter (slower; the reference for ``dump_yaml``)."""
    return yaml.dump(data, Dumper=_ReadableDumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=10_000, indent=2)


# PyYAML's emitter is pure Python and was most of an export's time; the structure of block YAML is simple, so it is
# laid out here and only each distinct scalar's text is asked of PyYAML (once: cached). The output is the same
# text PyYAML writes (tests compare the two on the corpus); anything unusual (a scalar PyYAML spreads over lines
# without a literal block, a key it would not write plainly) falls back to PyYAML for the whole document.
class _NotPlain(Exception):
    pass


_SCALARS: dict[tuple[type, Any], str] = {}
_SCALAR_CACHE_LIMIT = 200_000
_OTHER_BREAKS = "\r\x85\u2028\u2029"  # line breaks to YAML besides \n


# Words of letters, digits and "_.-" separated by single spaces, starting with a letter ("Panel 3", "c12",
# "host.name"): PyYAML writes such a string plain, as it is, unless it would read back as something else ("yes",
# "null"), which its resolver tells. Titles and queries are mostly unique, so asking PyYAML's emitter for each was
# a tenth of an export.
_PLAIN_WORDS = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*(?: [A-Za-z0-9_.-]+)*")
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"


def _plain_words(value: Any) -> bool:
    return value.__class__ is str and len(value) < 200 and _PLAIN_WORDS.fullmatch(value) is not None \
        and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG


# For one-line strings the emitter's choice is plain (when the resolver reads it back as a string and the
# analysis allows it), else single-quoted (quotes doubled), else double-quoted; its analysis is asked directly
# for the first two, which is a tenth of the cost of emitting a probe document. Lines are never folded here:
# strings are short and the width is 10,000.
_ANALYSER = yaml.emitter.Emitter(None, allow_unicode=True)


def _one_line(value: str) -> str | None:
    if not 0 < len(value) < 200 or "\n" in value or any(c in value for c in _OTHER_BREAKS):
        return None
    analysis = _ANALYSER.analyze_scalar(value)
    if analysis.allow_block_plain and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG:
        return value
    if analysis.allow_single_quoted:
        return "'" + value.replace("'", "''") + "'"
    return None  # double-quoted: escapes are the emitter's business


def _scalar(value: Any) -> str:
    # 0.0 == -0.0 (and they hash alike), yet YAML writes them differently: floats are cached by their repr.
    key = (type(value), repr(value) if isinstance(value, float) else value)
    text = _SCALARS.get(key)
    if text is None:
        if _plain_words(value):
            text = value
        else:
            text = (_one_line(value) if value.__class__ is str else None) or _probe(value)
        if len(_SCALARS) < _SCALAR_CACHE_LIMIT:
            _SCALARS[key] = text
    return text


def _probe(value: Any) -> str:
    text = dump_yaml_with_pyyaml({"k": value})[3:]
    if text.endswith("\n...\n"):  # an explicit document end follows a bare scalar at the end of a stream
        text = text[:-4]
    text = text[:-1]
    if any(c in text for c in _OTHER_BREAKS) or ("\n" in text and not text.startswith("|")):
        raise _NotPlain  # spread over lines, indented for where it stood in the probe
    return text


_KEYS: dict[str, str] = {}  # str keys already checked and written: the same few keys recur in every file


def _key(key: Any) -> str:
    if key.__class__ is str:
        known = _KEYS.get(key)
        if known is not None:
            return known
    if not isinstance(key, (str, int)) or isinstance(key, bool) or (isinstance(key, str) and not 0 < len(key) < 128):
        raise _NotPlain  # PyYAML writes empty, long and complex keys with "? " (Emitter.check_simple_key)
    if isinstance(key, str) and any(c in key for c in "\n" + _OTHER_BREAKS):
        raise _NotPlain  # a multi-line key is not a simple key either
    text = _scalar(key)
    if key.__class__ is str and len(_KEYS) < _SCALAR_CACHE_LIMIT:
        _KEYS[key] = text
    return text


def _block_scalar(value: Any, indent: int) -> str:
    """A scalar after "key: " or "- "; a literal block's lines sit two deeper than ``indent``."""
    text = _scalar(value)
    if "\n" in text:
        pad = " " * (indent + 2)
        head, *body = text.split("\n")
        text = head + "".join("\n" + (pad + line[2:] if line else line) for line in body)
    return text


def _emit(data: Any, indent: int, out: list[str], prefix: str) -> None:
    """Append ``data`` as block YAML at ``indent``; ``prefix`` is what already stands on the current line."""
    pad = " " * indent
    if isinstance(data, dict) and data:
        first = True
        for key, value in data.items():
            lead = prefix if first else pad
            first = False
            head = f"{lead}{_key(key)}:"
            if isinstance(value, (dict, list)) and value:
                out.append(head + "\n")
                _emit(value, indent + 2, out, " " * (indent + 2))
            else:
                out.append(f"{head} {_inline(value, indent)}\n")
    elif isinstance(data, list) and data:
        first = True
        for item in data:
            lead = (prefix if first else pad) + "- "
            first = False
            if isinstance(item, (dict, list)) and item:
                _emit(item, indent + 2, out, lead)
            else:
                out.append(f"{lead}{_inline(item, indent)}\n")
    else:
        out.append(f"{prefix}{_inline(data, indent - 2)}\n")


def _inline(value: Any, indent: int) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _block_scalar(value, indent)


# ------------------------------------------------------------------------------------------- re-export patches
# Re-export rewrites only what changed: the existing text is composed into nodes (which know where they start and
# end), compared with the new data, and only the spans whose values differ are replaced. Comments, key order,
# quoting and flow style anywhere else stay as the person wrote them. The caller checks the result still builds
# to what Kibana holds, and writes the file whole when it does not.
_Composer = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Edit = tuple[int, int, str]  # replace text[start:end]


def patch_yaml(text: str, data: Any) -> str | None:
    """``text`` with only the values that differ from ``data`` rewritten, or None when it cannot be patched."""
    try:
        root = yaml.compose(text, Loader=_Composer)
    except yaml.YAMLError:
        return None
    if root is None:
        return None
    patcher = _Patcher(text)
    try:
        patcher.node(root, data, 0)
    except _CannotPatch:
        return None
    out = text
    # From the end backwards, so earlier spans keep their offsets; at one offset a nested edit (recorded first)
    # must land before an outer one.
    for _, (start, end, new) in sorted(enumerate(patcher.edits), key=lambda e: (e[1][0], e[0]), reverse=True):
        out = out[:start] + new + out[end:]
    return out


class _CannotPatch(Exception):
    pass


class _Patcher:
    def __init__(self, text: str):
        self.text = text
        self.edits: list[_Edit] = []
        self._constructor = yaml.SafeLoader("")

    def value(self, node: yaml.Node) -> Any:
        return self._constructor.construct_object(node, deep=True)

    def node(self, node: yaml.Node, new: Any, indent: int) -> None:
        if same_value(self.value(node), new):
            return
        if isinstance(node, yaml.ScalarNode) and not isinstance(new, (dict, list)):
            self.edits.append((node.start_mark.index, node.end_mark.index, self._scalar(node, new, indent)))
        elif node.flow_style and isinstance(new, (dict, list)):
            flow = yaml.dump(new, Dumper=_ReadableDumper, default_flow_style=True, width=10_000, allow_unicode=True,
                             sort_keys=False).rstrip("\n")
            if "\n" in flow:
                raise _CannotPatch
            self.edits.append((node.start_mark.index, node.end_mark.index, flow))
        elif isinstance(node, yaml.MappingNode) and isinstance(new, dict):
            self.mapping(node, new)
        elif isinstance(node, yaml.SequenceNode) and isinstance(new, list) and node.value:
            self.sequence(node, new)
        else:
            raise _CannotPatch  # the parent replaces the whole entry

    def mapping(self, node: yaml.MappingNode, new: dict[Any, Any]) -> None:
        seen = set()
        last_end = None
        for key_node, value_node in node.value:
            key = self.value(key_node)
            seen.add(key)
            start, end = self._line_start(key_node.start_mark.index), self._entry_end(value_node)
            last_end = end
            if key not in new:
                self.edits.append((start, end, ""))
                continue
            try:
                self.node(value_node, new[key], key_node.start_mark.column)
            except _CannotPatch:
                self.edits.append((start, end, _block({key: new[key]}, key_node.start_mark.column)))
        added = {k: v for k, v in new.items() if k not in seen}
        if added:
            if last_end is None or not node.value:
                raise _CannotPatch
            self.edits.append((last_end, last_end, _block(added, node.value[0][0].start_mark.column)))

    def sequence(self, node: yaml.SequenceNode, new: list[Any]) -> None:
        """Items compared by position; items added at the end are appended, items gone from the end deleted."""
        column = node.value[0].start_mark.column - 2  # where the "- " of a block sequence sits
        if column < 0 or self.text[self._line_start(node.value[0].start_mark.index):][column:column + 1] != "-":
            raise _CannotPatch
        for item, value in zip(node.value, new, strict=False):
            start = self._line_start(item.start_mark.index)
            if start + column + 2 != item.start_mark.index:
                raise _CannotPatch  # not one item per line ("- - a"): the parent rewrites the list
            try:
                self.node(item, value, item.start_mark.column)
            except _CannotPatch:
                self.edits.append((start, self._entry_end(item), _block([value], column)))
        for item in node.value[len(new):]:
            self.edits.append((self._line_start(item.start_mark.index), self._entry_end(item), ""))
        if len(new) > len(node.value):
            end = self._entry_end(node.value[-1])
            self.edits.append((end, end, _block(new[len(node.value):], column)))

    def _scalar(self, node: yaml.ScalarNode, new: Any, indent: int) -> str:
        text = dump_yaml({"k": new})[len("k: "):].rstrip("\n")
        if "\n" in text:  # a literal block: its lines sit deeper than the key
            text = text.replace("\n  ", "\n" + " " * (indent + 2))
        if self.text[node.start_mark.index:node.end_mark.index].endswith("\n"):
            text += "\n"
        return text

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _entry_end(self, node: yaml.Node) -> int:
        """Where the line after ``node`` starts (block collections end at the next token's column)."""
        end = node.end_mark.index
        line_start = self._line_start(end)
        if not self.text[line_start:end].strip():
            return line_start
        newline = self.text.find("\n", end)
        return len(self.text) if newline < 0 else newline + 1


def _block(data: Any, indent: int) -> str:
    text = dump_yaml(data)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def same_value(a: Any, b: Any) -> bool:
    """Equal as YAML values: 1, 1.0 and true are three different things."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
