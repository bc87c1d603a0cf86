"""An emulated Elasticsearch 8.11 REST API for the project's tests (see README.md in this folder)."""

from kibana_emulator.adapters import serve  # duck-typed: it serves any object with handle()
from kibana_emulator.faults import ConnectionDropped
from kibana_emulator.requestlog import LoggedRequest

from .config import EsConfig
from .emulator import ElasticsearchEmulator
from .errors import Cause, EsError

__all__ = ["Cause", "ConnectionDropped", "ElasticsearchEmulator", "EsConfig", "EsError", "LoggedRequest", "serve"]
