"""A plan as text (terminal), JSON (tools) or Markdown (a pull-request comment).

Every format says the same thing: one ``+``/``~``/``-``/``-+`` line per object (per changed field for
updates), then a summary line.
"""

from __future__ import annotations

import json
import re
from typing import Any

import click

from kibana_sync.sync.change import Action, Change
from kibana_sync.sync.field_diff import MISSING, FieldChange, panel_summary
from kibana_sync.sync.plan import Kept, Plan, Unmanaged

MAX_FIELDS_PER_OBJECT = 25  # past this a field list stops helping; the rest is counted
MAX_VALUE_CHARS = 120
MAX_MARKDOWN_CHARS = 60_000  # GitHub rejects comments over 65,536 characters
_PLAIN = re.compile(r"^[\w.@*()/:+-]+$")
_COLOURS = {"+": "green", "~": "yellow", "-": "red", "-+": "magenta", "!": "red", "=": "cyan", "?": "blue"}
MAX_UNMANAGED_LINES = 50  # a space full of hand-made objects lists the first ones and counts the rest
EXPORT_HINT = "bring them into the repo with `kibana-sync export --all` (or --id ID), or delete them in Kibana"


def format_value(value: Any) -> str:
    """A value on one line: bare words plain, other strings quoted, structures as compact JSON."""
    if value is MISSING:
        return "(absent)"
    if isinstance(value, str):
        text = value if _PLAIN.match(value) else json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"


def field_line(change: Change, field: FieldChange) -> str:
    where = f"{change.label} › {field.display_path}"
    if len(field.path) == 1 and str(field.path[0]).startswith("panel") and field.what != "changed":
        panel = field.new if field.what == "added" else field.old
        return f"{where}: {field.what} ({panel_summary(panel)})"
    # The YAML form leaves out values equal to Kibana's defaults, so a scalar that appears or disappears is a
    # change from or to the default: "true → (default)" says what push writes, "removed (was true)" would not.
    if field.what == "added":
        if _is_scalar(field.new):
            return f"{where}: (default) → {format_value(field.new)}"
        return f"{where}: added {format_value(field.new)}"
    if field.what == "removed":
        if _is_scalar(field.old):
            return f"{where}: {format_value(field.old)} → (default)"
        return f"{where}: removed (was {format_value(field.old)})"
    return f"{where}: {format_value(field.old)} → {format_value(field.new)}"


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def change_lines(change: Change) -> list[tuple[str, str]]:
    """(sign, text) pairs for one object: one pair per changed field for updates."""
    if change.error:
        return [(change.sign, f"{change.label} ({change.id}): {change.error}")]
    if change.conflict:
        return [(change.sign, f"{change.label} ({change.id}): conflict: {change.conflict}")]
    if change.action in (Action.CREATE, Action.DELETE) or not change.fields:
        text = f"{change.label} ({change.id})"
        if change.note:
            text += f": {change.note}"
        return [(change.sign, text)]
    lines = [(change.sign, field_line(change, f)) for f in change.fields[:MAX_FIELDS_PER_OBJECT]]
    hidden = len(change.fields) - MAX_FIELDS_PER_OBJECT
    if hidden > 0:
        lines.append((change.sign, f"{change.label} › … and {hidden} more field(s)"))
    if change.note:
        lines.insert(0, (change.sign, f"{change.label} ({change.id}): {change.note}"))
    return lines


def kept_line(kept: Kept) -> tuple[str, str]:
    users = ", ".join(f'{u.kind.replace("_", " ")} "{u.title}" ({u.id})' for u in kept.users)
    return ("=", f"{kept.change.label} ({kept.change.id}): not deleted: still used by {users}, "
                 "made without kibana-sync")


NOT_MANAGED_NOTE = "unchanged, not managed (made without kibana-sync; `--adopt` takes it over)"


def not_managed_line(change: Change) -> tuple[str, str]:
    return ("=", f"{change.label} ({change.id}): {NOT_MANAGED_NOTE}")


def unmanaged_lines(unmanaged: list[Unmanaged]) -> list[tuple[str, str]]:
    if not unmanaged:
        return []
    lines = [("?", f'{u.kind.replace("_", " ")} "{u.title}" ({u.id})') for u in unmanaged[:MAX_UNMANAGED_LINES]]
    if len(unmanaged) > MAX_UNMANAGED_LINES:
        lines.append(("?", f"… and {len(unmanaged) - MAX_UNMANAGED_LINES} more"))
    heading = (f"In Kibana but not in the repo (made by hand): {len(unmanaged)} object(s); {EXPORT_HINT}.")
    return [("", heading), *lines]


def summary_line(plan: Plan, errors_marked: str = " (marked !)") -> str:
    s = plan.summary()
    if not plan.has_changes:
        line = f"In sync: {s['unchanged']} object(s) unchanged."
    else:
        parts = [f"{s['create']} to create", f"{s['update']} to update"]
        if s["recreate"]:
            parts.append(f"{s['recreate']} to recreate")
        parts.append(f"{s['delete']} to delete")
        line = f"Plan: {', '.join(parts)}; {s['unchanged']} unchanged."
    if s.get("error"):
        line += f" {s['error']} error(s){errors_marked}: push writes nothing until they are fixed."
    if s.get("conflict"):
        line += (f" {s['conflict']} conflict(s){errors_marked}: objects made without kibana-sync that push will "
                 "not overwrite (push --adopt takes them over).")
    if s.get("not_managed"):
        line += (f" {s['not_managed']} of them made without kibana-sync (not managed; `--adopt` takes "
                 "them over).")
    if plan.refusals:
        line += " Prune refused: " + " ".join(plan.refusals) + "."
    if s.get("stale"):
        # Without this, "In sync" would read as "Kibana matches git" while objects removed from git live on.
        line += (f" {s['stale']} managed objects have no YAML any more; --prune deletes them."
                 if s["stale"] > 1 else " 1 managed object has no YAML any more; --prune deletes it.")
    return line


def plan_lines(plan: Plan) -> list[tuple[str, str]]:
    """Every (sign, text) line of a plan before its summary: changes, kept objects, hand-made objects."""
    lines = [pair for change in plan.changes for pair in change_lines(change)]
    lines.extend(not_managed_line(c) for c in plan.not_managed)
    lines.extend(kept_line(k) for k in plan.kept)
    lines.extend(unmanaged_lines(plan.unmanaged))
    return lines


def render_text(plan: Plan, *, color: bool = False) -> str:
    out = []
    for sign, text in plan_lines(plan):
        line = f"{sign:<2} {text}" if sign else text
        out.append(click.style(line, fg=_COLOURS[sign]) if color and sign else line)
    out.append(summary_line(plan))
    return "\n".join(out)


def plan_document(plan: Plan, *, target: dict[str, Any] | None = None) -> dict[str, Any]:
    """The plan as the JSON output's mapping; ``push`` adds its results to it."""
    return {
        "target": target or {},
        "in_sync": not plan.has_changes,
        "summary": plan.summary(),
        "changes": [_change_json(c) for c in plan.changes],
        "kept": [{**_change_json(k.change), "used_by": [_unmanaged_json(u) for u in k.users]} for k in plan.kept],
        "unmanaged": [_unmanaged_json(u) for u in plan.unmanaged],
        "not_managed": [{**_change_json(c), "note": NOT_MANAGED_NOTE} for c in plan.not_managed],
        "refusals": plan.refusals,
    }


def _unmanaged_json(u: Unmanaged) -> dict[str, str]:
    return {"kind": u.kind, "type": u.type, "id": u.id, "title": u.title}


def render_json(plan: Plan, *, target: dict[str, Any] | None = None) -> str:
    return dump_json(plan_document(plan, target=target))


def dump_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str)


def _change_json(change: Change) -> dict[str, Any]:
    out: dict[str, Any] = {"action": change.action.value, "sign": change.sign, "kind": change.kind,
                           "type": change.type, "id": change.id, "title": change.title}
    if change.note:
        out["note"] = change.note
    if change.error:
        out["error"] = change.error
    if change.conflict:
        out["conflict"] = change.conflict
    if change.adopted:
        out["adopted"] = True
    if change.fields:
        out["fields"] = [_field_json(change, f) for f in change.fields]
    return out


def _field_json(change: Change, field: FieldChange) -> dict[str, Any]:
    out: dict[str, Any] = {"path": list(field.path), "change": field.what, "line": field_line(change, field)}
    if field.old is not MISSING:
        out["old"] = field.old
    if field.new is not MISSING:
        out["new"] = field.new
    return out


def render_markdown(plan: Plan, *, target: str = "") -> str:
    """For a pull-request comment: a heading, the summary, and the plan in a ``diff`` block GitHub colours."""
    heading = "### kibana-sync plan" + (f" for {target}" if target else "")
    extra = [f"- {text}" for sign, text in [*map(not_managed_line, plan.not_managed), *map(kept_line, plan.kept),
                                             *unmanaged_lines(plan.unmanaged)] if sign]
    extra_md = ""
    if extra:
        extra_md = ("\n\n**Left alone** (made without kibana-sync, not in the repo, or still used by objects made by "
                    "hand):\n"
                    + "\n".join(extra))
    if not plan.has_changes:
        return f"{heading}\n\n✅ {summary_line(plan)}{extra_md}\n"
    # Errors go in a list of their own: in a diff block GitHub has no colour for them that is not a change's.
    errors = [f"- {text}" for change in plan.changes if change.error or change.conflict
              for _, text in change_lines(change)]
    if errors:
        heading += "\n\n**Cannot be written** (push writes nothing until these are fixed):\n" + "\n".join(errors)
    heading += extra_md
    body = [f"{_md_sign(sign)} {text}" for change in plan.changes if not (change.error or change.conflict)
            for sign, text in change_lines(change)]
    size, kept = 0, 0
    for line in body:
        size += len(line) + 1
        if size > MAX_MARKDOWN_CHARS:
            break
        kept += 1
    fence = "```"
    more = [f"… {len(body) - kept} more line(s): run `kibana-sync diff` for the whole plan"] if kept < len(body) else []
    return "\n".join([heading, "", f"**{summary_line(plan, errors_marked=' (listed above)')}**", "", f"{fence}diff", *body[:kept], fence, *more,
                      ""])


def _md_sign(sign: str) -> str:
    # GitHub's diff highlighting knows "+", "-" and "!" (changed); "-+" would read as a deletion.
    return {"~": "!", "-+": "!"}.get(sign, sign) + (" recreate" if sign == "-+" else "")
