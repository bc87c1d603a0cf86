"""What a test can vary about the emulated Kibana: version, license, credentials, migration versions, limits."""

from __future__ import annotations

from dataclasses import dataclass, field

# Latest typeMigrationVersion per type in 8.11 (reference 2.2 table); search/tag are uncertain there, so tests
# may override them through `type_migration_versions`. None = the type has no migrate/convert transform at all,
# so Kibana stamps no typeMigrationVersion (upgrade_pipeline.ts `ensureVersion`).
LATEST_TYPE_MIGRATION_VERSIONS: dict[str, str | None] = {
    "dashboard": "8.9.0",
    "lens": "8.9.0",
    "visualization": "8.5.0",
    "index-pattern": "8.0.0",
    "search": "8.0.0",
    "tag": "8.0.0",
    # maps' own migrations end at 8.4.0 (`saved_object_migrations.ts`, reference-objects-es 3.2); a real export
    # from a later 8.x still carries 8.4.0 (corpus pfelk map b9368d5e, coreMigrationVersion 8.8.0)
    "map": "8.4.0",
    # `src/plugins/links/server/saved_objects/links.ts` (8.x): `migrations: {}`, no model versions and no
    # convertToMultiNamespaceTypeVersion; real exports (corpus esdiag links) have no typeMigrationVersion
    "links": None,
}
CORE_MIGRATION_VERSION = "8.8.0"  # the only core transform in 8.8 -> 8.1x (reference 2.2)


@dataclass(frozen=True)
class ApiKeyGrant:
    """An ES API key: the secret half and the user it was created for (`api_key_owner` on rules)."""

    key: str
    owner: str


@dataclass
class EmulatorConfig:
    version: str = "8.11.0"
    license: str = "platinum"  # "basic" makes .webhook connectors fail with 403 (reference 1.3)
    users: dict[str, str] = field(default_factory=lambda: {"elastic": "changeme"})
    api_keys: dict[str, ApiKeyGrant] = field(default_factory=dict)  # api key id -> grant
    read_only_users: frozenset[str] = frozenset()  # authenticated, but every write answers 403
    type_migration_versions: dict[str, str | None] = field(
        default_factory=lambda: dict(LATEST_TYPE_MIGRATION_VERSIONS))
    max_import_export_size: int = 10000  # savedObjects.maxImportExportSize (reference 2.8)
    max_import_payload_bytes: int = 26214400  # savedObjects.maxImportPayloadBytes
    allowed_hosts: tuple[str, ...] = ("*",)  # xpack.actions.allowedHosts
    server_name: str = "kibana"
    server_uuid: str = "5b2c6f1e-6a2b-4b59-9d3f-6f6d1b9d2a10"
