"""What ``diff`` and ``push`` share: their options, building the repo for a target, connecting, planning."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kibana_sync.cli.common import EXIT_ERROR, load_or_exit, objects_option, strict_option
from kibana_sync.kibana.connection import ConnectionRequest, connection_options

# The rest is imported where it is used: `--version`, `validate` and `build` need none of it (HTTP, planning).
if TYPE_CHECKING:
    from kibana_sync.kibana.client import KibanaClient
    from kibana_sync.project.build import Build
    from kibana_sync.sync.plan import Plan


def sync_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        objects_option,
        strict_option,
        click.option("--prune", is_flag=True,
                     help="Also delete objects kibana-sync made earlier whose YAML is gone (never hand-made ones)."),
        click.option("--id-suffix", default="", envvar="KIBANA_SYNC_ID_SUFFIX", metavar="SUFFIX",
                     help="Append SUFFIX to every id the repo manages, so one repo can go into several spaces "
                          "(ids are global across spaces in Kibana 8) [env KIBANA_SYNC_ID_SUFFIX]."),
        click.option("--update-secrets", is_flag=True,
                     help="Rewrite connectors even when nothing but their secrets may differ "
                          "(Kibana never returns secrets, so they cannot be compared)."),
        click.option("--max-delete", type=click.IntRange(min=0), default=None, metavar="N",
                     help="Let --prune delete up to N objects even when the objects folder has none of their kind "
                          "or more than half of the managed objects would go (refused otherwise)."),
        click.option("--adopt", is_flag=True,
                     help="Take over objects with the repo's ids that exist in Kibana without kibana-sync's marker "
                          "(made by hand); without it they are conflicts and push writes nothing."),
        click.option("--color/--no-color", default=None, help="Colour the plan (default: only on a terminal)."),
        connection_options,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def build_for_target(objects_dir: Path, strict: bool, id_suffix: str) -> Build:
    from kibana_sync.project.build import compile_project
    from kibana_sync.project.id_suffix import with_id_suffix

    return with_id_suffix(compile_project(load_or_exit(objects_dir, strict)), id_suffix)


def connect(connection: ConnectionRequest) -> KibanaClient:
    from kibana_sync.kibana.client import KibanaClient, connection_warnings
    from kibana_sync.kibana.elasticsearch import ElasticsearchClient

    settings = connection.resolve()
    es_settings = connection.resolve_elasticsearch(settings)
    for warning in connection_warnings(settings) + (connection_warnings(es_settings) if es_settings else []):
        click.echo(f"warning: {warning}", err=True)
    client = KibanaClient(settings)
    if es_settings is not None:  # only the Elasticsearch store uses it; without it, ES objects are an error
        client.elasticsearch = ElasticsearchClient(es_settings)
    return client


def plan_or_exit(client: KibanaClient, build: Build, prune: bool, update_secrets: bool, *, adopt: bool = False,
                 max_delete: int | None = None) -> Plan:
    from kibana_sync.kibana.client import KibanaError
    from kibana_sync.sync.target import check_target, make_plan

    try:
        check_target(client, build)
        return make_plan(client, build, prune=prune, update_secrets=update_secrets, adopt=adopt,
                         max_delete=max_delete)
    except KibanaError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def target_of(client: KibanaClient) -> dict[str, str]:
    return {"url": client.settings.url, "space": client.settings.space}


def render_plan(plan: Plan, output: str, client: KibanaClient, colour: bool) -> str:
    from kibana_sync.sync.report import render_json, render_markdown, render_text

    if output == "json":
        return render_json(plan, target=target_of(client))
    if output == "markdown":
        return render_markdown(plan, target=f"space `{client.settings.space}`")
    return render_text(plan, color=colour)


def use_colour(flag: bool | None) -> bool:
    return sys.stdout.isatty() if flag is None else flag
