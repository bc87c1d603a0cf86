"""The document migrator's gate on every write (reference 2.2).

Modelled: the version checks that reject a whole request with 422, and the one migration whose failure matters
to a client generating modern objects: Lens' 7.x migrations read `datasourceStates.indexpattern` and run before
the 8.6.0 `indexpattern` -> `formBased` rename, so a `formBased` state reaching them throws (HTTP 500). The same
migrations run on by-value Lens panels inside dashboards. Other type migrations are not modelled.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from .config import CORE_MIGRATION_VERSION, EmulatorConfig
from .errors import HttpError, internal_error

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?$")
LENS_DATASOURCE_RENAME = "8.6.0"  # commonMigrateIndexPatternDatasource


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


@dataclass(frozen=True)
class Migrated:
    attributes: dict[str, Any]
    core_migration_version: str
    type_migration_version: str


class MigrationGate:
    def __init__(self, config: EmulatorConfig) -> None:
        self._config = config

    def latest(self, type_: str) -> str:
        return self._config.type_migration_versions[type_]

    def migrate(self, doc: dict[str, Any], *, missing_version: str | None) -> Migrated:
        """Migrate an input document. `missing_version` is what an absent version means: "" on import (run
        every migration), None on create (run none, stamp the latest)."""
        type_, id_ = doc["type"], doc.get("id", "")
        self._check_core_version(id_, doc.get("coreMigrationVersion"))
        version = self._type_version(doc, missing_version)
        latest = self.latest(type_)
        attributes = doc.get("attributes") or {}
        if version is not None:
            if version != "" and parse_semver(version) is not None and parse_semver(version) > parse_semver(latest):
                raise HttpError(422, f'Document "{id_}" belongs to a more recent version of Kibana '
                                     f"[{version}] when the last known version is [{latest}].")
            attributes = _run_type_migrations(type_, attributes, version)
        return Migrated(attributes, CORE_MIGRATION_VERSION, latest)

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
    if not _older_than(version, LENS_DATASOURCE_RENAME):
        return attributes
    if type_ == "lens":
        return _migrate_lens_attributes(attributes)
    if type_ == "dashboard":
        return _migrate_dashboard_panels(attributes)
    return attributes


def _migrate_lens_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    state = attributes.get("state")
    datasources = state.get("datasourceStates") if isinstance(state, dict) else None
    legacy = datasources.get("indexpattern") if isinstance(datasources, dict) else None
    if not isinstance(legacy, dict) or "formBased" in datasources:
        # 7.x steps dereference datasourceStates.indexpattern.* -> TypeError inside a migration function
        raise internal_error()
    renamed = {("formBased" if k == "indexpattern" else k): v for k, v in datasources.items()}
    return {**attributes, "state": {**state, "datasourceStates": renamed}}


def _migrate_dashboard_panels(attributes: dict[str, Any]) -> dict[str, Any]:
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
            config["attributes"] = _migrate_lens_attributes(config["attributes"])
            changed = True
    if not changed:
        return attributes
    return {**attributes, "panelsJSON": json.dumps(panels, separators=(",", ":"))}


def panel_is_by_value_lens(panel: Any) -> bool:
    return (isinstance(panel, dict) and panel.get("type") == "lens"
            and isinstance(panel.get("embeddableConfig"), dict)
            and isinstance(panel["embeddableConfig"].get("attributes"), dict))
