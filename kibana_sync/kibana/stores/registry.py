"""Every store, in apply order: a store's objects may depend on objects of the stores before it (rules use data
views and connectors), so writes go in this order and deletes in the reverse. Adding a store (spaces,
Elasticsearch) is one module in this package plus one line here; a kind names its store by ``Store.name``."""

from __future__ import annotations

from kibana_sync.kibana.stores.base import Store
from kibana_sync.kibana.stores.connectors import ConnectorStore
from kibana_sync.kibana.stores.elasticsearch import ElasticsearchStore
from kibana_sync.kibana.stores.rules import RuleStore
from kibana_sync.kibana.stores.saved_objects import SavedObjectStore
from kibana_sync.kibana.stores.spaces import SpaceStore

STORES: tuple[Store, ...] = (
    SpaceStore(),  # first: the other stores write into spaces
    ElasticsearchStore(),  # index templates and ILM before the Kibana objects that read their indices
    SavedObjectStore(),
    ConnectorStore(),
    RuleStore(),
)


def all_stores() -> tuple[Store, ...]:
    return STORES


def store_named(name: str) -> Store:
    for store in STORES:
        if store.name == name:
            return store
    raise KeyError(f"no store {name!r}; known: {', '.join(s.name for s in STORES)}")
