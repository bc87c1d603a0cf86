"""Compile a loaded project into what Kibana takes: saved-object NDJSON and rule/connector API bodies.

Output is deterministic (sorted, key-sorted JSON) and written atomically: the new tree is written beside the
old one and swapped in, so a failed build never leaves half-written files.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kibana_sync.kibana.ownership import managed_tag_object
from kibana_sync.kibana.stores.base import Key
from kibana_sync.kibana.stores.registry import all_stores, store_named
from kibana_sync.kinds.registry import kind_names
from kibana_sync.project.loader import Project


@dataclass
class Build:
    """Everything a push sends: per store (``Store.name``), the compiled objects by the store's key, each store's
    in apply order."""

    objects: dict[str, dict[Key, dict[str, Any]]] = field(default_factory=dict)
    adopt: set[str] = field(default_factory=set)  # ids whose YAML says ``adopt: true``

    def add(self, store: str, id_: str, body: dict[str, Any]) -> None:
        self.objects.setdefault(store, {})[store_named(store).key_of(id_, body)] = body

    def objects_of(self, store: str) -> dict[Key, dict[str, Any]]:
        """What this build sends to one store, keyed as the store keys objects, in apply order."""
        return self.objects.get(store, {})

    @property
    def count(self) -> int:
        return sum(len(objects) for objects in self.objects.values())

    # Read-only views of the stores most code and tests name.
    @property
    def saved_objects(self) -> list[dict[str, Any]]:
        return list(self.objects_of("saved_objects").values())

    @property
    def rules(self) -> dict[str, dict[str, Any]]:
        return {id_: body for (_, id_), body in self.objects_of("rules").items()}

    @property
    def connectors(self) -> dict[str, dict[str, Any]]:
        return {id_: body for (_, id_), body in self.objects_of("connectors").items()}

    @property
    def spaces(self) -> dict[str, dict[str, Any]]:
        return {id_: body for (_, id_), body in self.objects_of("spaces").items()}

    @property
    def elasticsearch(self) -> dict[Key, dict[str, Any]]:
        return dict(self.objects_of("elasticsearch"))


def compile_project(project: Project) -> Build:
    """Compile every entry. The project must be valid (``project.ok``)."""
    if not project.ok:
        raise ValueError("cannot compile a project with errors")
    build = Build()
    tag = managed_tag_object()
    build.add("saved_objects", tag["id"], tag)
    for name in kind_names():  # apply order: referenced kinds first
        for entry in sorted(project.of_kind(name), key=lambda e: e.id):
            store = entry.kind.store
            build.add(store, entry.id, store_named(store).mark(project.compiled(entry)))
            if getattr(entry, "adopt", False):
                build.adopt.add(entry.id)
    return build


def to_ndjson(objects: list[dict[str, Any]]) -> str:
    """Kibana's export form: one key-sorted JSON object per line, ``\\n``-joined, no trailing newline."""
    return "\n".join(json.dumps(o, sort_keys=True, separators=(",", ":"), ensure_ascii=False) for o in objects)


def _pretty(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def render(build: Build) -> dict[str, str]:
    """Relative path -> file content for the whole build output."""
    files = {"saved_objects.ndjson": to_ndjson(build.saved_objects)}
    for store in all_stores():
        files.update({path: _pretty(body) for key, body in sorted(build.objects_of(store.name).items())
                      if (path := store.dist_path(key)) is not None})
    return files


def write_atomically(files: dict[str, str], out: Path) -> None:
    """Replace ``out`` with exactly ``files``; on any failure the previous ``out`` is left as it was."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for rel, content in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        staging.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
