"""The ids compiled Lens state uses, which are also the ids ``normalise_lens`` renames any Lens state to: the
data layer ``layer1``, the reference-line layer ``layer2``, columns ``col1``, ``col2``... in columnOrder order."""

from __future__ import annotations

LAYER_ID = "layer1"
REFERENCE_LAYER_ID = "layer2"
LAYER_REFERENCE_PREFIX = "indexpattern-datasource-layer-"


def column_id(number: int) -> str:
    return f"col{number}"
