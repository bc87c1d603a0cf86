"""The one small interface every Kibana API that holds objects implements (saved objects, rules, connectors, ...).

Sync plans and applies against this interface only: read many by id, list the space, write a batch (one result
per object), delete, and what planning needs (who references an object, which ids other spaces hold, what an
object depends on, whether it carries kibana-sync's marker). Every object is named by a ``Key``,
``(type, id)``: the saved-object type, or the store's own type ("rule", "connector").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from kibana_sync.kibana.errors import KibanaError
from kibana_sync.kibana.ownership import Marker

if TYPE_CHECKING:  # the HTTP client is loaded by the commands that talk to Kibana, not by build
    from kibana_sync.kibana.client import KibanaClient

Key = tuple[str, str]
# Writes a store sends at once when its API takes one object per request. Kibana has no documented per-client
# limit on these routes; each rule create also makes an API key in Elasticsearch, so stay modest.
CONCURRENT_WRITES = 4


class WriteAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    RECREATE = "recreate"  # delete, then create: the API cannot change this (a rule's type, a connector's type)
    TOGGLE = "toggle"  # only ``set_enabled``


@dataclass
class Write:
    """One object to write: the body to send and, for a recreate, the object as Kibana had it."""

    key: Key
    action: WriteAction
    body: dict[str, Any]
    live: dict[str, Any] | None = None
    set_enabled: bool | None = None


@dataclass
class WriteResult:
    key: Key
    ok: bool
    message: str  # "created", "updated", ... or why it failed
    status: int | None = None  # Kibana's HTTP status for a failure, when there was one
    id_taken_elsewhere: bool = False


@dataclass
class SpaceView:
    """What one store holds in the space: ``found`` the wanted objects in full, ``listed`` every object the
    store lists (possibly only titles, references and timestamps)."""

    found: dict[Key, dict[str, Any]] = field(default_factory=dict)
    listed: dict[Key, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_listing(cls, listed: dict[Key, dict[str, Any]], keys: Sequence[Key]) -> SpaceView:
        """The view of a store whose one listing call returns every object in full (rules, connectors,
        spaces, Elasticsearch objects): the wanted objects are the listed ones, no second read."""
        return cls(found={k: listed[k] for k in keys if k in listed}, listed=listed)


DONE = {WriteAction.CREATE: "created", WriteAction.UPDATE: "updated", WriteAction.RECREATE: "recreated"}


class Store(ABC):
    name: ClassVar[str]  # what ``Kind.store`` names: "saved_objects", "rules", "connectors"
    # Whether its objects can carry the marker. A connector has no tags or references, so ownership of a
    # connector cannot be told from Kibana: see docs/SAFETY.md.
    can_mark: ClassVar[bool] = True
    # Whether kibana-sync may delete its objects with --prune (only what carries the marker).
    prunable: ClassVar[bool] = True
    # What a CI user needs to write here, named as Kibana's role editor names it (docs/SAFETY.md).
    privilege: ClassVar[str]
    # Whether its objects live inside the space being pushed, so that a diff lists the hand-made ones there.
    # A store of objects around the space (the spaces themselves) is read only when the build names some of
    # its objects or --prune asks for its stale ones: a diff of a space stays one read per API it uses.
    inside_space: ClassVar[bool] = True
    # The type in the keys of a store whose objects are all of one type (rules: "rule"); None where each
    # compiled body names its own type (saved objects, Elasticsearch objects).
    object_type: ClassVar[str | None] = None

    def key_of(self, id_: str, body: dict[str, Any]) -> Key:
        """How this store keys the compiled object ``body`` of the YAML entry ``id_``."""
        return (self.object_type or body["type"], id_)

    def dist_path(self, key: Key) -> str | None:
        """Where ``build`` writes this object under its output folder; None for objects that go into the one
        importable ``saved_objects.ndjson``."""
        return f"{self.name}/{key[1]}.json"

    @abstractmethod
    def read_space(self, client: KibanaClient, keys: Sequence[Key], types: Sequence[str]) -> SpaceView:
        """The objects ``keys`` that exist, in full, and everything of ``types`` the space holds."""

    @abstractmethod
    def write(self, client: KibanaClient, writes: Sequence[Write]) -> list[WriteResult]:
        """Write a batch; one result per write, in order. One failure does not stop the others."""

    @abstractmethod
    def delete(self, client: KibanaClient, keys: Sequence[Key]) -> list[WriteResult]:
        """Delete; one result per key. An object already gone counts as deleted."""

    @abstractmethod
    def elsewhere(self, client: KibanaClient, keys: Sequence[Key], spaces: Sequence[str]) -> dict[Key, list[str]]:
        """Which of ``keys`` other spaces hold (ids are global across spaces), and where."""

    def referrers(self, client: KibanaClient, keys: Sequence[Key], types: Sequence[str]) -> dict[Key, list[dict]]:
        """Objects in the space that reference each of ``keys`` (only keys with any)."""
        return {}

    def dependencies(self, body: dict[str, Any]) -> set[Key]:
        """Objects ``body`` needs to exist to work (referenced data views, connectors an action calls)."""
        return set()

    def with_id_suffix(self, key: Key, body: dict[str, Any], suffix: str, managed: set[Key]) -> tuple[str, dict]:
        """``--id-suffix``: this object's id in the suffixed build and its body, whose references to other objects
        of the build (``managed``) are suffixed too. Objects that are not per space (spaces themselves,
        Elasticsearch objects) keep their names."""
        return key[1], body

    def references(self, body: dict[str, Any]) -> set[Key]:
        """Every object ``body`` names, needed or not (``export`` brings them along)."""
        return self.dependencies(body)

    def mark(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` carrying the (unsuffixed) marker; ``--id-suffix`` renames it later."""
        return body

    def unmark(self, body: dict[str, Any]) -> dict[str, Any]:
        """The inverse of ``mark`` (any owner's marker): what ``export`` decompiles."""
        return body

    def is_marker(self, obj: dict[str, Any]) -> bool:
        """Whether ``obj`` is the ownership marker itself (saved objects: the marker tag), which build adds."""
        return False

    def is_marked(self, obj: dict[str, Any], marker: Marker) -> bool:
        """Whether ``obj`` carries this owner's marker. Stores that cannot mark treat every object as owned."""
        return True

    def is_marked_by_anyone(self, obj: dict[str, Any]) -> bool:
        """Whether any kibana-sync owner (any ``--id-suffix``) wrote ``obj``."""
        return False

    def is_builtin(self, obj: dict[str, Any]) -> bool:
        """Objects nobody can own or export (preconfigured connectors)."""
        return False

    def last_updated(self, obj: dict[str, Any]) -> str:
        """Who changed ``obj`` last and when, as far as the API says."""
        when = obj.get("updated_at")
        by = obj.get("updated_by")
        return " ".join(p for p in (f"by {by}" if by else "", f"at {when}" if when else "") if p) or "unknown"

    def title(self, obj: dict[str, Any]) -> str:
        attributes = obj.get("attributes") or {}
        return str(obj.get("name") or attributes.get("title") or attributes.get("name") or obj.get("id") or "")


CONCURRENT_CHANGE = ("created or changed in Kibana by someone else while this push ran (409 version conflict): "
                     "another push or a person wrote it after this push read the space; run diff and push again")


def one_at_a_time(writes: Iterable[Write], write_one: Callable[[Write], str], exists_here: Callable[[Key], bool],
                  concurrency: int | None = None) -> list[WriteResult]:
    """Run ``write_one`` (returning the done message) for each write, ``concurrency`` at a time; results in
    input order. For APIs that take one object per request (rules, connectors). ``exists_here`` tells a 409
    on a create caused by a concurrent writer in this space from an id that another space holds."""
    items = list(writes)

    def guarded(write: Write) -> WriteResult:
        try:
            return WriteResult(write.key, True, write_one(write))
        except KibanaError as exc:
            if exc.status != 409:
                return WriteResult(write.key, False, str(exc), exc.status)
            if write.action is not WriteAction.CREATE or _exists(exists_here, write.key):
                return WriteResult(write.key, False, CONCURRENT_CHANGE, exc.status)
            return WriteResult(write.key, False, f"id already used in another space ({exc.message})", exc.status,
                               id_taken_elsewhere=True)

    workers = concurrency or CONCURRENT_WRITES
    if len(items) <= 1 or workers <= 1:
        return [guarded(w) for w in items]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kibana-write") as pool:
        return list(pool.map(guarded, items))


def deleted_one_at_a_time(keys: Iterable[Key], delete_one: Callable[[Key], None],
                          concurrency: int | None = None) -> list[WriteResult]:
    def guarded(key: Key) -> WriteResult:
        try:
            delete_one(key)
        except KibanaError as exc:
            if exc.status == 404:
                return WriteResult(key, True, "deleted")  # already gone is what we wanted
            return WriteResult(key, False, str(exc), exc.status)
        return WriteResult(key, True, "deleted")

    items = list(keys)
    workers = concurrency or CONCURRENT_WRITES
    if len(items) <= 1 or workers <= 1:
        return [guarded(k) for k in items]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kibana-delete") as pool:
        return list(pool.map(guarded, items))


def _exists(exists_here: Callable[[Key], bool], key: Key) -> bool:
    try:
        return exists_here(key)
    except KibanaError:
        return False
