"""Leave a YAML file alone when it already builds to the exported object, and change only what Kibana changed
when it does not.

Exporting into a repo that is in sync must not churn it: a person's comments, the data view field lists Kibana
does not store, and hand-chosen forms survive. "Builds to the same object" is judged the way ``diff`` judges
it, by the kind's ``normalise``. When Kibana did change the object, the file is patched value by value
(``patch_yaml``) and the patch is kept only if it builds to what Kibana holds; otherwise the file is rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kibana_sync.kinds.base import Entry, Kind
from kibana_sync.project.loader import Project, derived_id, load_project
from kibana_sync.source.yaml_reader import YAMLSourceError, parse_yaml
from kibana_sync.source.yaml_writer import patch_yaml, same_value


class ExistingObjects:
    """The objects folder as it was before the export, loaded on first use."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self._project: Project | None = None

    def entry_at(self, kind: Kind, path: Path) -> Entry | None:
        """The loaded object in the file at ``path``, when that file loads without errors."""
        if not path.is_file():
            return None
        project = self._load()
        entry = next((e for e in project.entries if e.source.path == str(path) and e.kind is kind), None)
        if entry is None or any(d.file == str(path) for d in project.diagnostics.errors):
            return None
        return entry

    def builds_to(self, kind: Kind, path: Path, kibana_form: dict[str, Any]) -> bool:
        """Whether the file at ``path`` compiles to what ``kibana_form`` (unmarked) normalises to."""
        entry = self.entry_at(kind, path)
        return entry is not None and self._same(kind, entry, kibana_form)

    def patched(self, kind: Kind, path: Path, data: dict[str, Any], kibana_form: dict[str, Any]) -> str | None:
        """The file's text with only the values that differ from ``data`` rewritten, when that text builds to
        ``kibana_form``; None when the file must be written whole."""
        entry = self.entry_at(kind, path)
        if entry is None or entry.source.text is None or not isinstance(entry.source.data, dict):
            return None
        old = entry.source.data
        wanted = self._kibana_changes_on(kind, entry, data)
        if "adopt" in old:  # about ownership in Kibana, never exported: the person's choice stays
            wanted["adopt"] = old["adopt"]
        if "id" not in old and wanted.get("id") == derived_id(path.relative_to(self.out_dir)):
            del wanted["id"]  # the id the file name gives is still right: no need to spell it out
        text = patch_yaml(entry.source.text, wanted)
        if text is None:
            return None
        try:
            source = parse_yaml(text, str(path))
            model = kind.model.model_validate({k: v for k, v in source.data.items() if k != "adopt"})
        except (YAMLSourceError, ValidationError, AttributeError):
            return None
        patched = Entry(kind=kind, id=entry.id, model=model, source=source, adopt=entry.adopt)
        return text if self._same(kind, patched, kibana_form) else None

    def _kibana_changes_on(self, kind: Kind, entry: Entry, data: dict[str, Any]) -> dict[str, Any]:
        """The file's data with what Kibana changed applied: the file compiled and decompiled again is what an
        export of the object as the file had it would write (``base``); the differences between that and ``data``
        are Kibana's changes, and they are made on the file's own data, so a person's forms (a default written
        out, a derived id left out) stay where Kibana changed nothing."""
        try:
            compiled = kind.compile(entry, self._load())
            base = kind.decompile({**compiled, "id": entry.id}).data
        except Exception:  # noqa: BLE001 - any failure only means the file is rewritten from ``data``
            return dict(data)
        base.setdefault("id", entry.id)
        merged = three_way(entry.source.data, base, data)
        return merged if isinstance(merged, dict) else dict(data)

    def _same(self, kind: Kind, entry: Entry, kibana_form: dict[str, Any]) -> bool:
        try:
            compiled = kind.compile(entry, self._load())
        except (ValueError, KeyError, TypeError, AttributeError):
            return False  # a file compile cannot handle is no reason to keep it: the export rewrites it
        # compile output carries no ownership marker (build adds it), and the exported form had it removed.
        return kind.normalise(compiled) == kind.normalise(kibana_form)

    def _load(self) -> Project:
        if self._project is None:
            self._project = load_project(self.out_dir)
        return self._project


def three_way(mine: Any, base: Any, theirs: Any) -> Any:
    """``mine`` with the changes from ``base`` to ``theirs`` made; where ``mine`` cannot take them by position,
    ``theirs`` wins (the result is checked against Kibana's object by the caller)."""
    if same_value(base, theirs):
        return mine
    if isinstance(mine, dict) and isinstance(base, dict) and isinstance(theirs, dict):
        out = dict(mine)
        for key in [*base, *(k for k in theirs if k not in base)]:
            if key not in theirs:
                out.pop(key, None)
            elif key not in base or key not in mine:
                out[key] = theirs[key]
            else:
                out[key] = three_way(mine[key], base[key], theirs[key])
        return out
    if isinstance(mine, list) and isinstance(base, list) and isinstance(theirs, list) and len(mine) == len(base):
        common = min(len(base), len(theirs))
        return [three_way(m, b, t) for m, b, t in zip(mine[:common], base[:common], theirs[:common], strict=True)] + \
            theirs[common:]
    return theirs
