"""The document migrator's gate on every write (reference 2.2).

Modelled: the version checks that reject a whole request with 422, and the one migration whose failure matters
to a client generating modern objects: Lens' 7.x migrations read `datasourceStates.indexpattern` and run before
the 8.6.0 `indexpattern` -> `formBased` rename, so a `formBased` state reaching them throws (HTTP 500). The same
migrations run on by-value Lens panels inside dashboards. The Lens migrations 7.13.1-8.9.0 that change the
stored state are applied too (`lens_migrations.py`). Dashboards older than 7.3.0 get Kibana's 7.3.0 migration
(`dashboard_730.py`: pre-6.1 `col`/`row` panels to `gridData`, `uiStateJSON` into the panels). Other type
migrations are not modelled: visualization and map migrations catch their own failures and return the document
unchanged (`setup_saved_objects.ts` "Do not fail migration"), so an old object still imports; the emulator
stores it as sent, which Kibana would not.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .config import CORE_MIGRATION_VERSION, EmulatorConfig
from .dashboard_730 import DASHBOARD_730, migrate_dashboard_730
from .errors import HttpError, internal_error
from .lens_migrations import LATEST_LENS_MIGRATION, migrate_lens

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$")
LENS_DATASOURCE_RENAME = "8.6.0"  # commonMigrateIndexPatternDatasource
# x-pack/plugins/maps/server/saved_objects/saved_object_migrations.ts '7.9.0' -> removeBoundsFromSavedObject
# (common/migrations/remove_bounds.ts): `delete attributes.bounds`, "an unused parameter from pre 7.8 saved objects"
MAP_REMOVE_BOUNDS = "7.9.0"


def parse_semver(value: str) -> tuple[int, int, int] | None:
    match = SEMVER.match(value)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def _older_than(version: str, other: str) -> bool:
    """`""` (what import sets when a file object has no version) is older than every version."""
    if version == "":
        return True
    parsed = parse_semver(version)
    if parsed is None:
        raise internal_error()  # semver.lt throws a TypeError on garbage: not a Boom error
    return parsed < parse_semver(other)


def _is_greater(version: str, latest: str | None) -> bool:
    """`isGreater(a, b) = !!a && (!b || Semver.gt(a, b))`; Semver.gt throws on a non-semver `a` (generic 500)."""
    if not version:
        return False
    if latest is None:
        return True
    parsed = parse_semver(version)
    if parsed is None:
        raise internal_error()
    return parsed > parse_semver(latest)


@dataclass(frozen=True)
class Migrated:
    attributes: dict[str, Any]
    core_migration_version: str
    type_migration_version: str | None
    # False when type migrations the emulator does not model would have run: the attributes are then not what
    # Kibana would store, so checks on the stored shape (the strict mappings) are skipped
    fully_modelled: bool = True


class MigrationGate:
    def __init__(self, config: EmulatorConfig) -> None:
        self._config = config

    def latest(self, type_: str) -> str | None:
        return self._config.type_migration_versions.get(type_)

    def migrate(self, doc: dict[str, Any], *, missing_version: str | None) -> Migrated:
        """Migrate an input document. `missing_version` is what an absent version means: "" on import (run
        every migration), None on create (run none, stamp the latest)."""
        type_, id_ = doc["type"], doc.get("id", "")
        self._check_core_version(id_, doc.get("coreMigrationVersion"))
        version = self._type_version(doc, missing_version)
        latest = self.latest(type_)
        attributes = doc.get("attributes") or {}
        fully_modelled = True
        if version is not None:
            if _is_greater(version, latest):
                # `upgrade_pipeline.ts#assertCompatibility`: a type without migrations (links) has no last known
                # version, so any non-empty version is "more recent" and JS prints it as `undefined`
                raise HttpError(422, f'Document "{id_}" belongs to a more recent version of Kibana '
                                     f"[{version}] when the last known version is [{latest or 'undefined'}].")
            attributes = _run_type_migrations(type_, attributes, version)
            fully_modelled = latest is None or not _older_than(version, latest)
        return Migrated(attributes, CORE_MIGRATION_VERSION, latest, fully_modelled)

    def _check_core_version(self, id_: str, core: Any) -> None:
        if core is None:
            return
        parsed = parse_semver(core) if isinstance(core, str) else None
        if parsed is None:
            raise HttpError(422, f'Document "{id_}" has an invalid "coreMigrationVersion" [{core}]. '
                                 "This must be a semver value.")
        if parsed > parse_semver(self._config.version):
            raise HttpError(422, f'Document "{id_}" has a "coreMigrationVersion" which belongs to a more recent '
                                 f"version of Kibana [{core}]. The current version is [{self._config.version}].")

    @staticmethod
    def _type_version(doc: dict[str, Any], missing_version: str | None) -> str | None:
        if isinstance(doc.get("typeMigrationVersion"), str):
            return doc["typeMigrationVersion"]
        legacy = doc.get("migrationVersion")
        if isinstance(legacy, dict) and isinstance(legacy.get(doc["type"]), str):
            return legacy[doc["type"]]
        return missing_version


def _run_type_migrations(type_: str, attributes: dict[str, Any], version: str) -> dict[str, Any]:
    if type_ == "dashboard" and _older_than(version, DASHBOARD_730):
        attributes = migrate_dashboard_730(attributes)
    if type_ == "map" and "bounds" in attributes and _older_than(version, MAP_REMOVE_BOUNDS):
        return {k: v for k, v in attributes.items() if k != "bounds"}
    parsed = parse_semver(version) if version else None
    if parsed is not None and parsed >= LATEST_LENS_MIGRATION:
        return attributes
    if type_ == "lens":
        return _migrate_lens_attributes(attributes, parsed, library=True)
    if type_ == "dashboard":
        return _migrate_dashboard_panels(attributes, parsed)
    return attributes


def _migrate_lens_attributes(attributes: dict[str, Any], version: tuple[int, int, int] | None, *,
                             library: bool) -> dict[str, Any]:
    if version is None or version < parse_semver(LENS_DATASOURCE_RENAME):
        state = attributes.get("state")
        datasources = state.get("datasourceStates") if isinstance(state, dict) else None
        legacy = datasources.get("indexpattern") if isinstance(datasources, dict) else None
        if not isinstance(legacy, dict) or "formBased" in datasources:
            # 7.x steps dereference datasourceStates.indexpattern.* -> TypeError inside a migration function
            raise internal_error()
    return migrate_lens(attributes, version, library=library)


def _migrate_dashboard_panels(attributes: dict[str, Any], version: tuple[int, int, int] | None) -> dict[str, Any]:
    raw = attributes.get("panelsJSON")
    try:
        panels = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return attributes
    if not isinstance(panels, list):
        return attributes
    changed = False
    for panel in panels:
        config = panel.get("embeddableConfig") if isinstance(panel, dict) else None
        if panel_is_by_value_lens(panel) and isinstance(config, dict):
            config["attributes"] = _migrate_lens_attributes(config["attributes"], version, library=False)
            changed = True
    if not changed:
        return attributes
    return {**attributes, "panelsJSON": json.dumps(panels, separators=(",", ":"))}


def panel_is_by_value_lens(panel: Any) -> bool:
    return (isinstance(panel, dict) and panel.get("type") == "lens"
            and isinstance(panel.get("embeddableConfig"), dict)
            and isinstance(panel["embeddableConfig"].get("attributes"), dict))
