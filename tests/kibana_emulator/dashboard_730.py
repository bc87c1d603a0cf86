"""Kibana's dashboard migration 7.3.0, which 8.11 still runs on import of a dashboard older than 7.3.0.

Source (elastic/kibana, 8.x): src/plugins/dashboard/server/saved_objects/migrations/migrate_to_730/
- `migrations_730.ts` (`migrations730`): `moveFiltersToQuery` on `searchSourceJSON`, then `migratePanelsTo730`
  on `panelsJSON` with `uiStateJSON` parsed, then `delete attributes.uiStateJSON`. A failure in either step is
  logged and the document returned as it was at that point ("in the case of errors, just returning the same
  document"), so an odd dashboard still imports.
- `move_filters_to_query.ts`: a filter with `query` and no `meta` (pre-6.0 global query) becomes the Lucene
  query; `filter` defaults to `[]`, `query` to `{query: '', language: 'kuery'}`.
- `migrate_to_730_panels.ts`: pre-6.1 panels (`row` present) get `gridData` from `col`/`row`/`size_x`/`size_y`
  and their `P-<panelIndex>` uiState as `embeddableConfig`; 6.1/6.2 grids are scaled; 6.1-6.3 `columns`/`sort`
  move into `embeddableConfig`; every panel of 6.x to 7.2 gets `version: "7.3.0"` and a string `panelIndex`.
Objects are written back with `JSON.stringify` (no spaces, non-ASCII kept).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

DASHBOARD_730 = "7.3.0"
PANEL_HEIGHT_SCALE_FACTOR = 5
PANEL_HEIGHT_SCALE_FACTOR_WITH_MARGINS = 4
PANEL_WIDTH_SCALE_FACTOR = 4
# snapshotted in migratePre61PanelToLatest: DASHBOARD_GRID_COLUMN_COUNT = 48, width half of it, height 15
DEFAULT_PANEL_WIDTH = 24
DEFAULT_PANEL_HEIGHT = 15
_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")  # semver ranges never match a prerelease


class _PanelError(Exception):
    """What the TypeScript throws (or would throw on a TypeError): the migration keeps the panels as they were."""


def migrate_dashboard_730(attributes: dict[str, Any]) -> dict[str, Any]:
    """`migrations730` on a dashboard's attributes (only called for a type version older than 7.3.0)."""
    if not isinstance(attributes.get("panelsJSON"), str):  # isDashboardDoc
        return attributes
    out = dict(attributes)
    meta = out.get("kibanaSavedObjectMeta")
    try:
        search_source = json.loads(meta["searchSourceJSON"])  # type: ignore[index]
        moved = _move_filters_to_query(search_source)
    except (TypeError, KeyError, ValueError, AttributeError):
        return attributes
    out["kibanaSavedObjectMeta"] = {**meta, "searchSourceJSON": _stringify(moved)}
    ui_state: Any = {}
    if out.get("uiStateJSON"):
        try:
            ui_state = json.loads(out["uiStateJSON"])
        except ValueError:
            return attributes  # JSON.parse outside the try: the migration itself throws
    try:
        panels = json.loads(out["panelsJSON"])
        use_margins = out.get("useMargins", True)
        migrated = [_migrate_panel(p, DASHBOARD_730, use_margins, ui_state) for p in panels]
    except (ValueError, TypeError, KeyError, AttributeError, _PanelError):
        return out
    out["panelsJSON"] = _stringify(migrated)
    out.pop("uiStateJSON", None)
    return out


def _move_filters_to_query(search_source: dict[str, Any]) -> dict[str, Any]:
    out = {**search_source, "filter": [],
           "query": search_source.get("query") or {"query": "", "language": "kuery"}}
    for item in search_source.get("filter") or []:
        if isinstance(item, dict) and item.get("query") is not None and not item.get("meta"):
            string_query = item["query"].get("query_string")
            out["query"] = {"query": string_query["query"] if string_query else "", "language": "lucene"}
        else:
            out["filter"].append(item)
    return out


def _migrate_panel(panel: dict[str, Any], version: str, use_margins: Any,
                   ui_state: Any) -> dict[str, Any]:
    if "row" in panel:
        return _pre_61(panel, version, use_margins, ui_state)
    panel_version = _semver(panel.get("version"))
    if panel_version is None:
        return panel
    if panel_version[:2] == (6, 1):
        return _scaled(panel, version, use_margins, _from_ui_state(panel, ui_state))
    if panel_version[:2] == (6, 2):
        return _scaled(panel, version, use_margins, _own_config(panel))
    if panel_version[:2] == (6, 3):
        config = _with_columns_and_sort(_own_config(panel), panel)
        rest = {k: v for k, v in panel.items() if k not in ("columns", "sort")}
        return {**rest, "version": version, "panelIndex": _panel_index(panel), "embeddableConfig": config}
    if (6, 4, 0) <= panel_version < (7, 3, 0):
        return {**panel, "version": version, "panelIndex": _panel_index(panel)}
    return panel


def _pre_61(panel: dict[str, Any], version: str, use_margins: Any, ui_state: Any) -> dict[str, Any]:
    if "col" not in panel or "row" not in panel:
        raise _PanelError("panel does not contain expected col and/or row fields")
    col, row = panel["col"] or 0, panel["row"] or 0  # JS: null - 1 == -1
    config = _with_columns_and_sort(_from_ui_state(panel, ui_state), panel)
    scale = PANEL_HEIGHT_SCALE_FACTOR_WITH_MARGINS if use_margins else PANEL_HEIGHT_SCALE_FACTOR
    size_x, size_y = panel.get("size_x"), panel.get("size_y")
    rest = {k: v for k, v in panel.items() if k not in ("columns", "sort", "row", "col", "size_x", "size_y")}
    index = _panel_index(panel)
    return {**rest, "version": version, "panelIndex": index,
            "gridData": {"x": (col - 1) * PANEL_WIDTH_SCALE_FACTOR, "y": (row - 1) * scale,
                         "w": size_x * PANEL_WIDTH_SCALE_FACTOR if size_x else DEFAULT_PANEL_WIDTH,
                         "h": size_y * scale if size_y else DEFAULT_PANEL_HEIGHT, "i": index},
            "embeddableConfig": config}


def _scaled(panel: dict[str, Any], version: str, use_margins: Any, config: dict[str, Any]) -> dict[str, Any]:
    grid = panel.get("gridData")
    if not isinstance(grid, dict) or any(grid.get(k) is None for k in ("w", "x", "h", "y")):
        raise _PanelError("panel does not contain expected gridData fields")
    config = _with_columns_and_sort(config, panel)
    scale = PANEL_HEIGHT_SCALE_FACTOR_WITH_MARGINS if use_margins else PANEL_HEIGHT_SCALE_FACTOR
    rest = {k: v for k, v in panel.items() if k not in ("columns", "sort")}
    grid_out = {"w": grid["w"] * PANEL_WIDTH_SCALE_FACTOR, "h": grid["h"] * scale,
                "x": grid["x"] * PANEL_WIDTH_SCALE_FACTOR, "y": grid["y"] * scale}
    if grid.get("i") is not None:  # `i: panel.gridData.i`; JSON.stringify drops undefined
        grid_out["i"] = grid["i"]
    return {**rest, "version": version, "panelIndex": _panel_index(panel), "gridData": grid_out,
            "embeddableConfig": config}


def _from_ui_state(panel: dict[str, Any], ui_state: Any) -> dict[str, Any]:
    found = ui_state.get(f"P-{_js_string(panel.get('panelIndex'))}") if isinstance(ui_state, dict) else None
    return dict(found) if isinstance(found, dict) and found else {}


def _own_config(panel: dict[str, Any]) -> dict[str, Any]:
    config = panel.get("embeddableConfig")
    return dict(config) if isinstance(config, dict) and config else {}


def _with_columns_and_sort(config: dict[str, Any], panel: dict[str, Any]) -> dict[str, Any]:
    # `embeddableConfig.columns = panel.columns; ... .sort = panel.sort` when either is truthy; an undefined
    # one then vanishes in JSON.stringify
    if not (panel.get("columns") or panel.get("sort")):
        return config
    for key in ("columns", "sort"):
        if panel.get(key) is None:
            config.pop(key, None)
        else:
            config[key] = panel[key]
    return config


def _panel_index(panel: dict[str, Any]) -> str:
    index = panel.get("panelIndex")
    return _js_string(index) if index else str(uuid.uuid4())


def _js_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _semver(value: Any) -> tuple[int, int, int] | None:
    match = _SEMVER.match(value) if isinstance(value, str) else None
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def _stringify(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
