"""Load the ``objects/`` tree: parse every YAML file, validate it against its kind's model, give it an id,
and check that ids are unique and references resolve. Every problem is collected, not just the first."""

from __future__ import annotations

import json
import os
import re
import threading
import types
import typing
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kibana_sync.kinds.base import Entry, Kind
from kibana_sync.kinds.registry import kind_folders, kind_named, kind_names
from kibana_sync.project.targets import unreadable_objects
from kibana_sync.source.diagnostics import Diagnostic, Diagnostics, Severity
from kibana_sync.source.model import External, RefUse
from kibana_sync.source.yaml_reader import SourceFile, YAMLSourceError, read_yaml

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Project:
    root: Path
    entries: list[Entry] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    _by_id: dict[str, Entry] = field(default_factory=dict, repr=False)
    _by_key: dict[tuple[str, str], Entry] = field(default_factory=dict, repr=False)  # (kind name, id)
    unloaded: dict[str, str] = field(default_factory=dict)  # id -> file, for files with errors
    _compiled: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict, repr=False)

    def get(self, id_: str, kind: str | None = None) -> Entry | None:
        """The entry with this id, of this kind when given. Kibana keys saved objects by type and id, so one id
        may name, say, a dashboard and a saved search; without ``kind`` the one first in apply order (data views
        before searches before dashboards) answers."""
        if kind is not None:
            return self._by_key.get((kind, id_))
        return self._by_id.get(id_)

    def of_kind(self, name: str) -> list[Entry]:
        return [e for e in self.entries if e.kind.name == name]

    def compiled(self, entry: Entry) -> dict[str, Any]:
        """What ``entry`` compiles to, compiled once: the size check on load and the build share it."""
        key = (entry.kind.name, entry.id)
        body = self._compiled.get(key)
        if body is None:
            body = self._compiled[key] = entry.kind.compile(entry, self)
        return body

    def resolve(self, ref: str | External) -> str:
        """The Kibana id a reference stands for (entries' ids are Kibana ids)."""
        return ref.external if isinstance(ref, External) else ref

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


def load_project(root: Path, strict: bool = False) -> Project:
    project = Project(root=root)
    if not root.is_dir():
        project.diagnostics.add(Diagnostic(str(root), 1, 1, "", "objects folder not found"))
        return project
    folders = kind_folders()
    files: list[tuple[Path, Path, str, Kind | None]] = []
    for path in _yaml_files(root):
        rel = path.relative_to(root)
        name = folders.get(rel.parts[0]) if len(rel.parts) > 1 else None
        # Only the kinds the folder has files of are loaded (see kinds/registry.py).
        files.append((path, rel, str(path), kind_named(name) if name is not None else None))
    with closing(read_sources([(path, display) for path, _, display, kind in files if kind is not None])) as sources:
        for path, rel, display, kind in files:
            if kind is None:
                known = ", ".join(sorted(folders))
                project.diagnostics.add(Diagnostic(display, 1, 1, "", f"not in a known folder ({known}); ignored",
                                                   Severity.WARNING))
                continue
            source = next(sources)
            entry = _load_entry(kind, source, rel, display, project.diagnostics)
            if entry is not None:
                project.entries.append(entry)
            else:
                project.unloaded[_intended_id(source, path, rel)] = display
    _index_ids(project)
    _check_references(project)
    for entry in project.entries:
        project.diagnostics.extend(entry.kind.check(entry, project))
    if project.ok:
        project.diagnostics.extend(oversized_objects(project))
        project.diagnostics.extend(unreadable_objects(project))
    if strict:
        project.diagnostics = project.diagnostics.escalated()
    return project


# Kibana refuses an import body over savedObjects.maxImportPayloadBytes (default 26,214,400 bytes; reference.md
# 2.8). A push sends each saved object inside such a body with multipart framing (kibana/client.py,
# MULTIPART_OVERHEAD) and build adds the ownership marker reference: this much is kept free for both.
MAX_IMPORT_BYTES = 26_214_400
IMPORT_ENVELOPE_BYTES = 2_048


def oversized_objects(project: Project) -> list[Diagnostic]:
    """Saved objects whose compiled form Kibana could not import even alone, each pointing at its file: found by
    validate and build instead of by a failed push."""
    budget = MAX_IMPORT_BYTES - IMPORT_ENVELOPE_BYTES
    out = []
    for entry in project.entries:
        if entry.kind.saved_object_type is None:
            continue  # rules and connectors go one JSON body per request, far from any such limit
        compiled = project.compiled(entry)
        if json_bytes_bound(compiled) <= budget:  # far from the limit, as nearly every object is: no encoding
            continue
        line = json.dumps(compiled, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if 4 * len(line) <= budget:  # UTF-8 takes at most 4 bytes a character: no need to encode
            continue
        size = len(line.encode())
        if size > budget:
            out.append(entry.diagnostic((), f"compiles to a {size:,}-byte saved object; Kibana imports at most "
                                            f"{MAX_IMPORT_BYTES:,} bytes at once (savedObjects.maxImportPayloadBytes, "
                                            f"{IMPORT_ENVELOPE_BYTES:,} of them kept for the request around it): "
                                            "split it, e.g. into dashboards with fewer panels (limit on input)"))
    return out


def json_bytes_bound(value: Any) -> float:
    """At least as many bytes as ``value``'s compact JSON in UTF-8, worked out without writing it: a string's
    character takes at most 6 bytes (a ``\\u00XX`` escape), a number at most its text (floats: 24)."""
    cls = value.__class__
    if cls is str:
        return 6 * len(value) + 2
    if cls is dict:  # a key that is not a string is written quoted
        return 2 + sum(json_bytes_bound(k) + json_bytes_bound(v) + 4 for k, v in value.items())
    if cls is list:
        return 2 + sum(json_bytes_bound(v) + 1 for v in value)
    if cls is bool or value is None:
        return 5
    if cls is int and value.bit_length() < 10_000:
        return len(str(value))
    if cls is float:
        return 24
    return float("inf")  # anything else: measure it by writing it


# Parsing YAML is about a third of loading a large tree and needs nothing from other files, so from this many
# files on it runs in worker processes while this one validates what they send back, in file order. The result is
# the same either way: a worker only turns a file into a SourceFile or the diagnostic saying why it cannot.
PARALLEL_MIN_FILES = 200
_CHUNK = 32  # files per message: fewer round trips, yet validation starts early


def read_sources(files: list[tuple[Path, str]]) -> Iterator[SourceFile | Diagnostic]:
    """Each (path, display name) read and parsed, in the given order."""
    workers = min(2, _usable_cpus() - 1)  # this process is busy validating
    if len(files) < PARALLEL_MIN_FILES or workers < 1 or not _can_fork():
        yield from map(read_source, files)
        return
    # Imported here: a small folder is read in this process, and importing multiprocessing costs start-up.
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(read_source, files, chunksize=_CHUNK)


def _can_fork() -> bool:
    import multiprocessing

    # fork is cheap (nothing to re-import) but only safe without other threads, whose locks a child inherits held.
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _usable_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def read_source(file: tuple[Path, str]) -> SourceFile | Diagnostic:
    path, display = file
    try:
        return read_yaml(path, display)
    except YAMLSourceError as exc:
        return Diagnostic(display, exc.line, exc.column, "", exc.message)
    except OSError as exc:
        return Diagnostic(display, 1, 1, "", f"cannot read the file: {exc.strerror or exc}")


def _yaml_files(root: Path) -> Iterator[Path]:
    return iter(sorted(p for p in root.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()))


_TOP_LEVEL_ID = re.compile(r"""^id:[ \t]*["']?([^"'\s#]+)""", re.MULTILINE)


def _intended_id(source: SourceFile | Diagnostic, path: Path, rel: Path) -> str:
    """The id a file that failed to load would have had, so references to it are not reported as unknown.
    Invalid YAML has no data to ask, so its top-level ``id:`` line is looked for in the text."""
    if isinstance(source, SourceFile):
        data = source.data
        explicit = data.get("id") if isinstance(data, dict) else None
    else:
        try:
            match = _TOP_LEVEL_ID.search(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            match = None
        explicit = match.group(1) if match else None
    return explicit if isinstance(explicit, str) and explicit else derived_id(rel)


def derived_id(rel: Path) -> str:
    """A stable id from the file's path inside its kind folder: ``dashboards/team/x.yaml`` -> ``team-x``."""
    parts = [*rel.parts[1:-1], rel.stem]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts)).strip("-").lower()


def _load_entry(kind: Kind, source: SourceFile | Diagnostic, rel: Path, display: str,
                diags: Diagnostics) -> Entry | None:
    if isinstance(source, Diagnostic):
        diags.add(source)
        return None
    if not isinstance(source.data, dict):
        got = "an empty file" if source.data is None else type(source.data).__name__
        diags.add(Diagnostic(display, 1, 1, "", f"expected a mapping with the {kind.name}'s fields, got {got}"))
        return None
    # ``adopt`` is about ownership in Kibana, not about the object: every kind accepts it, none compiles it.
    adopt = source.data.get("adopt", False)
    if not isinstance(adopt, bool):
        line, col, field_path = source.locate(("adopt",))
        diags.add(Diagnostic(display, line, col, field_path, "expected true or false"))
        return None
    try:
        model = kind.model.model_validate({k: v for k, v in source.data.items() if k != "adopt"})
    except ValidationError as exc:
        for err in exc.errors():
            diags.add(_pydantic_diagnostic(source, kind, err))
        return None
    id_ = getattr(model, "id", None) or derived_id(rel)
    return Entry(kind=kind, id=id_, model=model, source=source, adopt=adopt)


def _pydantic_diagnostic(source: SourceFile, kind: Kind, err: dict[str, Any]) -> Diagnostic:
    loc = tuple(err["loc"])
    line, col, field_path = source.locate(loc)
    kind_of_error = err["type"]
    if kind_of_error == "extra_forbidden":
        allowed = sorted(_allowed_keys(kind.model, loc[:-1]))
        message = f"unknown key {loc[-1]!r}"
        if allowed:
            message += f"; expected one of: {', '.join(allowed)}"
    elif kind_of_error == "missing":
        message = "required field is missing"
    else:
        message = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if "input" in err and kind_of_error not in ("value_error", "assertion_error"):
            message += f" (got {err['input']!r})"
    return Diagnostic(source.path, line, col, field_path, message)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType, list, tuple, dict) or args:
        return [m for a in args for m in _models_in(a)]
    return []


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    """Field names valid at ``loc``; pydantic's union tags in ``loc`` are skipped (best effort)."""
    candidates: list[type[BaseModel]] = [model]
    for part in loc:
        if not isinstance(part, str):
            continue
        nested = [m for c in candidates if part in c.model_fields for m in _models_in(c.model_fields[part].annotation)]
        if nested:
            candidates = nested
        else:  # a union tag such as a discriminator value or class name
            named = [c for c in candidates if c.__name__ == part]
            candidates = named or candidates
    keys: set[str] = set()
    for c in candidates:
        for name, info in c.model_fields.items():
            keys.add(info.alias or name)
    return keys


def _index_ids(project: Project) -> None:
    """Ids are unique per kind, as Kibana's are per saved-object type (and per rule/connector API): a dashboard
    and a saved search may share one, and every reference names the kind it points at."""
    seen: dict[tuple[str, str], Entry] = {}
    for entry in project.entries:
        key = (entry.kind.name, entry.id)
        other = seen.get(key)
        if other is not None:
            for a, b in ((entry, other), (other, entry)):
                project.diagnostics.add(a.diagnostic(("id",), f"duplicate {a.kind.name} id {a.id!r}: also used by "
                                                              f"{b.source.path}"))
            continue
        seen[key] = entry
    order = {name: n for n, name in enumerate(kind_names())}
    by_id: dict[str, Entry] = {}
    for entry in sorted(seen.values(), key=lambda e: order.get(e.kind.name, len(order))):
        by_id.setdefault(entry.id, entry)
    project._by_key = seen
    project._by_id = by_id


def _check_references(project: Project) -> None:
    for entry in project.entries:
        for use in entry.kind.references(entry):
            project.diagnostics.extend(_check_reference(project, entry, use))


def _check_reference(project: Project, entry: Entry, use: RefUse) -> list[Diagnostic]:
    if isinstance(use.ref, External):
        return [entry.diagnostic(use.path, f"external {use.kind} {use.ref.external!r} is not managed by this "
                                           "repo; it must already exist in Kibana", Severity.WARNING)]
    target = project.get(use.ref, use.kind)
    if target is None and use.ref in project.unloaded:
        return []  # the target's file has errors of its own; "unknown" here would be wrong advice
    other = project.get(use.ref) if target is None else None
    if other is not None:
        return [entry.diagnostic(use.path, f"{use.ref!r} is a {other.kind.name}, expected a {use.kind}")]
    if target is None:
        known = sorted(e.id for e in project.of_kind(use.kind))
        hint = f" (known: {', '.join(known)})" if known else ""
        return [entry.diagnostic(use.path, f"unknown {use.kind} {use.ref!r}{hint}; for an object that exists "
                                           f"only in Kibana write {{external: {use.ref}}}")]
    return []
