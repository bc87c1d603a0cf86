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
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and (key == "raw" or key.startswith("raw_")) and value not in ({}, [], None):
                found.append(format_path((*path, key)) + _what(value))
            else:
                found.extend(raw_paths(value, (*path, key)))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            found.extend(raw_paths(item, (*path, i)))
    return found


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
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        if isinstance(key, str) and key.endswith("JSON") and isinstance(value, str):
            try:
                json.loads(value)
            except ValueError as exc:
                found.append(f"{format_path((*path, key))} is not valid JSON ({exc}); kept as it is, "
                             "but Kibana cannot read it either")
        else:
            found.extend(broken_json(value, (*path, key)))
    return found


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
