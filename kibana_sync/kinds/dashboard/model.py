"""The dashboard YAML a person writes: dashboard settings, controls, and a list of panels on Kibana's
48-column grid.

A panel's type is told by which key it has (``chart``, ``search``, ``markdown``, ``lens``, ... or ``raw``; see
``panels/registry.py``), so a panel reads like what it shows and a typo in the type key is reported as a
missing type, not as a dozen unknown keys.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from kibana_sync.kinds.dashboard.controls import Control, ControlGroup
from kibana_sync.kinds.dashboard.panels.common import (
    DEFAULT_PANEL_HEIGHT,
    DEFAULT_PANEL_WIDTH,
    GridPosition,
    PanelCommon,
    TimeRange,
)
from kibana_sync.kinds.dashboard.panels.registry import PANEL_KINDS, Panel
from kibana_sync.query.filters import Filter
from kibana_sync.source.model import Model, Ref

GRID_COLUMNS = 48

__all__ = ["DEFAULT_PANEL_HEIGHT", "DEFAULT_PANEL_WIDTH", "GRID_COLUMNS", "PANEL_KINDS", "DashboardModel",
           "GridPosition", "PanelCommon", "TimeRange"]

_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d)$")
_DURATION_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def duration_ms(text: str) -> int:
    number, unit = _DURATION.match(text).groups()  # type: ignore[union-attr]  # validated by the model
    return int(number) * _DURATION_MS[unit]


def duration_text(ms: int) -> str:
    for unit in ("d", "h", "m", "s"):
        if ms and ms % _DURATION_MS[unit] == 0:
            return f"{ms // _DURATION_MS[unit]}{unit}"
    return f"{ms}ms"


Duration = Annotated[str, Field(pattern=_DURATION.pattern, description="e.g. 30s, 1m, 1h")]


class RefreshInterval(Model):
    every: Duration
    paused: bool = False


class Options(Model):
    """Dashboard options; the defaults are the ones Kibana gives a new dashboard."""

    use_margins: bool = True
    sync_colors: bool = False
    sync_cursor: bool = True
    sync_tooltips: bool = False
    hide_panel_titles: bool = False


# Options a stored optionsJSON may lack (Kibana 7 had no sync_* options), and the panels' empty enhancements.
UnsetKey = Literal["use_margins", "sync_colors", "sync_cursor", "sync_tooltips", "hide_panel_titles",
                   "panel_enhancements", "options"]

# raw_attributes keys and the compact keys that write the same attribute: both at once is a conflict.
_RAW_ATTRIBUTE_OWNERS = {
    "title": ("title",), "description": ("description",), "panelsJSON": ("panels",),
    "optionsJSON": ("options",),
    "kibanaSavedObjectMeta": ("query", "query_language", "filters", "highlight_all", "search_source_version"),
    "hits": ("hits",),
    "timeRestore": ("time",), "timeFrom": ("time",), "timeTo": ("time",), "refreshInterval": ("refresh",),
    "controlGroupInput": ("controls", "control_group"),
}


class DashboardModel(Model):
    id: str | None = None
    title: str = Field(min_length=1)
    description: str = ""
    tags: list[Ref] = Field(default_factory=list, description="ids of tags in objects/tags/, or {external: id}")
    time: TimeRange | None = Field(default=None, description="stored with the dashboard (Kibana's timeRestore)")
    refresh: Duration | RefreshInterval | None = Field(
        default=None, description="auto-refresh, stored with `time`; without it the dashboard leaves the "
                                  "refresh interval as it is")
    data_view: Ref | None = Field(default=None, description="default data view for panels that name none")
    query: str = Field(default="", description="KQL query applied to every panel")
    query_language: Literal["kuery", "lucene"] = "kuery"
    filters: list[Filter] = Field(default_factory=list, description="filter pills: {field, is | is_one_of | "
                                  "exists | is_between, negate, disabled, label, data_view}, or a Kibana filter "
                                  "object kept verbatim")
    highlight_all: bool | None = Field(default=None, description="the search source's highlightAll flag, kept as "
                                                                 "stored (Kibana dashboards before 8 wrote it)")
    search_source_version: bool | None = Field(
        default=None, description="the search source's `version` flag, kept as stored (Kibana 7 wrote it)")
    options: Options = Field(default_factory=Options)
    controls: list[Control] = Field(default_factory=list, description="controls above the panels: "
                                    "{options_list: field} | {range_slider: field} | {time_slider: true}")
    control_group: ControlGroup | None = Field(default=None, description="the controls' group settings")
    hits: int | None = Field(default=None, description="Kibana's view counter as stored (Kibana 8.11 reads it "
                                                       "nowhere; kept so a push writes what Kibana held)")
    unset: list[UnsetKey] = Field(
        default_factory=list, description="what the stored dashboard lacks, so a push leaves it out too: an "
        "option (its optionsJSON key), options (no optionsJSON at all), or panel_enhancements (panels without "
        "drilldowns have no embeddableConfig.enhancements)")
    panel_version: str | None = Field(
        default=None, description="the Kibana version every panel records (a panel's own `version` wins); "
                                  "Kibana 8.11 writes none, older ones did")
    panel_ref_names: Literal["by_position"] | None = Field(
        default=None, description="by_position: library panels name their reference panel_<position> and "
                                  "have no type, as Kibana 7 stored them; default: Kibana 8's naming")
    panels: list[Panel] = Field(default_factory=list)
    raw_attributes: dict[str, Any] = Field(
        default_factory=dict, description="attributes kept verbatim from an export")
    raw_references: list[dict[str, str]] = Field(
        default_factory=list, description="references kept verbatim from an export")

    @model_validator(mode="after")
    def _unset_options_are_not_also_set(self) -> DashboardModel:
        clash = sorted(key for key in self.unset if key in self.options.model_fields_set)
        if clash:
            raise ValueError(f"{', '.join(clash)} listed in unset but also set in options; keep one")
        return self

    @model_validator(mode="after")
    def _raw_attributes_do_not_shadow_compact_keys(self) -> DashboardModel:
        if not self.raw_attributes:  # the usual case; building the defaults costs a fifth of a large build
            return self
        defaults = DashboardModel.model_construct()
        clash = sorted(f"{key} (also written by {', '.join(k for k in owners if k in self.model_fields_set)})"
                       for key, owners in _RAW_ATTRIBUTE_OWNERS.items()
                       if key in self.raw_attributes and any(
                           k in self.model_fields_set and getattr(self, k) != getattr(defaults, k, None)
                           for k in owners))
        if clash:
            raise ValueError(f"raw_attributes sets {'; '.join(clash)}: remove one of the two")
        return self
