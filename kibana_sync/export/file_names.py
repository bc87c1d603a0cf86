"""Where export writes each object: ``<out>/<kind folder>/<slug of the title>.yaml``, keeping the file an
object already has, and never overwriting a file that holds a different object."""

from __future__ import annotations

import itertools
import re
import unicodedata
from pathlib import Path

import yaml

from kibana_sync.kinds.base import Kind
from kibana_sync.project.loader import YAML_SUFFIXES, derived_id

# Only the id is needed from each existing file: libyaml's loader, when present, reads a big tree much faster.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def slugify(text: str, limit: int = 80) -> str:
    """A file name from a title: accents dropped, lower case, runs of anything else become one dash."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


class FileNamer:
    """Chooses file names for one export run. Existing files are indexed once, by the object they hold."""

    def __init__(self, out_dir: Path, kinds_by_folder: dict[str, Kind]):
        self.out_dir = out_dir
        self._holder: dict[Path, tuple[str, str | None]] = {}  # path -> (folder, id or None if unreadable)
        self._path_of: dict[tuple[str, str], Path] = {}  # (folder, id) -> existing path
        self._claimed: set[Path] = set()
        for folder in kinds_by_folder:
            root = out_dir / folder
            if root.is_dir():
                for path in sorted(p for p in root.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()):
                    id_ = _id_in_file(path, path.relative_to(out_dir))
                    self._holder[path] = (folder, id_)
                    if id_ is not None:
                        self._path_of.setdefault((folder, id_), path)

    def existing_keys(self) -> set[tuple[str, str]]:
        """(folder, id) of the objects already in the tree: references to them need not become external."""
        return {(folder, id_) for folder, id_ in self._holder.values() if id_ is not None}

    def claim(self, kind: Kind, id_: str, title: str) -> tuple[Path, str | None]:
        """The path for this object and, when a name was taken by another object's file, a message saying so."""
        existing = self._path_of.get((kind.folder, id_))
        if existing is not None and existing not in self._claimed:
            self._claimed.add(existing)
            return existing, None
        base = slugify(title) or slugify(id_) or kind.name
        taken_by_other: tuple[Path, tuple[str, str | None]] | None = None
        for n in itertools.count(1):
            path = self.out_dir / kind.folder / (f"{base}.yaml" if n == 1 else f"{base}-{n}.yaml")
            if path in self._claimed:  # another object of this export has it
                continue
            holder = self._holder.get(path)
            if holder is None or holder == (kind.folder, id_):
                self._claimed.add(path)
                if taken_by_other is None:
                    return path, None
                other_path, other = taken_by_other
                return path, f"{other_path} holds {_describe_holder(other)}; written to {path.name} instead"
            taken_by_other = taken_by_other or (path, holder)
        raise AssertionError("unreachable: itertools.count never ends")


def _id_in_file(path: Path, rel: Path) -> str | None:
    """The id ``load_project`` would give this file, or None when it cannot be read."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_FAST_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return None
    if not isinstance(data, dict):
        return None
    explicit = data.get("id")
    return explicit if isinstance(explicit, str) and explicit else derived_id(rel)


def _describe_holder(holder: tuple[str, str | None]) -> str:
    _, id_ = holder
    return f"another object (id {id_!r})" if id_ is not None else "a file that is not a readable object"
