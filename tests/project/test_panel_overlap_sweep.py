"""The overlap check sweeps instead of comparing all pairs; it must report exactly what the pairwise check
reported: the same pairs, both panels named, in the same order, including boxes past the grid's edges."""

import random

from kibana_sync.kinds.dashboard import layout
from kibana_sync.kinds.dashboard.layout import Box, Placement, Point, geometry_problems, overlapping_pairs


def pairwise(boxes: list[Box]) -> list[tuple[int, int]]:
    """The check as it was: every box against every earlier one."""
    return [(i, j) for i, box in enumerate(boxes) if box.w > 0 and box.h > 0
            for j in range(i) if boxes[j].w > 0 and boxes[j].h > 0 and box.overlaps(boxes[j])]


def test_sweep_finds_the_same_pairs_as_the_pairwise_check():
    rnd = random.Random(10)
    for _ in range(3000):
        boxes = [Box(rnd.randint(-6, 56), rnd.randint(-3, 24), rnd.randint(-1, 30), rnd.randint(-1, 9))
                 for _ in range(rnd.randint(0, 40))]
        assert overlapping_pairs(boxes) == (pairwise(boxes), True), boxes


def test_overlap_messages_name_both_panels():
    panels = [Placement(None, 24, 8), Placement(None, 24, 8), Placement(Point(12, 4), 24, 8)]
    problems = geometry_problems(panels, ["1 ('a')", "2 ('b')", "3 ('c')"])
    assert [(p.panel, p.field, p.message) for p in problems] == [
        (2, "at", "panel 3 ('c') at x=12 y=4 w=24 h=8 overlaps panel 1 ('a') at x=0 y=0 w=24 h=8"),
        (2, "at", "panel 3 ('c') at x=12 y=4 w=24 h=8 overlaps panel 2 ('b') at x=24 y=0 w=24 h=8")]


def test_a_stack_of_panels_lists_a_bounded_number_of_pairs(monkeypatch):
    monkeypatch.setattr(layout, "MAX_OVERLAPS_LISTED", 10)
    panels = [Placement(Point(0, 0), 48, 2) for _ in range(5000)]
    problems = geometry_problems(panels, [str(i + 1) for i in range(5000)])
    assert len(problems) == 11
    assert problems[-1].message == "more than 10 pairs of panels overlap; only those above are listed"


def test_twenty_thousand_panels_report_exactly_their_overlaps():
    boxes = [Box(i % 4 * 12, i // 4 * 4, 12, 4) for i in range(20_000)]
    boxes[999] = boxes[998]
    boxes[15_001] = Box(6, boxes[15_000].y, 12, 6)
    pairs, complete = overlapping_pairs(boxes)
    assert complete
    assert pairs == [(999, 998), (15_001, 15_000), (15_004, 15_001), (15_005, 15_001)]
