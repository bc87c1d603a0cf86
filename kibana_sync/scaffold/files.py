"""Which scaffold file goes where in the new repository.

The templates live under ``files/`` without leading dots (``github/``, ``pre-commit-config.yaml``): hidden names
are easy to miss in package-data globs and in a listing of the package, so the dot is added on the way out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).parent / "files"
# template path (relative to TEMPLATES) -> path in the new repository, for names that differ
_RENAMED = {
    "github": ".github",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "gitignore": ".gitignore",
}


@dataclass(frozen=True)
class ScaffoldFile:
    template: Path  # absolute path of the template
    target: Path  # path relative to the new repository's root


def scaffold_files() -> list[ScaffoldFile]:
    """Every file ``init`` writes, in a stable order."""
    return sorted(_walk(), key=lambda f: f.target.as_posix())


def _walk() -> Iterator[ScaffoldFile]:
    for template in TEMPLATES.rglob("*"):
        if not template.is_file() or template.name.endswith((".pyc", ".pyo")):
            continue
        parts = template.relative_to(TEMPLATES).parts
        yield ScaffoldFile(template, Path(_RENAMED.get(parts[0], parts[0]), *parts[1:]))
