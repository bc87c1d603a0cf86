"""patch_yaml: re-export rewrites only the values that changed, leaving the rest of a person's text alone."""

from __future__ import annotations

import copy

import yaml

from kibana_sync.export.keep import three_way
from kibana_sync.source.yaml_writer import patch_yaml

TEXT = """\
# Team dashboard: why it exists
title: Orders   # shown in the list
tags: [ops, orders]
panels:
  - title: Failed orders  # the one people look at
    w: 24
  - title: Notes
    text: |
      first line
      second line
options: {sync_cursor: true}
"""


def patched(change) -> str:
    data = yaml.safe_load(TEXT)
    change(data)
    out = patch_yaml(TEXT, data)
    assert out is not None and yaml.safe_load(out) == data
    return out


def changed_lines(out: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(TEXT.splitlines(), out.splitlines(), strict=False) if a != b]


def test_unchanged_data_leaves_the_text_as_it_is() -> None:
    assert patch_yaml(TEXT, yaml.safe_load(TEXT)) == TEXT


def test_one_changed_scalar_changes_one_line_and_keeps_its_comment() -> None:
    out = patched(lambda d: d["panels"][0].update(title="Rejected orders"))
    assert changed_lines(out) == [("  - title: Failed orders  # the one people look at",
                                   "  - title: Rejected orders  # the one people look at")]


def test_a_value_that_would_read_back_as_another_type_is_quoted() -> None:
    out = patched(lambda d: d.update(title="yes"))
    assert changed_lines(out) == [("title: Orders   # shown in the list", "title: 'yes'   # shown in the list")]


def test_flow_style_stays_flow_and_block_text_stays_a_block() -> None:
    out = patched(lambda d: (d.update(tags=["ops"]), d["panels"][1].update(text="one\ntwo\nthree\n")))
    assert "tags: [ops]\n" in out
    assert "    text: |\n      one\n      two\n      three\n" in out
    assert out.startswith("# Team dashboard: why it exists\n")


def test_keys_added_and_removed_touch_only_their_lines() -> None:
    def change(d):
        del d["panels"][0]["w"]
        d["panels"][0]["h"] = 10
        d["description"] = "new"

    out = patched(change)
    assert "    w: 24\n" not in out and "    h: 10\n" in out and out.endswith("description: new\n")
    assert "# the one people look at" in out and "# shown in the list" in out


def test_items_appended_or_dropped_at_the_end_leave_the_others_alone() -> None:
    out = patched(lambda d: d["panels"].append({"title": "Third"}))
    assert "  - title: Third\n" in out and "# the one people look at" in out
    out = patched(lambda d: d["panels"].pop())
    assert "Notes" not in out and "# the one people look at" in out


def test_three_way_applies_kibanas_changes_to_the_persons_forms() -> None:
    mine = {"title": "A", "panels": [{"title": "x", "w": 24}], "hand": 1}  # w: 24 is the default, written out
    base = {"title": "A", "panels": [{"title": "x"}], "hand": 1}
    theirs = copy.deepcopy(base)
    theirs["panels"][0]["title"] = "y"
    theirs["panels"][0]["id"] = "p1"
    assert three_way(mine, base, theirs) == {"title": "A", "panels": [{"title": "y", "w": 24, "id": "p1"}], "hand": 1}
    assert three_way(mine, base, base) is mine
