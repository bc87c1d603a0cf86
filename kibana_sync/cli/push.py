"""``kibana-sync push``: make Kibana match the YAML, stopping before the first write when any object cannot be
written."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kibana_sync.cli.common import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from kibana_sync.cli.sync_options import (
    build_for_target,
    connect,
    plan_or_exit,
    render_plan,
    sync_options,
    target_of,
    use_colour,
)
from kibana_sync.kibana.connection import ConnectionRequest

if TYPE_CHECKING:  # imported where used, so other commands do not load the HTTP client and planning
    from kibana_sync.kibana.client import KibanaClient
    from kibana_sync.sync.apply import Applied, Outcome
    from kibana_sync.sync.plan import Plan


@click.command()
@sync_options
@click.option("--dry-run", is_flag=True, help="Print the plan and write nothing (exit codes as for diff).")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def push(objects_dir: Path, strict: bool, prune: bool, id_suffix: str, update_secrets: bool, max_delete: int | None,
         adopt: bool, color: bool | None, connection: ConnectionRequest, dry_run: bool, output: str) -> None:
    """Make Kibana match the YAML: create and update objects (and with --prune delete stale ones).

    Never overwrites an object made without kibana-sync (unless --adopt), never writes an object whose
    dependencies failed in the same push, and refuses a prune that looks like a mistake.
    Exit 0 when everything was applied (or nothing needed to be), 2 on any error.
    """
    from kibana_sync.sync.apply import CROSS_SPACE_HINT, Outcome, apply_plan
    from kibana_sync.sync.plan import check_secrets
    from kibana_sync.sync.report import render_text

    build = build_for_target(objects_dir, strict, id_suffix)
    colour = use_colour(color)
    with connect(connection) as client:
        plan = plan_or_exit(client, build, prune, update_secrets, adopt=adopt, max_delete=max_delete)
        check_secrets(plan, os.environ)
        blocking = [*plan.errors, *plan.conflicts]
        if blocking or plan.refusals:
            # Stopping before the first write: a push that stopped halfway would leave what it wrote.
            if output == "json":
                refused = [Outcome(c, False, c.error or c.conflict) for c in blocking]
                click.echo(_push_json(plan, refused, client, stopped=True))
            else:
                click.echo(render_text(plan, color=colour))
                stopped = "Dry run: push would stop" if dry_run else "Push stopped"
                reasons = []
                if blocking:
                    reasons.append(f"{len(blocking)} object(s) cannot be written (marked ! above)")
                if plan.refusals:
                    reasons.append("the prune guards refused the deletions (see the summary above)")
                click.echo(f"{stopped} before writing anything: {'; '.join(reasons)}.")
            sys.exit(EXIT_ERROR)
        if dry_run or not plan.has_changes:
            click.echo(render_plan(plan, output, client, colour))
            sys.exit(EXIT_CHANGES if dry_run and plan.has_changes else EXIT_OK)
        if output == "text":
            click.echo(render_text(plan, color=colour))
        outcomes = apply_plan(client, plan, environ=os.environ, progress=_progress_reporter(plan, output, colour))
    failed = [o for o in outcomes if not o.ok]
    if output == "json":
        click.echo(_push_json(plan, outcomes, client, stopped_reason=outcomes.stopped))
    else:
        if outcomes.stopped:
            click.echo(click.style(f"error: {outcomes.stopped}", fg="red") if colour else f"error: {outcomes.stopped}")
        click.echo(_push_summary(outcomes, len(plan.changes)))
    if any(o.id_taken_elsewhere for o in failed):
        click.echo(CROSS_SPACE_HINT.format(space=client.settings.space), err=output == "json")
    sys.exit(EXIT_ERROR if failed or outcomes.stopped else EXIT_OK)


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


def _push_summary(outcomes: Applied, planned: int) -> str:
    skipped = sum(o.skipped for o in outcomes)
    failed = sum(not o.ok and not o.skipped for o in outcomes)
    unattempted = planned - len(outcomes)
    counts: dict[str, int] = {}
    for outcome in outcomes:
        if outcome.ok:
            counts[outcome.message] = counts.get(outcome.message, 0) + 1
    done = ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "nothing applied"
    if failed or skipped or unattempted:
        parts = [f"{failed} failed"] if failed else []
        if skipped:
            parts.append(f"{skipped} not attempted because something they need failed")
        if unattempted:
            parts.append(f"{unattempted} not written: the push stopped at the first refusal")
        return (f"Push incomplete: {done}; {'; '.join(parts)} (see above). Fix the cause and push again: "
                "the next push only sends what is still different.")
    return f"Push complete: {done}."


def _push_json(plan: Plan, outcomes: list[Outcome], client: KibanaClient, *, stopped: bool = False,
               stopped_reason: str = "") -> str:
    from kibana_sync.sync.report import dump_json, plan_document

    doc = plan_document(plan, target=target_of(client))
    doc["stopped_before_writing"] = stopped
    if stopped_reason:
        doc["stopped"] = stopped_reason
    doc["results"] = [{"action": o.change.action.value, "type": o.change.type, "id": o.change.id, "ok": o.ok,
                       "message": o.message, "id_taken_elsewhere": o.id_taken_elsewhere,
                       **({"skipped": True} if o.skipped else {})} for o in outcomes]
    doc["failed"] = sum(not o.ok for o in outcomes)
    return dump_json(doc)
