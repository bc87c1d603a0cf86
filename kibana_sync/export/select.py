"""Which objects an export takes: ``--type``, ``--id`` and ``--title`` globs, plus everything the chosen
objects use (a dashboard brings its data views and saved searches, a rule its connectors and data view)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from kibana_sync.export.pipeline import KibanaObject, kind_for
from kibana_sync.kibana.stores.registry import store_named


@dataclass(frozen=True)
class Selection:
    types: tuple[str, ...] = ()  # kind names ("data_view") or Kibana types ("index-pattern", "rule")
    ids: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()  # shell-style globs, case-insensitive

    @property
    def everything(self) -> bool:
        return not (self.types or self.ids or self.titles)

    def matches(self, obj: KibanaObject) -> bool:
        kind = kind_for(obj)
        type_ok = not self.types or obj.type in self.types or (kind is not None and kind.name in self.types)
        id_ok = not self.ids or obj.id in self.ids
        title_ok = not self.titles or any(fnmatchcase(obj.title.lower(), g.lower()) for g in self.titles)
        return type_ok and id_ok and title_ok


def uses(obj: KibanaObject) -> list[tuple[str, str]]:
    """The (type, id) of every object this one names."""
    return sorted(store_named(obj.store).references(obj.body))


def select(objects: Iterable[KibanaObject], selection: Selection) -> list[KibanaObject]:
    """The matching objects and, transitively, the objects among ``objects`` they use; input order kept."""
    pool = list(objects)
    if selection.everything:
        return pool
    by_key = {(o.type, o.id): o for o in pool}
    wanted = {(o.type, o.id) for o in pool if selection.matches(o)}
    todo = list(wanted)
    while todo:
        for key in uses(by_key[todo.pop()]):
            if key in by_key and key not in wanted:
                wanted.add(key)
                todo.append(key)
    return [o for o in pool if (o.type, o.id) in wanted]
