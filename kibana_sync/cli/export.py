"""``kibana-sync export``: Kibana objects back into the project's YAML. """

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kibana_sync.cli.common import EXIT_ERROR, EXIT_OK
from kibana_sync.cli.progress import with_progress
from kibana_sync.kibana.connection import ConnectionRequest, connection_options

if TYPE_CHECKING:  # imported where used, so other commands do not load the export pipeline
    from kibana_sync.export.pipeline import ExportReport, KibanaObject
    from kibana_sync.export.select import Selection


@click.command("export")
@connection_options
@click.option("--from-file", "from_file", type=click.Path(exists=True, path_type=Path),
              help="Read a Kibana NDJSON export (or a `build` output folder) instead of a live Kibana.")
@click.option("--type", "types", multiple=True,
              help="Only objects of this kind or Kibana type (dashboard, data_view/index-pattern, search, rule, "
                   "connector, ...). Repeatable.")
@click.option("--id", "ids", multiple=True, help="Only the object with this Kibana id. Repeatable.")
@click.option("--title", "titles", multiple=True,
              help="Only objects whose title matches this glob, e.g. 'GENESIS*'. Repeatable.")
@click.option("--all", "export_all", is_flag=True, help="Every object (required for a live export without filters).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("objects"), show_default=True,
              help="The objects folder to write into (one sub-folder per kind).")
@click.option("--output", "output", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json prints a machine-readable report on stdout.")
def export(connection: ConnectionRequest, from_file: Path | None, types: tuple[str, ...], ids: tuple[str, ...], titles: tuple[str, ...],
           export_all: bool, out_dir: Path, output: str) -> None:
    from kibana_sync.export.from_file import read_from_file
    from kibana_sync.export.pipeline import ExportReport, export_objects
    from kibana_sync.export.select import Selection, select

    """Write Kibana objects as YAML files: one per object, named after its title, ids kept.

    The objects each chosen object uses come along (a dashboard brings its data views and saved searches).
    References to objects that are not exported are written as {external: <id>}. Exit code 2 when any object
    or line could not be exported; the others are written anyway.
    """
    selection = Selection(types, ids, titles)
    if export_all and not selection.everything:
        raise click.UsageError("--all exports everything; do not combine it with --type, --id or --title")
    report = ExportReport()
    if from_file is not None:
        objects = select(read_from_file(from_file, report), selection)
    elif export_all or not selection.everything:
        objects = _read_live(connection, selection, report)
    else:
        raise click.UsageError("say what to export: --all, or --type / --id / --title (or --from-file FILE)")
    export_objects(with_progress(objects, "exporting"), out_dir, report)
    _print(report, out_dir, output)
    sys.exit(EXIT_ERROR if report.failed else EXIT_OK)


def _read_live(connection: ConnectionRequest, selection: Selection, report: ExportReport) -> list[KibanaObject]:
    from kibana_sync.export.from_elasticsearch import fetch_elasticsearch, kibana_part
    from kibana_sync.export.from_kibana import fetch_live
    from kibana_sync.kibana.client import KibanaClient, KibanaError
    from kibana_sync.kibana.elasticsearch import ElasticsearchClient

    try:
        settings = connection.resolve()
        objects: list[KibanaObject] = []
        kibana_selection = kibana_part(selection)
        if kibana_selection is not None:
            with KibanaClient(settings) as client:
                client.version()  # refuses a Kibana whose object formats kibana-sync does not know
                objects = fetch_live(client, kibana_selection, report)
        es_settings = connection.resolve_elasticsearch(settings)
        if es_settings is not None:  # Elasticsearch objects only when its URL is given (--es-url / ES_URL)
            with ElasticsearchClient(es_settings) as es:
                objects += fetch_elasticsearch(es, selection, report)
        elif kibana_selection is None:
            raise click.UsageError("exporting Elasticsearch objects needs its URL: give --es-url or set ES_URL")
        return objects
    except KibanaError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(EXIT_ERROR)


def _print(report: ExportReport, out_dir: Path, output: str) -> None:
    from kibana_sync.source.diagnostics import Severity

    if output == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        return
    for finding in report.findings:
        click.echo(str(finding), err=True)
    by_type = ", ".join(f"{n} {t}" for t, n in report.written_by_type().items()) or "nothing"
    changed = sum(w.changed for w in report.written)
    errors = sum(f.severity is Severity.ERROR for f in report.findings)
    panels = report.parts.get("dashboard", Counter())
    click.echo(f"exported {len(report.written)} objects ({by_type}) into {out_dir}: {changed} file(s) changed; "
               f"dashboard panels: {panels['compact']} compact, {panels['raw']} kept raw; "
               f"{len(report.skipped)} skipped, {len(report.findings) - errors} warning(s), {errors} error(s)")
