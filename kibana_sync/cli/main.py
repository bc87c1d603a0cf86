"""The ``kibana-sync`` command group: one module per command, each registered here."""

from __future__ import annotations

from collections.abc import Callable

import click

from kibana_sync import __version__
from kibana_sync.cli.common import tune_gc


# Each command module is imported only when that command runs (or --help lists them): importing every command
# up front made `validate` and `build` pay for the connection options (pydantic settings models), the export
# pipeline and the preview renderer, about a third of their start-up.
def _validate() -> click.Command:
    from kibana_sync.cli.validate import validate

    return validate


def _build() -> click.Command:
    from kibana_sync.cli.build import build

    return build


def _schema() -> click.Command:
    from kibana_sync.cli.schema import schema

    return schema


def _diff() -> click.Command:
    from kibana_sync.cli.diff import diff

    return diff


def _push() -> click.Command:
    from kibana_sync.cli.push import push

    return push


def _export() -> click.Command:
    from kibana_sync.cli.export import export

    return export


def _init() -> click.Command:
    from kibana_sync.cli.init import init

    return init


def _preview() -> click.Command:
    from kibana_sync.cli.preview import preview

    return preview


COMMANDS: dict[str, Callable[[], click.Command]] = {
    "validate": _validate, "build": _build, "schema": _schema, "diff": _diff, "push": _push, "export": _export,
    "init": _init, "preview": _preview,
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use, by name."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(COMMANDS[cmd_name](), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kibana-sync")
def main() -> None:
    """Kibana content as YAML: validate, build, diff, push and export."""
    tune_gc()
