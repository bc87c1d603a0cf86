"""``kibana-sync diff``: what push would change, down to panel and field. Exit 0 in sync, 1 changes, 2 error."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kibana_sync.cli.common import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from kibana_sync.cli.sync_options import (
    build_for_target,
    connect,
    plan_or_exit,
    render_plan,
    sync_options,
    use_colour,
)
from kibana_sync.kibana.connection import ConnectionRequest


@click.command()
@sync_options
@click.option("--output", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown suits a pull-request comment.")
def diff(objects_dir: Path, strict: bool, prune: bool, id_suffix: str, update_secrets: bool, color: bool | None,
         connection: ConnectionRequest, output: str) -> None:
    """Show what push would change. Exit 0 in sync, 1 changes pending, 2 error."""
    build = build_for_target(objects_dir, strict, id_suffix)
    with connect(connection) as client:
        plan = plan_or_exit(client, build, prune, update_secrets)
    click.echo(render_plan(plan, output, client, use_colour(color)))
    sys.exit(EXIT_ERROR if plan.errors else EXIT_CHANGES if plan.has_changes else EXIT_OK)
