"""``kibana-sync schema``: the JSON Schema of each kind's YAML format, for editors."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--kind", "kind_name", metavar="KIND",
              help="Print one kind's schema instead of all of them (dashboard, search, rule, ...).")
def schema(kind_name: str | None) -> None:
    """Print the JSON Schema of the YAML formats (for editor completion and checks)."""
    from kibana_sync.kinds.registry import all_kinds

    if kind_name is not None and kind_name not in {k.name for k in all_kinds()}:
        raise click.BadParameter(f"{kind_name!r} is not a kind; expected one of: "
                                 f"{', '.join(k.name for k in all_kinds())}", param_hint="--kind")
    schemas = {k.folder: k.model.model_json_schema() for k in all_kinds() if kind_name in (None, k.name)}
    click.echo(json.dumps(next(iter(schemas.values())) if kind_name else schemas, indent=2, sort_keys=True))
