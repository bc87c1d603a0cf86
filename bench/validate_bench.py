"""Benchmark for ``validate`` on one large dashboard (issues 10 and 12): seconds to validate a dashboard of 1k, 5k
and 20k panels, in-process (``load_project``, what validate runs) and as the CLI a CI job runs.

The panels sit four to a row; each size is measured valid and with one overlap per thousand panels (whose
diagnostics must then be located in the file). Compare two versions of the code by running this file with each on
PYTHONPATH, e.g. the code before the sweep:

    git worktree add /tmp/before <commit>
    PYTHONPATH=/tmp/before python bench/validate_bench.py
    python bench/validate_bench.py

Not a test: the machine is noisy, so the numbers are for comparison, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import kibana_sync
from kibana_sync.cli.common import tune_gc
from kibana_sync.project.loader import load_project


def write_dashboard(root: Path, panels: int, overlaps: bool = True) -> None:
    (root / "dashboards").mkdir(parents=True)
    lines = ["title: Many panels", "panels:"]
    for i in range(panels):
        # With overlaps, every thousandth panel sits on the one before it.
        slot = i - 1 if overlaps and i % 1000 == 999 else i
        lines += [f"  - title: Panel {i}", f"    markdown: 'note {i}'", "    w: 12", "    h: 4",
                  f"    at: {{x: {slot % 4 * 12}, y: {slot // 4 * 4}}}"]
    (root / "dashboards" / "many.yaml").write_text("\n".join(lines) + "\n")


def measure(panels: int, runs: int, overlaps: bool) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "objects"
        write_dashboard(root, panels, overlaps)
        in_process, cpu = [], []
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            project = load_project(root)
            in_process.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)  # moves less than wall time on a busy machine
        errors = len(project.diagnostics.errors)
        cli = []
        for _ in range(runs):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "kibana_sync", "validate", "--objects", str(root)],
                                  capture_output=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
            cli.append(time.perf_counter() - started)
        return {"panels": panels, "overlaps": overlaps, "load_project_s": round(min(in_process), 3),
                "load_project_cpu_s": round(min(cpu), 3), "cli_validate_s": round(min(cli), 3),
                "errors_reported": errors, "exit_code": done.returncode}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--panels", type=int, nargs="*", default=[1_000, 5_000, 20_000])
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    tune_gc()  # as the CLI does
    # A valid dashboard, and one whose errors must also be located (file:line:col) and reported.
    results = [measure(n, args.runs, overlaps) for n in args.panels for overlaps in (False, True)]
    print(json.dumps({"code": str(Path(kibana_sync.__file__).parent), "results": results}, indent=2))


if __name__ == "__main__":
    main()
