"""``kibana-sync init``: the scaffold validates as written, its CI workflow and pre-commit config are usable, and
a second init never overwrites anything."""

from __future__ import annotations

import glob
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kibana_sync.cli.main import main
from kibana_sync.kibana.connection import resolve_settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def new_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "new-repo"])
    assert result.exit_code == 0, result.output
    return tmp_path / "new-repo"


def test_init_then_validate_in_the_new_repo_exits_0(new_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(new_repo)
    result = CliRunner().invoke(main, ["validate", "--strict"])
    assert result.exit_code == 0, result.output
    counts = dict(re.findall(r"(\w+): (\d+)", result.output))
    # one example of each main kind, so a newcomer sees the syntax of each
    for kind in ("tag", "data_view", "search", "dashboard", "connector", "rule"):
        assert counts[kind] == "1", (kind, result.output)


def test_init_scaffold_builds(new_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(new_repo)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert (new_repo / "dist" / "saved_objects.ndjson").is_file()
    assert "dist/" in (new_repo / ".gitignore").read_text().splitlines()


def test_init_workflow_diffs_pull_requests_and_pushes_merges(new_repo: Path) -> None:
    workflow = yaml.safe_load((new_repo / ".github" / "workflows" / "kibana-sync.yaml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["pull_request"]["paths"] == ["objects/**"]
    assert triggers["push"]["branches"] == ["main"]
    diff_steps = [s.get("run", "") for s in workflow["jobs"]["diff"]["steps"]]
    assert any("kibana-sync diff" in run and "--output markdown" in run for run in diff_steps)
    assert any("gh pr comment" in run for run in diff_steps)
    assert workflow["jobs"]["diff"]["permissions"]["pull-requests"] == "write"
    assert workflow["jobs"]["diff"]["if"] == "github.event_name == 'pull_request'"
    push_steps = [s.get("run", "") for s in workflow["jobs"]["push"]["steps"]]
    assert any(run.startswith("kibana-sync push") for run in push_steps)
    assert workflow["jobs"]["push"]["if"] == "github.event_name == 'push'"
    # credentials come from the repository's secrets, never from the file
    assert workflow["env"]["KIBANA_API_KEY"] == "${{ secrets.KIBANA_API_KEY }}"


def test_init_pre_commit_config_uses_this_repos_hook(new_repo: Path) -> None:
    config = yaml.safe_load((new_repo / ".pre-commit-config.yaml").read_text())
    hook_ids = [h["id"] for repo in config["repos"] for h in repo["hooks"]]
    published = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook_ids == ["kibana-sync-validate"]
    hook = next(h for h in published if h["id"] == "kibana-sync-validate")
    assert hook["entry"] == "kibana-sync validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "objects/dashboards/overview.yaml")
    assert not re.search(hook["files"], "README.md")


def test_init_profile_is_read_by_the_connection_settings(new_repo: Path) -> None:
    config = new_repo / "kibana-sync.yaml"
    local = resolve_settings({}, {"KIBANA_USERNAME": "elastic", "KIBANA_PASSWORD": "changeme"}, config, "local")
    assert local.url == "http://localhost:5601"
    assert local.username == "elastic"
    prod = resolve_settings({}, {"PROD_KIBANA_API_KEY": "aWQ6a2V5"}, config, "prod")
    assert prod.url == "https://kibana.example.com:5601"
    assert prod.authorization == "ApiKey aWQ6a2V5"


def test_second_init_refuses_and_changes_nothing(new_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edited = new_repo / "objects" / "dashboards" / "overview.yaml"
    edited.write_text("title: mine\n")
    result = CliRunner().invoke(main, ["init", "new-repo"])
    assert result.exit_code == 2
    assert "objects/dashboards/overview.yaml" in result.output
    assert "kibana-sync.yaml" in result.output
    assert edited.read_text() == "title: mine\n"


def test_init_refuses_when_one_file_exists_and_writes_none_of_the_others(tmp_path: Path) -> None:
    (tmp_path / "kibana-sync.yaml").write_text("environments: {}\n")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "kibana-sync.yaml" in result.output
    assert not (tmp_path / "objects").exists()
    assert (tmp_path / "kibana-sync.yaml").read_text() == "environments: {}\n"


def test_init_writes_into_an_existing_folder_with_other_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("ours\n")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "README.md").read_text() == "ours\n"
    assert (tmp_path / "objects" / "dashboards" / "overview.yaml").is_file()


def test_package_data_covers_every_scaffold_file() -> None:
    # pyproject's package-data glob is what puts the templates into a wheel; a template it would miss
    # (e.g. a name starting with a dot) would be absent from a normal install.
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '"kibana_sync.scaffold" = ["files/**/*"]' in pyproject
    templates = REPO / "kibana_sync" / "scaffold" / "files"
    # setuptools expands the pattern with glob.glob, which skips hidden names
    shipped = {Path(p) for p in glob.glob(str(templates / "**" / "*"), recursive=True) if Path(p).is_file()}
    on_disk = {p for p in templates.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert on_disk == shipped
    assert not [p for p in on_disk if p.name.startswith(".")]
