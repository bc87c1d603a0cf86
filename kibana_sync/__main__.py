"""``python -m kibana_sync``: the same as the ``kibana-sync`` command."""

from kibana_sync.cli.main import main

main(prog_name="kibana-sync")
