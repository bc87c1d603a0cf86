"""``kibana-sync init``: start a repository with example objects, a profile, a CI workflow and a pre-commit hook."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kibana_sync.cli.common import EXIT_ERROR
from kibana_sync.scaffold.files import scaffold_files


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
def init(directory: Path) -> None:
    """Scaffold a kibana-sync repository in DIRECTORY (default: here): objects/ with one valid example per main
    kind, a commented kibana-sync.yaml, a GitHub Actions workflow (diff on pull requests, push on merge) and a
    .pre-commit-config.yaml. Never overwrites: if any of those files exists, nothing is written (exit 2)."""
    files = scaffold_files()
    existing = [f.target.as_posix() for f in files if (directory / f.target).exists()]
    if existing:
        click.echo(f"error: {directory} already has {', '.join(existing)}; init writes nothing over existing "
                   "files (move them away or init another folder)", err=True)
        sys.exit(EXIT_ERROR)
    for f in files:
        target = directory / f.target
        target.parent.mkdir(parents=True, exist_ok=True)
        # Bytes, so the templates' line endings and encoding arrive unchanged.
        target.write_bytes(f.template.read_bytes())
    where = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(f"wrote {len(files)} files into {directory}:")
    for f in files:
        click.echo(f"  {f.target.as_posix()}")
    click.echo("next:\n"
               f"  {where}kibana-sync validate              # check the examples, offline\n"
               "  kibana-sync preview objects/dashboards/overview.yaml --out overview.svg\n"
               "  kibana-sync diff --env local            # against a Kibana: see kibana-sync.yaml")
