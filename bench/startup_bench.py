"""Benchmark for start-up (issue 12): what a command costs before it does any work, as a CI job or a pre-commit
hook feels it. Runs each command N times as a fresh process and reports wall and CPU seconds (min, median,
max), the number of modules imported, and the modules whose import costs most (``python -X importtime``).

Commands: ``python -c pass`` (the interpreter alone, the floor), ``--version``, ``validate`` and ``build`` of a
folder with one dashboard, and ``init`` into an empty folder. Bytecode is cached in a temporary folder
(PYTHONPYCACHEPREFIX) and warmed up first, as an installed package has it; without that every run would
recompile every module. Compare two versions of the code by running this file with each on PYTHONPATH:

    git worktree add /tmp/before <commit>
    PYTHONPATH=/tmp/before python bench/startup_bench.py
    python bench/startup_bench.py

Not a test: the machine is noisy, so the numbers are for comparison, never asserted. CPU seconds (user + system
of the finished child) move less than wall seconds when other work shares the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import kibana_sync

# Modules whose (cumulative) import time the report lists: the CLI, the kinds every load needs, and the
# libraries only some commands need (HTTP, diffing, export).
WATCHED = ("kibana_sync.cli.main", "kibana_sync.kinds.registry", "kibana_sync.project.loader", "click", "pydantic",
           "yaml", "httpx", "deepdiff", "kibana_sync.sync.plan", "kibana_sync.export.pipeline")

DASHBOARD = """title: One
panels:
  - title: Notes
    markdown: hello
"""


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _summary(values: list[float]) -> dict[str, float]:
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3), "max": round(max(values), 3)}


def _imports(argv: list[str], env: dict[str, str], cwd: Path) -> dict[str, object]:
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env, cwd=cwd, capture_output=True,
                          text=True)
    cumulative: dict[str, int] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
        if match:
            cumulative.setdefault(match.group(3), int(match.group(2)))
    # Cumulative import time of the parts that matter for start-up; absent ones were not imported at all.
    watched = {name: round(cumulative[name] / 1000, 1) for name in WATCHED if name in cumulative}
    return {"modules": len(cumulative), "import_ms": watched}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "objects" / "dashboards").mkdir(parents=True)
        (root / "objects" / "dashboards" / "one.yaml").write_text(DASHBOARD)
        env = {**os.environ, "PYTHONPYCACHEPREFIX": str(root / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        python = sys.executable
        commands = {
            "python -c pass": [python, "-c", "pass"],
            "kibana-sync --version": [python, "-m", "kibana_sync", "--version"],
            "kibana-sync validate (1 dashboard)": [python, "-m", "kibana_sync", "validate"],
            "kibana-sync build (1 dashboard)": [python, "-m", "kibana_sync", "build", "--out", str(root / "dist")],
            "kibana-sync init": [python, "-m", "kibana_sync", "init", str(root / "new")],
        }
        report: dict[str, object] = {"kibana_sync": str(Path(kibana_sync.__file__).parent), "runs": args.runs}
        for name, argv in commands.items():
            for _ in range(2):  # warm-up: writes the bytecode cache, fills the page cache
                _run(argv, env, root)
                _clean_init(root)
            walls, cpus = [], []
            for _ in range(args.runs):
                wall, cpu = _run(argv, env, root)
                _clean_init(root)
                walls.append(wall)
                cpus.append(cpu)
            report[name] = {"wall_s": _summary(walls), "cpu_s": _summary(cpus),
                            **_imports(argv, env, root)}
            _clean_init(root)
    print(json.dumps(report, indent=2))


def _clean_init(root: Path) -> None:
    """``init`` refuses to write over its own files: remove them between runs."""
    import shutil

    shutil.rmtree(root / "new", ignore_errors=True)


if __name__ == "__main__":
    main()
