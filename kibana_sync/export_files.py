"""Where export writes each object: ``<out>/<kind folder>/<slug of the title>.yaml``, keeping the file an
object already has, and never overwriting a file that holds a different object."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from kibana_sync.kinds.base import Kind
from kibana_sync.project import YAML_SUFFIXES, derived_id


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

    def existing_ids(self) -> set[str]:
        """Ids of the objects already in the tree: references to them need not become external."""
        return {id_ for _, id_ in self._holder.values() if id_ is not None}

    def claim(self, kind: Kind, id_: str, title: str) -> tuple[Path, str | None]:
        """The path for this object and, when a name was taken by another object's file, a message saying so."""
        existing = self._path_of.get((kind.folder, id_))
        if existing is not None and existing not in self._claimed:
            self._claimed.add(existing)
            return existing, None
        base = slugify(title) or slugify(id_) or kind.name
        clash = None
        for n in range(1, 10_000):
            path = self.out_dir / kind.folder / (f"{base}.yaml" if n == 1 else f"{base}-{n}.yaml")
            holder = self._holder.get(path)
            if path in self._claimed or holder is not None and holder != (kind.folder, id_):
                if holder is not None and path not in self._claimed and clash is None:
                    clash = f"{path} holds {_describe_holder(holder)}; written to another file instead"
                continue
            self._claimed.add(path)
            return path, (f"{clash} ({path.name})" if clash else None)
        raise RuntimeError(f"no free file name for {base!r} in {self.out_dir / kind.folder}")


def _id_in_file(path: Path, rel: Path) -> str | None:
    """The id ``load_project`` would give this file, or None when it cannot be read."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return None
    if not isinstance(data, dict):
        return None
    explicit = data.get("id")
    return explicit if isinstance(explicit, str) and explicit else derived_id(rel)


def _describe_holder(holder: tuple[str, str | None]) -> str:
    folder, id_ = holder
    return f"another object (id {id_!r})" if id_ is not None else "a file that is not a readable object"
