"""The inverse law of every panel type, on every panel of every corpus dashboard (all eras): a panel that
export writes in a type's compact form compiles back to the panel Kibana stored, with the same references
(compared as ``normalise`` compares them). This is the check export once ran on every panel at run time."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from kibana_sync.kibana.format import reference_order
from kibana_sync.kinds.dashboard.layout import Box
from kibana_sync.kinds.dashboard.panels.common import PanelContext
from kibana_sync.kinds.dashboard.panels.registry import PANEL_KINDS, PANEL_TYPES
from kibana_sync.kinds.dashboard.panels.stored import compile_panel, decompile_panel, normalise_stored_panel
from kibana_sync.lens.columns import unknown_field_type
from kibana_sync.source.model import ref_id

pytestmark = pytest.mark.slow  # corpus-wide

CONTEXT = PanelContext(data_view_id=None, field_type_for=lambda _id: unknown_field_type, resolve=ref_id)


def stored_panels(corpus_dir: Path) -> list[tuple[str, dict[str, Any], list[dict[str, str]]]]:
    out = []
    for path in sorted((corpus_dir / "kibana-objects").glob("*/*/dashboard/*.json")):
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        panels = obj.get("attributes", {}).get("panelsJSON", "[]")
        panels = json.loads(panels) if isinstance(panels, str) else panels
        out.extend((path.name, p, obj.get("references", [])) for p in panels if isinstance(p, dict))
    return out


def comparable(panel: dict[str, Any], refs: list[dict[str, str]]) -> tuple[dict[str, Any], list[Any]]:
    normal, left = normalise_stored_panel(panel, refs)
    return normal, sorted(map(reference_order, left))


def test_every_compact_corpus_panel_compiles_back_to_what_kibana_stored(corpus_dir: Path) -> None:
    by_key: Counter[str] = Counter()
    failures = []
    for name, stored, references in stored_panels(corpus_dir):
        decompiled = decompile_panel(stored, references)
        if not decompiled.compact:
            continue
        data = decompiled.data
        key = next(k for k in PANEL_KINDS if k in data)
        by_key[key] += 1
        panel = PANEL_KINDS[key].model_validate(data)
        compiled, refs = compile_panel(panel, data["id"], Box(panel.at.x, panel.at.y, panel.w, panel.h), CONTEXT,
                                       enhancements=not decompiled.lacks_enhancements)
        if comparable(compiled, refs) != comparable(stored, decompiled.used_references):
            failures.append(f"{name} panel {stored.get('panelIndex')} ({key})")
    print(f"\ncompact corpus panels per type: {dict(by_key.most_common())}")
    assert not failures, f"{len(failures)} panels:\n" + "\n".join(failures[:20])
    # every registered type is in the dev corpus, so the law is checked for each of them
    assert all(by_key[t.key] > 0 for t in PANEL_TYPES), by_key
