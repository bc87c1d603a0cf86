"""What starting the CLI loads (issue 12: start-up is paid by every command, every CI step, every pre-commit run).
Counted, not timed: the modules each start imports."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from kibana_sync.cli.main import main

# Loaded only by the commands that need them: the kinds (every pydantic model), HTTP, diffing, planning, export.
HEAVY = ("kibana_sync.kinds.registry", "kibana_sync.project.loader", "httpx", "deepdiff", "kibana_sync.sync.plan",
         "kibana_sync.export.pipeline", "kibana_sync.preview.svg")


def _loaded_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_starting_the_cli_loads_none_of_the_heavy_parts() -> None:
    loaded = _loaded_after("import kibana_sync.cli.main")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_validate_and_build_load_no_http_diffing_or_export_code_of_their_own() -> None:
    loaded = _loaded_after("from kibana_sync.cli import build, validate, common")
    assert not loaded & {"deepdiff", "kibana_sync.sync.plan", "kibana_sync.export.pipeline"}


def test_schema_checks_the_kind_name_itself() -> None:
    result = CliRunner().invoke(main, ["schema", "--kind", "dashbord"])
    assert result.exit_code == 2
    assert "'dashbord' is not a kind" in result.output and "dashboard" in result.output
    one = CliRunner().invoke(main, ["schema", "--kind", "tag"])
    assert one.exit_code == 0
    assert "name" in json.loads(one.output)["properties"]


def test_validate_and_build_of_a_dashboard_folder_load_neither_other_kinds_nor_the_http_client(tmp_path) -> None:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "one.yaml").write_text("title: One\npanels:\n  - markdown: hello\n")
    loaded = _loaded_after(
        "from pathlib import Path\n"
        "from kibana_sync.cli.common import load_or_exit\n"
        "from kibana_sync.project.build import compile_project, render\n"
        f"render(compile_project(load_or_exit(Path({str(tmp_path)!r}), False)))")
    assert "kibana_sync.kinds.dashboard.kind" in loaded
    unused = {"kibana_sync.kinds.rule.kind", "kibana_sync.kinds.connector.kind", "kibana_sync.kinds.map.kind",
              "kibana_sync.kinds.data_view.kind", "kibana_sync.kinds.tag.kind", "httpx", "multiprocessing",
              "kibana_sync.kibana.client", "kibana_sync.kibana.connection"}
    assert not loaded & unused, sorted(loaded & unused)
