"""The panel types a dashboard can hold, in the order export tries them (the first that says a stored panel
exactly wins; ``raw`` is the fallback). A new panel type is one module plus one line here."""

from __future__ import annotations

import functools
import operator
from typing import Annotated, Any

from pydantic import Discriminator, Tag

from kibana_sync.kinds.dashboard.panels.common import PanelCommon, PanelType
from kibana_sync.kinds.dashboard.panels.legacy_vis import SavedVisType
from kibana_sync.kinds.dashboard.panels.lens_chart import LensChartType
from kibana_sync.kinds.dashboard.panels.library import LibraryType
from kibana_sync.kinds.dashboard.panels.map_value import MapValueType
from kibana_sync.kinds.dashboard.panels.markdown import MarkdownType
from kibana_sync.kinds.dashboard.panels.raw import RawPanel
from kibana_sync.kinds.dashboard.panels.visualization_value import VisualizationValueType

PANEL_TYPES: tuple[PanelType, ...] = (
    LensChartType(),
    LibraryType("search"),
    MarkdownType(),
    VisualizationValueType(),
    SavedVisType(),
    MapValueType(),
    LibraryType("visualization"),
    LibraryType("lens"),
    LibraryType("map"),
    LibraryType("links"),
)

# The YAML key naming each panel type -> its model; ``raw`` last.
PANEL_KINDS: dict[str, type[PanelCommon]] = {**{t.key: t.model for t in PANEL_TYPES}, "raw": RawPanel}
_TYPE_OF_MODEL = {t.model: t for t in PANEL_TYPES}


def panel_type(panel: PanelCommon) -> PanelType | None:
    """The type of a validated panel; None for a raw one."""
    return _TYPE_OF_MODEL.get(type(panel))


def _panel_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return next((key for key in PANEL_KINDS if key in value), None)
    return next((key for key, model in PANEL_KINDS.items() if type(value) is model), None)


Panel = Annotated[
    functools.reduce(operator.or_, (Annotated[model, Tag(key)] for key, model in PANEL_KINDS.items())),
    Discriminator(_panel_kind, custom_error_type="panel_kind",
                  custom_error_message=f"a panel needs exactly one of: {', '.join(PANEL_KINDS)}"),
]
