"""One dashboard panel: YAML model <-> the element of ``panelsJSON`` Kibana 8.11 stores, plus its references.

Shapes follow Kibana's ``convertPanelStateToSavedDashboardPanel`` (8.11): no panel ``version``, the title at
the panel's top level, ``embeddableConfig.enhancements: {}``. By-value Lens keeps its references (with ids)
inside ``embeddableConfig.attributes`` and the dashboard gets a copy prefixed ``<panelIndex>:`` (reference 4.1).
"""

from __future__ import annotations

import copy
import functools
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kibana_sync.kibana.format import reference, reference_order
from kibana_sync.kinds.dashboard.layout import Box
from kibana_sync.kinds.dashboard.model import (
    PANEL_KINDS,
    LensPanel,
    MarkdownPanel,
    PanelCommon,
    RawPanel,
    SearchPanel,
)
from kibana_sync.lens import compile_lens, decompile_lens, normalise_lens
from kibana_sync.lens.columns import FieldType, unknown_field_type
from kibana_sync.source.model import ref_id

# Fixed namespace so derived panel ids are the same on every machine and every build.
_PANEL_ID_NAMESPACE = uuid.UUID("6f6b1b3c-5d2e-4c11-9a55-6b6962616e61")


@dataclass
class PanelContext:
    """What compiling a panel needs from its dashboard and project."""

    data_view_id: str | None  # the dashboard's default data view, resolved
    field_type_for: Callable[[str], FieldType]  # data view id -> its field types (None for unknown fields)
    resolve: Callable[[Any], str]  # Ref -> Kibana id


def derived_panel_ids(dashboard_id: str, titles: Sequence[str | None], explicit: Sequence[str | None]) -> list[str]:
    """Stable panelIndex values: the explicit id, else one derived from the title (so reordering panels keeps
    their ids), else from the position."""
    return list(_derived_panel_ids(dashboard_id, tuple(titles), tuple(explicit)))


@functools.lru_cache(maxsize=4096)  # validate and compile both need them; uuid5 per panel is not free
def _derived_panel_ids(dashboard_id: str, titles: tuple[str | None, ...],
                       explicit: tuple[str | None, ...]) -> tuple[str, ...]:
    ids: list[str] = []
    seen: Counter[str] = Counter()
    for position, (title, own_id) in enumerate(zip(titles, explicit, strict=True)):
        key = f"title:{title}" if title else f"position:{position}"
        seen[key] += 1
        if seen[key] > 1:
            key += f"#{seen[key]}"
        ids.append(own_id or str(uuid.uuid5(_PANEL_ID_NAMESPACE, f"{dashboard_id}/{key}")))
    return tuple(ids)


def compile_panel(panel: PanelCommon, panel_index: str, box: Box,
                  ctx: PanelContext) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The stored panel and the dashboard references it adds."""
    grid = {"x": box.x, "y": box.y, "w": box.w, "h": box.h, "i": panel_index}
    if isinstance(panel, RawPanel):
        return _compile_raw(panel, panel_index, grid), list(panel.references)
    config: dict[str, Any] = {}
    refs: list[dict[str, str]] = []
    extra: dict[str, Any] = {}
    if isinstance(panel, LensPanel):
        data_view = ctx.resolve(panel.data_view) if panel.data_view is not None else ctx.data_view_id
        if data_view is None:  # `check` reports this; compile is only called on valid projects
            raise ValueError(f"panel {panel_index} has no data view")
        attributes = compile_lens(panel, data_view, ctx.field_type_for(data_view))
        config["attributes"] = attributes
        refs = [reference(r["type"], r["id"], f"{panel_index}:{r['name']}") for r in attributes["references"]]
        type_ = "lens"
    elif isinstance(panel, SearchPanel):
        ref_name = f"panel_{panel_index}"
        refs = [reference("search", ctx.resolve(panel.search), f"{panel_index}:{ref_name}")]
        extra["panelRefName"] = ref_name
        type_ = "search"
    elif isinstance(panel, MarkdownPanel):
        config["savedVis"] = markdown_saved_vis(panel)
        type_ = "visualization"
    else:
        raise TypeError(f"unknown panel model {type(panel).__name__}")
    config["enhancements"] = {}
    _apply_common_config(panel, config)
    stored: dict[str, Any] = {"type": type_, "gridData": grid, "panelIndex": panel_index, "embeddableConfig": config}
    if panel.title is not None:
        stored["title"] = panel.title
    stored.update(extra)
    return stored, refs


def _apply_common_config(panel: PanelCommon, config: dict[str, Any]) -> None:
    if panel.hide_title:
        config["hidePanelTitles"] = True
    if panel.description is not None:
        config["description"] = panel.description
    if panel.time is not None:
        config["timeRange"] = {"from": panel.time.from_, "to": panel.time.to}
    config.update(copy.deepcopy(panel.raw_config))


def _compile_raw(panel: RawPanel, panel_index: str, grid: dict[str, Any]) -> dict[str, Any]:
    stored = copy.deepcopy(panel.raw)
    if "gridData" in stored and stored["gridData"] is None:
        del stored["gridData"]  # a pre-6.3 panel placed by col/row/size_x/size_y: it has no grid position
    else:
        # gridData keys this tool does not know (and a gridData.i that is not the panelIndex) are kept
        stored["gridData"] = {**grid, **stored.get("gridData", {})}
    stored.setdefault("panelIndex", panel_index)
    if panel.title is not None:
        stored["title"] = panel.title
    if panel.hide_title or panel.description is not None or panel.time is not None or panel.raw_config:
        _apply_common_config(panel, stored.setdefault("embeddableConfig", {}))
    return stored


def markdown_saved_vis(panel: MarkdownPanel) -> dict[str, Any]:
    """A by-value markdown visualization exactly as the 8.11 dashboard saves one made in the editor."""
    return {
        "id": "",
        "title": "",
        "description": "",
        "type": "markdown",
        "params": {"fontSize": panel.font_size, "openLinksInNewTab": panel.open_links_in_new_tab,
                   "markdown": panel.markdown},
        "uiState": {},
        "data": {"aggs": [], "searchSource": {"query": {"query": "", "language": "kuery"}, "filter": []}},
    }


# --- decompile -----------------------------------------------------------------------------------------------

@dataclass
class DecompiledPanel:
    data: dict[str, Any]  # the YAML mapping, with id/at/w/h all set (the dashboard drops what is implied)
    used_references: list[dict[str, str]]
    compact: bool


def decompile_panel(stored: dict[str, Any], references: list[dict[str, str]]) -> DecompiledPanel:
    """The compact form when it compiles back to the same panel, else the panel kept raw."""
    own_refs = [r for r in references if r["name"].startswith(f"{stored.get('panelIndex')}:")]
    absorbed, unabsorbed = absorb_lens_references(stored, own_refs)
    normal = normalise_panel(absorbed)
    candidate = _compact_candidate(absorbed, normal, own_refs)
    if candidate is not None:
        data = {**_common_data(normal), **candidate}
        if _compiles_back(data, unabsorbed, normal):
            return DecompiledPanel(data, own_refs, compact=True)
    return _raw(stored, references)


def _common_data(stored: dict[str, Any]) -> dict[str, Any]:
    grid = stored.get("gridData", {})
    data: dict[str, Any] = {"id": stored.get("panelIndex")}
    if isinstance(stored.get("title"), str):
        data["title"] = stored["title"]
    config = stored.get("embeddableConfig", {})
    if isinstance(config.get("description"), str):
        data["description"] = config["description"]
    if config.get("hidePanelTitles") is True:
        data["hide_title"] = True
    time_range = config.get("timeRange")
    if isinstance(time_range, dict) and set(time_range) == {"from", "to"}:
        data["time"] = dict(time_range)
    data.update({"at": {"x": grid["x"], "y": grid["y"]}, "w": grid["w"], "h": grid["h"]})
    return data


_COMMON_CONFIG_KEYS = {"enhancements", "hidePanelTitles", "description", "timeRange"}


def _compact_candidate(stored: dict[str, Any], normal: dict[str, Any],
                       own_refs: list[dict[str, str]]) -> dict[str, Any] | None:
    """The kind-specific keys of the compact form; embeddableConfig keys it does not know go to raw_config."""
    if not _plain_grid(stored):
        return None
    config = normal.get("embeddableConfig", {})
    data = _kind_keys(normal, own_refs)
    if data is None:
        return None
    kind_key = _KIND_CONFIG_KEY.get(next(iter(data)))
    extra = {k: v for k, v in config.items() if k not in _COMMON_CONFIG_KEYS and k != kind_key}
    if config.get("enhancements") != {}:
        extra["enhancements"] = config["enhancements"]
    if extra:
        data["raw_config"] = extra
    return data


# The embeddableConfig key that holds each compact kind's content.
_KIND_CONFIG_KEY = {"chart": "attributes", "markdown": "savedVis"}


def _kind_keys(normal: dict[str, Any], own_refs: list[dict[str, str]]) -> dict[str, Any] | None:
    config = normal.get("embeddableConfig", {})
    type_ = normal.get("type")
    if type_ == "lens" and isinstance(config.get("attributes"), dict) and "panelRefName" not in normal:
        # normalise_panel has normalised the chart, its title/description moved to the panel's (they shadow them)
        chart = decompile_lens(config["attributes"], normalised=True)
        return None if chart is None else dict(chart)
    if type_ == "search" and "attributes" not in config and len(own_refs) == 1 and own_refs[0]["type"] == "search":
        return {"search": own_refs[0]["id"]}
    saved_vis = config.get("savedVis")
    if type_ == "visualization" and isinstance(saved_vis, dict) and saved_vis.get("type") == "markdown" \
            and isinstance(saved_vis["params"].get("markdown"), str):
        params = saved_vis["params"]
        data: dict[str, Any] = {"markdown": params["markdown"]}
        if params["fontSize"] != 12:
            data["font_size"] = params["fontSize"]
        if params["openLinksInNewTab"] is not False:
            data["open_links_in_new_tab"] = params["openLinksInNewTab"]
        return data
    return None


def _plain_grid(stored: dict[str, Any]) -> bool:
    """gridData holds exactly what id/at/w/h say (anything else is kept verbatim)."""
    grid = stored.get("gridData")
    return (isinstance(grid, dict) and set(grid) == {"x", "y", "w", "h", "i"}
            and all(type(grid[k]) is int for k in "xywh")
            and isinstance(stored.get("panelIndex"), str) and grid["i"] == stored["panelIndex"])


def _compiles_back(data: dict[str, Any], unabsorbed: list[dict[str, str]], normal: dict[str, Any]) -> bool:
    """The law, per panel: the compact form must compile to what Kibana stored (compared normalised)."""
    kind = next(cls for key, cls in PANEL_KINDS.items() if key in data)
    try:
        panel = kind.model_validate(data)
        ctx = PanelContext(data_view_id=None, field_type_for=lambda _id: unknown_field_type, resolve=ref_id)
        compiled, refs = compile_panel(panel, data["id"], Box(panel.at.x, panel.at.y, panel.w, panel.h), ctx)
    except (ValueError, TypeError, KeyError):
        return False
    compiled, left = absorb_lens_references(compiled, refs)
    return normalise_panel(compiled) == normal and _ref_set(left) == _ref_set(unabsorbed)


def _ref_set(refs: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    return sorted(map(reference_order, refs))


def _raw(stored: dict[str, Any], references: list[dict[str, str]]) -> DecompiledPanel:
    raw = dict(stored)
    data: dict[str, Any] = {}
    if isinstance(raw.get("panelIndex"), str):  # else (missing, or a 7.x number) it stays in raw, verbatim
        data["id"] = raw.pop("panelIndex")
    if isinstance(raw.get("title"), str):
        data["title"] = raw.pop("title")
    grid = raw.pop("gridData", None)
    if isinstance(grid, dict) and all(type(grid.get(k)) is int for k in "xywh"):
        data.update({"at": {"x": grid["x"], "y": grid["y"]}, "w": grid["w"], "h": grid["h"]})
        rest = {k: v for k, v in grid.items() if k not in "xywh" and (k != "i" or v != data.get("id"))}
        if rest:
            raw["gridData"] = rest
    else:
        raw["gridData"] = grid  # not a position this tool can read (or none at all): kept as it is
    used = [r for r in references if _belongs_to(r, stored)]
    data["raw"] = raw
    if used:
        data["references"] = used
    return DecompiledPanel(data, used, compact=False)


def _belongs_to(ref: dict[str, str], stored: dict[str, Any]) -> bool:
    """Kibana's own rule: references prefixed ``<panelIndex>:``, or named by the panel's panelRefName."""
    index = stored.get("panelIndex")
    return ref["name"].startswith(f"{index}:") or ref["name"] == stored.get("panelRefName")


# --- normalise -----------------------------------------------------------------------------------------------

_NO_ENHANCEMENTS = {"dynamicActions": {"events": []}}
_MARKDOWN_DATA = {"aggs": [], "searchSource": {"query": {"query": "", "language": "kuery"}, "filter": []}}


def absorb_lens_references(stored: dict[str, Any], references: list[dict[str, str]]
                           ) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """A by-value Lens panel with the dashboard references it owns moved into its attributes.

    Kibana keeps two copies (reference 4.1) and on load the dashboard's ``<panelIndex>:`` copies win, so
    they are the ones that count; returns the panel and the dashboard references left over.
    """
    config = stored.get("embeddableConfig")
    if stored.get("type") != "lens" or not isinstance(config, dict) or not isinstance(config.get("attributes"), dict):
        return stored, references
    prefix = f"{stored.get('panelIndex')}:"
    own = [r for r in references if r.get("name", "").startswith(prefix)]
    if not own:
        return stored, references
    inner = [{"type": r["type"], "id": r["id"], "name": r["name"][len(prefix):]} for r in own]
    attributes = {**config["attributes"], "references": inner}
    return {**stored, "embeddableConfig": {**config, "attributes": attributes}}, \
        [r for r in references if not r.get("name", "").startswith(prefix)]


def normalise_panel(stored: dict[str, Any]) -> dict[str, Any]:
    """The comparable form of one stored panel, with the defaults Kibana applies when it loads the panel."""
    panel = {k: v for k, v in stored.items() if k != "version"}  # 8.11 drops the panel version on save
    config = dict(panel.get("embeddableConfig", {}))
    if "title" in config:  # on load, embeddableConfig wins over the panel's own title
        panel["title"] = config.pop("title")
    if config.get("enhancements", _NO_ENHANCEMENTS) == _NO_ENHANCEMENTS:
        config["enhancements"] = {}  # no drilldowns, however written
    if "type" in config and config["type"] == panel.get("type"):
        del config["type"]  # a 7.x leftover that repeats the panel type
    if config.get("hidePanelTitles") is False:
        del config["hidePanelTitles"]
    if isinstance(config.get("attributes"), dict) and panel.get("type") == "lens":
        config["attributes"] = normalise_lens(_without_shadowed_texts(panel, config, config["attributes"]))
    if isinstance(config.get("savedVis"), dict) and config["savedVis"].get("type") == "markdown":
        config["savedVis"] = _normalise_markdown(panel, config, config["savedVis"])
    panel["embeddableConfig"] = config
    return panel


def _without_shadowed_texts(panel: dict[str, Any], config: dict[str, Any], inner: dict[str, Any]) -> dict[str, Any]:
    """The embeddable's own title/description only show when the panel sets none: move them to the panel."""
    inner = dict(inner)
    if "title" not in panel and inner.get("title"):
        panel["title"] = inner["title"]
    if "description" not in config and inner.get("description"):
        config["description"] = inner["description"]
    inner["title"] = ""
    inner["description"] = ""
    return inner


def _normalise_markdown(panel: dict[str, Any], config: dict[str, Any], saved_vis: dict[str, Any]) -> dict[str, Any]:
    vis = _without_shadowed_texts(panel, config, saved_vis)
    vis.pop("id", None)  # by-value visualizations have no saved-object id; Kibana writes "" or nothing
    vis["data"] = _MARKDOWN_DATA  # a markdown visualization reads no data
    vis.setdefault("uiState", {})
    vis["params"] = {"fontSize": 12, "openLinksInNewTab": False, **vis.get("params", {})}
    return vis
