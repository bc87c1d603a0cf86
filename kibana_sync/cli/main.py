"""The ``kibana-sync`` command group: one module per command, each registered here."""

from __future__ import annotations

import click

from kibana_sync import __version__
from kibana_sync.cli import build, diff, export, init, preview, push, schema, validate
from kibana_sync.cli.common import tune_gc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kibana-sync")
def main() -> None:
    """Kibana content as YAML: validate, build, diff, push and export."""
    tune_gc()


for command in (validate.validate, build.build, schema.schema, diff.diff, push.push, export.export):
    main.add_command(command)
main.add_command(init.init)
main.add_command(preview.preview)
