"""Export: a stored Kibana dashboard -> the YAML mapping a person would write, plus what must stay verbatim.

Each part is written compactly only when it compiles back to the same thing (compared normalised); anything
else is kept in a ``raw...`` key, never dropped. Implied keys (flowed positions, default sizes, derived panel
ids, a data view every chart shares) are left out so the export reads like hand-written YAML.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

from kibana_sync.kibana.format import is_tag_reference, loads_embedded
from kibana_sync.kinds.base import Decompiled
from kibana_sync.kinds.dashboard.controls import decompile_controls
from kibana_sync.kinds.dashboard.layout import Cursor, Placement, Point
from kibana_sync.kinds.dashboard.model import DashboardModel, Options, duration_text
from kibana_sync.kinds.dashboard.panels.common import DEFAULT_PANEL_HEIGHT, DEFAULT_PANEL_WIDTH, PanelCommon
from kibana_sync.kinds.dashboard.panels.stored import decompile_panel, derived_panel_ids, named_by_position
from kibana_sync.query.filters import compact_filter, inject, normalise_filter
from kibana_sync.source.model import Model

# optionsJSON keys in Kibana's order, with the YAML option each one is.
OPTION_KEYS = {"useMargins": "use_margins", "syncColors": "sync_colors", "syncCursor": "sync_cursor",
               "syncTooltips": "sync_tooltips", "hidePanelTitles": "hide_panel_titles"}


def normalise_dashboard_filter(f: Any) -> Any:
    """``normalise_filter``, but a ``meta.field`` Kibana stored is kept: the compact form does not write one,
    so a filter that has it stays verbatim rather than losing it."""
    out = normalise_filter(f)
    if isinstance(out, dict) and isinstance(f.get("meta"), dict) and "field" in f["meta"]:
        out = {**out, "meta": {**out["meta"], "field": f["meta"]["field"]}}
    return out


def default_options() -> dict[str, bool]:
    defaults = Options()
    return {key: getattr(defaults, name) for key, name in OPTION_KEYS.items()}


def decompile_dashboard(obj: dict[str, Any]) -> Decompiled:
    attrs = dict(obj.get("attributes", {}))
    refs = [dict(r) for r in obj.get("references", [])]
    used: list[dict[str, str]] = []
    data: dict[str, Any] = {"id": obj["id"], "title": attrs.pop("title", "")}
    raw: dict[str, Any] = {}
    description = attrs.pop("description", "")
    if not isinstance(description, str):
        raw["description"] = description
    elif description:
        data["description"] = description
    tags = [r for r in refs if is_tag_reference(r)]
    if tags:
        data["tags"] = [r["id"] for r in tags]
        used.extend(tags)
    _decompile_time(attrs, data, raw)
    _decompile_options(attrs, data, raw)
    used.extend(_decompile_search_source(attrs, refs, data, raw))
    used.extend(_decompile_controls(attrs, refs, data, raw))
    result = Decompiled(data)
    panels = loads_embedded(attrs.pop("panelsJSON", "[]"))
    if isinstance(panels, list) and all(isinstance(p, dict) for p in panels):
        data["panels"], panel_refs = _decompile_panels(obj["id"], panels, refs, result)
        used.extend(panel_refs)
    else:
        raw["panelsJSON"] = obj["attributes"]["panelsJSON"]
    hits = attrs.pop("hits", None)
    if type(hits) is int:
        data["hits"] = hits
    elif hits is not None:
        raw["hits"] = hits
    if attrs.pop("version", 1) != 1:
        raw["version"] = obj["attributes"]["version"]
    raw.update(attrs)  # anything newer: kept verbatim
    if raw:
        data["raw_attributes"] = raw
    # identity, not equality: two equal references may serve two places, each needs its own copy
    leftover = [r for r in refs if not any(r is u for u in used)]
    if leftover:
        data["raw_references"] = leftover
    _hoist_data_view(data)
    _drop_default_filter_data_views(data)
    for control in data.get("controls", []):
        if "data_view" in data and control.get("data_view") == data["data_view"]:
            del control["data_view"]
    if "panels" in data:
        data["panels"] = [_in_field_order(p, PanelCommon, last=("drilldowns", "raw_config")) for p in data["panels"]]
    result.data = _in_field_order(data, DashboardModel)
    return result


def _decompile_time(attrs: dict[str, Any], data: dict[str, Any], raw: dict[str, Any]) -> None:
    restore = attrs.pop("timeRestore", False)
    time_from, time_to = attrs.pop("timeFrom", None), attrs.pop("timeTo", None)
    refresh = attrs.pop("refreshInterval", None)
    if restore is not True:
        if restore is not False:
            raw["timeRestore"] = restore
        return  # the stored range and refresh are dead without timeRestore (see normalise)
    if isinstance(time_from, str) and isinstance(time_to, str):
        data["time"] = {"from": time_from, "to": time_to}
    else:  # `refresh` needs `time`, so it stays raw too
        raw.update({k: v for k, v in (("timeRestore", True), ("timeFrom", time_from), ("timeTo", time_to),
                                      ("refreshInterval", refresh)) if v is not None})
        return
    if refresh is None:
        return  # Kibana then leaves the refresh interval as it is: `refresh` unset says the same
    if isinstance(refresh, dict) and set(refresh) == {"pause", "value"} and isinstance(refresh["pause"], bool) \
            and type(refresh["value"]) is int and refresh["value"] >= 0:
        every = duration_text(refresh["value"])
        data["refresh"] = {"every": every, "paused": True} if refresh["pause"] else every
    else:
        raw["refreshInterval"] = refresh


def _decompile_options(attrs: dict[str, Any], data: dict[str, Any], raw: dict[str, Any]) -> None:
    if "optionsJSON" not in attrs:  # a dashboard stored without options: build writes none
        data.setdefault("unset", []).append("options")
        return
    stored = attrs.pop("optionsJSON")
    options = loads_embedded(stored)
    if isinstance(options, dict) and set(options) <= set(OPTION_KEYS) \
            and all(isinstance(v, bool) for v in options.values()):
        defaults = default_options()
        changed = {OPTION_KEYS[k]: v for k, v in options.items() if v != defaults[k]}
        if changed:
            data["options"] = changed
        unset = [name for key, name in OPTION_KEYS.items() if key not in options]
        if unset:
            data.setdefault("unset", []).extend(unset)
    else:
        raw["optionsJSON"] = stored


def _decompile_search_source(attrs: dict[str, Any], refs: list[dict[str, str]], data: dict[str, Any],
                             raw: dict[str, Any]) -> list[dict[str, str]]:
    """Query and filters, with filter data views put back from the references; raw when not expressible."""
    meta = attrs.pop("kibanaSavedObjectMeta", None)
    source = loads_embedded(meta.get("searchSourceJSON", "{}")) if isinstance(meta, dict) else None
    parsed = _parse_search_source(source, refs) if isinstance(meta, dict) and set(meta) <= {"searchSourceJSON"} \
        else None
    if parsed is None:
        if meta is not None:
            raw["kibanaSavedObjectMeta"] = meta
        return []
    query, language, filters, used, highlight_all, version = parsed
    if highlight_all is not None:
        data["highlight_all"] = highlight_all
    if version is not None:
        data["search_source_version"] = version
    if query:
        data["query"] = query
    if language != "kuery":
        data["query_language"] = language
    if filters:
        data["filters"] = filters
    return used


def _parse_search_source(source: Any, refs: list[dict[str, str]]
                         ) -> tuple[str, str, list[Any], list[dict[str, str]], bool | None, bool | None] | None:
    """(query, language, filters, references used, highlightAll, version), or None when the search source is
    not just those."""
    if not isinstance(source, dict) or not set(source) <= {"query", "filter", "highlightAll", "version"} \
            or not all(isinstance(source.get(k, False), bool) for k in ("highlightAll", "version")):
        return None
    query = source.get("query", {"query": "", "language": "kuery"})
    if not (isinstance(query, dict) and set(query) == {"query", "language"} and isinstance(query["query"], str)
            and query["language"] in ("kuery", "lucene")):
        return None
    filters = source.get("filter", [])
    if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
        return None
    # an inline data view id would be extracted to a reference on compile
    if any(isinstance(f.get("meta"), dict) and "index" in f["meta"] for f in filters):
        return None
    inlined, used = inject(filters, refs)
    if any(isinstance(f.get("meta"), dict) and "indexRefName" in f["meta"] for f in inlined):
        return None  # a data view reference that is not where compile would put it
    out = [compact_filter(f, same=normalise_dashboard_filter) or copy.deepcopy(f) for f in inlined]
    return query["query"], query["language"], out, used, source.get("highlightAll"), source.get("version")


def _decompile_controls(attrs: dict[str, Any], refs: list[dict[str, str]], data: dict[str, Any],
                        raw: dict[str, Any]) -> list[dict[str, str]]:
    if "controlGroupInput" not in attrs:
        return []
    stored = attrs.pop("controlGroupInput")
    parsed = decompile_controls(stored, refs)
    if parsed is None:
        raw["controlGroupInput"] = stored
        return []
    controls, group, used = parsed
    if controls:
        data["controls"] = controls
    if group is not None:
        data["control_group"] = group
    return used


def _decompile_panels(dashboard_id: str, stored_panels: list[dict[str, Any]], refs: list[dict[str, str]],
                      result: Decompiled) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    decompiled = [decompile_panel(stored, refs) for stored in stored_panels]
    lacking = [d.lacks_enhancements for d in decompiled if d.compact]
    if lacking and all(lacking):
        result.data.setdefault("unset", []).append("panel_enhancements")
    else:  # some panels have it: each that lacks it says so
        for panel in decompiled:
            if panel.lacks_enhancements:
                panel.data["unset"] = ["enhancements", *panel.data.get("unset", [])]
    panels, used = [], []
    for panel in decompiled:
        panels.append(panel.data)
        used.extend(panel.used_references)
        if panel.compact:
            result.compact_parts += 1
        else:
            result.raw_parts += 1
    if named_by_position(stored_panels, refs):
        result.data["panel_ref_names"] = "by_position"
    _hoist_panel_version(result.data, [p for p, d in zip(panels, decompiled, strict=True) if d.compact])
    _drop_implied_keys(dashboard_id, panels)
    return panels, used


def _hoist_panel_version(data: dict[str, Any], compact: list[dict[str, Any]]) -> None:
    """When every compact panel records the same Kibana version, say it once on the dashboard."""
    versions = {p.get("version") for p in compact}
    if len(versions) == 1 and None not in versions:
        data["panel_version"] = versions.pop()
        for panel in compact:
            del panel["version"]


def _drop_implied_keys(dashboard_id: str, panels: list[dict[str, Any]]) -> None:
    """Leave out what the YAML implies anyway: flowed positions, default sizes, derived ids."""
    _drop_flowed_positions(panels)
    for panel in panels:
        for key, default in (("w", DEFAULT_PANEL_WIDTH), ("h", DEFAULT_PANEL_HEIGHT)):
            if panel.get(key) == default:
                del panel[key]
    derived = derived_panel_ids(dashboard_id, [p.get("title") for p in panels], [None] * len(panels))
    for panel, panel_id in zip(panels, derived, strict=True):
        if panel.get("id") == panel_id:
            del panel["id"]


def _drop_flowed_positions(panels: list[dict[str, Any]]) -> None:
    """Drop each ``at`` the flow gives anyway, first to last. When panel i is judged, the panels after it still
    have their positions, so only its own box can change: one step of the flow per panel, not a layout per
    panel (a dashboard cost the square of its panels). The cursor goes on from the panel as it will be written,
    since a flowed panel can leave the row taller than a placed one."""
    cursor = Cursor()
    for panel in panels:
        place = Placement(Point(**panel["at"]) if "at" in panel else None, panel.get("w", DEFAULT_PANEL_WIDTH),
                          panel.get("h", DEFAULT_PANEL_HEIGHT))
        box, after = cursor.place(place)
        if place.at is not None:
            flowed_box, flowed_after = cursor.place(Placement(None, place.w, place.h))
            if flowed_box == box:
                del panel["at"]
                after = flowed_after
        cursor = after


def _in_field_order(data: dict[str, Any], model: type[Model], last: tuple[str, ...] = ()) -> dict[str, Any]:
    """Keys in the order the model declares them (then the rest as they came), so exports read top-down."""
    order = [f.alias or name for name, f in model.model_fields.items()]
    first = [k for k in order if k in data and k not in last]
    rest = [k for k in data if k not in order and k not in last]
    return {k: data[k] for k in [*first, *rest, *(k for k in last if k in data)]}


def _drop_default_filter_data_views(data: dict[str, Any]) -> None:
    """Compact filters on the dashboard's own data view need not name it; without one, the first names it."""
    compact = [f for f in data.get("filters", []) if "field" in f and "data_view" in f]
    if compact and "data_view" not in data and not any("chart" in p for p in data.get("panels", [])):
        data["data_view"] = compact[0]["data_view"]
    for f in compact:
        if f["data_view"] == data.get("data_view"):
            del f["data_view"]


def _hoist_data_view(data: dict[str, Any]) -> None:
    """When every Lens panel reads the same data view, name it once on the dashboard."""
    lens = [p for p in data.get("panels", []) if "chart" in p and "data_view" in p]
    counts = Counter(str(p["data_view"]) for p in lens)
    if len(counts) == 1 and len(lens) == sum(1 for p in data.get("panels", []) if "chart" in p):
        data["data_view"] = lens[0]["data_view"]
        for p in lens:
            del p["data_view"]
