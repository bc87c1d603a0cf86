"""pytest fixtures for the emulator; tests/conftest.py re-exports them so every test file can use them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .adapters import serve
from .emulator import KibanaEmulator

USER, PASSWORD = "elastic", "changeme"  # EmulatorConfig's default user


def client_for(emulator: KibanaEmulator, **options: Any) -> httpx.Client:
    """An authenticated in-process client with kbn-xsrf; `options` override httpx.Client arguments."""
    settings: dict[str, Any] = {"base_url": "http://kibana.test", "transport": emulator.transport(),
                      "auth": (USER, PASSWORD), "headers": {"kbn-xsrf": "kibana-sync-tests"}, **options}
    return httpx.Client(**settings)


@pytest.fixture
def kibana_emulator() -> Iterator[KibanaEmulator]:
    """A fresh emulated Kibana 8.11 (platinum license, user elastic/changeme).

    Fails the test afterwards if the emulator itself crashed (it answers such bugs with a Kibana-style 500,
    which a test could otherwise mistake for fidelity)."""
    emulator = KibanaEmulator()
    yield emulator
    assert not emulator.unexpected_errors, "\n".join(emulator.unexpected_errors)


@pytest.fixture
def emulator_http(kibana_emulator: KibanaEmulator) -> Iterator[httpx.Client]:
    """An authenticated httpx client answered in-process, sending kbn-xsrf like any API client must."""
    with client_for(kibana_emulator) as client:
        yield client


@pytest.fixture
def emulator_url(kibana_emulator: KibanaEmulator) -> Iterator[str]:
    """Base URL of the emulator served over real loopback HTTP (for CLI tests run as a subprocess)."""
    with serve(kibana_emulator) as url:
        yield url
