"""GENESIS end to end against the Kibana emulator: the repo pushed into an empty Kibana, into the GENESIS space
the same push creates, then ``diff`` exits 0 and a second push writes nothing (a pushed rule, connector, space
and every dashboard read back the way they were built)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from kibana_emulator import KibanaEmulator, serve

from kibana_sync.cli.main import main

pytestmark = pytest.mark.slow  # end to end: run by the full suite, not the fast set

ELASTICSEARCH_FOLDERS = ("ilm_policies", "component_templates", "index_templates", "ingest_pipelines")


@pytest.fixture
def kibana() -> Iterator[tuple[KibanaEmulator, str]]:
    emulator = KibanaEmulator()
    with serve(emulator) as url:
        yield emulator, url


@pytest.fixture
def kibana_objects(genesis_objects: Path, tmp_path: Path) -> Path:
    # The Kibana side only: the Elasticsearch files need an Elasticsearch URL, which this test does not serve.
    tree = tmp_path / "objects"
    shutil.copytree(genesis_objects, tree, ignore=shutil.ignore_patterns(*ELASTICSEARCH_FOLDERS))
    return tree


def cli(url: str, tree: Path, *args: str) -> tuple[int, str]:
    env = {"KIBANA_URL": url, "KIBANA_USERNAME": "elastic", "KIBANA_PASSWORD": "changeme", "KIBANA_SPACE": None,
           "ES_URL": None}
    done = CliRunner().invoke(main, [*args, "--objects", str(tree)], env=env)
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return done.exit_code, done.output


def test_genesis_pushed_into_its_own_new_space_diffs_clean(kibana, kibana_objects: Path) -> None:
    emulator, url = kibana
    code, out = cli(url, kibana_objects, "push", "--space", "genesis")
    assert code == 0 and "FAILED" not in out, out
    assert out.splitlines().index('ok     space "GENESIS" (genesis): created') < min(
        i for i, line in enumerate(out.splitlines()) if line.startswith("ok     ") and "space" not in line)
    space = emulator.spaces.spaces["genesis"]
    assert space["name"] == "GENESIS" and "siem" in space["disabledFeatures"]
    assert space["description"].endswith("[managed-by-kibana-sync]")
    # Everything else went into the new space, none of it into the default one.
    assert emulator.store.find_any_space("dashboard", "genesis-tilt-monitoring").namespaces == ["genesis"]

    code, out = cli(url, kibana_objects, "diff", "--space", "genesis")
    assert code == 0 and "In sync" in out, out
    emulator.reset_log()
    assert cli(url, kibana_objects, "push", "--space", "genesis")[0] == 0
    assert emulator.writes() == []


def test_a_space_changed_by_hand_shows_in_diff_and_push_restores_it(kibana, kibana_objects: Path) -> None:
    emulator, url = kibana
    assert cli(url, kibana_objects, "push", "--space", "genesis")[0] == 0
    emulator.spaces.spaces["genesis"]["disabledFeatures"] = []
    code, out = cli(url, kibana_objects, "diff", "--space", "genesis", "--no-color")
    assert code == 1 and 'space "GENESIS" › disabled_features: added ["enterpriseSearch"' in out, out
    assert cli(url, kibana_objects, "push", "--space", "genesis")[0] == 0
    assert "siem" in emulator.spaces.spaces["genesis"]["disabledFeatures"]


def test_prune_never_deletes_the_default_space_nor_the_space_it_writes_into(kibana, kibana_objects: Path) -> None:
    emulator, url = kibana
    assert cli(url, kibana_objects, "push", "--space", "genesis")[0] == 0
    (kibana_objects / "spaces" / "genesis.yaml").unlink()
    code, out = cli(url, kibana_objects, "push", "--space", "genesis", "--prune", "--max-delete", "1")
    assert "genesis" in emulator.spaces.spaces and "default" in emulator.spaces.spaces, out
    assert "the space this push writes into" in out


def test_a_missing_space_the_repo_does_not_declare_is_refused(kibana, kibana_objects: Path) -> None:
    _, url = kibana
    code, out = cli(url, kibana_objects, "diff", "--space", "elsewhere")
    assert code == 2 and "space 'elsewhere' does not exist" in out and "objects/spaces/<id>.yaml" in out
