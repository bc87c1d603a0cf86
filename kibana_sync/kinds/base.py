"""The one small interface every kind of Kibana object implements (after grizzly's handlers).

A kind owns: the pydantic model a person writes in YAML, ``compile`` (YAML model -> what Kibana stores or its
API accepts), ``decompile`` (the exact inverse, used by ``export``) and ``normalise`` (the comparable form of a
Kibana object, used by ``diff``). Verbs (validate, build, diff, push, export) are written once against this.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from kibana_sync.kibana.format import strip_server_fields
from kibana_sync.source.diagnostics import Diagnostic, Severity
from kibana_sync.source.model import External, Model, RefUse
from kibana_sync.source.yaml_reader import SourceFile

# Which Kibana API holds a kind's objects: the ``name`` of a store in kibana_sync.kibana.stores.registry
# ("saved_objects", "rules", "connectors"; a new API is a new store there, not a new value here).
Store = str


class Project(Protocol):
    """What a kind may ask of the loaded project while checking or compiling one entry. The loader
    (``kibana_sync.project.loader.Project``) provides it; kinds depend on this, never on the loader."""

    def get(self, id_: str, kind: str | None = None) -> Entry | None: ...

    def of_kind(self, name: str) -> list[Entry]: ...

    def resolve(self, ref: str | External) -> str: ...


@dataclass
class Entry:
    """One loaded YAML object: its kind, id, validated model and where it came from."""

    kind: Kind
    id: str
    model: Any
    source: SourceFile
    adopt: bool = False  # ``adopt: true`` in the YAML: push may take over an object of this id made by hand

    def diagnostic(self, path: tuple[str | int, ...], message: str,
                   severity: Severity = Severity.ERROR) -> Diagnostic:
        line, col, field_path = self.source.locate(path)
        return Diagnostic(self.source.path, line, col, field_path, message, severity)

    @property
    def title(self) -> str:
        return self.kind.title(self.model) or self.id


@dataclass
class Decompiled:
    """What ``decompile`` returns: the YAML data for one object plus what could not be said compactly."""

    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    raw_parts: int = 0  # how many parts were kept verbatim (raw passthrough)
    compact_parts: int = 0  # how many parts were written in the compact form


class Kind(ABC):
    name: ClassVar[str]  # "dashboard": used in messages and references
    folder: ClassVar[str]  # "dashboards": the folder under objects/
    model: ClassVar[type[Model]]
    store: ClassVar[Store] = "saved_objects"
    saved_object_type: ClassVar[str | None] = None  # for the saved-objects store

    def title(self, model: Any) -> str:
        return getattr(model, "title", None) or getattr(model, "name", None) or ""

    def references(self, entry: Entry) -> list[RefUse]:
        """Every reference the object makes, so the project can check they resolve."""
        return []

    def check(self, entry: Entry, project: Project) -> list[Diagnostic]:
        """Checks beyond the model's types (query syntax, fields, geometry). Runs after references resolve."""
        return []

    @abstractmethod
    def compile(self, entry: Entry, project: Project) -> dict[str, Any]:
        """The Kibana form: a saved object (type/id/attributes/references/...) or an API request body."""

    @abstractmethod
    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        """The exact inverse of ``compile`` for an object read from Kibana (export)."""

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        """The comparable form of a Kibana object: server-managed fields dropped, embedded JSON decoded."""
        return strip_server_fields(obj)


