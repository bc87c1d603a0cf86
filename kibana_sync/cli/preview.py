"""``kibana-sync preview``: a picture of a dashboard's layout (SVG, or PNG where a renderer is installed)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kibana_sync.cli.common import EXIT_ERROR, load_or_exit

if TYPE_CHECKING:  # annotations only: importing these at start-up would slow every command
    from kibana_sync.kibana.client import KibanaClient
    from kibana_sync.sync.change import Change


@click.command()
@click.argument("dashboard", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write; .svg or .png (PNG needs rsvg-convert or cairosvg). Default: <name>.svg here.")
def preview(dashboard: Path, out_path: Path | None) -> None:
    """Draw DASHBOARD (a YAML file under objects/dashboards/) as it will be laid out on Kibana's 48-column grid:
    panels at their positions with title and chart type, the controls bar, colours by panel type.
    Nothing is sent to Kibana. The objects folder around the file is loaded so that references resolve."""
    # Imported here, not at the top: `kibana-sync --version` and the other commands need none of this.
    from kibana_sync.preview.picture import picture_of_model
    from kibana_sync.preview.png import NoRenderer, RenderFailed, render_png
    from kibana_sync.preview.svg import render_svg

    objects_dir = _objects_folder_of(dashboard)
    project = load_or_exit(objects_dir, strict=False)
    entry = next((e for e in project.of_kind("dashboard") if Path(e.source.path).resolve() == dashboard.resolve()),
                 None)
    if entry is None:
        click.echo(f"error: {dashboard} is not a dashboard of {objects_dir}", err=True)
        sys.exit(EXIT_ERROR)

    def referenced_title(kind: str, id_: str) -> str | None:
        target = project.get(id_, kind)
        return target.title if target is not None else None

    svg = render_svg(picture_of_model(entry.model, referenced_title))
    out = out_path or Path(dashboard.stem + ".svg")
    if out.suffix.lower() == ".png":
        try:
            renderer = render_png(svg, out)
        except (NoRenderer, RenderFailed) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        click.echo(f"wrote {out} ({len(entry.model.panels)} panels, PNG by {renderer})")
        return
    try:
        out.write_text(svg, encoding="utf-8")
    except OSError as exc:
        click.echo(f"error: cannot write {out}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"wrote {out} ({len(entry.model.panels)} panels)")


def _objects_folder_of(dashboard: Path) -> Path:
    """The objects folder a dashboard file belongs to: the parent of its nearest ``dashboards`` folder."""
    for folder in dashboard.resolve().parents:
        if folder.name == "dashboards":
            return folder.parent
    click.echo(f"error: {dashboard} is not inside a dashboards/ folder of an objects folder (e.g. "
               "objects/dashboards/x.yaml)", err=True)
    sys.exit(EXIT_ERROR)


def plan_previews_markdown(changes: list[Change], client: KibanaClient, out_dir: Path) -> str:
    """Before/after layout pictures of the dashboards a plan changes, written into ``out_dir``, and the markdown
    that shows them (for ``diff --output markdown --previews DIR``). "Before" is the dashboard as Kibana has it,
    read in one request; "after" is what push would write. Empty when no dashboard changes."""
    from kibana_sync.preview.picture import picture_of_saved_object
    from kibana_sync.preview.svg import render_svg

    dashboards = [c for c in changes if c.type == "dashboard" and not c.error and not c.conflict]
    if not dashboards:
        return ""
    live = {obj["id"]: obj for obj in client.bulk_get([("dashboard", c.id) for c in dashboards])}
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = ["", "**Layout previews** of changed dashboards (before → after):", ""]
    for change in dashboards:
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", change.id).strip("-") or "dashboard"
        pictures = []
        for side, obj in (("before", live.get(change.id)), ("after", change.desired)):
            if obj is None:
                pictures.append(f"({side}: none)")
                continue
            path = out_dir / f"{name}.{side}.svg"
            path.write_text(render_svg(picture_of_saved_object(obj)), encoding="utf-8")
            pictures.append(f"![{side}]({path.as_posix()})")
        lines.append(f"- dashboard \"{change.title}\" ({change.id}):\n\n  {' → '.join(pictures)}\n")
    return "\n".join(lines)
