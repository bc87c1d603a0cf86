"""Read what to export from Elasticsearch: ILM policies, ingest pipelines, component and index templates, one
listing per type. A chosen index template brings the component templates, ILM policy and pipelines it names
(as a dashboard brings its data views). Elasticsearch's own objects (``_meta.managed: true``, dotted names:
``logs``, ``metrics``, ``.monitoring-*``, ...) are never exported: they come with the cluster."""

from __future__ import annotations

from dataclasses import replace

from kibana_sync.export.pipeline import ExportReport, KibanaObject
from kibana_sync.export.select import Selection
from kibana_sync.kibana.elasticsearch import ElasticsearchClient
from kibana_sync.kibana.elasticsearch_format import ES_STORE
from kibana_sync.kibana.stores.elasticsearch import ElasticsearchStore, named_dependencies
from kibana_sync.kinds.registry import all_kinds

ES_KINDS = tuple(k.name for k in all_kinds() if k.store == ES_STORE)


def kibana_part(selection: Selection) -> Selection | None:
    """The selection without Elasticsearch kinds, for the Kibana side; None when it asked only for those."""
    types = tuple(t for t in selection.types if t not in ES_KINDS)
    if selection.types and not types:
        return None
    return replace(selection, types=types)


def wants_elasticsearch(selection: Selection) -> bool:
    return not selection.types or any(t in ES_KINDS for t in selection.types)


def fetch_elasticsearch(es: ElasticsearchClient, selection: Selection, report: ExportReport) -> list[KibanaObject]:
    if not wants_elasticsearch(selection):
        return []
    es.version()
    store = ElasticsearchStore()
    pool: dict[tuple[str, str], KibanaObject] = {}
    readers = {"ilm_policy": es.ilm_policies, "ingest_pipeline": es.pipelines,
               "component_template": es.component_templates, "index_template": es.index_templates}
    for type_, read in readers.items():
        for name, body in read().items():
            obj = {"type": type_, "id": name, **body}
            if not store.is_builtin(obj):
                pool[(type_, name)] = KibanaObject(ES_STORE, type_, name, obj, "Elasticsearch")
    wanted = {key for key, obj in pool.items() if selection.everything or selection.matches(obj)}
    todo = list(wanted)
    while todo:
        for key in named_dependencies(pool[todo.pop()].body):
            if key in pool and key not in wanted:
                wanted.add(key)
                todo.append(key)
    return [obj for key, obj in pool.items() if key in wanted]
