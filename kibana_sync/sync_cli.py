"""``kibana-sync diff`` and ``kibana-sync push``: registered on the main command group when imported."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kibana_sync.apply import CROSS_SPACE_HINT, Outcome, apply_plan
from kibana_sync.build import Build, compile_project
from kibana_sync.cli import (
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_OK,
    load_or_exit,
    main,
    objects_option,
    strict_option,
)
from kibana_sync.client import KibanaClient, KibanaError
from kibana_sync.connection import ConnectionRequest, connection_options
from kibana_sync.plan import Plan, check_secrets
from kibana_sync.render import dump_json, plan_document, render_json, render_markdown, render_text
from kibana_sync.space_ids import with_id_suffix
from kibana_sync.sync import check_target, make_plan


def _sync_options(command: Callable[..., Any]) -> Callable[..., Any]:
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
        click.option("--color/--no-color", default=None, help="Colour the plan (default: only on a terminal)."),
        connection_options,
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@_sync_options
@click.option("--output", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown suits a pull-request comment.")
def diff(objects_dir: Path, strict: bool, prune: bool, id_suffix: str, update_secrets: bool, color: bool | None,
         connection: ConnectionRequest, output: str) -> None:
    """Show what push would change. Exit 0 in sync, 1 changes pending, 2 error."""
    build = _build(objects_dir, strict, id_suffix)
    with _client(connection) as client:
        plan = _plan_or_exit(client, build, prune, update_secrets)
    click.echo(_render(plan, output, client, _use_colour(color)))
    sys.exit(EXIT_ERROR if plan.errors else EXIT_CHANGES if plan.has_changes else EXIT_OK)


@main.command()
@_sync_options
@click.option("--dry-run", is_flag=True, help="Print the plan and write nothing (exit codes as for diff).")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def push(objects_dir: Path, strict: bool, prune: bool, id_suffix: str, update_secrets: bool, color: bool | None,
         connection: ConnectionRequest, dry_run: bool, output: str) -> None:
    """Make Kibana match the YAML: create and update objects (and with --prune delete stale ones).

    Exit 0 when everything was applied (or nothing needed to be), 2 on any error.
    """
    build = _build(objects_dir, strict, id_suffix)
    colour = _use_colour(color)
    with _client(connection) as client:
        plan = _plan_or_exit(client, build, prune, update_secrets)
        check_secrets(plan, os.environ)
        if plan.errors:
            # Stopping before the first write: a push that stopped halfway would leave what it wrote.
            if output == "json":
                refused = [Outcome(c, False, c.error) for c in plan.errors]
                click.echo(_push_json(plan, refused, client, stopped=True))
            else:
                click.echo(render_text(plan, color=colour))
                stopped = "Dry run: push would stop" if dry_run else "Push stopped"
                click.echo(f"{stopped} before writing anything: {len(plan.errors)} object(s) cannot be "
                           "written (marked ! above).")
            sys.exit(EXIT_ERROR)
        if dry_run or not plan.has_changes:
            click.echo(_render(plan, output, client, colour))
            sys.exit(EXIT_CHANGES if dry_run and plan.has_changes else EXIT_OK)
        if output == "text":
            click.echo(render_text(plan, color=colour))
        outcomes = apply_plan(client, plan, environ=os.environ, progress=_progress_reporter(plan, output, colour))
    failed = [o for o in outcomes if not o.ok]
    if output == "json":
        click.echo(_push_json(plan, outcomes, client))
    else:
        click.echo(_push_summary(outcomes))
    if any(o.id_taken_elsewhere for o in failed):
        click.echo(CROSS_SPACE_HINT.format(space=client.settings.space), err=output == "json")
    sys.exit(EXIT_ERROR if failed else EXIT_OK)


def _build(objects_dir: Path, strict: bool, id_suffix: str) -> Build:
    return with_id_suffix(compile_project(load_or_exit(objects_dir, strict)), id_suffix)


def _client(connection: ConnectionRequest) -> KibanaClient:
    return KibanaClient(connection.resolve())


def _plan_or_exit(client: KibanaClient, build: Build, prune: bool, update_secrets: bool) -> Plan:
    try:
        check_target(client)
        return make_plan(client, build, prune=prune, update_secrets=update_secrets)
    except KibanaError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _target(client: KibanaClient) -> dict[str, str]:
    return {"url": client.settings.url, "space": client.settings.space}


def _render(plan: Plan, output: str, client: KibanaClient, colour: bool) -> str:
    if output == "json":
        return render_json(plan, target=_target(client))
    if output == "markdown":
        return render_markdown(plan, target=f"space `{client.settings.space}`")
    return render_text(plan, color=colour)


def _use_colour(flag: bool | None) -> bool:
    return sys.stdout.isatty() if flag is None else flag


def _progress_reporter(plan: Plan, output: str, colour: bool) -> Callable[[Outcome], None]:
    """Each object's result as it lands (text output), with a running count on a terminal only, so CI logs
    stay plain."""
    total = len(plan.changes)
    done = 0
    counter = sys.stdout.isatty()

    def report(outcome: Outcome) -> None:
        nonlocal done
        done += 1
        if output != "text":
            return
        mark, fg = ("ok", "green") if outcome.ok else ("FAILED", "red")
        line = f"{mark:<6} {outcome.change.label} ({outcome.change.id}): {outcome.message}"
        if counter:
            line = f"[{done}/{total}] {line}"
        click.echo(click.style(line, fg=fg) if colour else line)

    return report


def _push_summary(outcomes: list[Outcome]) -> str:
    failed = sum(not o.ok for o in outcomes)
    counts: dict[str, int] = {}
    for outcome in outcomes:
        if outcome.ok:
            counts[outcome.message] = counts.get(outcome.message, 0) + 1
    done = ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "nothing applied"
    if failed:
        return (f"Push incomplete: {done}; {failed} failed (see above). Fix the cause and push again: "
                "the next push only sends what is still different.")
    return f"Push complete: {done}."


def _push_json(plan: Plan, outcomes: list[Outcome], client: KibanaClient, *, stopped: bool = False) -> str:
    doc = plan_document(plan, target=_target(client))
    doc["stopped_before_writing"] = stopped
    doc["results"] = [{"action": o.change.action.value, "type": o.change.type, "id": o.change.id, "ok": o.ok,
                       "message": o.message, "id_taken_elsewhere": o.id_taken_elsewhere} for o in outcomes]
    doc["failed"] = sum(not o.ok for o in outcomes)
    return dump_json(doc)

