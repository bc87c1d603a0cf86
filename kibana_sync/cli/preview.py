"""``kibana-sync preview``: a picture of a dashboard's layout (SVG, or PNG where a renderer is installed)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kibana_sync.cli.common import EXIT_ERROR


@click.command()
@click.argument("dashboard", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write; .svg or .png (PNG needs rsvg-convert or cairosvg). Default: <name>.svg here.")
def preview(dashboard: Path, out_path: Path | None) -> None:
    """Draw DASHBOARD (a YAML file under objects/dashboards/) as it will be laid out on Kibana's 48-column grid:
    panels at their positions with title and chart type, the controls bar, colours by panel type.
    Nothing is sent to Kibana. The objects folder around the file is loaded so that references resolve."""
    # Imported here, not at the top: `kibana-sync --version` and the other commands need none of this.
    from kibana_sync.cli.common import load_or_exit
    from kibana_sync.preview.picture import picture_of_model
    from kibana_sync.preview.png import NoRenderer, render_png
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
        except NoRenderer as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        click.echo(f"wrote {out} ({len(entry.model.panels)} panels, PNG by {renderer})")
        return
    out.write_text(svg, encoding="utf-8")
    click.echo(f"wrote {out} ({len(entry.model.panels)} panels)")


def _objects_folder_of(dashboard: Path) -> Path:
    """The objects folder a dashboard file belongs to: the parent of its nearest ``dashboards`` folder."""
    for folder in dashboard.resolve().parents:
        if folder.name == "dashboards":
            return folder.parent
    click.echo(f"error: {dashboard} is not inside a dashboards/ folder of an objects folder (e.g. "
               "objects/dashboards/x.yaml)", err=True)
    sys.exit(EXIT_ERROR)
