"""The Lens migrations Kibana 8.11 runs on import of an older Lens object, 7.13.1 to 8.9.0, in version order.

Sources: the by-value map `x-pack/plugins/lens/server/embeddable/make_lens_embeddable_factory.ts` (dashboards run
it on each by-value Lens panel, `migrate_by_value_dashboard_panels.ts`) and the saved-object map `lensMigrations`
in `x-pack/plugins/lens/server/migrations/saved_object_migrations.ts`; both call the `common*` functions of
`common_migrations.ts`, one Python function each here with Kibana's conditions. The two maps differ in one step:
the library map's 8.1.0 also runs `addParentFormatter` (`fixLensTopValuesCustomFormatting`), the by-value one does
not. Every step before 8.6.0 reads the pre-rename `datasourceStates.indexpattern`; `migrations.py` refuses a
`formBased` state reaching them with the 500 Kibana returns.

Library-only steps older than 7.13 (7.7.0-7.12.0: expression rewrites, `extractReferences`, table state) are not
modelled: no corpus object needs them (2 library Lens objects predate 7.13, both already in the later shape).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

# x-pack/plugins/lens/common/constants.ts DOCUMENT_FIELD_NAME, what count columns count since 8.1
DOCUMENT_FIELD_NAME = "___records___"
Version = tuple[int, int, int]


def _datasource_layers(attributes: dict[str, Any], name: str) -> list[dict[str, Any]]:
    state = attributes.get("state")
    datasources = state.get("datasourceStates") if isinstance(state, dict) else None
    source = datasources.get(name) if isinstance(datasources, dict) else None
    layers = source.get("layers") if isinstance(source, dict) else None
    return [layer for layer in layers.values() if isinstance(layer, dict)] if isinstance(layers, dict) else []


def _layers(attributes: dict[str, Any]) -> list[dict[str, Any]]:
    return _datasource_layers(attributes, "indexpattern")


def _columns(attributes: dict[str, Any], datasource: str = "indexpattern") -> list[dict[str, Any]]:
    return [column for layer in _datasource_layers(attributes, datasource)
            for column in (layer.get("columns") or {}).values() if isinstance(column, dict)]


def _visualization(attributes: dict[str, Any]) -> dict[str, Any] | None:
    state = attributes.get("state")
    vis = state.get("visualization") if isinstance(state, dict) else None
    return vis if isinstance(vis, dict) else None


def _number(value: float) -> int | float:
    """JSON.stringify writes 25 for the JS number 25.0; keep Python's JSON the same."""
    return int(value) if float(value).is_integer() else value


def rename_operations_for_formula(attributes: dict[str, Any]) -> None:
    """7.13.1 `commonRenameOperationsForFormula`: avg -> average, cardinality -> unique_count,
    derivative -> differences."""
    renames = {"avg": "average", "cardinality": "unique_count", "derivative": "differences"}
    for column in _columns(attributes):
        if column.get("operationType") in renames:
            column["operationType"] = renames[column["operationType"]]


def remove_timezone_date_histogram_param(attributes: dict[str, Any]) -> None:
    """7.14.0 `commonRemoveTimezoneDateHistogramParam`: a date_histogram's `params.timeZone` is deleted."""
    for column in _columns(attributes):
        if column.get("operationType") == "date_histogram" and isinstance(column.get("params"), dict):
            column["params"].pop("timeZone", None)


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


def _move_default_palette_to_percent_custom(palette: Any) -> None:
    params = palette.get("params") if isinstance(palette, dict) else None
    if not isinstance(params, dict) or not params.get("reverse") or params.get("name") == "custom" \
            or not params.get("stops"):
        return
    stops = params["stops"]
    steps = len(stops)
    palette["name"] = "custom"
    params.update(name="custom", rangeType="percent", rangeMin=0, rangeMax=80, steps=steps)
    params["colorStops"] = [{"color": s.get("color"), "stop": _number(i * 100 / steps)} for i, s in enumerate(stops)]
    params["stops"] = [{"color": s.get("color"), "stop": _number((1 + i) * 100 / steps)} for i, s in enumerate(stops)]


def make_reverse_palette_as_custom(attributes: dict[str, Any]) -> None:
    """7.16.0 `commonMakeReversePaletteAsCustom`: a reversed default palette of a datatable column (coloured)
    or a heatmap becomes a custom percent palette with the same colours."""
    vis = _visualization(attributes)
    if vis is None or attributes.get("visualizationType") not in ("lnsDatatable", "lnsHeatmap"):
        return
    if "columns" in vis:
        for column in vis.get("columns") or []:
            if isinstance(column, dict) and column.get("colorMode") and column.get("colorMode") != "none":
                _move_default_palette_to_percent_custom(column.get("palette"))
    else:
        _move_default_palette_to_percent_custom(vis.get("palette"))


def rename_filter_references(attributes: dict[str, Any]) -> None:
    """8.1.0 `commonRenameFilterReferences`: `meta.index = meta.indexRefName; delete meta.indexRefName` on every
    filter (a filter without `indexRefName` loses its `index`: JS assigns undefined, JSON drops it)."""
    state = attributes.get("state")
    for filter_ in state.get("filters") or [] if isinstance(state, dict) else []:
        meta = filter_.get("meta") if isinstance(filter_, dict) else None
        if not isinstance(meta, dict):
            continue
        if "indexRefName" in meta:
            meta["index"] = meta.pop("indexRefName")
        else:
            meta.pop("index", None)


def rename_records_field(attributes: dict[str, Any]) -> None:
    """8.1.0 `commonRenameRecordsField`: every `count` column listed in its layer's `columnOrder` gets
    `sourceField: '___records___'`, whatever field it had (columns not in `columnOrder` are left alone)."""
    for layer in _layers(attributes):
        columns = layer.get("columns") if isinstance(layer.get("columns"), dict) else {}
        for column_id in layer.get("columnOrder") or []:
            column = columns.get(column_id) if isinstance(column_id, str) else None
            if isinstance(column, dict) and column.get("operationType") == "count":
                column["sourceField"] = DOCUMENT_FIELD_NAME


def add_parent_formatter(attributes: dict[str, Any]) -> None:
    """8.1.0, library Lens only: `fixLensTopValuesCustomFormatting` sets `params.parentFormat = {id: 'terms'}` on
    every terms column."""
    for column in _columns(attributes):
        if column.get("operationType") == "terms":
            params = column.get("params") if isinstance(column.get("params"), dict) else {}
            column["params"] = {**params, "parentFormat": {"id": "terms"}}


def set_last_value_show_array_values(attributes: dict[str, Any]) -> None:
    """8.2.0 `commonSetLastValueShowArrayValues`: a `last_value` column whose `params.showArrayValues` is not a
    boolean gets `true` (an explicit false stays)."""
    for column in _columns(attributes):
        params = column.get("params")
        if column.get("operationType") == "last_value" and isinstance(params, dict) \
                and not isinstance(params.get("showArrayValues"), bool):
            params["showArrayValues"] = True


def enhance_table_row_height(attributes: dict[str, Any]) -> None:
    """8.2.0 `commonEnhanceTableRowHeight`: a datatable gets `rowHeight` 'auto'/'single' and `rowHeightLines`
    2/1 from its old `fitRowToContent` flag (which stays)."""
    vis = _visualization(attributes)
    if vis is None or attributes.get("visualizationType") != "lnsDatatable":
        return
    fit = bool(vis.get("fitRowToContent"))
    vis["rowHeight"] = "auto" if fit else "single"
    vis["rowHeightLines"] = 2 if fit else 1


def set_include_empty_rows_date_histogram(attributes: dict[str, Any]) -> None:
    """8.2.0 `commonSetIncludeEmptyRowsDateHistogram`: every date_histogram gets `params.includeEmptyRows: true`
    (overwritten, not only filled in)."""
    for column in _columns(attributes):
        if column.get("operationType") == "date_histogram" and isinstance(column.get("params"), dict):
            column["params"]["includeEmptyRows"] = True


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


# commonPreserveOldLegendSizeDefault's `pixelsToLegendSize`, keyed by JS `String(legendSize)`
_LEGEND_SIZES = {"undefined": "auto", "80": "small", "130": "medium", "180": "large", "230": "xlarge"}


def _legend_size(container: dict[str, Any]) -> None:
    old = container.get("legendSize")
    key = "undefined" if old is None and "legendSize" not in container else \
        ("null" if old is None else str(_number(old)) if isinstance(old, int | float) and not isinstance(old, bool)
         else str(old))
    new = _LEGEND_SIZES.get(key)
    if new is None:  # an unknown size maps to undefined, which JSON drops
        container.pop("legendSize", None)
    else:
        container["legendSize"] = new


def preserve_old_legend_size_default(attributes: dict[str, Any]) -> None:
    """8.3.0 `commonPreserveOldLegendSizeDefault`: the pixel legend size becomes a named one on XY and heatmap
    (`legend.legendSize`) and on each pie layer; no size (the old default) becomes 'auto'."""
    vis = _visualization(attributes)
    if vis is None:
        return
    vis_type = attributes.get("visualizationType")
    if vis_type in ("lnsXY", "lnsHeatmap") and isinstance(vis.get("legend"), dict):
        _legend_size(vis["legend"])
    if vis_type == "lnsPie":
        for layer in vis.get("layers") or []:
            if isinstance(layer, dict):
                _legend_size(layer)


def fix_value_labels_in_xy(attributes: dict[str, Any]) -> None:
    """8.3.0 `commonFixValueLabelsInXY`: any truthy `valueLabels` other than 'hide' (the old 'inside') is 'show'."""
    vis = _visualization(attributes)
    if vis is None or attributes.get("visualizationType") != "lnsXY":
        return
    if vis.get("valueLabels") and vis["valueLabels"] != "hide":
        vis["valueLabels"] = "show"


def migrate_metric_ids(attributes: dict[str, Any]) -> None:
    """8.5.0 `commonMigrateMetricIds`: `lnsMetric` -> `lnsLegacyMetric` and `lnsMetricNew` (the pre-8.5 id of
    the new metric) -> `lnsMetric`; the visualization state is not touched."""
    renames = {"lnsMetric": "lnsLegacyMetric", "lnsMetricNew": "lnsMetric"}
    vis_type = attributes.get("visualizationType")
    if isinstance(vis_type, str) and vis_type in renames:
        attributes["visualizationType"] = renames[vis_type]


def enrich_annotation_layer(attributes: dict[str, Any]) -> None:
    """8.5.0 `commonEnrichAnnotationLayer`: XY annotation layers get `ignoreGlobalFilters: true`."""
    vis = _visualization(attributes)
    if vis is None or attributes.get("visualizationType") != "lnsXY":
        return
    for layer in vis.get("layers") or []:
        if isinstance(layer, dict) and layer.get("layerType") == "annotations":
            layer["ignoreGlobalFilters"] = True


def migrate_partition_chart_groups(attributes: dict[str, Any]) -> None:
    """8.5.0 `commonMigratePartitionChartGroups`: a partition layer's `groups` become `primaryGroups`; a mosaic
    splits them, the first primary and the rest `secondaryGroups` (common_migrations.test.ts)."""
    vis = _visualization(attributes)
    if vis is None or vis.get("shape") not in ("pie", "donut", "treemap", "mosaic", "waffle"):
        return
    for layer in vis.get("layers") or []:
        if isinstance(layer, dict) and "groups" in layer:
            groups = layer.pop("groups") or []
            if vis["shape"] == "mosaic":
                layer["primaryGroups"], layer["secondaryGroups"] = groups[:1], groups[1:]
            else:
                layer["primaryGroups"] = groups


def migrate_index_pattern_datasource(attributes: dict[str, Any]) -> None:
    """8.6.0 `commonMigrateIndexPatternDatasource`: `datasourceStates.indexpattern` is renamed `formBased`."""
    state = attributes.get("state")
    datasources = state.get("datasourceStates") if isinstance(state, dict) else None
    if isinstance(datasources, dict):
        state["datasourceStates"] = {("formBased" if k == "indexpattern" else k): v for k, v in datasources.items()}


def migrate_partition_metrics(attributes: dict[str, Any]) -> None:
    """8.6.0 `commonMigratePartitionMetrics`: a pie layer's single `metric` becomes `metrics: [metric]`."""
    vis = _visualization(attributes)
    if vis is None or attributes.get("visualizationType") != "lnsPie":
        return
    for layer in vis.get("layers") or []:
        if isinstance(layer, dict):
            metric = layer.pop("metric", None)
            layer["metrics"] = [metric]


def migrate_metric_formatter(attributes: dict[str, Any]) -> None:
    """8.9.0 `commonMigrateMetricFormatter`: on the (new) metric, a metric column formatted as number or
    percentage gets `format.params.compact: true`, the old implicit default (common_migrations.test.ts table)."""
    if attributes.get("visualizationType") != "lnsMetric":
        return
    for column in _columns(attributes, "formBased"):
        params = column.get("params")
        format_ = params.get("format") if isinstance(params, dict) else None
        if column.get("isBucketed") or not isinstance(format_, dict) \
                or format_.get("id") not in ("number", "percent", "percentage"):
            continue
        format_params = format_.get("params") if isinstance(format_.get("params"), dict) else {}
        params["format"] = {**format_, "params": {**format_params, "compact": True}}


Migration = Callable[[dict[str, Any]], None]
# (version, step, whether the by-value map runs it too: only addParentFormatter is library-only)
LENS_MIGRATIONS: tuple[tuple[Version, Migration, bool], ...] = (
    ((7, 13, 1), rename_operations_for_formula, True),
    ((7, 14, 0), remove_timezone_date_histogram_param, True),
    ((7, 15, 0), update_vis_layer_type, True),
    ((7, 16, 0), make_reverse_palette_as_custom, True),
    ((8, 1, 0), rename_filter_references, True),
    ((8, 1, 0), rename_records_field, True),
    ((8, 1, 0), add_parent_formatter, False),
    ((8, 2, 0), set_last_value_show_array_values, True),
    ((8, 2, 0), enhance_table_row_height, True),
    ((8, 2, 0), set_include_empty_rows_date_histogram, True),
    ((8, 3, 0), lock_old_metric_vis_settings, True),
    ((8, 3, 0), preserve_old_legend_size_default, True),
    ((8, 3, 0), fix_value_labels_in_xy, True),
    ((8, 5, 0), migrate_metric_ids, True),
    ((8, 5, 0), enrich_annotation_layer, True),
    ((8, 5, 0), migrate_partition_chart_groups, True),
    ((8, 6, 0), migrate_index_pattern_datasource, True),
    ((8, 6, 0), migrate_partition_metrics, True),
    ((8, 9, 0), migrate_metric_formatter, True),
)
LATEST_LENS_MIGRATION: Version = LENS_MIGRATIONS[-1][0]


def migrate_lens(attributes: dict[str, Any], version: Version | None, *, library: bool) -> dict[str, Any]:
    """Apply, in version order, the migrations newer than `version` (None: the object had no version, so every
    migration runs). `library`: a Lens saved object (else a by-value panel). Returns a new dict (Kibana's
    migrations `cloneDeep` too)."""
    pending = [migrate for at, migrate, by_value in LENS_MIGRATIONS
               if (version is None or version < at) and (library or by_value)]
    if not pending:
        return attributes
    migrated = copy.deepcopy(attributes)
    for migrate in pending:
        migrate(migrated)
    return migrated
