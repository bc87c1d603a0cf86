"""What every command shares: exit codes, the objects-folder options, and loading a project or exiting 2."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # loading the kinds costs most of start-up: only commands that load a project pay it
    from kibana_sync.project.loader import Project

EXIT_OK, EXIT_CHANGES, EXIT_ERROR = 0, 1, 2

objects_option = click.option(
    "--objects", "objects_dir", type=click.Path(path_type=Path), default=Path("objects"), show_default=True,
    help="Folder with the YAML objects.")
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


def tune_gc() -> None:
    """A run allocates hundreds of thousands of small objects that live until it ends (YAML, models, compiled
    JSON); with the default thresholds the cyclic collector rescans them over and over, about a third of a large
    build's time. Collecting less often keeps that cost small without turning the collector off."""
    gc.set_threshold(50_000, 20, 100)


def load_or_exit(objects_dir: Path, strict: bool) -> Project:
    """Load and report every diagnostic; exit 2 when there is any error, so nothing is built or sent."""
    from kibana_sync.project.loader import load_project

    project = load_project(objects_dir, strict=strict)
    for diagnostic in project.diagnostics.sorted():
        click.echo(str(diagnostic), err=True)
    if not project.ok:
        errors, warnings = len(project.diagnostics.errors), len(project.diagnostics.warnings)
        click.echo(f"{errors} error(s), {warnings} warning(s) in {objects_dir}", err=True)
        sys.exit(EXIT_ERROR)
    return project
