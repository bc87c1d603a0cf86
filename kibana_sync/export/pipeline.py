"""Export: Kibana objects (read live or from a file, see ``export_sources``) -> one readable YAML file per
object under ``objects/<kind folder>/``, through each kind's ``decompile``.

One object's problem never costs the others: it becomes a finding naming the object, and the rest is written.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kibana_sync.export.file_names import FileNamer
from kibana_sync.export.keep import ExistingObjects
from kibana_sync.export.raw_report import broken_json, raw_warning
from kibana_sync.kibana.stores.registry import store_named
from kibana_sync.kibana.targets import DEFAULT_TARGET, TARGETS, unreadable
from kibana_sync.kinds.base import Decompiled, Entry, Kind, Store
from kibana_sync.kinds.registry import all_kinds, apply_position, kind_in_store
from kibana_sync.source.diagnostics import Severity
from kibana_sync.source.json_data import copy_json
from kibana_sync.source.model import External, RefUse
from kibana_sync.source.yaml_reader import SourceFile, format_path
from kibana_sync.source.yaml_writer import dump_yaml
from kibana_sync.sync.field_diff import object_title


@dataclass(frozen=True)
class KibanaObject:
    """One object as Kibana gives it: a saved object, a rule (GET body) or a connector (GET body)."""

    store: Store
    type: str  # the saved-object type, or "rule" / "connector"
    id: str
    body: dict[str, Any]
    origin: str = ""  # where it was read, e.g. "export.ndjson:12"

    @property
    def title(self) -> str:
        return object_title(self.type, self.body)

    def describe(self) -> str:
        where = f" ({self.origin})" if self.origin else ""
        title = f" {self.title!r}" if self.title else ""
        return f"{self.type} {self.id!r}{title}{where}"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    subject: str  # the object or file line concerned
    message: str

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.subject}: {self.message}"


@dataclass(frozen=True)
class WrittenFile:
    kind: str
    type: str
    id: str
    path: Path
    changed: bool  # False when the file already held exactly this text


@dataclass
class ExportReport:
    written: list[WrittenFile] = field(default_factory=list)
    skipped: list[KibanaObject] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Per kind, the parts (dashboard panels, rule queries, ...) written in the compact YAML form and those kept
    # verbatim because the compact form cannot say them exactly; for dashboards the parts are the panels.
    parts: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, severity: Severity, subject: str, message: str) -> None:
        self.findings.append(Finding(severity, subject, message))

    @property
    def failed(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def written_by_type(self) -> dict[str, int]:
        return dict(sorted(Counter(w.type for w in self.written).items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "written": self.written_by_type(),
            "changed_files": sum(w.changed for w in self.written),
            "files": [{"type": w.type, "id": w.id, "path": str(w.path), "changed": w.changed} for w in self.written],
            "parts": {kind: {"compact": c["compact"], "raw": c["raw"]} for kind, c in sorted(self.parts.items())},
            "skipped": [{"type": o.type, "id": o.id, "title": o.title} for o in self.skipped],
            "warnings": [f"{f.subject}: {f.message}" for f in self.findings if f.severity is Severity.WARNING],
            "errors": [f"{f.subject}: {f.message}" for f in self.findings if f.severity is Severity.ERROR],
        }


@dataclass
class _Decompiled:
    obj: KibanaObject
    kind: Kind
    body: dict[str, Any]  # the object without the ownership marker
    result: Decompiled


def export_objects(objects: Iterable[KibanaObject], out_dir: Path,
                   report: ExportReport | None = None) -> ExportReport:
    """Decompile ``objects`` and write their YAML under ``out_dir``; problems go into the report."""
    report = report or ExportReport()
    decompiled = [d for obj in objects if (d := _decompile(obj, report)) is not None]
    decompiled.sort(key=lambda d: (apply_position(d.kind), d.obj.id))
    out_dir.mkdir(parents=True, exist_ok=True)  # even an empty export leaves a loadable objects folder
    namer = FileNamer(out_dir, {k.folder: k for k in all_kinds()})
    folders = {k.folder: k.name for k in all_kinds()}
    known = {(d.kind.name, d.obj.id) for d in decompiled} | {(folders[f], id_) for f, id_ in namer.existing_keys()}
    existing = ExistingObjects(out_dir)
    for item in decompiled:
        data = item.result.data
        try:
            title, stuck = _externalise(item.kind, data, known)
        except ValidationError as exc:
            report.add(Severity.ERROR, item.obj.describe(),
                       f"decompiled YAML does not match the {item.kind.name} format, not written: {_first_error(exc)}")
            continue
        for use in stuck:
            report.add(Severity.WARNING, item.obj.describe(),
                       f"{use.kind} {use.ref!r} (at {format_path(use.path)}) is not in the export and "
                       "could not be marked external; validate will report it")
        path, clash = namer.claim(item.kind, item.obj.id, title or item.obj.title or item.obj.id)
        if clash:
            report.add(Severity.WARNING, item.obj.describe(), clash)
        warnings = _keep_secret_variables(existing, item, path, item.result.warnings)
        text = dump_yaml(data)
        # A file that already holds exactly this text (what export wrote last time) needs no compile to judge.
        changed = not _holds(path, text) and not existing.builds_to(item.kind, path, item.body) and \
            _write_if_changed(path, existing.patched(item.kind, path, data, item.body) or text)
        report.written.append(WrittenFile(item.kind.name, item.obj.type, item.obj.id, path, changed))
        parts = report.parts.setdefault(item.kind.name, Counter())
        parts.update(compact=item.result.compact_parts, raw=item.result.raw_parts)
        for warning in warnings:
            report.add(Severity.WARNING, item.obj.describe(), warning)
        for problem in broken_json(data):
            report.add(Severity.WARNING, item.obj.describe(), problem)
        kept_raw = raw_warning(data, item.body)
        if kept_raw:
            report.add(Severity.WARNING, item.obj.describe(), kept_raw)
    return report


def _keep_secret_variables(existing: ExistingObjects, item: _Decompiled, path: Path,
                           warnings: list[str]) -> list[str]:
    """Kibana never returns a connector's secrets, so export proposes variable names for them; a file that
    already names its variables keeps them, and the warning names the variables the file (as written) uses."""
    secrets = item.result.data.get("secrets")
    if not isinstance(secrets, dict) or not secrets:
        return warnings
    entry = existing.entry_at(item.kind, path)
    chosen = getattr(entry.model, "secrets", {}) if entry is not None else {}
    for name in secrets:
        if name in chosen:
            secrets[name] = {"env": chosen[name].env}
    # the connector kind's own warning names its proposals: say it again with the names the file has
    names = ", ".join(s["env"] for s in secrets.values())
    return [f"connector {item.obj.id!r}: Kibana does not return secrets; set {names} before push"
            if "Kibana does not return secrets" in w else w for w in warnings]


def kind_for(obj: KibanaObject) -> Kind | None:
    """The kind of an object read from a store (see ``kind_in_store``)."""
    return kind_in_store(obj.store, obj.type)


def _decompile(obj: KibanaObject, report: ExportReport) -> _Decompiled | None:
    store = store_named(obj.store)
    if store.is_marker(obj.body):
        return None  # the ownership marker itself: build adds it back
    kind = kind_for(obj)
    if kind is None:
        report.skipped.append(obj)
        report.add(Severity.WARNING, obj.describe(),
                   f"kibana-sync has no YAML format for {obj.type!r} objects yet; not exported. Objects that "
                   "use it still name it by id, so it must exist in Kibana when they are pushed")
        return None
    body = store.unmark(obj.body)
    if kind.saved_object_type is not None:
        body = without_pre_73_ui_state(body)
        unknown = unreadable(body, TARGETS[DEFAULT_TARGET])
        if unknown:
            # build stamps the target's versions, so the target would not migrate it: a shape a later Kibana
            # introduced would reach it as it is, and fail halfway through a push. Refused here instead.
            report.add(Severity.ERROR, obj.describe(), f"not written: Kibana {DEFAULT_TARGET} cannot read "
                                                       f"{'; '.join(unknown)}")
            return None
    try:
        result = kind.decompile(copy_json(body))  # kept intact to compare with an existing file later
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        # A malformed object (say, a panelsJSON that is not JSON) must not stop the export of the others.
        report.add(Severity.ERROR, obj.describe(), f"cannot be read as a {kind.name}, not written: "
                                                   f"{type(exc).__name__}: {exc}")
        return None
    except Exception as exc:  # a bug in one kind must not cost the export of every other object
        report.add(Severity.ERROR, obj.describe(), f"not written: internal error in the {kind.name} kind "
                                                   f"(please report it): {type(exc).__name__}: {exc}")
        return None
    result.data.setdefault("id", obj.id)
    return _Decompiled(obj, kind, body, result)


def without_pre_73_ui_state(obj: dict[str, Any]) -> dict[str, Any]:
    """A dashboard as Kibana stores it after its 7.3.0 migration: ``uiStateJSON`` removed. Kibana's
    ``migrations730`` (src/plugins/dashboard/server/dashboard_saved_object/migrations/migrate_to_730/migrations_730.ts)
    passes it to ``migratePanelsTo730`` (migrate_to_730_panels.ts), which reads it only for panels older than 6.3
    (``col``/``row`` grids), then deletes it; the
    8.11 dashboard mapping has no such field (reference 3.4), so a push carrying it fails. Only dashboards whose
    panels all have a ``gridData`` (6.3+) are changed: older ones are left for the target check to refuse."""
    attributes = obj.get("attributes")
    if obj.get("type") != "dashboard" or not isinstance(attributes, dict) or "uiStateJSON" not in attributes:
        return obj
    try:
        panels = json.loads(attributes.get("panelsJSON") or "[]")
    except ValueError:
        return obj
    if not isinstance(panels, list) or not all(isinstance(p, dict) and "gridData" in p for p in panels):
        return obj
    return {**obj, "attributes": {k: v for k, v in attributes.items() if k != "uiStateJSON"}}


def _externalise(kind: Kind, data: dict[str, Any], known: set[tuple[str, str]]) -> tuple[str, list[RefUse]]:
    """Rewrite references to objects that are neither exported nor in the project as ``{external: id}``, so
    ``validate`` accepts them with a warning. Uses the kind's own ``references`` so exactly the fields the
    project resolves are rewritten. Returns the object's title and the references that could not be rewritten;
    raises ValidationError when the data does not fit the kind's model."""
    model = kind.model.model_validate(data)
    entry = Entry(kind=kind, id=data["id"], model=model, source=SourceFile("<export>", data))
    stuck = [use for use in kind.references(entry)
             if not isinstance(use.ref, External) and (use.kind, use.ref) not in known
             and not _replace_reference(data, use.path, use.ref)]
    return kind.title(model), stuck


def _replace_reference(data: Any, path: tuple[str | int, ...], ref: str) -> bool:
    parent = data
    try:
        for part in path[:-1]:
            parent = parent[part]
        if parent[path[-1]] != ref:
            return False
    except (KeyError, IndexError, TypeError):
        return False
    parent[path[-1]] = {"external": ref}
    return True


def _holds(path: Path, text: str) -> bool:
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_text(text, encoding="utf-8")
    staging.replace(path)  # a reader never sees half a file
    return True


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" + (f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else "")
