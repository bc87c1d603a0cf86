"""Benchmark for KQL parsing: milliseconds per query on a mix of corpus and typical project queries.

Prints JSON. Not a test: times are CPU time (this machine is noisy), and numbers are for comparison between runs, never asserted.
``cold`` parses every distinct query with the result cache emptied first (the work ``validate`` does once per
query); ``warm`` repeats the same calls with the cache filled; ``exact`` is the PEG port alone (the path that
produces error messages). Run: ``python bench/kql_bench.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kibana_sync.query import kql

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

# What GENESIS dashboards, searches and the build benchmark write.
TYPICAL = [
    'component : "c1" and level : ERROR',
    'event_type:"ORDER_FAILED" OR event_type:"ORDER_REJECTED"',
    'tags:"security_alert"',
    "tilt_score > 70",
    "data.price > 50000 and data.quantity > 1",
    '@timestamp >= "2024-01-15T00:00:00" and @timestamp < "2024-01-16T00:00:00"',
    "component:engine.* and level:ERROR",
    "level:(ERROR or WARNING) and not component:tilt",
    "items:{ name:apple and price > 5 }",
    "timeout",
]


def _kuery_queries(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if value.get("language") == "kuery" and isinstance(value.get("query"), str):
            yield value["query"]
        for v in value.values():
            yield from _kuery_queries(v)
    elif isinstance(value, list):
        for v in value:
            yield from _kuery_queries(v)
    elif isinstance(value, str) and value[:1] in "{[" and "kuery" in value:
        try:
            yield from _kuery_queries(json.loads(value))
        except ValueError:
            return


def corpus_queries() -> list[str]:
    if not CORPUS.is_dir():
        return []
    found: dict[str, None] = {}
    for path in sorted((CORPUS / "kibana-objects").rglob("*.json")):
        try:
            found.update(dict.fromkeys(_kuery_queries(json.loads(path.read_text()))))
        except ValueError:
            continue
    return [q for q in found if q.strip()]


def _valid(queries: list[str]) -> list[str]:
    out = []
    for q in queries:
        try:
            kql.parse(q)
        except kql.KQLSyntaxError:
            continue
        out.append(q)
    return out


def _ms_per_query(fn: Callable[[str], Any], queries: list[str], rounds: int,
                  before: Callable[[], None] = lambda: None) -> float:
    times = []
    for _ in range(rounds):
        before()
        start = time.process_time()
        for q in queries:
            fn(q)
        times.append((time.process_time() - start) / len(queries) * 1000)
    return round(min(times), 4)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    corpus = _valid(corpus_queries())
    mix = list(dict.fromkeys(TYPICAL + corpus))
    clear = getattr(getattr(kql, "_parse_cached", None), "cache_clear", lambda: None)
    exact = getattr(kql, "_parse_exact", kql.parse)
    result = {
        "queries": len(mix),
        "corpus_queries": len(corpus),
        "mean_chars": round(statistics.mean(len(q) for q in mix), 1),
        "cold_ms_per_query": _ms_per_query(kql.parse, mix, args.rounds, clear),
        "warm_ms_per_query": _ms_per_query(kql.parse, mix, args.rounds),
        "exact_ms_per_query": _ms_per_query(exact, mix, args.rounds),
        "short_query_cold_ms": _ms_per_query(kql.parse, [TYPICAL[0]], args.rounds * 50, clear),
        "fields_12k_s": None,
    }
    # validate's load: ~12,000 queries, most of them repeats of a few hundred distinct ones.
    workload = [f'component : "c{i % 1000}" and level : ERROR' for i in range(12_000)]
    clear()
    start = time.process_time()
    for q in workload:
        kql.fields(q)
    result["fields_12k_s"] = round(time.process_time() - start, 3)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
