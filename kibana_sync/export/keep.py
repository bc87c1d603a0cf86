"""Leave a YAML file alone when it already builds to the exported object.

Exporting into a repo that is in sync must not churn it: a person's comments, the data view field lists Kibana
does not store, and hand-chosen forms survive. "Builds to the same object" is judged the way ``diff`` judges
it, by the kind's ``normalise``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kibana_sync.kinds.base import Kind
from kibana_sync.project.loader import Project, load_project


class ExistingObjects:
    """The objects folder as it was before the export, loaded on first use."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self._project: Project | None = None

    def builds_to(self, kind: Kind, path: Path, kibana_form: dict[str, Any]) -> bool:
        """Whether the file at ``path`` compiles to what ``kibana_form`` (unmarked) normalises to."""
        if not path.is_file():
            return False
        project = self._load()
        entry = next((e for e in project.entries if e.source.path == str(path) and e.kind is kind), None)
        if entry is None or any(d.file == str(path) for d in project.diagnostics.errors):
            return False
        try:
            compiled = kind.compile(entry, project)
        except (ValueError, KeyError, TypeError, AttributeError):
            return False  # a file compile cannot handle is no reason to keep it: the export rewrites it
        # compile output carries no ownership marker (build adds it), and the exported form had it removed.
        return kind.normalise(compiled) == kind.normalise(kibana_form)

    def _load(self) -> Project:
        if self._project is None:
            self._project = load_project(self.out_dir)
        return self._project
