"""What a layout picture shows, read from a dashboard's YAML model or from a stored Kibana dashboard.

Positions come from the dashboard kind's own layout (``kinds/dashboard/layout.py``) for YAML, and from
``gridData`` for a stored dashboard, so the picture shows exactly the grid that build writes and Kibana keeps.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kibana_sync.kinds.dashboard.layout import layout
from kibana_sync.kinds.dashboard.model import DashboardModel
from kibana_sync.kinds.dashboard.panels.registry import panel_type
from kibana_sync.source.model import ref_id


@dataclass(frozen=True)
class PanelBox:
    """One panel on the 48-column grid, with what the picture writes in it."""

    x: int
    y: int
    w: int
    h: int
    title: str
    label: str  # what the panel shows: "bar_stacked", "saved search", "markdown", ...
    category: str  # chooses the colour: the panel type ("chart", "search", "markdown", ...)


@dataclass(frozen=True)
class DashboardPicture:
    title: str
    controls: list[str] = field(default_factory=list)  # one label per control, in order
    panels: list[PanelBox] = field(default_factory=list)


# A library panel's YAML key -> how the picture names what it shows.
_LIBRARY_LABELS = {"search": "saved search", "visualization": "library visualization", "lens": "library Lens",
                   "map": "library map", "links": "links"}

# Resolves (kind name, id) to the title of an object in the repo, for panels that show one by reference.
TitleLookup = Callable[[str, str], "str | None"]


def picture_of_model(model: DashboardModel, referenced_title: TitleLookup | None = None) -> DashboardPicture:
    """The layout of a validated dashboard, with panels placed as build places them."""
    boxes = layout(model.panels)
    panels = []
    for panel, box in zip(model.panels, boxes, strict=True):
        kind = panel_type(panel)
        category = kind.key if kind is not None else "raw"
        label = _LIBRARY_LABELS.get(category, category)
        title = panel.title
        if category == "chart":
            label = str(getattr(panel, "chart", "chart"))
        elif category in _LIBRARY_LABELS:
            target = ref_id(getattr(panel, category))
            title = title or (referenced_title(category, target) if referenced_title else None) or target
        elif category == "raw":
            label = str(getattr(panel, "raw", {}).get("type", "raw"))
        panels.append(PanelBox(box.x, box.y, box.w, box.h, title or "", label, category))
    controls = [c.title or c.field or c.type_key.replace("_", " ") for c in model.controls]
    return DashboardPicture(model.title, controls, panels)


# Stored panel type -> (category, label) in the terms the YAML uses.
_STORED_TYPES = {"lens": ("chart", "Lens"), "search": ("search", "saved search"),
                 "visualization": ("vis", "visualization"), "map": ("map_attributes", "map"),
                 "links": ("links", "links")}
_LENS_LABELS = {"lnsDatatable": "table", "lnsMetric": "metric", "lnsLegacyMetric": "legacy_metric",
                "lnsHeatmap": "heatmap", "lnsGauge": "gauge", "lnsTagcloud": "tagcloud"}


def picture_of_saved_object(obj: dict[str, Any]) -> DashboardPicture:
    """The layout of a dashboard as Kibana stores it (``panelsJSON`` as a string or already parsed); panels
    without a grid position (pre-6.3 layouts) are left out."""
    attributes = obj.get("attributes", {})
    panels = []
    for stored in _parsed(attributes.get("panelsJSON", "[]"), []):
        grid = stored.get("gridData") if isinstance(stored, dict) else None
        if not isinstance(grid, dict) or not all(isinstance(grid.get(k), int) for k in "xywh"):
            continue
        config = stored.get("embeddableConfig") if isinstance(stored.get("embeddableConfig"), dict) else {}
        category, label = _stored_label(stored, config)
        title = stored.get("title") or config.get("title") or ""
        panels.append(PanelBox(grid["x"], grid["y"], grid["w"], grid["h"], str(title), label, category))
    controls = []
    group = _parsed(attributes.get("controlGroupInput", {}), {})
    control_panels = _parsed(group.get("panelsJSON", {}), {}) if isinstance(group, dict) else {}
    if isinstance(control_panels, dict):
        ordered = sorted((c for c in control_panels.values() if isinstance(c, dict)), key=lambda c: c.get("order", 0))
        for control in ordered:
            explicit = control.get("explicitInput", {}) if isinstance(control.get("explicitInput"), dict) else {}
            controls.append(str(explicit.get("title") or explicit.get("fieldName") or control.get("type", "control")))
    return DashboardPicture(str(attributes.get("title", obj.get("id", ""))), controls, panels)


def _parsed(value: Any, empty: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return empty
    return value if value is not None else empty


def _stored_label(stored: dict[str, Any], config: dict[str, Any]) -> tuple[str, str]:
    kind = str(stored.get("type", "raw"))
    category, label = _STORED_TYPES.get(kind, ("raw", kind))
    attributes = config.get("attributes") if isinstance(config.get("attributes"), dict) else None
    if kind == "lens" and attributes is not None:
        vis_type = attributes.get("visualizationType")
        state = attributes.get("state", {}).get("visualization", {}) if isinstance(attributes.get("state"), dict) else {}
        if vis_type == "lnsXY" and isinstance(state, dict):
            label = str(state.get("preferredSeriesType", "xy"))
        elif vis_type == "lnsPie" and isinstance(state, dict):
            label = str(state.get("shape", "pie"))
        else:
            label = _LENS_LABELS.get(str(vis_type), str(vis_type or "Lens"))
    elif kind == "lens":
        category, label = "lens", "library Lens"
    elif kind == "map" and attributes is None:
        category, label = "map", "library map"
    elif kind == "visualization":
        saved_vis = config.get("savedVis")
        if isinstance(saved_vis, dict):
            label = str(saved_vis.get("type", "visualization"))
            if label == "markdown":
                category = "markdown"
        else:
            category, label = "visualization", "library visualization"
    return category, label
