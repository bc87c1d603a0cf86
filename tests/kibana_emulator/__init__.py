"""An emulated Kibana 8.11 HTTP API for the project's tests (see README.md in this folder)."""

from .adapters import serve, transport
from .config import ApiKeyGrant, EmulatorConfig
from .emulator import KibanaEmulator
from .faults import ConnectionDropped
from .requestlog import LoggedRequest

__all__ = ["ApiKeyGrant", "ConnectionDropped", "EmulatorConfig", "KibanaEmulator", "LoggedRequest", "serve",
           "transport"]
