"""The ``kibana-sync`` command line: a thin layer over project loading, build, sync and export."""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import click

from kibana_sync import __version__
from kibana_sync.build import compile_project, render, write_atomically
from kibana_sync.kinds import all_kinds
from kibana_sync.project import Project, load_project

EXIT_OK, EXIT_CHANGES, EXIT_ERROR = 0, 1, 2

objects_option = click.option(
    "--objects", "objects_dir", type=click.Path(path_type=Path), default=Path("objects"), show_default=True,
    help="Folder with the YAML objects.")
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kibana-sync")
def main() -> None:
    """Kibana content as YAML: validate, build, diff, push and export."""
    tune_gc()


def tune_gc() -> None:
    """A run allocates hundreds of thousands of small objects that live until it ends (YAML, models, compiled
    JSON); with the default thresholds the cyclic collector rescans them over and over, about a third of a large
    build's time. Collecting less often keeps that cost small without turning the collector off."""
    gc.set_threshold(50_000, 20, 100)


def load_or_exit(objects_dir: Path, strict: bool) -> Project:
    """Load and report every diagnostic; exit 2 when there is any error, so nothing is built or sent."""
    project = load_project(objects_dir, strict=strict)
    for diagnostic in project.diagnostics.sorted():
        click.echo(str(diagnostic), err=True)
    if not project.ok:
        errors, warnings = len(project.diagnostics.errors), len(project.diagnostics.warnings)
        click.echo(f"{errors} error(s), {warnings} warning(s) in {objects_dir}", err=True)
        sys.exit(EXIT_ERROR)
    return project


@main.command()
@objects_option
@strict_option
def validate(objects_dir: Path, strict: bool) -> None:
    """Check every YAML object: types, references, queries, fields and panel layout."""
    project = load_or_exit(objects_dir, strict)
    counts = ", ".join(f"{k.name}: {len(project.of_kind(k.name))}" for k in all_kinds())
    click.echo(f"ok: {len(project.entries)} objects ({counts}), {len(project.diagnostics.warnings)} warning(s)")


@main.command()
@objects_option
@strict_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="Where to write saved_objects.ndjson, rules/ and connectors/.")
def build(objects_dir: Path, strict: bool, out_dir: Path) -> None:
    """Compile the YAML into Kibana's saved-object NDJSON and alerting/connector API bodies."""
    project = load_or_exit(objects_dir, strict)
    result = compile_project(project)
    write_atomically(render(result), out_dir)
    click.echo(f"built {len(result.saved_objects)} saved object(s), {len(result.rules)} rule(s), "
               f"{len(result.connectors)} connector(s) into {out_dir}")


@main.command()
@click.option("--kind", "kind_name", type=click.Choice([k.name for k in all_kinds()]),
              help="Print one kind's schema instead of all of them.")
def schema(kind_name: str | None) -> None:
    """Print the JSON Schema of the YAML formats (for editor completion and checks)."""
    schemas = {k.folder: k.model.model_json_schema() for k in all_kinds() if kind_name in (None, k.name)}
    click.echo(json.dumps(next(iter(schemas.values())) if kind_name else schemas, indent=2, sort_keys=True))


for _module in ("kibana_sync.sync_cli", "kibana_sync.export_cli"):
    # diff/push and export register themselves on ``main`` when present.
    try:
        __import__(_module)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
