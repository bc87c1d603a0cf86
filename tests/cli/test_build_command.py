"""What `kibana-sync build` tells the user it wrote."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kibana_sync.cli.main import main


def test_build_counts_what_it_wrote_for_every_store(genesis_objects: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--objects", str(genesis_objects), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    # GENESIS: 11 saved objects (marker tag included), 5 rules, 1 connector, 6 Elasticsearch objects, its space
    assert result.output.strip().startswith("built 11 saved object(s), 5 rule(s), 1 connector(s), "
                                            "6 Elasticsearch object(s), 1 space(s) into ")
    assert (tmp_path / "dist/spaces/genesis.json").is_file()
