"""Rendering a plan: field paths in the user's terms, text/JSON/Markdown, colour only when asked."""

from __future__ import annotations

import json
from pathlib import Path

from kibana_sync.kinds.registry import kind_named
from kibana_sync.project.build import compile_project
from kibana_sync.project.loader import load_project
from kibana_sync.sync.field_diff import MISSING, FieldChange, field_changes
from kibana_sync.sync.plan import Action, Change, Plan
from kibana_sync.sync.report import format_value, render_json, render_markdown, render_text


def lens_object(metric_field: str) -> dict:
    """A by-reference Lens object: no kind owns it, so its diff comes from the presentable fallback."""
    state = {"datasourceStates": {"formBased": {"layers": {"l1": {"columns": {"c1": {
        "operationType": "sum", "sourceField": metric_field}}}}}}}
    return {"type": "lens", "id": "v1", "attributes": {"title": "Volume", "state": json.dumps(state)},
            "references": [{"type": "index-pattern", "id": "genesis-logs",
                            "name": "indexpattern-datasource-layer-l1"}]}


def sample_plan() -> Plan:
    update = Change(Action.UPDATE, "saved_objects", "dashboard", "dashboard", "trading", "Trading Activity",
                    fields=[FieldChange(('panel "Volume by symbol"', "metric"), "count", "sum(data.quantity)"),
                            FieldChange(("description",), MISSING, "Orders and fills")])
    create = Change(Action.CREATE, "saved_objects", "search", "search", "failed-orders", "Failed orders")
    delete = Change(Action.DELETE, "rules", "rule", "rule", "old-rule", "Old rule")
    return Plan(changes=[update, create, delete], unchanged=4)


def test_values_print_on_one_line_without_escaped_json():
    assert format_value("sum(data.quantity)") == "sum(data.quantity)"
    assert format_value("two words") == '"two words"'
    assert format_value({"b": [1, 2], "a": None}) == '{"a": null, "b": [1, 2]}'
    assert format_value(MISSING) == "(absent)"
    assert format_value("x" * 500).endswith("…") and len(format_value("x" * 500)) == 120


def test_embedded_json_changes_show_the_decoded_field_path():
    (change,) = field_changes(None, lens_object("data.price"), lens_object("data.quantity"))
    assert change.path == ("state", "datasourceStates", "formBased", "layers", "l1", "columns", "c1",
                           "sourceField")
    assert (change.old, change.new) == ("data.price", "data.quantity")


def test_lists_of_plain_values_change_as_a_whole():
    old = {"type": "search", "id": "s", "attributes": {"columns": ["a", "b"]}, "references": []}
    new = {"type": "search", "id": "s", "attributes": {"columns": ["a", "c", "d"]}, "references": []}
    (change,) = field_changes(None, old, new)
    assert (change.path, change.old, change.new) == (("columns",), ["a", "b"], ["a", "c", "d"])


def test_references_are_named_not_indexed():
    old, new = lens_object("x"), lens_object("x")
    new["references"][0]["id"] = "other-logs"
    (change,) = field_changes(None, old, new)
    assert change.display_path == "references › indexpattern-datasource-layer-l1"
    assert (change.old, change.new) == ("index-pattern:genesis-logs", "index-pattern:other-logs")


def test_text_has_one_line_per_object_or_changed_field_then_a_summary():
    lines = render_text(sample_plan()).splitlines()
    assert lines == [
        '~  dashboard "Trading Activity" › panel "Volume by symbol" › metric: count → sum(data.quantity)',
        '~  dashboard "Trading Activity" › description: (default) → "Orders and fills"',
        '+  search "Failed orders" (failed-orders)',
        '-  rule "Old rule" (old-rule)',
        "Plan: 1 to create, 1 to update, 1 to delete; 4 unchanged.",
    ]


def test_colour_only_when_asked():
    assert "\x1b[" not in render_text(sample_plan(), color=False)
    assert "\x1b[32m+" in render_text(sample_plan(), color=True)


def test_in_sync_plan_says_so():
    assert render_text(Plan(unchanged=7)) == "In sync: 7 object(s) unchanged."
    assert "✅ In sync" in render_markdown(Plan(unchanged=7))
    assert json.loads(render_json(Plan(unchanged=7)))["in_sync"] is True


def test_markdown_is_a_pr_comment_with_a_diff_block():
    text = render_markdown(sample_plan(), target="space `prod`")
    assert text.startswith("### kibana-sync plan for space `prod`")
    assert "**Plan: 1 to create, 1 to update, 1 to delete; 4 unchanged.**" in text
    block = text.split("```diff\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0] == '! dashboard "Trading Activity" › panel "Volume by symbol" › metric: count → sum(data.quantity)'
    assert block[2:] == ['+ search "Failed orders" (failed-orders)', '- rule "Old rule" (old-rule)']


def test_json_carries_paths_and_values_for_tools():
    doc = json.loads(render_json(sample_plan(), target={"space": "prod"}))
    assert doc["summary"] == {"create": 1, "update": 1, "recreate": 0, "delete": 1, "unchanged": 4}
    fields = doc["changes"][0]["fields"]
    assert fields[0]["path"] == ['panel "Volume by symbol"', "metric"]
    assert (fields[0]["old"], fields[0]["new"]) == ("count", "sum(data.quantity)")
    assert "old" not in fields[1] and fields[1]["change"] == "added"
    assert doc["target"] == {"space": "prod"} and doc["in_sync"] is False


def test_markdown_stays_within_a_github_comment():
    many = [Change(Action.CREATE, "saved_objects", "search", "search", f"s{i}", "x" * 100) for i in range(2000)]
    text = render_markdown(Plan(changes=many))
    assert len(text) < 65_536
    assert "more line(s): run `kibana-sync diff` for the whole plan" in text
    assert "**Plan: 2000 to create, 0 to update, 0 to delete; 0 unchanged.**" in text


def compiled_dashboard(root: Path, panel: str) -> dict:
    (root / "dashboards").mkdir(parents=True)
    (root / "dashboards" / "ops.yaml").write_text(f"id: ops\ntitle: Ops\npanels:\n  - {panel}\n")
    project = load_project(root)
    assert project.ok, [str(d) for d in project.diagnostics.items]
    return next(o for o in compile_project(project).saved_objects if o["type"] == "dashboard")


def test_a_size_changed_from_the_default_shows_the_default_as_the_old_value(tmp_path: Path):
    before = compiled_dashboard(tmp_path / "a", "{title: Notes, markdown: hi}")
    after = compiled_dashboard(tmp_path / "b", "{title: Notes, markdown: hi, h: 20}")
    change = Change(Action.UPDATE, "saved_objects", "dashboard", "dashboard", "ops", "Ops",
                    fields=field_changes(kind_named("dashboard"), before, after))
    assert render_text(Plan(changes=[change])).splitlines()[0] == '~  dashboard "Ops" › panel "Notes" › h: 15 → 20'
    back = field_changes(kind_named("dashboard"), after, before)
    assert [(f.path[-1], f.old, f.new) for f in back] == [("h", 20, 15)]


def test_a_value_set_to_or_from_its_default_says_so_and_whole_structures_stay_added_or_removed():
    """The YAML form omits default values, so a field that disappears went back to Kibana's default."""
    rule = Change(Action.UPDATE, "rules", "rule", "rule", "tilt", "Critical tilt",
                  fields=[FieldChange(("exclude_hits_from_previous_run",), False, MISSING),
                          FieldChange(("config", "method"), MISSING, "put"),
                          FieldChange(('panel "New"',), MISSING, {"chart": "metric"})])
    lines = render_text(Plan(changes=[rule])).splitlines()
    assert lines[:3] == [
        '~  rule "Critical tilt" › exclude_hits_from_previous_run: false → (default)',
        '~  rule "Critical tilt" › config › method: (default) → put',
        '~  rule "Critical tilt" › panel "New": added (metric chart)',
    ]


def test_markdown_lists_errors_apart_from_the_changes():
    error = Change(Action.CREATE, "saved_objects", "data_view", "index-pattern", "logs", "Logs",
                   error="id already used in another space")
    update = Change(Action.UPDATE, "rules", "rule", "rule", "tilt", "Critical tilt",
                    fields=[FieldChange(("window",), "5m", "10m")])
    text = render_markdown(Plan(changes=[error, update]))
    listed, diff_block = text.split("```diff")
    assert "**Cannot be written**" in listed and "- data view" in listed and "id already used" in listed
    assert "id already used" not in diff_block
    assert '! rule "Critical tilt" › window: 5m → 10m' in diff_block
    assert "1 error(s) (listed above)" in listed
