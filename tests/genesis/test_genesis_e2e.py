"""GENESIS end to end against the Kibana and Elasticsearch 8.11 emulators: the whole repo pushed into an empty
stack, its Kibana objects into the GENESIS space the same push creates, in dependency order (space, ILM policy,
pipeline, templates, then data view, searches, dashboards, connector, rules); then ``diff`` exits 0 and a
second push writes nothing (every object reads back the way it was built)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from es_emulator import ElasticsearchEmulator
from kibana_emulator import KibanaEmulator, serve

from kibana_sync.cli.main import main

pytestmark = pytest.mark.slow  # end to end: run by the full suite, not the fast set

ES_WRITES = [("PUT", "/_ilm/policy/genesis-logs"), ("PUT", "/_ingest/pipeline/genesis-logs"),
             ("PUT", "/_component_template/genesis-logs-base"), ("PUT", "/_index_template/genesis-logs-audit"),
             ("PUT", "/_index_template/genesis-logs-tilt"), ("PUT", "/_index_template/genesis-logs-trading")]
ES_URLS: dict[str, str] = {}
ES: dict[str, ElasticsearchEmulator] = {}


@pytest.fixture
def kibana() -> Iterator[tuple[KibanaEmulator, str]]:
    emulator, es = KibanaEmulator(), ElasticsearchEmulator()
    with serve(emulator) as url, serve(es) as es_url:  # type: ignore[arg-type]
        ES_URLS[url], ES[url] = es_url, es
        yield emulator, url
        assert not es.unexpected_errors, es.unexpected_errors


@pytest.fixture
def kibana_objects(genesis_objects: Path, tmp_path: Path) -> Path:
    tree = tmp_path / "objects"
    shutil.copytree(genesis_objects, tree)
    return tree


def cli(url: str, tree: Path, *args: str) -> tuple[int, str]:
    env = {"KIBANA_URL": url, "KIBANA_USERNAME": "elastic", "KIBANA_PASSWORD": "changeme", "KIBANA_SPACE": None,
           "ES_URL": ES_URLS[url], "ES_API_KEY": None, "ES_USERNAME": None, "ES_PASSWORD": None}
    done = CliRunner().invoke(main, [*args, "--objects", str(tree)], env=env)
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return done.exit_code, done.output


def test_genesis_pushed_into_its_own_new_space_diffs_clean(kibana, kibana_objects: Path) -> None:
    emulator, url = kibana
    code, out = cli(url, kibana_objects, "push", "--space", "genesis")
    assert code == 0 and "FAILED" not in out, out
    done = [line for line in out.splitlines() if line.startswith("ok     ")]
    order = ['space "GENESIS"', 'ilm policy "genesis-logs"', 'ingest pipeline "genesis-logs"',
             'component template "genesis-logs-base"', 'index template "genesis-logs-trading"',
             'data view "GENESIS logs"', 'search "Slow Executions"', 'dashboard "GENESIS - Tilt Monitoring"',
             'connector "GENESIS Alertmanager"', 'rule "GENESIS: slow executions"']
    at = [next(i for i, line in enumerate(done) if what in line) for what in order]
    assert at == sorted(at), done
    assert [(r.method, r.path) for r in ES[url].requests if r.method in ("PUT", "POST", "DELETE")] == ES_WRITES
    space = emulator.spaces.spaces["genesis"]
    assert space["name"] == "GENESIS" and "siem" in space["disabledFeatures"]
    assert space["description"].endswith("[managed-by-kibana-sync]")
    # Everything else went into the new space, none of it into the default one.
    assert emulator.store.find_any_space("dashboard", "genesis-tilt-monitoring").namespaces == ["genesis"]

    code, out = cli(url, kibana_objects, "diff", "--space", "genesis")
    assert code == 0 and "In sync" in out, out
    emulator.reset_log()
    ES[url].requests.clear()
    assert cli(url, kibana_objects, "push", "--space", "genesis")[0] == 0
    assert emulator.writes() == []
    assert [r for r in ES[url].requests if r.method in ("PUT", "POST", "DELETE")] == []


def test_a_space_changed_by_hand_shows_in_diff_and_push_restores_it(kibana, kibana_objects: Path) -> None:
    emulator, url = kibana
    assert cli(url, kibana_objects, "push", "--space", "genesis")[0] == 0
    emulator.spaces.spaces["genesis"]["disabledFeatures"] = []
    code, out = cli(url, kibana_objects, "diff", "--space", "genesis", "--no-color")
    assert code == 1 and 'space "GENESIS" › disabled_features: added ["enterpriseSearch"' in out, out
    assert cli(url, kibana_objects, "push", "--space", "genesis")[0] == 0
    assert "siem" in emulator.spaces.spaces["genesis"]["disabledFeatures"]


def test_prune_deletes_a_dropped_space_but_never_the_default_nor_the_one_it_writes_into(
        kibana, kibana_objects: Path) -> None:
    emulator, url = kibana
    (kibana_objects / "spaces" / "ops.yaml").write_text("name: Ops\n")
    (kibana_objects / "spaces" / "staging.yaml").write_text("name: Staging\n")
    emulator.create_space("by-hand", "Made by hand")
    assert cli(url, kibana_objects, "push", "--space", "genesis")[0] == 0
    (kibana_objects / "spaces" / "genesis.yaml").unlink()
    (kibana_objects / "spaces" / "staging.yaml").unlink()
    code, out = cli(url, kibana_objects, "push", "--space", "genesis", "--prune", "--max-delete", "2")
    assert "staging" not in emulator.spaces.spaces, out
    assert {"genesis", "default", "ops", "by-hand"} <= set(emulator.spaces.spaces), out
    assert "the space this push writes into" in out and code == 2
    assert "Made by hand" not in cli(url, kibana_objects, "diff", "--space", "genesis", "--fail-on-unmanaged")[1]


def test_a_missing_space_the_repo_does_not_declare_is_refused(kibana, kibana_objects: Path) -> None:
    _, url = kibana
    code, out = cli(url, kibana_objects, "diff", "--space", "elsewhere")
    assert code == 2 and "space 'elsewhere' does not exist" in out and "objects/spaces/<id>.yaml" in out
