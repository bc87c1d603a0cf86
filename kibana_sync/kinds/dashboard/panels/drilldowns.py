"""Panel drilldowns (``embeddableConfig.enhancements.dynamicActions``, reference-objects 5.2): go to another
dashboard, or open a URL. Compile and decompile are inverses; a drilldown of another shape stays in
``raw_config.enhancements``."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from kibana_sync.source.model import Model, Ref

TO_DASHBOARD = "DASHBOARD_TO_DASHBOARD_DRILLDOWN"
TO_URL = "URL_DRILLDOWN"
# Fixed namespace so derived event ids are the same on every build.
_EVENT_ID_NAMESPACE = uuid.UUID("0b7c4b9e-6d0f-4a53-8f0e-6472696c6c64")


class DashboardDrilldown(Model):
    to_dashboard: Ref = Field(description="the dashboard to open, with this panel's click as a filter")
    name: str
    id: str | None = Field(default=None, description="Kibana's eventId; derived from the panel and position")
    keep_filters: bool = Field(default=True, description="carry the current filters and query over")
    keep_time: bool = Field(default=True, description="carry the current time range over")
    new_tab: bool | None = None
    triggers: list[str] = Field(default_factory=lambda: ["FILTER_TRIGGER"])


class UrlDrilldown(Model):
    url: str = Field(description="URL template, e.g. https://example.org/{{event.value}}")
    name: str
    id: str | None = None
    new_tab: bool | None = None
    encode_url: bool | None = None
    triggers: list[str] = Field(default_factory=lambda: ["VALUE_CLICK_TRIGGER"])
    raw: dict[str, Any] = Field(default_factory=dict, description="other action config keys, kept verbatim")


Drilldown = DashboardDrilldown | UrlDrilldown


def event_id(panel_index: str, position: int, drilldown: Drilldown) -> str:
    return drilldown.id or str(uuid.uuid5(_EVENT_ID_NAMESPACE, f"{panel_index}/{position}"))


def reference_name(panel_index: str, event: str) -> str:
    return f"{panel_index}:drilldown:{TO_DASHBOARD}:{event}:dashboardId"


def compile_drilldowns(drilldowns: list[Drilldown], panel_index: str, resolve: Any
                       ) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """``enhancements`` and the dashboard references of the dashboard drilldowns."""
    if not drilldowns:
        return {}, []
    events, refs = [], []
    for position, drilldown in enumerate(drilldowns):
        eid = event_id(panel_index, position, drilldown)
        if isinstance(drilldown, DashboardDrilldown):
            config: dict[str, Any] = {"useCurrentFilters": drilldown.keep_filters,
                                      "useCurrentDateRange": drilldown.keep_time}
            factory = TO_DASHBOARD
            refs.append({"id": resolve(drilldown.to_dashboard), "name": reference_name(panel_index, eid),
                         "type": "dashboard"})
        else:
            config = {"url": {"template": drilldown.url}}
            if drilldown.encode_url is not None:
                config["encodeUrl"] = drilldown.encode_url
            config.update(drilldown.raw)
            factory = TO_URL
        if drilldown.new_tab is not None:
            config["openInNewTab"] = drilldown.new_tab
        events.append({"eventId": eid, "triggers": list(drilldown.triggers),
                       "action": {"factoryId": factory, "name": drilldown.name, "config": config}})
    return {"dynamicActions": {"events": events}}, refs


def decompile_drilldowns(enhancements: Any, panel_index: str, refs: list[dict[str, str]]
                         ) -> tuple[list[dict[str, Any]], list[dict[str, str]]] | None:
    """The drilldowns and the references they use, or None when some event is not one of the two shapes."""
    if not (isinstance(enhancements, dict) and set(enhancements) == {"dynamicActions"}
            and isinstance(enhancements["dynamicActions"], dict)
            and set(enhancements["dynamicActions"]) == {"events"}
            and isinstance(enhancements["dynamicActions"]["events"], list)):
        return None
    out, used = [], []
    for event in enhancements["dynamicActions"]["events"]:
        if not (isinstance(event, dict) and set(event) == {"eventId", "triggers", "action"}
                and isinstance(event["eventId"], str) and isinstance(event["triggers"], list)
                and all(isinstance(t, str) for t in event["triggers"])):
            return None
        action = event["action"]
        if not (isinstance(action, dict) and set(action) == {"factoryId", "name", "config"}
                and isinstance(action["name"], str) and isinstance(action["config"], dict)):
            return None
        config = dict(action["config"])
        data: dict[str, Any]
        if action["factoryId"] == TO_DASHBOARD:
            name = reference_name(panel_index, event["eventId"])
            ref = next((r for r in refs if r["name"] == name and r["type"] == "dashboard"), None)
            if ref is None or "dashboardId" in config or not set(config) <= {
                    "useCurrentFilters", "useCurrentDateRange", "openInNewTab"} \
                    or not isinstance(config.get("useCurrentFilters"), bool) \
                    or not isinstance(config.get("useCurrentDateRange"), bool):
                return None
            used.append(ref)
            data = {"to_dashboard": ref["id"], "name": action["name"], "id": event["eventId"]}
            if config["useCurrentFilters"] is not True:
                data["keep_filters"] = config["useCurrentFilters"]
            if config["useCurrentDateRange"] is not True:
                data["keep_time"] = config["useCurrentDateRange"]
            default_triggers = ["FILTER_TRIGGER"]
        elif action["factoryId"] == TO_URL:
            url = config.pop("url", None)
            if not (isinstance(url, dict) and set(url) == {"template"} and isinstance(url["template"], str)):
                return None
            data = {"url": url["template"], "name": action["name"], "id": event["eventId"]}
            if isinstance(config.get("encodeUrl"), bool):
                data["encode_url"] = config.pop("encodeUrl")
            default_triggers = ["VALUE_CLICK_TRIGGER"]
        else:
            return None
        if "openInNewTab" in config:
            if not isinstance(config["openInNewTab"], bool):
                return None
            data["new_tab"] = config.pop("openInNewTab")
        if event["triggers"] != default_triggers:
            data["triggers"] = list(event["triggers"])
        rest = {k: v for k, v in config.items() if k not in ("useCurrentFilters", "useCurrentDateRange")}
        if rest:
            data["raw"] = rest
        out.append(data)
    return out, used


def drilldown_dashboards(drilldowns: list[Drilldown]) -> list[tuple[int, Ref]]:
    return [(i, d.to_dashboard) for i, d in enumerate(drilldowns) if isinstance(d, DashboardDrilldown)]

