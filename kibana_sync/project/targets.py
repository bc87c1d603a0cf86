"""Refuse, at validate and build, saved objects the target Kibana cannot read: attributes it does not know (say a
9.x Discover session's ``tabs`` kept in ``raw_attributes``), which would otherwise fail halfway through a push."""

from __future__ import annotations

from typing import Any

from kibana_sync.kibana.targets import DEFAULT_TARGET, TARGETS, Target, unreadable
from kibana_sync.source.diagnostics import Diagnostic


def unreadable_objects(project: Any, target: Target = TARGETS[DEFAULT_TARGET]) -> list[Diagnostic]:
    out = []
    for entry in project.entries:
        if entry.kind.saved_object_type is None:
            continue
        reasons = unreadable(project.compiled(entry), target)
        if reasons:
            out.append(entry.diagnostic(_where(entry.source.data), f"Kibana {target.kibana} cannot read what this "
                                                                    f"compiles to: {'; '.join(reasons)}"))
    return out


def _where(data: Any) -> tuple[str, ...]:
    # Kinds keep attributes they have no key for under raw_attributes: point there when there is one.
    return ("raw_attributes",) if isinstance(data, dict) and "raw_attributes" in data else ()
