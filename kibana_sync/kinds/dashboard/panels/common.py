"""What every panel type shares: the keys every panel has, what compiling needs from the dashboard, and the
interface a panel type implements (see ``registry`` for the list of types)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from kibana_sync.kinds.dashboard.panels.drilldowns import Drilldown
from kibana_sync.lens.columns import FieldType
from kibana_sync.source.model import Model, Ref

# Kibana's size for a panel added from the library (DEFAULT_PANEL_WIDTH/HEIGHT), used when w/h are omitted.
DEFAULT_PANEL_WIDTH, DEFAULT_PANEL_HEIGHT = 24, 15


class TimeRange(Model):
    from_: str = Field(alias="from", description="Kibana date math, e.g. now-24h")
    to: str = "now"


class GridPosition(Model):
    x: int = Field(description="column of the left edge, 0..47")
    y: int = Field(description="row of the top edge, 0 at the top")


class PanelCommon(Model):
    """Keys every panel has. The position is ``at: {x, y}`` (not top-level x/y: in a Lens chart those are its
    axes); without ``at`` the panel flows after the previous one."""

    # embeddableConfig keys the panel type writes itself: raw_config may not set them too
    content_config_keys: ClassVar[frozenset[str]] = frozenset()

    id: str | None = Field(default=None, description="panelIndex; derived from the dashboard id and title if unset")
    title: str | None = None
    description: str | None = None
    hide_title: bool | None = Field(default=None, description="hide the panel's title (Kibana's hidePanelTitles); "
                                    "false is written only when said")
    time: TimeRange | None = Field(default=None, description="a time range of its own, instead of the dashboard's")
    at: GridPosition | None = Field(default=None, description="explicit grid position; default: flow like text")
    w: int = Field(default=DEFAULT_PANEL_WIDTH, description="width in grid columns (48 = full width)")
    h: int = Field(default=DEFAULT_PANEL_HEIGHT, description="height in grid rows")
    version: str | None = Field(default=None, description="the Kibana version the stored panel records, kept "
                                "from an export (Kibana 8.11 writes none)")
    unset: list[Literal["enhancements", "embeddable_config"]] = Field(
        default_factory=list, description="what the stored panel lacks: enhancements (no empty "
                                          "embeddableConfig.enhancements, as before Kibana 7.10), "
                                          "embeddable_config (no embeddableConfig at all while it is empty)")
    drilldowns: list[Drilldown] = Field(
        default_factory=list, description="actions on a click: {to_dashboard: id, ...} or {url: template, ...}")
    raw_config: dict[str, Any] = Field(
        default_factory=dict, description="embeddableConfig keys kept verbatim from an export (e.g. map view state)")

    @model_validator(mode="after")
    def _raw_config_does_not_shadow_compact_keys(self) -> PanelCommon:
        compact = {"hidePanelTitles": self.hide_title is not None, "description": self.description is not None,
                   "timeRange": self.time is not None, "enhancements": bool(self.drilldowns),
                   **dict.fromkeys(self.content_config_keys, True)}
        clash = sorted(k for k in self.raw_config if compact.get(k))
        if clash:
            raise ValueError(f"raw_config sets {', '.join(clash)}, which this panel's own keys already write; "
                             f"remove {'it' if len(clash) == 1 else 'them'} from raw_config")
        return self


class ByValueVisPanel(PanelCommon):
    """A panel stored as a by-value legacy visualization (``embeddableConfig.savedVis``)."""

    # savedVis.id as the panel type writes it: "" or absent (None); Kibana has written both for by-value ones
    default_vis_id: ClassVar[str | None] = None

    vis_id: str | None = Field(default=None, description="savedVis.id, kept from an export only when it is not "
                                                         "what this panel type writes (null: no id at all)")

    def stored_vis_id(self) -> str | None:
        return self.vis_id if "vis_id" in self.model_fields_set else self.default_vis_id


@dataclass
class PanelContext:
    """What compiling a panel needs from its dashboard and project."""

    data_view_id: str | None  # the dashboard's default data view, resolved
    field_type_for: Callable[[str], FieldType]  # data view id -> its field types (None for unknown fields)
    resolve: Callable[[Any], str]  # Ref -> Kibana id


@dataclass
class PanelContent:
    """What a panel type compiles to: Kibana's panel type, its embeddableConfig content keys, top-level panel
    keys (e.g. panelRefName) and the references, already named ``<panelIndex>:...`` for the dashboard."""

    type: str
    config: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    references: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class PanelRef:
    """One place a panel points at another object (the dashboard turns these into RefUses)."""

    kind: str
    ref: Ref
    path: tuple[str | int, ...]


class PanelType:
    """One panel type. ``decompile`` is the inverse of ``compile`` on the normalised stored panel: it returns
    the type's own YAML keys, or None when this type cannot say the panel exactly."""

    key: ClassVar[str]  # the YAML key that names the type, e.g. "chart"
    model: ClassVar[type[PanelCommon]]
    # whether the panel's ``<panelIndex>:`` references are its content's (by value) or not its own (by reference)
    owns_panel_references: ClassVar[bool] = True

    def compile(self, panel: Any, panel_index: str, ctx: PanelContext) -> PanelContent:
        raise NotImplementedError

    def decompile(self, stored: dict[str, Any], normal: dict[str, Any],
                  own_refs: list[dict[str, str]]) -> dict[str, Any] | None:
        """``stored`` as Kibana stored it, ``normal`` after normalise_panel, ``own_refs`` the dashboard
        references prefixed with the panel's index (drilldowns' aside)."""
        raise NotImplementedError

    def normalise(self, panel: dict[str, Any], config: dict[str, Any]) -> None:
        """Kibana's load-time defaults for this type, applied in place (the panel's own keys, its config)."""

    def references(self, panel: Any) -> list[PanelRef]:
        return []


def prefixed(panel_index: str, refs: list[dict[str, str]]) -> list[dict[str, str]]:
    """A panel's references as the dashboard stores them: each name prefixed ``<panelIndex>:``."""
    return [{**r, "name": f"{panel_index}:{r['name']}"} for r in refs]


def unprefixed(panel_index: str, refs: list[dict[str, str]]) -> list[dict[str, str]]:
    prefix = f"{panel_index}:"
    return [{**r, "name": r["name"][len(prefix):]} for r in refs if r["name"].startswith(prefix)]
