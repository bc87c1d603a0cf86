"""What a chart family is: its compile side (compact chart -> ``state.visualization``) and its read side
(normalised Lens attributes -> compact keys), kept in one module per family so the two stay inverses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kibana_sync.lens.config import LensChart
from kibana_sync.lens.reading import ChartReader

# chart, data layer id, {chart key: bucket column id}, {chart key: metric column id} -> state.visualization
Build = Callable[[LensChart, str, dict[str, str], dict[str, str]], dict[str, Any]]
# reader over normalised attributes, the compact mapping to fill in
Read = Callable[[ChartReader, dict[str, Any]], None]


@dataclass(frozen=True)
class ChartFamily:
    visualization_type: str  # Lens's visualizationType, e.g. lnsXY
    charts: tuple[str, ...]  # the `chart:` values it serves
    build: Build
    read: Read


def single_layer(chart: LensChart, layer_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """The visualization of a family whose state is one flat data layer (metric, table, gauge, ...)."""
    return {"layerId": layer_id, "layerType": "data", **body, **chart.raw_layer}
