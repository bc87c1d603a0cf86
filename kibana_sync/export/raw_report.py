"""Say what an export kept verbatim. Kinds keep whatever their compact YAML cannot say exactly in ``raw...``
fields (``raw``, ``raw_attributes``, ``raw_config``, ...); a person should know which parts those are, since
they round-trip unchanged but are not checked the way the compact form is."""

from __future__ import annotations

import json
from typing import Any

from kibana_sync.source.yaml_reader import format_path

LISTED = 5  # paths named in one warning; the rest are counted


def raw_paths(data: Any, path: tuple[str | int, ...] = ()) -> list[str]:
    """Where ``data`` holds raw passthrough, e.g. ``panels[2].raw (visualization)``."""
    found: list[str] = []
    _find_raw(data, list(path), found)
    return found


def _find_raw(data: Any, path: list[str | int], found: list[str]) -> None:
    # The path is one list, extended and shortened in place, and formatted only where something is found: a
    # tuple per node was most of the cost of walking a big export.
    if data.__class__ is dict:
        for key, value in data.items():
            if key.__class__ is str and (key == "raw" or key.startswith("raw_")) and value not in ({}, [], None):
                found.append(format_path((*path, key)) + _what(value))
            elif value.__class__ is dict or value.__class__ is list:
                path.append(key)
                _find_raw(value, path, found)
                path.pop()
    elif data.__class__ is list:
        for i, item in enumerate(data):
            if item.__class__ is dict or item.__class__ is list:
                path.append(i)
                _find_raw(item, path, found)
                path.pop()


def raw_warning(data: dict[str, Any], kibana_object: dict[str, Any]) -> str | None:
    paths = raw_paths(data)
    if not paths:
        return None
    named = ", ".join(paths[:LISTED]) + (f" and {len(paths) - LISTED} more" if len(paths) > LISTED else "")
    version = kibana_version(kibana_object)
    why = (f"it was saved by Kibana {version} and 7.x formats (legacy visualizations, visState, Lens "
           "'indexpattern' layers) are kept as stored" if version and int(version.split(".")[0]) < 8
           else "the compact YAML form cannot say it exactly")
    return f"kept verbatim (raw passthrough) because {why}: {named}"


def broken_json(data: Any, path: tuple[str | int, ...] = ()) -> list[str]:
    """Embedded JSON strings (``panelsJSON``, ``searchSourceJSON``, ...) kept raw because they do not parse:
    the export keeps them as they are, but Kibana cannot open the object either."""
    found: list[str] = []
    _find_broken_json(data, list(path), found)
    return found


def _find_broken_json(data: Any, path: list[str | int], found: list[str]) -> None:
    items = data.items() if data.__class__ is dict else enumerate(data) if data.__class__ is list else ()
    for key, value in items:
        if value.__class__ is str:
            if key.__class__ is str and key.endswith("JSON"):
                try:
                    json.loads(value)
                except ValueError as exc:
                    found.append(f"{format_path((*path, key))} is not valid JSON ({exc}); kept as it is, "
                                 "but Kibana cannot read it either")
        elif value.__class__ is dict or value.__class__ is list:
            path.append(key)
            _find_broken_json(value, path, found)
            path.pop()


def kibana_version(kibana_object: dict[str, Any]) -> str | None:
    """The Kibana version an object says it was migrated to, when it says (7.x exports use migrationVersion)."""
    versions = [kibana_object.get("coreMigrationVersion")]
    legacy = kibana_object.get("migrationVersion")
    if isinstance(legacy, dict):
        versions.extend(legacy.values())
    found = [v for v in versions if isinstance(v, str) and v.split(".")[0].isdigit()]
    return max(found, key=lambda v: tuple(int(p) for p in v.split(".") if p.isdigit())) if found else None


def _what(value: Any) -> str:
    """A raw panel's type, or the few attribute names a small raw mapping holds."""
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return f" ({value['type']})"
    if isinstance(value, dict) and len(value) <= 3 and "embeddableConfig" not in value:
        return f" ({', '.join(map(str, value))})"
    return ""
