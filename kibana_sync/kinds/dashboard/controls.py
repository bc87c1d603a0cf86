"""Dashboard controls (``attributes.controlGroupInput``, reference-objects 4): options lists, range sliders
and the time slider above the panels, plus the group's settings.

YAML: ``controls: [{options_list: host.name, title: Host}, {range_slider: bytes}, {time_slider: true}]`` and
``control_group: {style: twoLine, chaining: NONE, ignore_filters: true, ...}``. Each control's data view is
its ``data_view`` or the dashboard's; Kibana stores it as the reference
``controlGroup_<controlId>:optionsListDataView`` (or ``rangeSliderDataView``).
"""

from __future__ import annotations

import copy
import uuid
from typing import Any, Literal

from pydantic import Field, model_validator

from kibana_sync.kibana.format import dumps_embedded, loads_embedded
from kibana_sync.source.model import Model, Ref

_TYPES = {"options_list": "optionsListControl", "range_slider": "rangeSliderControl", "time_slider": "timeSlider"}
_DATA_VIEW_REFERENCE = {"optionsListControl": "optionsListDataView", "rangeSliderControl": "rangeSliderDataView"}
_IGNORE_FLAGS = {"ignoreFilters": "ignore_filters", "ignoreQuery": "ignore_query",
                 "ignoreTimerange": "ignore_time_range", "ignoreValidations": "ignore_validations"}
# Fixed namespace so derived control ids are the same on every build.
_CONTROL_ID_NAMESPACE = uuid.UUID("3d1f7e52-0c8a-4f5e-9b1e-636f6e74726c")


class Control(Model):
    """One control: exactly one of ``options_list: <field>``, ``range_slider: <field>``, ``time_slider: true``."""

    options_list: str | None = Field(default=None, description="field whose values are offered as a list")
    range_slider: str | None = Field(default=None, description="numeric field filtered by a range")
    time_slider: Literal[True] | None = Field(default=None, description="a slider over the time range")
    id: str | None = Field(default=None, description="Kibana's control id; derived from the dashboard and field")
    title: str | None = None
    data_view: Ref | None = Field(default=None, description="default: the dashboard's data view")
    width: Literal["small", "medium", "large"] = "medium"
    grow: bool = True
    raw: dict[str, Any] = Field(default_factory=dict, description="other explicitInput keys kept verbatim, e.g. "
                                "selectedOptions, singleSelect, searchTechnique, sort")

    @model_validator(mode="after")
    def _one_type(self) -> Control:
        named = [k for k in _TYPES if getattr(self, k) is not None]
        if len(named) != 1:
            raise ValueError(f"a control needs exactly one of: {', '.join(_TYPES)}")
        written = {"id", "fieldName"} | ({"title"} if self.title is not None else set()) \
            | ({"dataViewId"} if self.data_view is not None else set())
        clash = sorted(written & set(self.raw))
        if clash:
            raise ValueError(f"raw sets {', '.join(clash)}, which the control's own keys write")
        return self

    @property
    def type_key(self) -> str:
        return next(k for k in _TYPES if getattr(self, k) is not None)

    @property
    def field(self) -> str | None:
        return None if self.time_slider else (self.options_list or self.range_slider)


class ControlGroup(Model):
    """The control group's settings; the defaults are Kibana's."""

    style: Literal["oneLine", "twoLine"] = "oneLine"
    chaining: Literal["HIERARCHICAL", "NONE"] = Field(default="HIERARCHICAL",
                                                      description="HIERARCHICAL: each control narrows the next")
    ignore_filters: bool = False
    ignore_query: bool = False
    ignore_time_range: bool = False
    ignore_validations: bool = False
    raw: dict[str, Any] = Field(default_factory=dict, description="other controlGroupInput keys kept verbatim")


def control_ids(dashboard_id: str, controls: list[Control]) -> list[str]:
    return [c.id or str(uuid.uuid5(_CONTROL_ID_NAMESPACE, f"{dashboard_id}/{i}/{c.type_key}/{c.field}"))
            for i, c in enumerate(controls)]


def compile_controls(dashboard_id: str, controls: list[Control], group: ControlGroup | None,
                     default_data_view: str | None, resolve: Any) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """``controlGroupInput`` and its references."""
    group = group or ControlGroup()
    panels: dict[str, Any] = {}
    refs = []
    for order, (control, control_id) in enumerate(zip(controls, control_ids(dashboard_id, controls), strict=True)):
        type_ = _TYPES[control.type_key]
        explicit: dict[str, Any] = {"id": control_id}
        if control.field is not None:
            explicit["fieldName"] = control.field
        if control.title is not None:
            explicit["title"] = control.title
        explicit.update(copy.deepcopy(control.raw))
        panels[control_id] = {"type": type_, "order": order, "grow": control.grow, "width": control.width,
                              "explicitInput": explicit}
        data_view = resolve(control.data_view) if control.data_view is not None else default_data_view
        if type_ in _DATA_VIEW_REFERENCE and data_view is not None and "dataViewId" not in control.raw:
            refs.append({"id": data_view, "name": f"controlGroup_{control_id}:{_DATA_VIEW_REFERENCE[type_]}",
                         "type": "index-pattern"})
    stored = {"controlStyle": group.style, "chainingSystem": group.chaining,
              "ignoreParentSettingsJSON": dumps_embedded({k: getattr(group, n) for k, n in _IGNORE_FLAGS.items()}),
              "panelsJSON": dumps_embedded(panels), **copy.deepcopy(group.raw)}
    return stored, refs


def normalise_controls(stored: Any) -> Any:
    """The control group with its JSON decoded and Kibana's load-time defaults filled in."""
    if not isinstance(stored, dict):
        return stored
    out = {"controlStyle": "oneLine", "chainingSystem": "HIERARCHICAL", **stored}
    ignore = out.get("ignoreParentSettingsJSON", "{}")
    ignore = loads_embedded(ignore) if isinstance(ignore, str) else ignore
    if isinstance(ignore, dict):
        ignore = {**dict.fromkeys(_IGNORE_FLAGS, False), **ignore}
    out["ignoreParentSettingsJSON"] = ignore
    panels = out.get("panelsJSON", "{}")
    panels = loads_embedded(panels) if isinstance(panels, str) else panels
    if isinstance(panels, dict):
        panels = {k: {"grow": True, "width": "medium", **p} if isinstance(p, dict) else p for k, p in panels.items()}
    out["panelsJSON"] = panels
    return out


def decompile_controls(stored: Any, references: list[dict[str, str]]
                       ) -> tuple[list[dict[str, Any]], dict[str, Any] | None, list[dict[str, str]]] | None:
    """(controls, control_group or None when all defaults, references used); None when some part cannot be
    said exactly (the caller keeps ``controlGroupInput`` verbatim)."""
    normal = normalise_controls(stored)
    if not isinstance(normal, dict) or not isinstance(normal["panelsJSON"], dict):
        return None
    ignore = normal["ignoreParentSettingsJSON"]
    if not (isinstance(ignore, dict) and set(ignore) == set(_IGNORE_FLAGS)
            and all(isinstance(v, bool) for v in ignore.values())):
        return None
    if normal["controlStyle"] not in ("oneLine", "twoLine") or normal["chainingSystem"] not in ("HIERARCHICAL", "NONE"):
        return None
    group: dict[str, Any] = {}
    if normal["controlStyle"] != "oneLine":
        group["style"] = normal["controlStyle"]
    if normal["chainingSystem"] != "HIERARCHICAL":
        group["chaining"] = normal["chainingSystem"]
    group.update({name: True for key, name in _IGNORE_FLAGS.items() if ignore[key]})
    rest = {k: v for k, v in normal.items()
            if k not in ("controlStyle", "chainingSystem", "ignoreParentSettingsJSON", "panelsJSON")}
    if rest:
        group["raw"] = rest
    panels = normal["panelsJSON"]
    ordered = sorted(panels.items(), key=lambda item: item[1].get("order") if isinstance(item[1], dict) else -1)
    controls, used = [], []
    for position, (control_id, panel) in enumerate(ordered):
        control = _decompile_control(control_id, panel, position, references)
        if control is None:
            return None
        controls.append(control[0])
        used.extend(control[1])
    return controls, (group or None) if controls else group, used


def _decompile_control(control_id: str, panel: Any, position: int, references: list[dict[str, str]]
                       ) -> tuple[dict[str, Any], list[dict[str, str]]] | None:
    if not (isinstance(panel, dict) and set(panel) == {"type", "order", "grow", "width", "explicitInput"}
            and panel["order"] == position and type(panel["order"]) is int and isinstance(panel["grow"], bool)
            and panel["width"] in ("small", "medium", "large") and isinstance(panel["explicitInput"], dict)):
        return None
    key = next((k for k, t in _TYPES.items() if t == panel["type"]), None)
    explicit = dict(panel["explicitInput"])
    if key is None or explicit.pop("id", None) != control_id:
        return None
    data: dict[str, Any] = {}
    if key == "time_slider":
        data["time_slider"] = True
    else:
        field = explicit.pop("fieldName", None)
        if not isinstance(field, str):
            return None
        data[key] = field
    data["id"] = control_id
    if "title" in explicit:
        if not isinstance(explicit["title"], str):
            return None
        data["title"] = explicit.pop("title")
    used = []
    reference_name = _DATA_VIEW_REFERENCE.get(panel["type"])
    ref = next((r for r in references if r.get("name") == f"controlGroup_{control_id}:{reference_name}"
                and r.get("type") == "index-pattern"), None) if reference_name else None
    if ref is not None and "dataViewId" not in explicit:
        data["data_view"] = ref["id"]
        used.append(ref)
    elif reference_name and "dataViewId" not in explicit:
        return None  # a data control with no data view this tool can say
    if panel["width"] != "medium":
        data["width"] = panel["width"]
    if panel["grow"] is not True:
        data["grow"] = panel["grow"]
    if explicit:
        data["raw"] = explicit
    return data, used
