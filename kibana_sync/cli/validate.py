"""``kibana-sync validate``: check every YAML object without building or sending anything."""

from __future__ import annotations

from pathlib import Path

import click

from kibana_sync.cli.common import load_or_exit, objects_option, strict_option


@click.command()
@objects_option
@strict_option
def validate(objects_dir: Path, strict: bool) -> None:
    """Check every YAML object: types, references, queries, fields and panel layout."""
    from kibana_sync.kinds.registry import kind_names

    project = load_or_exit(objects_dir, strict)
    counts = ", ".join(f"{name}: {len(project.of_kind(name))}" for name in kind_names())
    click.echo(f"ok: {len(project.entries)} objects ({counts}), {len(project.diagnostics.warnings)} warning(s)")
