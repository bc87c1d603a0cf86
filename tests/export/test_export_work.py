"""How much work export does per Lens panel (issue 12: the same attributes were normalised four times per panel,
each with a deep copy). Counted, not timed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kibana_sync.export.pipeline import ExportReport, KibanaObject, export_objects
from kibana_sync.kibana.ownership import unmark_saved_object
from kibana_sync.lens import decompile as lens_decompile
from kibana_sync.project.build import compile_project
from kibana_sync.project.loader import load_project

sys.path.append(str(Path(__file__).resolve().parents[2] / "bench"))
from export_bench import generate  # noqa: E402


def _bench_objects(tmp_path: Path, edit=None) -> tuple[list[KibanaObject], int]:  # noqa: ANN001
    generate(tmp_path / "src", 2, 6)
    project = load_project(tmp_path / "src")
    saved = [unmark_saved_object(o) for o in compile_project(project).saved_objects if o["type"] != "tag"]
    for obj in saved:
        if obj["type"] == "dashboard" and edit is not None:
            panels = json.loads(obj["attributes"]["panelsJSON"])
            for panel in panels:
                edit(panel["embeddableConfig"]["attributes"])
            obj["attributes"]["panelsJSON"] = json.dumps(panels)
    objects = [KibanaObject("saved_objects", o["type"], o["id"], o, "test") for o in saved]
    panels = sum(len(json.loads(o["attributes"]["panelsJSON"])) for o in saved if o["type"] == "dashboard")
    return objects, panels


def _counted_export(objects: list[KibanaObject], out: Path, monkeypatch) -> tuple[dict[str, int], ExportReport]:  # noqa: ANN001
    calls = {"compile": 0, "normalise": 0}

    def counted(name, real):  # noqa: ANN001, ANN202
        def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(lens_decompile, "compile_editor_form", counted("compile", lens_decompile.compile_editor_form))
    monkeypatch.setattr(lens_decompile, "normalise_lens", counted("normalise", lens_decompile.normalise_lens))
    return calls, export_objects(objects, out)


def test_a_chart_stored_as_compile_writes_it_is_compiled_once_and_not_normalised_again(tmp_path, monkeypatch) -> None:
    objects, panels = _bench_objects(tmp_path)
    assert panels == 12
    calls, report = _counted_export(objects, tmp_path / "out", monkeypatch)
    assert report.parts["dashboard"]["compact"] == panels
    # the stored attributes are normalised once by the dashboard; the chart read back compiles to exactly them,
    # which settles the round trip without normalising the compiled form
    assert calls == {"compile": panels, "normalise": 0}


def test_a_chart_an_older_editor_stored_is_checked_the_long_way_once(tmp_path, monkeypatch) -> None:
    def older_editor(attributes: dict) -> None:  # 8.0 stored no sampling
        for layer in attributes["state"]["datasourceStates"]["formBased"]["layers"].values():
            del layer["sampling"]

    objects, panels = _bench_objects(tmp_path, older_editor)
    calls, report = _counted_export(objects, tmp_path / "out", monkeypatch)
    assert report.parts["dashboard"]["compact"] == panels
    assert calls == {"compile": panels, "normalise": panels}
    text = next((tmp_path / "out" / "dashboards").iterdir()).read_text(encoding="utf-8")
    assert text.count("- layer1.sampling") == 6  # recorded, so push gives back what Kibana held
