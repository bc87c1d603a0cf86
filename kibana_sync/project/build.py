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
from kibana_sync.kibana.stores.registry import store_named
from kibana_sync.kinds.registry import all_kinds
from kibana_sync.project.loader import Project


@dataclass
class Build:
    """Everything a push sends, in apply order."""

    saved_objects: list[dict[str, Any]] = field(default_factory=list)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    connectors: dict[str, dict[str, Any]] = field(default_factory=dict)
    spaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    adopt: set[str] = field(default_factory=set)  # ids whose YAML says ``adopt: true``
    # (kind name, name) -> body, for the Elasticsearch store: names are unique per object type there
    elasticsearch: dict[Key, dict[str, Any]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return (len(self.saved_objects) + len(self.rules) + len(self.connectors) + len(self.spaces)
                + len(self.elasticsearch))

    def objects_of(self, store: str) -> dict[Key, dict[str, Any]]:
        """What this build sends to one store, keyed as the store keys objects, in apply order."""
        if store == "saved_objects":
            return {(o["type"], o["id"]): o for o in self.saved_objects}
        if store == "elasticsearch":
            return dict(self.elasticsearch)
        held = {"rules": ("rule", self.rules), "connectors": ("connector", self.connectors),
                "spaces": ("space", self.spaces)}.get(store)
        return {} if held is None else {(held[0], id_): body for id_, body in held[1].items()}

    def add(self, store: str, id_: str, body: dict[str, Any]) -> None:
        if store == "saved_objects":
            self.saved_objects.append(body)
        elif store == "rules":
            self.rules[id_] = body
        elif store == "spaces":
            self.spaces[id_] = body
        elif store == "elasticsearch":
            self.elasticsearch[(body["type"], id_)] = body
        else:
            self.connectors[id_] = body


def compile_project(project: Project) -> Build:
    """Compile every entry. The project must be valid (``project.ok``)."""
    if not project.ok:
        raise ValueError("cannot compile a project with errors")
    build = Build(saved_objects=[managed_tag_object()])
    for kind in all_kinds():  # apply order: referenced kinds first
        for entry in sorted(project.of_kind(kind.name), key=lambda e: e.id):
            build.add(kind.store, entry.id, store_named(kind.store).mark(project.compiled(entry)))
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
    files.update({f"rules/{id_}.json": _pretty(body) for id_, body in sorted(build.rules.items())})
    files.update({f"connectors/{id_}.json": _pretty(body) for id_, body in sorted(build.connectors.items())})
    files.update({f"spaces/{id_}.json": _pretty(body) for id_, body in sorted(build.spaces.items())})
    files.update({f"elasticsearch/{type_}/{id_}.json": _pretty(body)
                  for (type_, id_), body in sorted(build.elasticsearch.items())})
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
