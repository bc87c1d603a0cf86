"""Shared fixtures. Only paths live here; the Kibana emulator's fixtures live in tests/kibana_emulator/."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GENESIS_OBJECTS = REPO / "objects"
# shared/ sits beside the checkout (../shared), also in CI; it is read-only data.
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture
def genesis_objects() -> Path:
    return GENESIS_OBJECTS


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


# The Kibana emulator's fixtures (kibana_emulator, emulator_http, emulator_url); tests/ is on sys.path here.
from es_emulator.fixtures import es_emulator, es_http, es_url  # noqa: E402, F401
from kibana_emulator.fixtures import emulator_http, emulator_url, kibana_emulator  # noqa: E402, F401
