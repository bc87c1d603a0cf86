"""Any other panel, kept verbatim: ``raw`` is the panel as Kibana stores it without ``gridData`` and
``panelIndex`` (those are id/at/w/h), ``references`` the dashboard references it uses, with their full names."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kibana_sync.kinds.dashboard.panels.common import PanelCommon


class RawPanel(PanelCommon):
    """Any other panel kept verbatim (a type this tool does not know, 6.x layouts, ...)."""

    raw: dict[str, Any]
    references: list[dict[str, str]] = Field(default_factory=list)
