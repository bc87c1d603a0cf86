"""How much work export does per Lens panel (issue 12: the same attributes were normalised four times per panel,
each with a deep copy). Counted, not timed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kibana_sync.export.pipeline import KibanaObject, export_objects
from kibana_sync.kibana.ownership import unmark_saved_object
from kibana_sync.lens import decompile as lens_decompile
from kibana_sync.project.build import compile_project
from kibana_sync.project.loader import load_project

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
from export_bench import generate  # noqa: E402


def test_each_lens_panel_is_compiled_and_normalised_once_when_export_reads_it(tmp_path, monkeypatch) -> None:
    generate(tmp_path / "src", 2, 6)
    project = load_project(tmp_path / "src")
    saved = [unmark_saved_object(o) for o in compile_project(project).saved_objects if o["type"] != "tag"]
    objects = [KibanaObject("saved_objects", o["type"], o["id"], o, "test") for o in saved]
    panels = sum(len(json.loads(o["attributes"]["panelsJSON"])) for o in saved if o["type"] == "dashboard")
    assert panels == 12
    calls = {"compile": 0, "normalise": 0}

    def counted(name, real):  # noqa: ANN001, ANN202
        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(lens_decompile, "compile_editor_form", counted("compile", lens_decompile.compile_editor_form))
    monkeypatch.setattr(lens_decompile, "normalise_lens", counted("normalise", lens_decompile.normalise_lens))
    report = export_objects(objects, tmp_path / "out")
    assert report.parts["dashboard"]["compact"] == panels
    # one compile of the chart read back serves the second pass, the round-trip check and stored:; the stored
    # attributes are normalised once by the dashboard, the compiled ones once here
    assert calls == {"compile": panels, "normalise": panels}

