"""What each Kibana version kibana-sync can write to reads: the newest type migration (model) version of each
saved-object type and, where Kibana refuses what it does not know, the attributes it knows.

Adding a target (8.12, 9.x) is one more ``Target`` in ``TARGETS``, from the same sources: the migration tables of
reference.md 2.2 and 9 and the attribute lists of reference.md 3.x.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kibana_sync.kibana.format import TYPE_MIGRATION_VERSIONS


@dataclass(frozen=True)
class Target:
    kibana: str  # the Kibana version, e.g. "8.11.0"
    core_migration: str  # the newest coreMigrationVersion it stamps (reference 2.2: 8.8.0 from 8.8 to 8.1x)
    type_versions: dict[str, str]  # saved-object type -> newest typeMigrationVersion it can read
    # type -> every attribute it knows; types whose mapping is `dynamic: false` and that have no schema store any
    # attribute and are left out (reference 3.x and the emulator's so_types.py)
    attributes: dict[str, frozenset[str]] = field(default_factory=dict)
    # attributes later Kibanas added, with where they came from, to say why one is unknown
    later_attributes: dict[tuple[str, str], str] = field(default_factory=dict)


TARGETS: dict[str, Target] = {
    "8.11": Target(
        kibana="8.11.0",
        core_migration="8.8.0",
        type_versions=dict(TYPE_MIGRATION_VERSIONS),
        attributes={
            # reference 3.2: search's 8.8.0 schema, which validates the whole object
            "search": frozenset({
                "title", "description", "columns", "sort", "grid", "rowHeight", "rowsPerPage", "hideChart",
                "breakdownField", "kibanaSavedObjectMeta", "isTextBasedQuery", "usesAdHocDataView", "timeRestore",
                "timeRange", "refreshInterval", "viewMode", "hideAggregatedPreview", "hits", "version"}),
            # reference 3.4 and the dashboard mapping (strict): an attribute it does not declare fails the write
            "dashboard": frozenset({
                "title", "description", "panelsJSON", "optionsJSON", "version", "timeRestore", "timeFrom", "timeTo",
                "refreshInterval", "kibanaSavedObjectMeta", "controlGroupInput", "hits"}),
            "lens": frozenset({"title", "description", "visualizationType", "state"}),
            "map": frozenset({"title", "description", "version", "mapStateJSON", "layerListJSON", "uiStateJSON",
                              "bounds"}),
            "tag": frozenset({"name", "description", "color"}),
        },
        later_attributes={
            ("search", "sampleSize"): "search model version 10.1.0 (Kibana 8.12+)",
            ("search", "headerRowHeight"): "search model version 10.2.0 (Kibana 8.13+)",
            ("search", "visContext"): "search model version 10.3.0 (Kibana 8.14+)",
            ("search", "density"): "search model version 10.5.0 (Kibana 8.16+)",
            ("search", "tabs"): "Discover sessions with tabs (Kibana 9.x)",
        },
    ),
}
DEFAULT_TARGET = "8.11"


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def unreadable(obj: dict[str, Any], target: Target) -> list[str]:
    """Why ``target`` cannot read this saved object as it is (empty when it can): a newer model version, a newer
    core version, attributes it does not know."""
    type_ = obj.get("type", "")
    reasons = []
    known = target.type_versions.get(type_)
    version = obj.get("typeMigrationVersion") or (obj.get("migrationVersion") or {}).get(type_)
    if known and isinstance(version, str) and version and version_key(version) > version_key(known):
        reasons.append(f"{type_} model version {version} (Kibana {target.kibana} reads up to {known})")
    core = obj.get("coreMigrationVersion")
    if isinstance(core, str) and core and version_key(core) > version_key(target.kibana):
        reasons.append(f"coreMigrationVersion {core} (newer than Kibana {target.kibana})")
    allowed = target.attributes.get(type_)
    attributes = obj.get("attributes")
    if allowed is not None and isinstance(attributes, dict):
        for name in attributes:
            if name not in allowed:
                origin = target.later_attributes.get((type_, name))
                reasons.append(f"attribute {name!r}" + (f" from {origin}" if origin else "") +
                               f", which Kibana {target.kibana} does not know")
    return reasons
