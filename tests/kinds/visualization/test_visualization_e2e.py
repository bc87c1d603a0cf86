"""Legacy visualizations end to end against the Kibana emulator (served on loopback): a real Kibana export
(../shared/corpus/ndjson, read-only) -> ``export --from-file`` -> ``push`` into an empty Kibana -> ``diff`` finds
nothing, and what Kibana then holds equals, object by object, what the export held."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from kibana_emulator import KibanaEmulator, serve

from kibana_sync.cli.main import main
from kibana_sync.kibana.ownership import unmark_saved_object
from kibana_sync.kinds.visualization.kind import VisualizationKind

pytestmark = pytest.mark.slow  # end to end: run by the full suite, not the fast set

KIND = VisualizationKind()
EXPORT = "ndjson/pfelk__v20.2-haproxy.ndjson"  # 27 visualizations of a 7.11 Kibana, one data view


def invoke(url: str | None, *args: str) -> Any:
    unset = {k: None for k in os.environ if k.startswith("KIBANA")}
    env = {**unset, "KIBANA_URL": url, "KIBANA_USERNAME": "elastic", "KIBANA_PASSWORD": "changeme"} if url else unset
    return CliRunner().invoke(main, list(args), env=env)


def test_exported_visualizations_push_and_diff_clean(corpus_dir: Path, tmp_path: Path) -> None:
    source = corpus_dir / EXPORT
    originals = {o["id"]: o for o in map(json.loads, source.read_text(encoding="utf-8").splitlines())
                 if o.get("type") == "visualization"}
    objects = tmp_path / "objects"
    result = invoke(None, "export", "--from-file", str(source), "--out", str(objects),
                    "--type", "visualization", "--type", "index-pattern", "--output", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["written"]["visualization"] == len(originals) == 27
    assert report["parts"]["visualization"]["compact"] + report["parts"]["visualization"]["raw"] == 27

    emulator = KibanaEmulator()
    with serve(emulator) as url:
        pushed = invoke(url, "push", "--objects", str(objects))
        assert pushed.exit_code == 0, pushed.output
        diff = invoke(url, "diff", "--objects", str(objects))
        assert diff.exit_code == 0, diff.output
        live = invoke(url, "export", "--type", "visualization", "--out", str(tmp_path / "again"), "--output", "json")
        assert live.exit_code == 0, live.output
    again = {p.stem for p in (tmp_path / "again" / "visualizations").glob("*.yaml")}
    assert again == {p.stem for p in (objects / "visualizations").glob("*.yaml")}
    for path in (objects / "visualizations").glob("*.yaml"):
        assert (tmp_path / "again" / "visualizations" / path.name).read_text() == path.read_text(), path.name

    for id_, original in originals.items():  # what Kibana holds after the push, against what it held before
        stored = emulator.get_object("visualization", id_)
        assert stored is not None, id_
        assert KIND.normalise(unmark_saved_object(stored)) == KIND.normalise(original), id_
