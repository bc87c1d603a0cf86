"""Elasticsearch as a store: ILM policies, component templates, index templates and ingest pipelines.

Objects are keyed ``(<kind name>, <name>)`` and held in the form ``{"type", "id", **request body}``
(``kinds/es_objects.py``). Reads are one listing per type (4 requests, whatever the count); writes are one PUT
each, in the order given, because each one is a cluster-state update that later ones may depend on (an index
template needs its component templates to exist).

Ownership: every object kibana-sync writes carries ``_meta.managed_by: kibana-sync`` (ILM policies under
``policy._meta``; all four APIs keep ``_meta`` as sent, reference 7.1-7.4), so ``--prune`` deletes only those and
a same-named object made by hand is a conflict until adopted, as for Kibana objects. Elasticsearch objects are
cluster-wide, not per space: ``--id-suffix`` does not rename them, and every kibana-sync owner's marker counts.

The store talks to ``client.elasticsearch`` (set by the command line from ``--es-url``/``ES_URL``); without it,
a repo with Elasticsearch objects fails with a message naming both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from kibana_sync.kibana.elasticsearch_format import (
    ES_STORE,
    flat_settings,
    is_marked_meta,
    mark_meta,
    meta_of,
    unmark_meta,
)
from kibana_sync.kibana.errors import KibanaError
from kibana_sync.kibana.ownership import Marker
from kibana_sync.kibana.stores.base import (
    CONCURRENT_CHANGE,
    DONE,
    Key,
    SpaceView,
    Store,
    Write,
    WriteAction,
    WriteResult,
)

if TYPE_CHECKING:  # the HTTP client is loaded by the commands that talk to Kibana, not by build
    from kibana_sync.kibana.client import KibanaClient
    from kibana_sync.kibana.elasticsearch import ElasticsearchClient

# Object type (the kind's name) -> API path, in apply order: policies and pipelines before the templates that
# name them in settings, components before the index templates composed of them.
API_PATHS = {
    "ilm_policy": "/_ilm/policy",
    "ingest_pipeline": "/_ingest/pipeline",
    "component_template": "/_component_template",
    "index_template": "/_index_template",
}
# Server-side fields of a read object: they say when and by whom, not what.
READ_ONLY_FIELDS = ("version", "modified_date", "in_use_by")


def named_dependencies(obj: dict[str, Any]) -> set[Key]:
    """The Elasticsearch objects ``obj`` names: components of an index template, the ILM policy and pipelines
    its settings name, pipelines a ``pipeline`` processor calls."""
    type_ = obj.get("type")
    found: set[Key] = set()
    if type_ in ("index_template", "component_template"):
        for name in obj.get("composed_of") or ():
            if isinstance(name, str):
                found.add(("component_template", name))
        settings = flat_settings((obj.get("template") or {}).get("settings"))
        policy = settings.get("index.lifecycle.name")
        if isinstance(policy, str) and policy:
            found.add(("ilm_policy", policy))
        for key in ("index.default_pipeline", "index.final_pipeline"):
            pipeline = settings.get(key)
            if isinstance(pipeline, str) and pipeline and pipeline != "_none":
                found.add(("ingest_pipeline", pipeline))
    elif type_ == "ingest_pipeline":
        found |= {("ingest_pipeline", n) for n in _called_pipelines(obj.get("processors"))}
        found |= {("ingest_pipeline", n) for n in _called_pipelines(obj.get("on_failure"))}
    return found


def _called_pipelines(processors: Any) -> set[str]:
    names: set[str] = set()
    for processor in processors if isinstance(processors, list) else ():
        for type_, options in (processor.items() if isinstance(processor, dict) else ()):
            if not isinstance(options, dict):
                continue
            if type_ == "pipeline" and isinstance(options.get("name"), str) and "{{" not in options["name"]:
                names.add(options["name"])
            if type_ == "foreach" and isinstance(options.get("processor"), dict):
                names |= _called_pipelines([options["processor"]])
            names |= _called_pipelines(options.get("on_failure"))
    return names


class ElasticsearchStore(Store):
    name: ClassVar[str] = ES_STORE
    privilege: ClassVar[str] = ("Elasticsearch cluster privileges manage_ilm, manage_index_templates and "
                                "manage_pipeline (plus monitor, to read the version)")

    def read_space(self, client: KibanaClient, keys: Sequence[Key], types: Sequence[str]) -> SpaceView:
        es = _elasticsearch(client, keys)
        if es is None:
            return SpaceView()
        es.version()
        listed: dict[Key, dict[str, Any]] = {}
        readers = {"ilm_policy": es.ilm_policies, "ingest_pipeline": es.pipelines,
                   "component_template": es.component_templates, "index_template": es.index_templates}
        for type_, read in readers.items():
            for name, body in read().items():
                listed[(type_, name)] = {"type": type_, "id": name, **body}
        return SpaceView.from_listing(listed, keys)

    def write(self, client: KibanaClient, writes: Sequence[Write]) -> list[WriteResult]:
        es = _elasticsearch(client, [w.key for w in writes])
        assert es is not None
        results = []
        for write in writes:
            type_, name = write.key
            body = {k: v for k, v in write.body.items() if k not in ("type", "id")}
            path = API_PATHS[type_]
            # Templates can refuse to overwrite: a create then never replaces one made by hand since the read.
            create_only = write.action is WriteAction.CREATE and type_ in ("index_template", "component_template")
            try:
                es.put(path, name, body, create=create_only)
            except KibanaError as exc:
                message = CONCURRENT_CHANGE if create_only and "already exists" in exc.message else exc.message
                results.append(WriteResult(write.key, False, message, exc.status))
                continue
            results.append(WriteResult(write.key, True, DONE.get(write.action, "updated")))
        return results

    def delete(self, client: KibanaClient, keys: Sequence[Key]) -> list[WriteResult]:
        es = _elasticsearch(client, keys)
        assert es is not None
        results = []
        for key in keys:  # in the order given: index templates before the components they are composed of
            try:
                es.delete(API_PATHS[key[0]], key[1])
            except KibanaError as exc:
                if exc.status == 404:
                    results.append(WriteResult(key, True, "deleted"))
                else:
                    results.append(WriteResult(key, False, exc.message, exc.status))
                continue
            results.append(WriteResult(key, True, "deleted"))
        return results

    def elsewhere(self, client: KibanaClient, keys: Sequence[Key], spaces: Sequence[str]) -> dict[Key, list[str]]:
        return {}  # Elasticsearch has no spaces: one cluster, one name per type

    def referrers(self, client: KibanaClient, keys: Sequence[Key], types: Sequence[str]) -> dict[Key, list[dict]]:
        es = _elasticsearch(client, ())
        if es is None:
            return {}
        wanted = set(keys)
        found: dict[Key, list[dict]] = {}
        users = [{"type": "index_template", "id": n, **b} for n, b in es.index_templates().items()]
        users += [{"type": "component_template", "id": n, **b} for n, b in es.component_templates().items()]
        users += [{"type": "ingest_pipeline", "id": n, **b} for n, b in es.pipelines().items()]
        for user in users:
            for key in named_dependencies(user) & wanted:
                found.setdefault(key, []).append(user)
        return found

    def dependencies(self, body: dict[str, Any]) -> set[Key]:
        return named_dependencies(body)

    def dist_path(self, key: Key) -> str | None:
        type_, name = key
        return f"elasticsearch/{type_}/{name}.json"

    def mark(self, body: dict[str, Any]) -> dict[str, Any]:
        return mark_meta(body)

    def unmark(self, body: dict[str, Any]) -> dict[str, Any]:
        return unmark_meta(body)

    def is_marked(self, obj: dict[str, Any], marker: Marker) -> bool:
        return is_marked_meta(obj)

    def is_marked_by_anyone(self, obj: dict[str, Any]) -> bool:
        return is_marked_meta(obj)

    def is_builtin(self, obj: dict[str, Any]) -> bool:
        # Elasticsearch's own (logs, metrics, synthetics, .monitoring-*) say ``_meta.managed: true`` or are dotted.
        return meta_of(obj).get("managed") is True or str(obj.get("id", "")).startswith(".")

    def last_updated(self, obj: dict[str, Any]) -> str:
        parts = []
        if obj.get("modified_date"):
            parts.append(f"at {obj['modified_date']}")
        if obj.get("version") is not None:
            parts.append(f"(version {obj['version']})")
        return " ".join(parts) or "unknown (Elasticsearch does not say)"

    def title(self, obj: dict[str, Any]) -> str:
        return str(obj.get("id") or "")


def _elasticsearch(client: KibanaClient, keys: Sequence[Key]) -> ElasticsearchClient | None:
    from kibana_sync.kibana.connection import ES_URL_MISSING
    from kibana_sync.kibana.elasticsearch import ElasticsearchClient

    es = getattr(client, "elasticsearch", None)
    if es is None and keys:
        kinds = sorted({k[0].replace("_", " ") for k in keys})
        raise KibanaError(ES_URL_MISSING.format(what=", ".join(kinds)))
    return es if isinstance(es, ElasticsearchClient) else None
