"""What differs between two objects, as field paths a person recognises.

Kibana's storage shape is not what a person wrote: dashboards keep panels in an embedded JSON string, Lens
panels are deep state trees, references are a list of name/type/id triples. So both sides are first shown the
way the person writes them: the kind's ``decompile`` gives the YAML form (compact Lens panels included), and
list items with a title (panels) are keyed by it. deepdiff then yields paths such as
``panel "Volume by symbol" › metric``. When the YAML form cannot show the difference (or an object has no
kind), a *presentable* form of the normalised object is diffed instead: embedded JSON decoded, panels keyed by
title, references keyed by name -- never an escaped JSON string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff
from deepdiff.helper import NotPresent

from kibana_sync.kibana.format import strip_server_fields
from kibana_sync.kibana.ownership import unmark_rule, unmark_saved_object
from kibana_sync.kinds.base import Kind
from kibana_sync.kinds.dashboard.model import DEFAULT_PANEL_HEIGHT, DEFAULT_PANEL_WIDTH

Segment = str | int


class _Missing:
    """Marks a side where the field does not exist (added or removed field)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldChange:
    path: tuple[Segment, ...]
    old: Any
    new: Any

    @property
    def what(self) -> str:
        if self.old is MISSING:
            return "added"
        if self.new is MISSING:
            return "removed"
        return "changed"

    @property
    def display_path(self) -> str:
        return " › ".join(f"[{s}]" if isinstance(s, int) else s for s in self.path)


def field_changes(kind: Kind | None, old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Every difference between two objects (live, desired) of one kind, ordered by path."""
    name = kind.name if kind else old.get("type", "")
    normalise = kind.normalise if kind else strip_server_fields
    old_tree, new_tree = presentable(name, normalise(old)), presentable(name, normalise(new))
    if kind is not None:
        old_view, new_view = user_view(kind, old), user_view(kind, new)
        _same_form_panels(old_view, new_view, old_tree, new_tree)
        changes = _diff(old_view, new_view)
        if changes:
            return changes
    return _diff(old_tree, new_tree)


def user_view(kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
    """The object as its YAML file says it, with titled list items (panels) keyed by title; {} when the kind
    cannot decompile it (the caller then falls back to the presentable form)."""
    # The ownership marker is kibana-sync's, not the person's: saved objects carry it as a tag reference,
    # rules as a tag (connectors carry none, so unmark_rule leaves them as they are).
    unmarked = unmark_saved_object(obj) if "attributes" in obj else unmark_rule(obj)
    try:
        data = kind.decompile(unmarked).data
    except Exception:  # a display aid must never stop a diff; the fallback shows the change
        return {}
    data = {k: v for k, v in decode_embedded(data).items() if k != "id"}
    if kind.name == "connector":
        # Kibana never returns secrets, so the live side's variable names are guesses; normalise ignores them.
        data.pop("secrets", None)
    if isinstance(data.get("panels"), list):
        panels = data.pop("panels")
        if kind.name == "dashboard":
            panels = [_with_default_size(p) for p in panels]
        by_label = _panels_by_label(panels)
        if kind.name == "dashboard":
            _with_stored_positions(by_label, obj)
        data.update(by_label)
    return data


def _with_stored_positions(panels: dict[str, Any], obj: dict[str, Any]) -> None:
    """Give every compact panel the position Kibana stores for it. The YAML leaves ``at`` out while panels flow,
    so one panel added or removed in Kibana would make every later panel read as moved (``at: removed``) when
    none did; with both sides placed explicitly only real moves show."""
    stored = decode_embedded((obj.get("attributes") or {}).get("panelsJSON"))
    if not isinstance(stored, list):
        return
    grids = {label: p.get("gridData") for label, p in _panels_by_label(stored).items() if isinstance(p, dict)}
    for label, panel in panels.items():
        grid = grids.get(label)
        if isinstance(panel, dict) and "raw" not in panel and isinstance(grid, dict) \
                and all(isinstance(grid.get(k), int) for k in ("x", "y", "w", "h")):
            panel.update(at={"x": grid["x"], "y": grid["y"]}, w=grid["w"], h=grid["h"])


def panel_summary(panel: Any) -> str:
    """A panel added or removed, in a few words: what it shows and where (not its whole configuration)."""
    if not isinstance(panel, dict):
        return json.dumps(panel, ensure_ascii=False)
    raw = panel.get("raw") if isinstance(panel.get("raw"), dict) else None
    if "chart" in panel:
        what = f"{panel['chart']} chart"
    elif "search" in panel:
        what = f"saved search {panel['search']}"
    elif "markdown" in panel:
        what = "markdown"
    elif raw is not None or "embeddableConfig" in panel:
        source = raw if raw is not None else panel
        what = f"{source.get('type') or source.get('embeddableType') or 'raw'} panel"
    else:
        what = "panel"
    grid = panel.get("gridData") if isinstance(panel.get("gridData"), dict) else {}
    at = panel.get("at") if isinstance(panel.get("at"), dict) else grid
    size = (panel.get("w") or grid.get("w"), panel.get("h") or grid.get("h"))
    where = f" at x={at.get('x')}, y={at.get('y')}" if at.get("x") is not None else ""
    return what + where + (f", {size[0]}×{size[1]}" if all(size) else "")


def _with_default_size(panel: Any) -> Any:
    """A compact panel with the size the YAML implies when it omits ``w``/``h``, so going from the default to
    another size reads ``h: 15 → 20``, not ``h: added 20``."""
    if not isinstance(panel, dict) or "raw" in panel:
        return panel
    return {"w": DEFAULT_PANEL_WIDTH, "h": DEFAULT_PANEL_HEIGHT, **panel}


def _same_form_panels(old_view: dict[str, Any], new_view: dict[str, Any], old_tree: dict[str, Any],
                      new_tree: dict[str, Any]) -> None:
    """A panel compact on one side and raw on the other (an edit the compact form cannot say) would diff as
    "every key removed, raw added"; compare that panel in its stored form on both sides instead."""
    for label in old_view.keys() & new_view.keys():
        a, b = old_view[label], new_view[label]
        if label.startswith("panel") and isinstance(a, dict) and isinstance(b, dict) \
                and ("raw" in a) != ("raw" in b) and label in old_tree and label in new_tree:
            old_view[label], new_view[label] = old_tree[label], new_tree[label]


def _diff(old_tree: Any, new_tree: Any) -> list[FieldChange]:
    if old_tree == new_tree:
        return []
    diff = DeepDiff(old_tree, new_tree, view="tree", verbose_level=2)
    changes: dict[tuple[Segment, ...], FieldChange] = {}
    for items in diff.values():
        for item in items:
            path = _atomic_path(old_tree, new_tree, tuple(item.path(output_format="list")))
            changes[path] = FieldChange(path, _value_at(old_tree, path), _value_at(new_tree, path))
    return [changes[p] for p in sorted(changes, key=lambda p: [str(s) for s in p])]


def presentable(kind_name: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The tree a person would recognise: what they wrote, not how Kibana stores it."""
    tree = decode_embedded(obj)
    if "attributes" in tree:  # a saved object: its attributes are the object, id/type are its identity
        refs = tree.get("references", [])
        tree = dict(tree["attributes"])
        if refs:
            tree["references"] = {r.get("name", str(i)): f'{r.get("type")}:{r.get("id")}' for i, r in enumerate(refs)}
    else:
        tree = {k: v for k, v in tree.items() if k != "id"}
    if kind_name == "dashboard" and isinstance(tree.get("panelsJSON"), list):
        panels = tree.pop("panelsJSON")
        tree.update(_panels_by_label(panels))
    return tree


def decode_embedded(value: Any) -> Any:
    """Decode JSON held in strings (panelsJSON, searchSourceJSON, esQuery, ...) at any depth, so no escaped
    JSON is ever shown to a person."""
    if isinstance(value, dict):
        return {k: decode_embedded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_embedded(v) for v in value]
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return decode_embedded(decoded) if isinstance(decoded, dict | list) else value
    return value


def object_title(type_: str, body: dict[str, Any]) -> str:
    """The title Kibana's UI shows for a saved object, rule or connector ("" when it has none): a data view
    shows its name (its title is the index pattern), everything else its title or name."""
    attrs = body.get("attributes")
    named = attrs if isinstance(attrs, dict) else body
    keys = ("name", "title") if type_ == "index-pattern" else ("title", "name")
    value = next((named[k] for k in keys if named.get(k)), "")
    return value if isinstance(value, str) else ""


def panel_label(panel: dict[str, Any]) -> str:
    config = panel.get("embeddableConfig") or {}
    title = panel.get("title") or config.get("title") or (config.get("attributes") or {}).get("title")
    index = panel.get("panelIndex") or panel.get("id")
    return f'panel "{title}"' if title else f"panel {index}"


def _panels_by_label(panels: list[Any]) -> dict[str, Any]:
    labels = [panel_label(p) if isinstance(p, dict) else f"panel [{i}]" for i, p in enumerate(panels)]
    out: dict[str, Any] = {}
    for i, (label, panel) in enumerate(zip(labels, panels, strict=True)):
        if labels.count(label) > 1 and isinstance(panel, dict):  # two panels with one title: add the index
            label = f"{label} ({panel.get('panelIndex') or panel.get('id') or i})"
        out[label] = panel
    return out


def _atomic_path(old: Any, new: Any, path: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """Cut the path at the first list of plain values: ``columns: [a, b] → [a, c]`` reads better than an index."""
    node_old, node_new = old, new
    for depth, segment in enumerate(path):
        if isinstance(segment, int) and _is_plain_list(node_old) and _is_plain_list(node_new):
            return path[:depth]
        node_old, node_new = _step(node_old, segment), _step(node_new, segment)
    return path


def _is_plain_list(value: Any) -> bool:
    return isinstance(value, list) and not any(isinstance(v, dict | list) for v in value) or value is MISSING


def _step(node: Any, segment: Segment) -> Any:
    if isinstance(node, dict) and segment in node:
        return node[segment]
    if isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
        return node[segment]
    return MISSING


def _value_at(tree: Any, path: tuple[Segment, ...]) -> Any:
    node = tree
    for segment in path:
        node = _step(node, segment)
        if node is MISSING or isinstance(node, NotPresent):
            return MISSING
    return node
