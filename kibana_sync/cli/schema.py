"""``kibana-sync schema``: the JSON Schema of each kind's YAML format, for editors."""

from __future__ import annotations

import json

import click

from kibana_sync.kinds.registry import all_kinds


@click.command()
@click.option("--kind", "kind_name", type=click.Choice([k.name for k in all_kinds()]),
              help="Print one kind's schema instead of all of them.")
def schema(kind_name: str | None) -> None:
    """Print the JSON Schema of the YAML formats (for editor completion and checks)."""
    schemas = {k.folder: k.model.model_json_schema() for k in all_kinds() if kind_name in (None, k.name)}
    click.echo(json.dumps(next(iter(schemas.values())) if kind_name else schemas, indent=2, sort_keys=True))
