"""pytest fixtures for the ES emulator; tests/conftest.py re-exports them so every test file can use them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kibana_emulator.adapters import serve

from .emulator import ElasticsearchEmulator

USER, PASSWORD = "elastic", "changeme"  # EsConfig's default user


def es_client_for(emulator: ElasticsearchEmulator, **options: Any) -> httpx.Client:
    """An authenticated in-process client; `options` override httpx.Client arguments."""
    settings: dict[str, Any] = {"base_url": "http://elasticsearch.test", "transport": emulator.transport(),
                                "auth": (USER, PASSWORD), **options}
    return httpx.Client(**settings)


@pytest.fixture
def es_emulator() -> Iterator[ElasticsearchEmulator]:
    """A fresh emulated Elasticsearch 8.11 (user elastic/changeme, no snapshot repositories).

    Fails the test afterwards if the emulator itself crashed (answered as a 500, which a test could otherwise
    mistake for fidelity)."""
    emulator = ElasticsearchEmulator()
    yield emulator
    assert not emulator.unexpected_errors, "\n".join(emulator.unexpected_errors)


@pytest.fixture
def es_http(es_emulator: ElasticsearchEmulator) -> Iterator[httpx.Client]:
    """An authenticated httpx client answered in-process."""
    with es_client_for(es_emulator) as client:
        yield client


@pytest.fixture
def es_url(es_emulator: ElasticsearchEmulator) -> Iterator[str]:
    """Base URL of the emulator served over real loopback HTTP (for CLI tests run as a subprocess)."""
    with serve(es_emulator) as url:  # type: ignore[arg-type]  # serve() only needs handle()
        yield url
