"""The one small interface every kind of Kibana object implements (after grizzly's handlers).

A kind owns: the pydantic model a person writes in YAML, ``compile`` (YAML model -> what Kibana stores or its
API accepts), ``decompile`` (the exact inverse, used by ``export``) and ``normalise`` (the comparable form of a
Kibana object, used by ``diff``). Verbs (validate, build, diff, push, export) are written once against this.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from kibana_sync.diagnostics import Diagnostic, Severity
from kibana_sync.yamlsource import SourceFile

if TYPE_CHECKING:
    from kibana_sync.project import Project

# Saved objects written for Kibana 8.11 must carry these, or a real import fails (reference.md 2.2):
# missing -> every migration runs and Lens/dashboards crash (HTTP 500); newer -> HTTP 422.
CORE_MIGRATION_VERSION = "8.8.0"
TYPE_MIGRATION_VERSIONS: dict[str, str] = {
    "dashboard": "8.9.0",
    "lens": "8.9.0",
    "visualization": "8.5.0",
    "index-pattern": "8.0.0",
    "search": "8.0.0",
    "tag": "8.0.0",
}

Api = Literal["saved_objects", "rules", "connectors"]


class Model(BaseModel):
    """Base of every YAML model: unknown keys are errors, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class External(Model):
    """A reference to an object that Kibana has but this repo does not manage (e.g. a Fleet data view)."""

    external: str


Ref = str | External


def ref_id(ref: Ref) -> str:
    return ref.external if isinstance(ref, External) else ref


@dataclass(frozen=True)
class RefUse:
    """One place where an object points at another; ``project`` resolves and checks these."""

    kind: str  # the target kind's name, e.g. "data_view"
    ref: Ref
    path: tuple[str | int, ...]  # where in the YAML the reference is written


@dataclass
class Entry:
    """One loaded YAML object: its kind, id, validated model and where it came from."""

    kind: Kind
    id: str
    model: Any
    source: SourceFile

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
    api: ClassVar[Api]
    saved_object_type: ClassVar[str | None] = None  # for api == "saved_objects"
    order: ClassVar[int]  # apply order: referenced kinds first

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


SERVER_FIELDS = (
    "version", "updated_at", "created_at", "namespaces", "namespace", "migrationVersion", "coreMigrationVersion",
    "typeMigrationVersion", "managed", "originId", "score", "sort", "error",
    "created_by", "updated_by",  # 8.13+ add these; an object exported there must still compare equal
)


def strip_server_fields(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in SERVER_FIELDS}


def saved_object(type_: str, id_: str, attributes: dict[str, Any],
                 references: list[dict[str, str]]) -> dict[str, Any]:
    """A saved object as Kibana 8.11's export writes it (minus the fields Kibana sets on write)."""
    return {
        "attributes": attributes,
        "coreMigrationVersion": CORE_MIGRATION_VERSION,
        "id": id_,
        "managed": False,
        "references": references,
        "type": type_,
        "typeMigrationVersion": TYPE_MIGRATION_VERSIONS[type_],
    }


def reference(type_: str, id_: str, name: str) -> dict[str, str]:
    return {"id": id_, "name": name, "type": type_}


def reference_order(ref: dict[str, Any]) -> tuple[str, str, str]:
    """Sort key that makes two reference lists comparable: Kibana gives their order no meaning."""
    return ref.get("name", ""), ref.get("type", ""), ref.get("id", "")


def tag_reference(tag_id: str) -> dict[str, str]:
    """How a saved object points at a tag: Kibana's tagging plugin names the reference ``tag-ref-<id>``."""
    return reference("tag", tag_id, f"tag-ref-{tag_id}")


def is_tag_reference(ref: dict[str, Any]) -> bool:
    """A reference ``tag_reference`` would write (one named otherwise is not a tag assignment)."""
    return ref.get("type") == "tag" and ref.get("name") == f"tag-ref-{ref.get('id')}"


def dumps_embedded(value: Any) -> str:
    """Kibana stores some attributes as JSON strings (panelsJSON, searchSourceJSON, ...): compact, key order kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, check_circular=False)


def loads_embedded(value: Any) -> Any:
    """Decode an embedded JSON string; leave already-decoded values (elastic-package style files) alone."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
