"""The dashboard YAML a person writes: dashboard settings plus a list of panels on Kibana's 48-column grid.

A panel's kind is told by which key it has (``chart``, ``search``, ``markdown`` or ``raw``), so a panel reads
like what it shows and a typo in the kind key is reported as a missing kind, not as a dozen unknown keys.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from kibana_sync.lens import LensChart
from kibana_sync.query.filters import Filter
from kibana_sync.source.model import Model, Ref

GRID_COLUMNS = 48
# Kibana's size for a panel added from the library (DEFAULT_PANEL_WIDTH/HEIGHT), used when w/h are omitted.
DEFAULT_PANEL_WIDTH, DEFAULT_PANEL_HEIGHT = 24, 15

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


class TimeRange(Model):
    from_: str = Field(alias="from", description="Kibana date math, e.g. now-24h")
    to: str = "now"


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


class GridPosition(Model):
    x: int = Field(description="column of the left edge, 0..47")
    y: int = Field(description="row of the top edge, 0 at the top")


class PanelCommon(Model):
    """Keys every panel has. The position is ``at: {x, y}`` (not top-level x/y: in a Lens chart those are its
    axes); without ``at`` the panel flows after the previous one."""

    id: str | None = Field(default=None, description="panelIndex; derived from the dashboard id and title if unset")
    title: str | None = None
    description: str | None = None
    hide_title: bool = False
    time: TimeRange | None = Field(default=None, description="a time range of its own, instead of the dashboard's")
    at: GridPosition | None = Field(default=None, description="explicit grid position; default: flow like text")
    w: int = Field(default=DEFAULT_PANEL_WIDTH, description="width in grid columns (48 = full width)")
    h: int = Field(default=DEFAULT_PANEL_HEIGHT, description="height in grid rows")
    raw_config: dict[str, Any] = Field(
        default_factory=dict, description="embeddableConfig keys kept verbatim from an export (e.g. drilldowns)")


class LensPanel(PanelCommon, LensChart):
    """A by-value Lens chart (see kibana_sync.lens for the chart keys)."""


class SearchPanel(PanelCommon):
    """A saved search (Discover session) shown as a table, by reference."""

    search: Ref


class MarkdownPanel(PanelCommon):
    """Markdown text, stored by Kibana as a by-value legacy visualization of type markdown."""

    markdown: str
    font_size: int = Field(default=12, gt=0)
    open_links_in_new_tab: bool = False


class RawPanel(PanelCommon):
    """Any other panel kept verbatim (maps, links, legacy visualizations, by-reference panels, ...).

    ``raw`` is the panel as Kibana stores it, without ``gridData`` and ``panelIndex`` (those are id/at/w/h);
    ``references`` are the dashboard references the panel uses, with their full names.
    """

    raw: dict[str, Any]
    references: list[dict[str, str]] = Field(default_factory=list)


PANEL_KINDS: dict[str, type[PanelCommon]] = {
    "chart": LensPanel, "search": SearchPanel, "markdown": MarkdownPanel, "raw": RawPanel,
}


def _panel_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return next((cls.__name__ for key, cls in PANEL_KINDS.items() if key in value), None)
    return type(value).__name__


Panel = Annotated[
    Annotated[LensPanel, Tag("LensPanel")] | Annotated[SearchPanel, Tag("SearchPanel")]
    | Annotated[MarkdownPanel, Tag("MarkdownPanel")] | Annotated[RawPanel, Tag("RawPanel")],
    Discriminator(_panel_kind, custom_error_type="panel_kind",
                  custom_error_message=f"a panel needs exactly one of: {', '.join(PANEL_KINDS)}"),
]


class DashboardModel(Model):
    id: str | None = None
    title: str = Field(min_length=1)
    description: str = ""
    tags: list[str] = Field(default_factory=list, description="ids of tags in objects/tags/")
    time: TimeRange | None = Field(default=None, description="stored with the dashboard (Kibana's timeRestore)")
    refresh: Duration | RefreshInterval | None = Field(default=None, description="auto-refresh; needs `time`")
    data_view: Ref | None = Field(default=None, description="default data view for panels that name none")
    query: str = Field(default="", description="KQL query applied to every panel")
    query_language: Literal["kuery", "lucene"] = "kuery"
    filters: list[Filter] = Field(default_factory=list, description="filter pills: {field, is | is_one_of | "
                                  "exists | is_between, negate, disabled, label, data_view}, or a Kibana filter "
                                  "object kept verbatim")
    options: Options = Field(default_factory=Options)
    panels: list[Panel] = Field(default_factory=list)
    raw_attributes: dict[str, Any] = Field(
        default_factory=dict, description="attributes kept verbatim from an export; they win over the above")
    raw_references: list[dict[str, str]] = Field(
        default_factory=list, description="references kept verbatim from an export (e.g. for controls)")
