"""The registry of kinds. Each module in this package that defines a ``Kind`` subclass is one kind of object;
adding a kind means adding a module here (plus its tests), nothing else."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache

from kibana_sync.kinds.base import Kind


@cache
def all_kinds() -> tuple[Kind, ...]:
    """Every kind, in apply order (referenced kinds before those that reference them)."""
    found: list[Kind] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Kind) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                found.append(cls())
    return tuple(sorted(found, key=lambda k: (k.order, k.name)))


def kind_named(name: str) -> Kind:
    for kind in all_kinds():
        if kind.name == name:
            return kind
    raise KeyError(name)


def kind_for_saved_object_type(type_: str) -> Kind | None:
    for kind in all_kinds():
        if kind.saved_object_type == type_:
            return kind
    return None
