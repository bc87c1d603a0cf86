"""Lens type migrations 7.15.0–8.5.0 that change what an import of an older object stores.

Source: `x-pack/plugins/lens/server/migrations/saved_object_migrations.ts` (`lensMigrations`, run in version
order) and the `common*` functions of `common_migrations.ts` they call; dashboards reuse the same functions for
by-value Lens panels. They all read `datasourceStates.indexpattern`, i.e. they run before the 8.6.0 rename to
`formBased`, so they are applied to the pre-rename state.

Modelled (one function each, same conditions as Kibana's):
* 7.15.0 `addLayerTypeToVisualization` -> `commonUpdateVisLayerType`
* 8.1.0 `renameRecordsField` -> `commonRenameRecordsField`
* 8.2.0 `setLastValueShowArrayValues` -> `commonSetLastValueShowArrayValues`
* 8.3.0 `lockOldMetricVisSettings` -> `commonLockOldMetricVisSettings`
* 8.5.0 `migrateMetricIds` -> `commonMigrateMetricIds`
The other steps of the same versions (e.g. 8.1.0 `addParentFormatter`, 8.2.0 `setIncludeEmptyRowsDateHistogram`,
8.3.0 `preserveOldLegendSizeDefault`) are not modelled, so an object older than 8.6.0 is still not fully
modelled (the strict-mapping check stays skipped for it).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

# x-pack/plugins/lens/common/constants.ts DOCUMENT_FIELD_NAME, what count columns count since 8.1
DOCUMENT_FIELD_NAME = "___records___"


def _layers(attributes: dict[str, Any]) -> list[dict[str, Any]]:
    state = attributes.get("state")
    datasources = state.get("datasourceStates") if isinstance(state, dict) else None
    legacy = datasources.get("indexpattern") if isinstance(datasources, dict) else None
    layers = legacy.get("layers") if isinstance(legacy, dict) else None
    return [layer for layer in layers.values() if isinstance(layer, dict)] if isinstance(layers, dict) else []


def _visualization(attributes: dict[str, Any]) -> dict[str, Any] | None:
    state = attributes.get("state")
    vis = state.get("visualization") if isinstance(state, dict) else None
    return vis if isinstance(vis, dict) else None


def update_vis_layer_type(attributes: dict[str, Any]) -> None:
    """7.15.0 `commonUpdateVisLayerType`: unconditionally `layerType = 'data'` on a single-layer state (one with
    `layerId`) and on every entry of `layers` (it overwrites, not only fills in)."""
    vis = _visualization(attributes)
    if vis is None:
        return
    if "layerId" in vis:
        vis["layerType"] = "data"
    if isinstance(vis.get("layers"), list):
        for layer in vis["layers"]:
            if isinstance(layer, dict):
                layer["layerType"] = "data"


def rename_records_field(attributes: dict[str, Any]) -> None:
    """8.1.0 `commonRenameRecordsField`: every `count` column listed in its layer's `columnOrder` gets
    `sourceField: '___records___'`, whatever field it had (columns not in `columnOrder` are left alone)."""
    for layer in _layers(attributes):
        columns = layer.get("columns") if isinstance(layer.get("columns"), dict) else {}
        for column_id in layer.get("columnOrder") or []:
            column = columns.get(column_id) if isinstance(column_id, str) else None
            if isinstance(column, dict) and column.get("operationType") == "count":
                column["sourceField"] = DOCUMENT_FIELD_NAME


def set_last_value_show_array_values(attributes: dict[str, Any]) -> None:
    """8.2.0 `commonSetLastValueShowArrayValues`: a `last_value` column whose `params.showArrayValues` is not a
    boolean gets `true` (an explicit false stays)."""
    for layer in _layers(attributes):
        columns = layer.get("columns")
        for column in columns.values() if isinstance(columns, dict) else ():
            if not isinstance(column, dict) or column.get("operationType") != "last_value":
                continue
            params = column.get("params")
            if isinstance(params, dict) and not isinstance(params.get("showArrayValues"), bool):
                params["showArrayValues"] = True


def lock_old_metric_vis_settings(attributes: dict[str, Any]) -> None:
    """8.3.0 `commonLockOldMetricVisSettings`: on `lnsMetric` (the legacy metric at that time), `??=` defaults
    textAlign 'center', titlePosition 'bottom', size 'xl' (null counts as unset, as for JS `??`)."""
    if attributes.get("visualizationType") != "lnsMetric":
        return
    vis = _visualization(attributes)
    if vis is None:
        return
    for key, default in (("textAlign", "center"), ("titlePosition", "bottom"), ("size", "xl")):
        if vis.get(key) is None:
            vis[key] = default


def migrate_metric_ids(attributes: dict[str, Any]) -> None:
    """8.5.0 `commonMigrateMetricIds`: `lnsMetric` -> `lnsLegacyMetric` and `lnsMetricNew` (the pre-8.5 id of
    the new metric) -> `lnsMetric`; the visualization state is not touched."""
    renames = {"lnsMetric": "lnsLegacyMetric", "lnsMetricNew": "lnsMetric"}
    vis_type = attributes.get("visualizationType")
    if isinstance(vis_type, str) and vis_type in renames:
        attributes["visualizationType"] = renames[vis_type]


LENS_MIGRATIONS: tuple[tuple[tuple[int, int, int], Callable[[dict[str, Any]], None]], ...] = (
    ((7, 15, 0), update_vis_layer_type),
    ((8, 1, 0), rename_records_field),
    ((8, 2, 0), set_last_value_show_array_values),
    ((8, 3, 0), lock_old_metric_vis_settings),
    ((8, 5, 0), migrate_metric_ids),
)


def migrate_lens_7_15_to_8_5(attributes: dict[str, Any], version: tuple[int, int, int] | None) -> dict[str, Any]:
    """Apply, in version order, the modelled migrations newer than `version` (None: the object had no version,
    so every migration runs). Returns a new dict (Kibana's migrations `cloneDeep` too)."""
    pending = [migrate for at, migrate in LENS_MIGRATIONS if version is None or version < at]
    if not pending:
        return attributes
    migrated = copy.deepcopy(attributes)
    for migrate in pending:
        migrate(migrated)
    return migrated
