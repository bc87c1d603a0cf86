"""The Elasticsearch store and connection settings in-process: a failed component template holds back the index
templates composed of it, reads are one request per type, and the URL comes from --es-url, ES_URL or the
cloud id."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from es_emulator import ElasticsearchEmulator

from kibana_sync.kibana.client import KibanaClient
from kibana_sync.kibana.connection import ConnectionSettings, resolve_elasticsearch_settings
from kibana_sync.kibana.elasticsearch import ElasticsearchClient
from kibana_sync.kibana.stores.registry import store_named
from kibana_sync.project.build import compile_project
from kibana_sync.project.loader import load_project
from kibana_sync.sync.apply import apply_plan
from kibana_sync.sync.plan import LiveState, compute_plan

FILES = {
    # Only the cluster knows its snapshot repositories: this policy passes validate and Elasticsearch refuses it.
    "ilm_policies/archive.yaml": "phases:\n  cold:\n    actions:\n      searchable_snapshot: "
                                 "{snapshot_repository: nowhere}\n",
    "ilm_policies/keep.yaml": "phases:\n  delete:\n    min_age: 1d\n    actions: {delete: {}}\n",
    "component_templates/base.yaml": "template:\n  settings: {index.lifecycle.name: archive}\n",
    "component_templates/other.yaml": "template:\n  settings: {index.lifecycle.name: keep}\n",
    "index_templates/app.yaml": "index_patterns: [app-*]\ncomposed_of: [base]\n",
}


def build(tmp_path: Path):
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return compile_project(load_project(tmp_path))


def client_with(es: ElasticsearchEmulator) -> KibanaClient:
    kibana = KibanaClient(ConnectionSettings(url="http://kibana.test:5601"))
    kibana.elasticsearch = ElasticsearchClient(
        ConnectionSettings(url="http://elasticsearch.test", username="elastic", password="changeme"),
        transport=es.transport(), sleep=lambda _: None)
    return kibana


@pytest.mark.slow  # applies a whole plan through every store (about 6 s): the full suite runs it
def test_a_failed_object_holds_back_what_names_it_and_what_is_composed_of_that(tmp_path):
    es = ElasticsearchEmulator()
    client = client_with(es)
    the_build = build(tmp_path)
    store = store_named("elasticsearch")
    view = store.read_space(client, list(the_build.objects_of("elasticsearch")), [])
    assert len(es.requests) == 5  # GET / and one listing per type, however many objects
    plan = compute_plan(the_build, LiveState(views={"elasticsearch": view}))
    outcomes = [o for o in apply_plan(client, plan, environ={}) if o.change.store == "elasticsearch"]
    by_id = {o.change.id: o for o in outcomes}
    assert by_id["keep"].ok and by_id["other"].ok
    assert not by_id["archive"].ok and "no such repository [nowhere]" in by_id["archive"].message
    assert by_id["base"].skipped and "ilm policy 'archive' failed" in by_id["base"].message
    assert by_id["app"].skipped and "component template 'base' failed" in by_id["app"].message
    assert sorted(r.path for r in es.requests if r.method == "PUT") == [
        "/_component_template/other", "/_ilm/policy/archive", "/_ilm/policy/keep"]


def cloud_id(es: str, kibana: str) -> str:
    return "deploy:" + base64.b64encode(f"eu-west-1.aws.found.io${es}${kibana}".encode()).decode()


KIBANA = ConnectionSettings(url="https://kb.example.com", api_key="aWQ6c2VjcmV0")


@pytest.mark.parametrize(("flags", "environ", "url"), [
    ({"es_url": "https://es.example.com:9200"}, {"ES_URL": "https://other:9200"}, "https://es.example.com:9200"),
    ({}, {"ES_URL": "https://es.example.com:9200"}, "https://es.example.com:9200"),
    ({"cloud_id": cloud_id("esuuid", "kbuuid")}, {}, "https://esuuid.eu-west-1.aws.found.io"),
    ({}, {}, None),
])
def test_the_elasticsearch_url_comes_from_the_flag_the_environment_or_the_cloud_id(flags, environ, url):
    settings = resolve_elasticsearch_settings(flags, environ, None, None, KIBANA)
    assert (settings.url if settings else None) == url
    if settings is not None:
        assert settings.api_key is not None and settings.api_key.get_secret_value() == "aWQ6c2VjcmV0"


def test_es_credentials_of_their_own_replace_kibanas():
    settings = resolve_elasticsearch_settings({"es_url": "https://es:9200"},
                                              {"ES_USERNAME": "ingest", "ES_PASSWORD": "pw"}, None, None, KIBANA)
    assert settings is not None and settings.api_key is None and settings.username == "ingest"
    assert settings.credentials_source == "ES_USERNAME/ES_PASSWORD"
