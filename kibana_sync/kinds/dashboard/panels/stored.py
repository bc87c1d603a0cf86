"""One dashboard panel: YAML model <-> the element of ``panelsJSON`` Kibana 8.11 stores, plus its references.

Shapes follow Kibana's ``convertPanelStateToSavedDashboardPanel`` (8.11): no panel ``version``, the title at
the panel's top level, ``embeddableConfig.enhancements: {}``. What is particular to a panel type is in its
module (see ``registry``); this module handles what every panel shares: grid, title, description, time range,
drilldowns, extra embeddableConfig keys, and the raw fallback.
"""

from __future__ import annotations

import copy
import functools
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kibana_sync.kinds.dashboard.layout import Box
from kibana_sync.kinds.dashboard.panels.common import ByValueVisPanel, PanelCommon, PanelContext, PanelRef
from kibana_sync.kinds.dashboard.panels.drilldowns import (
    compile_drilldowns,
    decompile_drilldowns,
    drilldown_dashboards,
)
from kibana_sync.kinds.dashboard.panels.library import resolve_library_reference
from kibana_sync.kinds.dashboard.panels.raw import RawPanel
from kibana_sync.kinds.dashboard.panels.registry import PANEL_TYPES, panel_type

# Fixed namespace so derived panel ids are the same on every machine and every build.
_PANEL_ID_NAMESPACE = uuid.UUID("6f6b1b3c-5d2e-4c11-9a55-6b6962616e61")


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


def panel_references(panel: PanelCommon) -> list[PanelRef]:
    """Where a panel points at other objects (paths relative to the panel)."""
    type_ = panel_type(panel)
    out = [] if type_ is None else type_.references(panel)
    return out + [PanelRef("dashboard", ref, ("drilldowns", i, "to_dashboard"))
                  for i, ref in drilldown_dashboards(panel.drilldowns)]


# --- compile -------------------------------------------------------------------------------------------------

def compile_panel(panel: PanelCommon, panel_index: str, box: Box, ctx: PanelContext,
                  default_version: str | None = None, enhancements: bool = True,
                  position: int | None = None) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The stored panel and the dashboard references it adds. ``default_version`` is the dashboard's
    ``panel_version``; ``enhancements`` False leaves an empty ``enhancements`` out (Kibana before 7.10);
    ``position`` (the panel's place in panelsJSON) names a library reference as Kibana 7 did."""
    grid = {"x": box.x, "y": box.y, "w": box.w, "h": box.h, "i": panel_index}
    stored_enhancements, drilldown_refs = compile_drilldowns(panel.drilldowns, panel_index, ctx.resolve)
    if isinstance(panel, RawPanel):
        return _compile_raw(panel, panel_index, grid, stored_enhancements), [*panel.references, *drilldown_refs]
    type_ = panel_type(panel)
    if type_ is None:
        raise TypeError(f"unknown panel model {type(panel).__name__}")
    content = type_.compile(panel, panel_index, ctx)
    config = dict(content.config)
    if isinstance(panel, ByValueVisPanel):
        config["savedVis"] = _with_vis_id(config["savedVis"], panel.stored_vis_id())
    if (enhancements and "enhancements" not in panel.unset) or stored_enhancements:
        config["enhancements"] = stored_enhancements
    _apply_common_config(panel, config)
    stored: dict[str, Any] = {"type": content.type, "gridData": grid, "panelIndex": panel_index,
                              "embeddableConfig": config}
    if not config and "embeddable_config" in panel.unset:
        del stored["embeddableConfig"]
    version = panel.version or default_version
    if version is not None:
        stored["version"] = version
    if panel.title is not None:
        stored["title"] = panel.title
    stored.update(content.extra)
    references = content.references
    if position is not None and "panelRefName" in stored:
        stored, references = _named_by_position(stored, references, position)
    return stored, [*references, *drilldown_refs]


def _named_by_position(stored: dict[str, Any], references: list[dict[str, str]], position: int
                       ) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Kibana 7's ``extractReferences``: ``panelRefName`` and the reference are ``panel_<position>``, and the
    panel's ``type`` is left to the reference."""
    old, new = f"{stored['panelIndex']}:{stored['panelRefName']}", f"panel_{position}"
    panel = {k: v for k, v in stored.items() if k != "type"}
    panel["panelRefName"] = new
    return panel, [{**r, "name": new} if r["name"] == old else r for r in references]


def named_by_position(stored_panels: list[dict[str, Any]], references: list[dict[str, str]]) -> bool:
    """Whether every library panel names its reference the way Kibana 7 did (see ``_named_by_position``)."""
    names = {r.get("name") for r in references}
    library = [(i, p) for i, p in enumerate(stored_panels) if "panelRefName" in p]
    return bool(library) and all(p["panelRefName"] == f"panel_{i}" and "type" not in p and p["panelRefName"] in names
                                 for i, p in library)


def _with_vis_id(saved_vis: dict[str, Any], vis_id: str | None) -> dict[str, Any]:
    rest = {k: v for k, v in saved_vis.items() if k != "id"}
    return rest if vis_id is None else {"id": vis_id, **rest}  # first, where the 8.11 editor writes it


def _apply_common_config(panel: PanelCommon, config: dict[str, Any]) -> None:
    if panel.hide_title is not None:
        config["hidePanelTitles"] = panel.hide_title
    if panel.description is not None:
        config["description"] = panel.description
    if panel.time is not None:
        config["timeRange"] = {"from": panel.time.from_, "to": panel.time.to}
    config.update(copy.deepcopy(panel.raw_config))


def _compile_raw(panel: RawPanel, panel_index: str, grid: dict[str, Any],
                 enhancements: dict[str, Any]) -> dict[str, Any]:
    stored = copy.deepcopy(panel.raw)
    if "gridData" in stored and stored["gridData"] is None:
        del stored["gridData"]  # a pre-6.3 panel placed by col/row/size_x/size_y: it has no grid position
    else:
        # gridData keys this tool does not know (and a gridData.i that is not the panelIndex) are kept
        stored["gridData"] = {**grid, **stored.get("gridData", {})}
    stored.setdefault("panelIndex", panel_index)
    if panel.title is not None:
        stored["title"] = panel.title
    if panel.hide_title is not None or panel.description is not None or panel.time is not None or panel.raw_config \
            or panel.drilldowns:
        config = stored.setdefault("embeddableConfig", {})
        if panel.drilldowns:
            config["enhancements"] = enhancements
        _apply_common_config(panel, config)
    return stored


# --- decompile -----------------------------------------------------------------------------------------------

@dataclass
class DecompiledPanel:
    data: dict[str, Any]  # the YAML mapping, with id/at/w/h all set (the dashboard drops what is implied)
    used_references: list[dict[str, str]]
    compact: bool
    # a compact panel without drilldowns whose embeddableConfig has no `enhancements` (the dashboard says so)
    lacks_enhancements: bool = False


def decompile_panel(stored: dict[str, Any], references: list[dict[str, str]]) -> DecompiledPanel:
    """The first panel type that says the panel exactly, else the panel kept raw."""
    own_refs = [r for r in references if r["name"].startswith(f"{stored.get('panelIndex')}:")]
    content_refs = [r for r in own_refs if ":drilldown:" not in r["name"]]
    absorbed, _ = absorb_lens_references(stored, content_refs)
    resolved, library_ref = resolve_library_reference(absorbed, references)
    if _plain_grid(stored) and isinstance(stored.get("embeddableConfig", {}), dict):
        normal, vis_id = _without_vis_id(normalise_panel(resolved))
        if set(normal) <= _PANEL_KEYS and isinstance(normal.get("title", ""), str):
            for type_ in PANEL_TYPES:
                data = type_.decompile(stored, normal, content_refs if library_ref is None else [])
                if data is not None and issubclass(type_.model, ByValueVisPanel):
                    stored_id = None if vis_id is _NO_VIS_ID else vis_id
                    if stored_id != type_.model.default_vis_id:
                        data["vis_id"] = stored_id
                elif vis_id is not _NO_VIS_ID:
                    continue  # a savedVis.id this panel type would not write back
                if data is not None:
                    used = content_refs if type_.owns_panel_references else [library_ref] if library_ref else []
                    panel = _with_common_keys(normal, type_.model.content_config_keys, data, own_refs, used)
                    return _config_where_stored(stored, _title_where_stored(stored, panel))
    return raw_panel(stored, references)


def _config_where_stored(stored: dict[str, Any], panel: DecompiledPanel) -> DecompiledPanel:
    """A panel Kibana 7 stored without embeddableConfig says so (compile writes ``{}`` otherwise)."""
    if "embeddableConfig" not in stored:
        panel.data["unset"] = [*panel.data.get("unset", []), "embeddable_config"]
    return panel


def _title_where_stored(stored: dict[str, Any], panel: DecompiledPanel) -> DecompiledPanel:
    """A title Kibana 7 kept in embeddableConfig stays there (``raw_config``; it wins on load, as normalise
    says), and ``title`` is then only the panel's own top-level one, if any."""
    config = stored.get("embeddableConfig")
    if not isinstance(config, dict) or "title" not in config:
        return panel
    data = {k: v for k, v in panel.data.items() if k != "title"}
    if isinstance(stored.get("title"), str):
        data["title"] = stored["title"]
    data["raw_config"] = {**data.get("raw_config", {}), "title": config["title"]}
    panel.data = data
    return panel


_NO_VIS_ID = object()  # savedVis without an id


def _without_vis_id(normal: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The panel with a string savedVis.id taken out (the common ``vis_id`` says it), and that id."""
    config = normal.get("embeddableConfig")
    saved_vis = config.get("savedVis") if isinstance(config, dict) else None
    if not isinstance(saved_vis, dict) or not isinstance(saved_vis.get("id", ""), str):
        return normal, _NO_VIS_ID
    if "id" not in saved_vis:
        return normal, _NO_VIS_ID
    vis = {k: v for k, v in saved_vis.items() if k != "id"}
    return {**normal, "embeddableConfig": {**config, "savedVis": vis}}, saved_vis["id"]


# The top-level keys of a stored panel (after normalise_panel) that the common keys and the types say.
_PANEL_KEYS = {"type", "gridData", "panelIndex", "embeddableConfig", "title", "id", "version"}


def _with_common_keys(normal: dict[str, Any], content_keys: frozenset[str], data: dict[str, Any],
                      own_refs: list[dict[str, str]], used: list[dict[str, str]]) -> DecompiledPanel:
    """The type's keys plus id/title/position, description, time, drilldowns; every embeddableConfig key
    they do not say goes to ``raw_config``."""
    common = _common_data(normal)
    config = normal.get("embeddableConfig", {})
    said = set(content_keys) | {k for k, key in _CONFIG_KEY_OF.items() if key in common}
    if "enhancements" not in config:
        extra = {k: v for k, v in config.items() if k not in said}
        return DecompiledPanel({**common, **data, **({"raw_config": extra} if extra else {})}, used, compact=True,
                               lacks_enhancements=True)
    drilldowns = _drilldowns(config.get("enhancements"), normal["panelIndex"], own_refs)
    if drilldowns is not None:
        said.add("enhancements")
        if drilldowns[0]:
            data["drilldowns"] = drilldowns[0]
        used = [*used, *drilldowns[1]]
    extra = {k: v for k, v in config.items() if k not in said}
    if extra:
        data["raw_config"] = extra
    return DecompiledPanel({**common, **data}, used, compact=True)


# embeddableConfig key -> the common YAML key that says it
_CONFIG_KEY_OF = {"description": "description", "hidePanelTitles": "hide_title", "timeRange": "time"}


def _drilldowns(enhancements: Any, panel_index: str, own_refs: list[dict[str, str]]
                ) -> tuple[list[dict[str, Any]], list[dict[str, str]]] | None:
    """The compact drilldowns and their references; None when they stay verbatim in raw_config."""
    if enhancements == {}:
        return [], []
    return decompile_drilldowns(enhancements, panel_index, own_refs)


def _common_data(stored: dict[str, Any]) -> dict[str, Any]:
    grid = stored.get("gridData", {})
    data: dict[str, Any] = {"id": stored.get("panelIndex")}
    if isinstance(stored.get("title"), str):
        data["title"] = stored["title"]
    config = stored.get("embeddableConfig", {})
    if isinstance(config.get("description"), str):
        data["description"] = config["description"]
    if isinstance(config.get("hidePanelTitles"), bool):
        data["hide_title"] = config["hidePanelTitles"]
    if isinstance(stored.get("version"), str):
        data["version"] = stored["version"]
    time_range = config.get("timeRange")
    if isinstance(time_range, dict) and set(time_range) == {"from", "to"} \
            and all(isinstance(v, str) for v in time_range.values()):
        data["time"] = dict(time_range)
    data.update({"at": {"x": grid["x"], "y": grid["y"]}, "w": grid["w"], "h": grid["h"]})
    return data


def _plain_grid(stored: dict[str, Any]) -> bool:
    """gridData holds exactly what id/at/w/h say (anything else is kept verbatim)."""
    grid = stored.get("gridData")
    return (isinstance(grid, dict) and set(grid) == {"x", "y", "w", "h", "i"}
            and all(type(grid[k]) is int for k in "xywh")
            and isinstance(stored.get("panelIndex"), str) and grid["i"] == stored["panelIndex"])


def raw_panel(stored: dict[str, Any], references: list[dict[str, str]]) -> DecompiledPanel:
    """The panel kept verbatim (``raw``), with only its id, title and position said compactly."""
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
    own = [r for r in references if r.get("name", "").startswith(prefix) and ":drilldown:" not in r["name"]]
    if not own:
        return stored, references
    inner = [{"type": r["type"], "id": r["id"], "name": r["name"][len(prefix):]} for r in own]
    attributes = {**config["attributes"], "references": inner}
    return {**stored, "embeddableConfig": {**config, "attributes": attributes}}, \
        [r for r in references if not any(r is o for o in own)]


def normalise_stored_panel(stored: dict[str, Any], references: list[dict[str, str]]
                           ) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The comparable form of one stored panel and the dashboard references it leaves: Lens references moved
    into the chart, a library reference written into the panel (as Kibana does on load)."""
    panel, references = absorb_lens_references(stored, references)
    panel, used = resolve_library_reference(panel, references)
    if used is not None:
        references = [r for r in references if r is not used]
    return normalise_panel(panel), references


def normalise_panel(stored: dict[str, Any]) -> dict[str, Any]:
    """The comparable form of one stored panel, with the defaults Kibana applies when it loads the panel."""
    panel = dict(stored)
    config = dict(panel.get("embeddableConfig", {}))
    if "title" in config:  # on load, embeddableConfig wins over the panel's own title
        panel["title"] = config.pop("title")
    if config.get("enhancements") == _NO_ENHANCEMENTS:
        config["enhancements"] = {}  # no drilldowns, in the UI's other form (addendum 5.2)
    for type_ in PANEL_TYPES:
        type_.normalise(panel, config)
    panel["embeddableConfig"] = config
    return panel
