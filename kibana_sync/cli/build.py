"""``kibana-sync build``: compile the YAML into what Kibana imports, written atomically."""

from __future__ import annotations

from pathlib import Path

import click

from kibana_sync.cli.common import load_or_exit, objects_option, strict_option


@click.command()
@objects_option
@strict_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="Where to write saved_objects.ndjson and the API bodies (rules/, connectors/, spaces/, elasticsearch/).")
def build(objects_dir: Path, strict: bool, out_dir: Path) -> None:
    """Compile the YAML into Kibana's saved-object NDJSON and alerting/connector API bodies."""
    from kibana_sync.project.build import compile_project, render, write_atomically

    project = load_or_exit(objects_dir, strict)
    result = compile_project(project)
    write_atomically(render(result), out_dir)
    es = f", {len(result.elasticsearch)} Elasticsearch object(s)" if result.elasticsearch else ""
    spaces = f", {len(result.spaces)} space(s)" if result.spaces else ""
    click.echo(f"built {len(result.saved_objects)} saved object(s), {len(result.rules)} rule(s), "
               f"{len(result.connectors)} connector(s){es}{spaces} into {out_dir}")
