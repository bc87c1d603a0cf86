"""Where each panel sits on Kibana's 48-column grid, and the geometry problems a person can make.

Panels without a position (``at``) flow like words in a line of text: left to right after the previous panel, wrapping to a
new row (below the tallest panel of the current row) when the next one would cross column 48. A panel with
an explicit position also moves that cursor, so the panels after it continue beside it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from heapq import heappop, heappush
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


@dataclass(frozen=True)
class Cursor:
    """Where the flow stands after a panel: the next free column, the row's top and the row's height so far."""
    x: int = 0
    y: int = 0
    row_height: int = 0

    def place(self, panel: Placed) -> tuple[Box, Cursor]:
        """The panel's box and the cursor after it: a panel is placed from the cursor alone, so a layout can be
        followed (or changed) one panel at a time."""
        if panel.at is not None:
            box = Box(panel.at.x, panel.at.y, panel.w, panel.h)
            return box, Cursor(box.x + box.w, box.y, box.h)
        x, y, row_height = self.x, self.y, self.row_height
        if x > 0 and x + panel.w > GRID_COLUMNS:
            x, y, row_height = 0, y + row_height, 0
        return Box(x, y, panel.w, panel.h), Cursor(x + panel.w, y, max(row_height, panel.h))


def layout(panels: Sequence[Placed]) -> list[Box]:
    """The grid box of every panel, in order."""
    boxes: list[Box] = []
    cursor = Cursor()
    for panel in panels:
        box, cursor = cursor.place(panel)
        boxes.append(box)
    return boxes


@dataclass(frozen=True)
class GeometryProblem:
    panel: int  # index of the panel the message is about
    field: str  # the key to point at
    message: str


# Kibana sets no limit on panels per dashboard; its import limit does (26,214,400 bytes,
# savedObjects.maxImportPayloadBytes): the smallest panel kibana-sync compiles takes over 260 bytes of panelsJSON, so
# a dashboard with more panels than this could never be imported. Refusing it first bounds every per-panel check.
MAX_PANELS = 100_000
# Overlapping pairs listed per dashboard. Past this many the layout is broken wholesale, and listing every pair
# of n stacked panels would be n*n/2 lines.
MAX_OVERLAPS_LISTED = 1_000
# Panels reaching past the grid's edges (each already an error) compared pairwise outside the 48 columns.
MAX_OFF_GRID_COMPARED = 500


def geometry_problems(panels: Sequence[Placed], names: list[str]) -> list[GeometryProblem]:
    """Sizes that are not positive, panels crossing the grid's edge, and overlapping panels (both named)."""
    if len(panels) > MAX_PANELS:
        return [GeometryProblem(MAX_PANELS, "w", f"a dashboard may have at most {MAX_PANELS} panels, this one has "
                                                 f"{len(panels)}: refused (limit on input; Kibana's 25 MB import "
                                                 "limit could not take them)")]
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
    pairs, complete = overlapping_pairs(boxes)
    for i, j in pairs:
        box, other = boxes[i], boxes[j]
        problems.append(GeometryProblem(
            i, "at" if panels[i].at is not None else "w",
            f"panel {names[i]} at x={box.x} y={box.y} w={box.w} h={box.h} overlaps panel {names[j]} "
            f"at x={other.x} y={other.y} w={other.w} h={other.h}"))
    if not complete:
        last = pairs[-1][0]
        problems.append(GeometryProblem(
            last, "at" if panels[last].at is not None else "w",
            f"more than {MAX_OVERLAPS_LISTED} pairs of panels overlap; only those above are listed"))
    return problems


def overlapping_pairs(boxes: Sequence[Box]) -> tuple[list[tuple[int, int]], bool]:
    """Every (later, earlier) pair of boxes with positive size that share a grid cell, sorted, and whether that is
    all of them (at most MAX_OVERLAPS_LISTED are returned).

    A sweep down the rows, per run of columns, instead of comparing all pairs: a box only meets the boxes of its
    columns still open at its top edge, so a dashboard of n panels costs n log n plus the overlaps found.
    """
    sized = [(i, b) for i, b in enumerate(boxes) if b.w > 0 and b.h > 0]
    if len(sized) < 2:
        return [], True
    # Column runs: the grid cut at every panel edge, so each box covers whole runs (at most 48 of them).
    edges = sorted({min(max(edge, 0), GRID_COLUMNS) for _, b in sized for edge in (b.x, b.x + b.w)})
    open_boxes: list[list[tuple[int, int]]] = [[] for _ in edges]  # per run: heap of (bottom edge, box index)
    found: set[tuple[int, int]] = set()
    for i, box in sorted(sized, key=lambda item: (item[1].y, item[0])):
        first = bisect_left(edges, min(max(box.x, 0), GRID_COLUMNS))
        last = bisect_left(edges, min(max(box.x + box.w, 0), GRID_COLUMNS))
        for run in open_boxes[first:last]:
            while run and run[0][0] <= box.y:
                heappop(run)
            for _, j in run:
                found.add((i, j) if i > j else (j, i))
            heappush(run, (box.y + box.h, i))
        if len(found) > MAX_OVERLAPS_LISTED:
            break
    # Outside the 48 columns there are no runs: the few boxes reaching there are compared directly.
    off_grid = [(i, b) for i, b in sized if b.x < 0 or b.x + b.w > GRID_COLUMNS][:MAX_OFF_GRID_COMPARED]
    for n, (i, box) in enumerate(off_grid):
        for j, other in off_grid[:n]:
            if box.overlaps(other):
                found.add((i, j))
    pairs = sorted(found)
    return pairs[:MAX_OVERLAPS_LISTED], len(pairs) <= MAX_OVERLAPS_LISTED
