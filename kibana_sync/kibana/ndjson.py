"""Read a Kibana saved-object NDJSON export (``_export`` output or a file saved from Stack Management).

Kibana's own import is all-or-nothing on a bad line; export reads what it can instead, so one broken object
does not cost the rest, and every problem names its line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MAX_DEPTH = 100  # Kibana's objects nest a few levels deep; the readers after this one recurse per level


@dataclass(frozen=True)
class NdjsonObject:
    line: int  # 1-based line number in the file
    obj: dict[str, Any]


@dataclass(frozen=True)
class NdjsonProblem:
    line: int
    message: str


@dataclass
class NdjsonExport:
    objects: list[NdjsonObject] = field(default_factory=list)
    details: dict[str, Any] | None = None  # Kibana's trailing export-details line, when present
    problems: list[NdjsonProblem] = field(default_factory=list)

    def detail_warnings(self) -> list[str]:
        """What the export-details line says Kibana left out of the file."""
        if not self.details:
            return []
        warnings = []
        missing = self.details.get("missingReferences") or []
        if missing:
            names = ", ".join(f"{m.get('type')} {m.get('id')!r}" for m in missing)
            warnings.append(f"Kibana could not find {len(missing)} referenced object(s) when exporting: {names}")
        excluded = self.details.get("excludedObjects") or []
        if excluded:
            names = ", ".join(f"{e.get('type')} {e.get('id')!r} ({e.get('reason', 'excluded')})" for e in excluded)
            warnings.append(f"Kibana excluded {len(excluded)} object(s) from the export: {names}")
        return warnings


def is_export_details(value: Any) -> bool:
    # Kibana's importer recognises the details line by this key alone (routes/utils.ts).
    return isinstance(value, dict) and "exportedCount" in value


def parse_ndjson(text: str) -> NdjsonExport:
    """Split an export into saved objects, the details line and per-line problems (bad JSON, not an object,
    no type/id, a repeated type/id)."""
    result = NdjsonExport()
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            value = json.loads(line)
            too_deep = _nested_deeper_than(value, line, MAX_DEPTH)
        except ValueError as exc:
            result.problems.append(NdjsonProblem(number, f"not valid JSON ({exc}): {_preview(line)}"))
            continue
        except RecursionError:  # deeper than the JSON decoder goes
            too_deep = True
        if too_deep:
            result.problems.append(NdjsonProblem(
                number, f"nested deeper than {MAX_DEPTH} levels: refused (limit on input): {_preview(line)}"))
            continue
        if is_export_details(value):
            result.details = value
            continue
        problem = _shape_problem(value)
        if problem:
            result.problems.append(NdjsonProblem(number, f"{problem}: {_preview(line)}"))
            continue
        key = (value["type"], value["id"])
        if key in seen:
            result.problems.append(NdjsonProblem(
                number, f"{key[0]} {key[1]!r} appears again (first on line {seen[key]}); the repeat is ignored"))
            continue
        seen[key] = number
        result.objects.append(NdjsonObject(number, value))
    return result


def _nested_deeper_than(value: Any, line: str, limit: int) -> bool:
    # Only a line with that many brackets can nest that deep: the walk is skipped for nearly every line.
    if line.count("[") + line.count("{") <= limit:
        return False
    level, depth = [value], 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [child for node in level
                 for child in (node.values() if isinstance(node, dict) else node if isinstance(node, list) else ())
                 if isinstance(child, dict | list)]
    return False


def _shape_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return f"expected a saved object (a JSON object), got a JSON {type(value).__name__}"
    missing = [k for k in ("type", "id") if not isinstance(value.get(k), str) or not value.get(k)]
    if missing:
        return f"saved object without {' and '.join(missing)}"
    if not isinstance(value.get("attributes", {}), dict):
        return "saved object whose attributes are not a JSON object"
    references = value.get("references", [])
    # Kibana's import schema: an array of {name, type, id}, all strings.
    if not isinstance(references, list) or not all(
            isinstance(r, dict) and all(isinstance(r.get(k), str) for k in ("name", "type", "id")) for r in references):
        return "saved object whose references are not a list of {name, type, id} strings"
    return None


def _preview(line: str, limit: int = 80) -> str:
    return line if len(line) <= limit else line[:limit] + "..."
