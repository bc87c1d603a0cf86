"""Benchmark for ``export`` (issue 12): 1,000 generated dashboards with 6 Lens panels each, plus their data view,
compiled to the saved objects Kibana would hold, then exported to YAML (decompile, reference check, file write).

Reports wall and CPU per phase as JSON, with µs per object for a first export into an empty folder and a re-export
into that folder (nothing changed in Kibana: every file is compared, none rewritten). Numbers for comparison
between runs, never asserted. Run: ``python bench/export_bench.py [--dashboards N] [--panels N] [--stored-by W]``;
to measure another version, ``PYTHONPATH=DIR python bench/export_bench.py`` with DIR holding its ``kibana_sync``
package.

``--stored-by`` says who saved the charts: ``compile`` (as kibana-sync writes them, the default and the figure the
README quotes), ``editor`` (the 8.11 editor: random layer and column ids, which export renames), ``8.0-editor``
(random ids and no ``sampling``, so each chart takes the long way: normalised, checked and given a ``stored:``
record).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.append(str(REPO / "bench"))  # build_bench's panels; appended, so PYTHONPATH's kibana_sync wins

from build_bench import PANELS  # noqa: E402

from kibana_sync.export.pipeline import KibanaObject, export_objects  # noqa: E402
from kibana_sync.kibana.ownership import unmark_saved_object  # noqa: E402
from kibana_sync.project.build import compile_project  # noqa: E402
from kibana_sync.project.loader import load_project  # noqa: E402


def generate(root: Path, dashboards: int, panels: int) -> None:
    (root / "data_views").mkdir(parents=True)
    shutil.copy(REPO / "objects" / "data_views" / "genesis-logs.yaml", root / "data_views")
    (root / "dashboards").mkdir()
    for i in range(dashboards):
        body = "\n".join(
            f"  - title: Panel {j}\n    w: 16\n    h: 8\n    chart: {chart}\n    query: 'component : \"c{i}\"'\n"
            f"    {spec}" for j, (chart, spec) in enumerate(PANELS[:panels]))
        (root / "dashboards" / f"d{i:04}.yaml").write_text(
            f"title: Dashboard {i}\ndata_view: genesis-logs\npanels:\n{body}\n")


_IDS = re.compile(r"\b(?:layer|col)\d+\b")


def as_stored_by(obj: dict, who: str) -> dict:
    """The saved object as that editor would have stored the same charts (see the module doc)."""
    if who == "compile" or obj["type"] != "dashboard":
        return obj
    names: dict[str, str] = {}
    text = _IDS.sub(lambda m: names.setdefault(m.group(), str(uuid.uuid5(uuid.NAMESPACE_OID, obj["id"] + m.group()))),
                    json.dumps(obj))
    out = json.loads(text)
    if who == "8.0-editor":
        panels = json.loads(out["attributes"]["panelsJSON"])
        for panel in panels:
            for layer in panel["embeddableConfig"]["attributes"]["state"]["datasourceStates"]["formBased"][
                    "layers"].values():
                layer.pop("sampling", None)
        out["attributes"]["panelsJSON"] = json.dumps(panels)
    return out


def _timed(step):  # noqa: ANN001, ANN202
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=1000)
    parser.add_argument("--panels", type=int, default=6)
    parser.add_argument("--stored-by", choices=("compile", "editor", "8.0-editor"), default="compile")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        generate(tmp / "src", args.dashboards, args.panels)
        project = load_project(tmp / "src")
        assert project.ok, [str(d) for d in project.diagnostics.errors][:3]
        saved = [as_stored_by(unmark_saved_object(o), args.stored_by) for o in compile_project(project).saved_objects
                 if o["type"] != "tag"]  # the ownership marker is not exported
        objects = [KibanaObject("saved_objects", o["type"], o["id"], o, "bench") for o in saved]
        first, wall1, cpu1 = _timed(lambda: export_objects(objects, tmp / "out"))
        again, wall2, cpu2 = _timed(lambda: export_objects(objects, tmp / "out"))
        n = len(objects)
        print(json.dumps({
            "objects": n, "panels_per_dashboard": args.panels, "stored_by": args.stored_by,
            "export_into_empty_folder": {"wall_s": round(wall1, 2), "cpu_s": round(cpu1, 2),
                                         "us_per_object": round(1e6 * wall1 / n), "errors": len(
                                             [f for f in first.findings if f.severity.value == "error"])},
            "re_export_unchanged": {"wall_s": round(wall2, 2), "cpu_s": round(cpu2, 2),
                                    "us_per_object": round(1e6 * wall2 / n),
                                    "changed_files": sum(w.changed for w in again.written)},
        }, indent=2))


if __name__ == "__main__":
    main()
