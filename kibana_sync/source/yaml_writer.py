"""Write YAML a person wants to edit: keys in the order the data has them (the order a kind writes them, not
sorted), block style, lists indented under their key, multi-line text as literal ``|`` blocks, and quotes only
where a plain scalar would read back as something else ("yes", "1.0", "2024-01-01", "null")."""

from __future__ import annotations

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
    return yaml.dump(data, Dumper=_ReadableDumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=10_000, indent=2)
