"""Issue 9's yardstick: every package of ../shared/corpus through Kibana -> `export --all` -> `push` -> compare.

For each (source, package) of the corpus MANIFEST: import into a fresh Kibana emulator, `kibana-sync export --all`,
`kibana-sync push` into an empty space of another fresh emulator, and compare every object with what the first
Kibana stored (tests/migration/harness.py; the comparison rules are in tests/migration/README.md).

Prints coverage per type (present / expected; objects Kibana refused as newer than 8.11 are counted apart),
exactness per era (equal / present; eras from MANIFEST `version_bucket`), refusals, packages whose push failed and
the most frequent first differences. Numbers, never assertions (the targets are asserted by
tests/migration/test_corpus_migration.py).

Usage: python bench/corpus_migration.py [--source S] [--package P] [--jobs 2] [--json report.json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the harness and the emulator live with the tests

from migration.harness import CORPUS, ERAS, packages, run_all, summarise  # noqa: E402


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", help="only this corpus source (e.g. package-storage)")
    parser.add_argument("--package", help="only this package (folder name)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--json", type=Path, help="write the full report (every object's outcome) here")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--kibana-sync-src", type=Path, metavar="DIR",
                        help="run the kibana_sync package in DIR (e.g. `git archive HEAD kibana_sync | tar -x -C "
                             "DIR`) instead of the installed one [env CORPUS_MIGRATION_KIBANA_SYNC_SRC]")
    parser.add_argument("--push-args", default="", metavar="ARGS",
                        help='diagnostic only: extra push arguments, e.g. "--adopt" to look past conflicts with the '
                             "environment stubs (the yardstick pushes without) [env CORPUS_MIGRATION_PUSH_ARGS]")
    args = parser.parse_args(argv)
    if args.push_args:
        os.environ["CORPUS_MIGRATION_PUSH_ARGS"] = args.push_args
    if args.kibana_sync_src:
        os.environ["CORPUS_MIGRATION_KIBANA_SYNC_SRC"] = str(args.kibana_sync_src.resolve())
    if not (args.corpus / "MANIFEST.tsv").is_file():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    units = packages(args.corpus, args.source, args.package)
    if not units:
        print("no package matches", file=sys.stderr)
        return 2
    started = time.monotonic()
    results = run_all(units, jobs=args.jobs, corpus=args.corpus)
    wall = time.monotonic() - started
    summary = summarise(results)
    summary["wall_seconds"] = round(wall, 1)
    summary["jobs"] = args.jobs
    _print(summary, len(units))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "packages": [r.to_json() for r in results]},
                                        indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"\nreport: {args.json}")
    return 0


def _print(summary: dict, units: int) -> None:
    totals = summary["totals"]
    print(f"corpus migration: {units} packages, {totals['total']} objects, {summary['wall_seconds']} s "
          f"wall with {summary['jobs']} jobs")
    print("\nCoverage per type (present after the round trip / expected; expected = all minus refused as newer "
          "than 8.11 or needing such content)")
    print(f"  {'type':15} {'present':>9} {'expected':>9} {'':>7}  {'missing':>7} {'refused:newer':>13} "
          f"{'refused:other':>13}")
    for type_, row in summary["coverage_by_type"].items():
        print(f"  {type_:15} {row['present']:>9} {row['expected']:>9} {_pct(row['present'], row['expected']):>7}"
              f"  {row['missing']:>7} {row['refused_newer_than_8_11']:>13} {row['refused_other']:>13}")
    print(f"  {'(all)':15} {totals['present']:>9} {totals['expected']:>9} "
          f"{_pct(totals['present'], totals['expected']):>7}  {totals['missing']:>7} {totals['newer_than_8_11']:>13} "
          f"{totals['refused_by_kibana'] - totals['newer_than_8_11']:>13}")
    print("\nExactness per era (equal / present)")
    for era in ERAS:
        row = summary["exactness_by_era"][era]
        print(f"  {era:9} {row['equal']:>6} / {row['present']:<6} {_pct(row['equal'], row['present'])}"
              f"   (present {row['present']} of {row['expected']} expected)")
    print(f"  {'(all)':9} {totals['equal']:>6} / {totals['present']:<6} {_pct(totals['equal'], totals['present'])}")
    if summary["refusals"]:
        print("\nRefused by Kibana at the first import (type:kind; only newer_than_8_11 is expected)")
        for kind, count in summary["refusals"].items():
            print(f"  {count:>5}  {kind}")
    failed = summary["packages_push_failed"]
    print(f"\nPackages whose push failed: {len(failed)} of {summary['packages']}")
    for row in failed:
        print(f"  {row['package']}: push exit {row['push_rc']} (export exit {row['export_rc']}): {row['reason']}")
    nonzero = summary["packages_export_nonzero"]
    if nonzero:
        print(f"\nPackages whose export exited non-zero: {len(nonzero)}")
        for row in nonzero:
            print(f"  {row['package']}: export exit {row['export_rc']} {' '.join(row['stderr'])[:200]}")
    if summary["harness_errors"]:
        print("\nHarness errors")
        for name, error in summary["harness_errors"].items():
            print(f"  {name}: {error}")
    print("\nMost frequent differences (objects with a difference at type: path; the first 5 differences of "
          "each object are recorded)")
    for path, count in summary["top_differences"].items():
        print(f"  {count:>5}  {path}")


if __name__ == "__main__":
    sys.exit(main())
