"""Where each panel sits on Kibana's 48-column grid, and the geometry problems a person can make.

Panels without a position (``at``) flow like words in a line of text: left to right after the previous panel, wrapping to a
new row (below the tallest panel of the current row) when the next one would cross column 48. A panel with
an explicit position also moves that cursor, so the panels after it continue beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from kibana_sync.kinds.dashboard.model import GRID_COLUMNS


class Position(Protocol):
    x: int
    y: int


class Placed(Protocol):
    """What layout needs of a panel (a PanelCommon, or a Placement while exporting)."""

    at: Position | None
    w: int
    h: int


@dataclass(frozen=True)
class Point:
    x: int
    y: int


@dataclass
class Placement:
    at: Point | None
    w: int
    h: int


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)


def layout(panels: Sequence[Placed]) -> list[Box]:
    """The grid box of every panel, in order."""
    boxes: list[Box] = []
    x = y = row_height = 0
    for panel in panels:
        if panel.at is not None:
            box = Box(panel.at.x, panel.at.y, panel.w, panel.h)
            x, y, row_height = box.x + box.w, box.y, box.h
        else:
            if x > 0 and x + panel.w > GRID_COLUMNS:
                x, y, row_height = 0, y + row_height, 0
            box = Box(x, y, panel.w, panel.h)
            x, row_height = x + panel.w, max(row_height, panel.h)
        boxes.append(box)
    return boxes


@dataclass(frozen=True)
class GeometryProblem:
    panel: int  # index of the panel the message is about
    field: str  # the key to point at
    message: str


def geometry_problems(panels: Sequence[Placed], names: list[str]) -> list[GeometryProblem]:
    """Sizes that are not positive, panels crossing the grid's edge, and overlapping panels (both named)."""
    boxes = layout(panels)
    problems: list[GeometryProblem] = []
    for i, (panel, box) in enumerate(zip(panels, boxes, strict=True)):
        for key, value in (("w", box.w), ("h", box.h)):
            if value <= 0:
                problems.append(GeometryProblem(i, key, f"must be a positive number of grid units, got {value}"))
        if box.x < 0 or box.y < 0:
            problems.append(GeometryProblem(i, "at", "x and y must not be negative"))
        if box.w > GRID_COLUMNS:
            problems.append(GeometryProblem(i, "w", f"is {box.w}, wider than the {GRID_COLUMNS}-column grid"))
        elif box.x + box.w > GRID_COLUMNS and box.x >= 0:
            problems.append(GeometryProblem(
                i, "at" if panel.at is not None else "w",
                f"panel spans columns {box.x}..{box.x + box.w}, past the grid's {GRID_COLUMNS} columns"))
    for i, box in enumerate(boxes):
        if box.w <= 0 or box.h <= 0:
            continue
        for j in range(i):
            other = boxes[j]
            if other.w > 0 and other.h > 0 and box.overlaps(other):
                problems.append(GeometryProblem(
                    i, "at" if panels[i].at is not None else "w",
                    f"panel {names[i]} at x={box.x} y={box.y} w={box.w} h={box.h} overlaps panel {names[j]} "
                    f"at x={other.x} y={other.y} w={other.w} h={other.h}"))
    return problems
