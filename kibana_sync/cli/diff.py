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
@click.option("--fail-on-unmanaged", is_flag=True,
              help="Exit 1 when the space holds objects the repo does not have (made by hand in Kibana).")
@click.option("--previews", "previews_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR", help="With --output markdown: write before/after layout pictures (SVG) of changed "
                                  "dashboards into DIR and show them in the markdown.")
def diff(objects_dir: Path, strict: bool, prune: bool, id_suffix: str, update_secrets: bool, max_delete: int | None,
         adopt: bool, color: bool | None, connection: ConnectionRequest, output: str, fail_on_unmanaged: bool,
         previews_dir: Path | None) -> None:
    """Show what push would change, objects made by hand with the repo's ids (conflicts) and objects in the
    space the repo does not have. Exit 0 in sync, 1 changes or conflicts pending, 2 error."""
    if previews_dir is not None and output != "markdown":
        raise click.UsageError("--previews goes with --output markdown (the pictures are shown in the markdown)")
    build = build_for_target(objects_dir, strict, id_suffix)
    previews = ""
    with connect(connection) as client:
        plan = plan_or_exit(client, build, prune, update_secrets, adopt=adopt, max_delete=max_delete)
        if previews_dir is not None:
            from kibana_sync.cli.preview import plan_previews_markdown

            previews = plan_previews_markdown(plan.changes, client, previews_dir)
    click.echo(render_plan(plan, output, client, use_colour(color)) + previews)
    if plan.errors or plan.refusals:
        sys.exit(EXIT_ERROR)
    pending = plan.has_changes or (fail_on_unmanaged and plan.unmanaged)
    sys.exit(EXIT_CHANGES if pending else EXIT_OK)
