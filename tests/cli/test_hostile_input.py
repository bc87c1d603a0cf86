"""Hostile and broken input given to the CLI is refused cheaply: one clear ``file:line:col`` error, exit 2, no
traceback, nothing built (issue 10, limits on input)."""

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kibana_sync.cli.main import main
from kibana_sync.kinds.dashboard import layout
from kibana_sync.project import loader

BILLION_LAUGHS = 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))


def objects_with(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    root = tmp_path / "objects"
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_billion_laughs_yaml_fails_validate_with_exit_2(tmp_path):
    root = objects_with(tmp_path, {"dashboards/lol.yaml": BILLION_LAUGHS})
    result = run("validate", "--objects", str(root))
    assert result.exit_code == 2
    assert f"{root / 'dashboards/lol.yaml'}:1:1: error: aliases expand this document to" in result.output


def test_billion_laughs_yaml_needs_no_large_memory(tmp_path):
    # Building the document would take hundreds of millions of Python values (tens of GB); under a 2 GiB address
    # space limit the refusal must still be the ordinary exit 2, not a MemoryError.
    root = objects_with(tmp_path, {"dashboards/lol.yaml": BILLION_LAUGHS})
    limit = 2 << 30

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    done = subprocess.run([sys.executable, "-m", "kibana_sync", "validate", "--objects", str(root)],
                          capture_output=True, text=True, preexec_fn=cap_memory, timeout=120,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 2, done.stderr
    assert "aliases expand this document" in done.stderr
    assert "Traceback" not in done.stderr


def test_deeply_nested_yaml_fails_validate(tmp_path):
    root = objects_with(tmp_path, {"searches/deep.yaml": "title: t\nquery: " + "[" * 500 + "]" * 500 + "\n"})
    result = run("validate", "--objects", str(root))
    assert result.exit_code == 2
    assert "deep.yaml:2:" in result.output and "nesting deeper than 100 levels" in result.output


def test_recursive_alias_fails_validate(tmp_path):
    root = objects_with(tmp_path, {"tags/loop.yaml": "name: &a [*a]\n"})
    result = run("validate", "--objects", str(root))
    assert result.exit_code == 2
    assert "loop.yaml:1:7: error: invalid YAML: recursive alias" in result.output


def test_oversized_yaml_file_fails_validate(tmp_path, monkeypatch):
    root = objects_with(tmp_path, {"tags/big.yaml": "name: " + "x" * 5000 + "\n"})
    monkeypatch.setenv("KIBANA_SYNC_MAX_FILE_BYTES", "4096")
    result = run("validate", "--objects", str(root))
    assert result.exit_code == 2
    assert "big.yaml:1:1: error: file is 5007 bytes, more than the 4096-byte limit on input" in result.output


def test_binary_yaml_file_fails_validate(tmp_path):
    root = objects_with(tmp_path, {"tags/logo.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"})
    result = run("validate", "--objects", str(root))
    assert result.exit_code == 2
    assert "logo.yaml:3:1: error: binary file (NUL byte)" in result.output


def test_non_utf8_yaml_file_fails_validate(tmp_path):
    root = objects_with(tmp_path, {"tags/latin1.yaml": "name: café\n".encode("latin-1")})
    result = run("validate", "--objects", str(root))
    assert result.exit_code == 2
    assert "latin1.yaml:1:10: error: not UTF-8 text: byte 0xe9" in result.output


def test_export_from_binary_file_exits_2_without_traceback(tmp_path):
    source = tmp_path / "export.ndjson"
    source.write_bytes(bytes(range(256)) * 4)
    result = run("export", "--from-file", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{source}:1:1: binary file (NUL byte)" in result.output
    assert not list(tmp_path.glob("out/**/*.yaml"))


def test_export_from_non_utf8_file_exits_2_without_traceback(tmp_path):
    source = tmp_path / "export.ndjson"
    source.write_bytes(b'{"type":"tag","id":"a","attributes":{"name":"a"},"references":[]}\n{"name":"caf\xe9"}\n')
    result = run("export", "--from-file", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{source}:2:13: not UTF-8 text: byte 0xe9" in result.output


def test_export_from_deeply_nested_ndjson_exits_2(tmp_path):
    source = tmp_path / "export.ndjson"
    deep = "[" * 100_000 + "]" * 100_000
    source.write_text(f'{{"type":"tag","id":"a","attributes":{{"name":"a","deep":{deep}}},"references":[]}}\n')
    result = run("export", "--from-file", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{source}:1: nested deeper than 100 levels" in result.output


def test_export_from_build_folder_with_binary_rule_exits_2(tmp_path):
    build = tmp_path / "dist"
    (build / "rules").mkdir(parents=True)
    (build / "rules" / "r.json").write_bytes(b"\xff\xfe{\x00}\x00")
    result = run("export", "--from-file", str(build), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "r.json:1:4: binary file (NUL byte)" in result.output


MARKDOWN_DASHBOARD = "title: Big\npanels:\n  - markdown: '{text}'\n    w: 48\n    h: 10\n"


def test_dashboard_over_kibanas_import_limit_fails_validate_and_build(tmp_path):
    # A double quote costs 4 bytes once compiled (escaped in the markdown vis state, then again in panelsJSON), so
    # a 7 MB YAML file compiles to a dashboard over 26,214,400 bytes.
    root = objects_with(tmp_path, {"dashboards/big.yaml": MARKDOWN_DASHBOARD.format(text='"' * 7_000_000)})
    for command in (["validate"], ["build", "--out", str(tmp_path / "dist")]):
        result = run(*command, "--objects", str(root))
        assert result.exit_code == 2, result.output
        assert f"{root / 'dashboards/big.yaml'}:1:1: error: compiles to a 28," in result.output
        assert "Kibana imports at most 26,214,400 bytes" in result.output
    assert not (tmp_path / "dist").exists()


def test_dashboard_just_under_the_import_limit_builds(tmp_path):
    root = objects_with(tmp_path, {"dashboards/big.yaml": MARKDOWN_DASHBOARD.format(text='"' * 6_000_000)})
    result = run("build", "--objects", str(root), "--out", str(tmp_path / "dist"))
    assert result.exit_code == 0, result.output
    line = (tmp_path / "dist" / "saved_objects.ndjson").read_bytes().split(b"\n")[-1]
    assert 24_000_000 < len(line) <= loader.MAX_IMPORT_BYTES - loader.IMPORT_ENVELOPE_BYTES
    assert json.loads(line)["type"] == "dashboard"


def test_dashboard_with_more_panels_than_the_limit_fails_validate(tmp_path, monkeypatch):
    monkeypatch.setattr(layout, "MAX_PANELS", 30)
    panels = "".join(f"  - markdown: p{i}\n    w: 4\n    h: 2\n" for i in range(31))
    root = objects_with(tmp_path, {"dashboards/many.yaml": f"title: Many\npanels:\n{panels}"})
    result = run("validate", "--objects", str(root))
    assert result.exit_code == 2
    assert "many.yaml:94:5: error: panels[30].w: a dashboard may have at most 30 panels, this one has 31" \
        in result.output


def test_export_from_file_with_null_references_exits_2(tmp_path):
    # Found by the fuzz test: a line whose references are not a list was a TypeError traceback.
    source = tmp_path / "export.ndjson"
    source.write_text('{"type": "dashboard", "id": "0", "references": null}\n')
    result = run("export", "--from-file", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{source}:1: saved object whose references are not a list of {{name, type, id}} strings" in result.output


def test_validate_measures_against_the_budget_push_splits_imports_by():
    # validate keeps its own copy of the limit (the HTTP client is not imported to validate); they must agree, and
    # what validate keeps free must cover the multipart framing push adds.
    from kibana_sync.kibana.client import MAX_IMPORT_BYTES, MULTIPART_OVERHEAD

    assert loader.MAX_IMPORT_BYTES == MAX_IMPORT_BYTES
    assert loader.IMPORT_ENVELOPE_BYTES >= MULTIPART_OVERHEAD + 200  # the ownership marker reference fits the rest
