"""The corpus migration round trip of issue 9, one package at a time, driving kibana-sync only by its CLI.

For each package of `../shared/corpus` (MANIFEST.tsv grouped by source and package):

1. Kibana A (a fresh emulator): import the package's objects with `_import?overwrite=true`, as files. Objects in
   the decoded source form (elastic-package, package-spec, esdiag) are first encoded the way `elastic-package build`
   does (`internal/packages/builder/dashboards.go`: `fieldsToEncode`, `json.Marshal` of each decoded value), plus
   the other fields MANIFEST `decoded_fields` lists (esdiag's control-group and data-view fields), because Kibana
   stores and imports them as strings (addendum 0.1, ref 3.1). What Kibana refuses is recorded per object.
   Index-pattern / search references the package does not carry (Fleet's `logs-*`, `metrics-*`) are
   environment, not package content: a minimal stub is created for each in A only (export carries it to B),
   and never compared.
2. `python -m kibana_sync export --all --out <tmp>/objects` against A.
3. Kibana B (another fresh emulator) with an empty space `migration-b`: `python -m kibana_sync push
   --objects <tmp>/objects --space migration-b`. A second Kibana rather than a second space of A because Kibana 8
   ids are global across spaces (ref 2.1): the same ids cannot live in two spaces of one Kibana, and push
   (rightly) refuses to write them there.
4. Every package object as A stored it (`_bulk_get`) is compared with B's object of the same (type, id)
   (`compare.py`).

Per object: `equal`, `differs` (first differing paths), `missing` (not in B: export skipped it or push failed) or
`refused_by_kibana` (A's import refused it; `refusal` says why; only `newer_than_8_11` is expected).
"""

from __future__ import annotations

import copy
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
REPO = TESTS.parent
CORPUS = REPO.parent / "shared" / "corpus"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))  # the emulator lives with the tests

from kibana_emulator import KibanaEmulator, serve  # noqa: E402

from .compare import compare, is_marker_object  # noqa: E402

USER, PASSWORD = "elastic", "changeme"  # EmulatorConfig's default user
SPACE_B = "migration-b"
CLI_TIMEOUT_S = 600
# elastic-package `internal/packages/builder/dashboards.go` fieldsToEncode
ELASTIC_PACKAGE_ENCODED = ("attributes.kibanaSavedObjectMeta.searchSourceJSON", "attributes.layerListJSON",
                           "attributes.mapStateJSON", "attributes.optionsJSON", "attributes.panelsJSON",
                           "attributes.uiStateJSON", "attributes.visState")
# MANIFEST `decoded_fields` names -> attribute paths
DECODED_FIELD_PATHS = {"searchSourceJSON": "attributes.kibanaSavedObjectMeta.searchSourceJSON"}
NEWER = re.compile(r'Document "(?P<id>[^"]*)" (belongs to a more recent version|has a "coreMigrationVersion" '
                   r"which belongs to a more recent version)")
DOCUMENT = re.compile(r'Document "(?P<id>[^"]*)"')
# refusals counted apart from the targets: content from a Kibana newer than 8.11 (and what needs it)
APART = frozenset({"newer_than_8_11", "depends_on_newer_than_8_11"})
STUB_TYPE_VERSIONS = {"index-pattern": "8.0.0", "search": "8.0.0"}  # ref 2.2 table


# ------------------------------------------------------------------------------------------------ the corpus
def era(bucket: str) -> str:
    """MANIFEST `version_bucket` -> pre-7 / 7.x / 8.0–8.7 / 8.8+."""
    if bucket.startswith("8.8+"):
        return "8.8+"
    match = re.match(r"(\d+)\.(\d+)", bucket)
    if not match or int(match[1]) < 7:
        return "pre-7"
    if int(match[1]) == 7:
        return "7.x"
    return "8.0–8.7" if int(match[2]) <= 7 else "8.8+"


ERAS = ("pre-7", "7.x", "8.0–8.7", "8.8+")


@dataclass
class CorpusObject:
    local_path: str
    source: str
    package: str
    type: str
    id: str
    version_bucket: str
    json_encoding: str
    decoded_fields: str

    @property
    def era(self) -> str:
        return era(self.version_bucket)

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.id)

    def load(self, corpus: Path = CORPUS) -> dict[str, Any]:
        return json.loads((corpus / self.local_path).read_text(encoding="utf-8"))


@dataclass
class Package:
    source: str
    package: str
    variant: int  # >0 when one package holds two files of the same (type, id) (package-spec's pairs)
    objects: list[CorpusObject]

    @property
    def name(self) -> str:
        return f"{self.source}/{self.package}" + (f"#{self.variant + 1}" if self.variant else "")


def load_manifest(corpus: Path = CORPUS) -> list[CorpusObject]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [CorpusObject(r["local_path"], r["source"], r["package"], r["type"], r["id"], r["version_bucket"],
                         r["json_encoding"], r["decoded_fields"]) for r in rows]


def packages(corpus: Path = CORPUS, source: str | None = None, package: str | None = None) -> list[Package]:
    """The round-trip units: one per (source, package); a package with two files of one (type, id) is split
    into variants, each importable on its own (an import file must not repeat a type:id, ref 2.3)."""
    grouped: dict[tuple[str, str], list[CorpusObject]] = defaultdict(list)
    for obj in load_manifest(corpus):
        if (source is None or obj.source == source) and (package is None or obj.package == package):
            grouped[(obj.source, obj.package)].append(obj)
    units = []
    for (src, pkg), objs in sorted(grouped.items()):
        variants: list[list[CorpusObject]] = []
        for obj in objs:
            for variant in variants:
                if all(o.key != obj.key for o in variant):
                    variant.append(obj)
                    break
            else:
                variants.append([obj])
        units += [Package(src, pkg, n, v) for n, v in enumerate(variants)]
    return units


def importable(doc: dict[str, Any], obj: CorpusObject) -> dict[str, Any]:
    """The object as an import file line: decoded fields encoded again (see module docstring), nothing else."""
    doc = copy.deepcopy(doc)
    paths = list(ELASTIC_PACKAGE_ENCODED)
    for name in filter(None, obj.decoded_fields.split(",")):
        paths.append(DECODED_FIELD_PATHS.get(name, f"attributes.{name}"))
    for path in paths:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and last in node and not isinstance(node[last], str):
            node[last] = json.dumps(node[last], separators=(",", ":"), ensure_ascii=False)
    return doc


# ------------------------------------------------------------------------------------------------- results
@dataclass
class ObjectResult:
    type: str
    id: str
    local_path: str
    era: str
    version_bucket: str
    outcome: str  # equal | differs | missing | refused_by_kibana
    refusal: str = ""  # newer_than_8_11 | migration_error | unsupported_type | missing_references | ...
    detail: str = ""
    differences: list[str] = field(default_factory=list)


@dataclass
class PackageResult:
    name: str
    source: str
    package: str
    objects: list[ObjectResult] = field(default_factory=list)
    stubs: list[str] = field(default_factory=list)
    export_rc: int | None = None
    push_rc: int | None = None
    export_stderr_tail: str = ""
    push_stderr_tail: str = ""
    push_stdout_tail: str = ""
    export_report: Any = None
    extra_in_b: list[str] = field(default_factory=list)  # objects in B that are not package objects
    seconds: float = 0.0
    harness_error: str = ""

    @property
    def pushed(self) -> bool:
        return self.push_rc == 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# ------------------------------------------------------------------------------------------------- the run
def _client(emulator: KibanaEmulator) -> httpx.Client:
    return httpx.Client(base_url="http://kibana.test", transport=emulator.transport(), auth=(USER, PASSWORD),
                        headers={"kbn-xsrf": "corpus-migration"}, timeout=120)


def _import(client: httpx.Client, docs: list[dict[str, Any]], space: str | None = None) -> httpx.Response:
    prefix = f"/s/{space}" if space else ""
    body = "\n".join(json.dumps(d, ensure_ascii=False) for d in docs)
    return client.post(f"{prefix}/api/saved_objects/_import", params={"overwrite": "true"},
                       files={"file": ("package.ndjson", body.encode("utf-8"), "application/ndjson")})


def _stub(type_: str, id_: str) -> dict[str, Any]:
    """A minimal object standing in for one the package expects the environment (Fleet) to provide."""
    if type_ == "index-pattern":
        attributes: dict[str, Any] = {"title": id_, "timeFieldName": "@timestamp", "fields": "[]"}
    else:
        attributes = {"title": f"stub {id_}", "columns": [], "sort": [], "kibanaSavedObjectMeta": {
            "searchSourceJSON": '{"query":{"query":"","language":"kuery"},"filter":[]}'}}
    return {"type": type_, "id": id_, "attributes": attributes, "references": [],
            "coreMigrationVersion": "8.8.0", "typeMigrationVersion": STUB_TYPE_VERSIONS[type_]}


def _refusal_of(status: int, body: dict[str, Any]) -> tuple[str, str]:
    message = str(body.get("message", ""))
    if NEWER.search(message):
        return "newer_than_8_11", message
    if status == 500:
        return "migration_error", "HTTP 500 at import (a type migration threw)"
    return f"http_{status}", message


def import_package(client: httpx.Client, docs: dict[tuple[str, str], dict[str, Any]]
                   ) -> tuple[dict[tuple[str, str], tuple[str, str]], list[dict[str, Any]]]:
    """Import the package into the default space of A. Returns (refused {key: (kind, detail)}, stubs)."""
    refused: dict[tuple[str, str], tuple[str, str]] = {}
    stubs: dict[tuple[str, str], dict[str, Any]] = {}
    for _attempt in range(len(docs) + 5):
        pending = [d for k, d in docs.items() if k not in refused]
        if not pending:
            break
        response = _import(client, list(stubs.values()) + pending)
        body = _json(response)
        if response.status_code == 200:
            new_stubs = False
            blocking = False
            for error in body.get("errors") or []:
                key = (error.get("type"), error.get("id"))
                kind = (error.get("error") or {}).get("type", "unknown")
                if kind == "missing_references":
                    for ref in error["error"].get("references") or []:
                        ref_key = (ref.get("type"), ref.get("id"))
                        if ref_key not in stubs and ref_key not in docs and ref.get("type") in STUB_TYPE_VERSIONS:
                            stubs[ref_key] = _stub(*ref_key)
                            new_stubs = True
                    blocking = True
                elif key in docs:
                    refused[key] = (kind, json.dumps(error.get("error"))[:300])
                    blocking = blocking or kind in ("conflict", "ambiguous_conflict")
            if new_stubs:
                continue
            if blocking:  # unresolvable missing references: nothing was written
                for error in body.get("errors") or []:
                    key = (error.get("type"), error.get("id"))
                    if key in docs:
                        refused.setdefault(key, ((error.get("error") or {}).get("type", "unknown"),
                                                 json.dumps(error.get("error"))))
                continue
            _label_dependants(refused)
            break
        # 4xx/5xx abort the whole request (ref 2.2): find the culprit
        match = DOCUMENT.search(str(body.get("message", "")))
        culprits = [k for k in docs if match and k[1] == match["id"] and k not in refused]
        if len(culprits) == 1:
            refused[culprits[0]] = _refusal_of(response.status_code, body)
            continue
        found = _probe(pending, stubs)
        if not found:
            for key in docs:
                refused.setdefault(key, (f"http_{response.status_code}", str(body)[:300]))
            break
        refused.update(found)
    return refused, list(stubs.values())


def _label_dependants(refused: dict[tuple[str, str], tuple[str, str]]) -> None:
    """An object refused only for a missing reference to an object Kibana refused as too new is newer content
    too (it cannot exist in 8.11 without it): `depends_on_newer_than_8_11`, counted apart like its dependency."""
    newer = {k[1] for k, (kind, _) in refused.items() if kind == "newer_than_8_11"}
    for key, (kind, detail) in list(refused.items()):
        if kind == "missing_references":
            missing = {ref.get("id") for ref in (json.loads(detail) if detail.endswith("}") else {}).get(
                "references", [])}
            if missing and missing <= newer:
                refused[key] = ("depends_on_newer_than_8_11", detail)


def _probe(pending: list[dict[str, Any]], stubs: dict[tuple[str, str], dict[str, Any]]
           ) -> dict[tuple[str, str], tuple[str, str]]:
    """Import each object alone into a scratch Kibana (with stubs for the references import validates) to find
    the ones that make a whole import fail."""
    found = {}
    for doc in pending:
        scratch = KibanaEmulator()
        with _client(scratch) as client:
            refs = [(r.get("type"), r.get("id")) for r in doc.get("references") or []
                    if isinstance(r, dict) and r.get("type") in STUB_TYPE_VERSIONS]
            extra = [stubs.get(k) or _stub(*k) for k in dict.fromkeys(refs) if k != (doc["type"], doc["id"])]
            response = _import(client, extra + [doc])
            if response.status_code != 200:
                found[(doc["type"], doc["id"])] = _refusal_of(response.status_code, _json(response))
    return found


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"message": response.text[:300]}
    return body if isinstance(body, dict) else {"body": body}


def _bulk_get(client: httpx.Client, keys: list[tuple[str, str]], space: str | None = None
              ) -> dict[tuple[str, str], dict[str, Any]]:
    prefix = f"/s/{space}" if space else ""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        response = client.post(f"{prefix}/api/saved_objects/_bulk_get", json=[{"type": t, "id": i} for t, i in chunk])
        response.raise_for_status()
        for obj in response.json()["saved_objects"]:
            if "error" not in obj:
                found[(obj["type"], obj["id"])] = obj
    return found


def _all_keys(client: httpx.Client, space: str) -> set[tuple[str, str]]:
    types = ["dashboard", "visualization", "lens", "search", "index-pattern", "tag", "map", "links"]
    response = client.get(f"/s/{space}/api/saved_objects/_find", params={"type": types, "per_page": 10000})
    response.raise_for_status()
    return {(o["type"], o["id"]) for o in response.json()["saved_objects"]}


def _cli_env() -> dict[str, str]:
    """The CLI's environment: credentials only from variables (README "Connecting to Kibana"), no stray KIBANA_*
    settings of the caller. CORPUS_MIGRATION_KIBANA_SYNC_SRC=<dir> runs the kibana_sync package found in <dir>
    instead of the installed one (e.g. a `git archive` of a commit, to measure it while the tree is mid-change)."""
    src = os.environ.get("CORPUS_MIGRATION_KIBANA_SYNC_SRC")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIBANA_")}
    env.update({"KIBANA_USERNAME": USER, "KIBANA_PASSWORD": PASSWORD, "NO_COLOR": "1"})
    if src:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    return env


def _extra_push_args() -> list[str]:
    """CORPUS_MIGRATION_PUSH_ARGS (e.g. "--adopt"): a diagnostic run that looks past what stops a push, to see what
    is behind it. The yardstick itself (tests, default bench) always pushes without extra arguments."""
    return os.environ.get("CORPUS_MIGRATION_PUSH_ARGS", "").split()


def run_cli(args: list[str], cwd: Path, timeout: float = CLI_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    """`python -m kibana_sync ARGS` as a user would run it."""
    try:
        return subprocess.run([sys.executable, "-m", "kibana_sync", *args], cwd=cwd, env=_cli_env(),
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        return subprocess.CompletedProcess(err.cmd, -9, _text(err.stdout), _text(err.stderr) + "\n[timed out]")


def _problem_lines(stdout: str, limit: int = 25) -> str:
    """push's report without its per-object `ok` lines and plan entries: failures, the plan line, the summary."""
    keep = [line for line in stdout.splitlines()
            if line.strip() and not line.startswith(("ok ", "+ ", "~ ", "- ", "-+ "))]
    return "\n".join(keep[-limit:])


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else (value or "")


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run_package(pkg: Package, corpus: Path = CORPUS, workdir: Path | None = None,
                keep: bool = False) -> PackageResult:
    started = time.monotonic()
    result = PackageResult(pkg.name, pkg.source, pkg.package)
    docs = {o.key: importable(o.load(corpus), o) for o in pkg.objects}
    with tempfile.TemporaryDirectory(prefix="corpus-migration-", dir=workdir) as tmp_name:
        tmp = Path(tmp_name)
        try:
            _round_trip(pkg, docs, result, tmp)
        except Exception as err:  # noqa: BLE001 - a harness failure is reported, never hidden
            result.harness_error = f"{type(err).__name__}: {err}"
        if keep:
            kept = Path(tempfile.mkdtemp(prefix=f"corpus-migration-{pkg.package}-"))
            subprocess.run(["cp", "-r", str(tmp) + "/.", str(kept)], check=False)
            result.harness_error += f" [kept in {kept}]"
    if result.harness_error and not result.objects:
        result.objects = [ObjectResult(o.type, o.id, o.local_path, o.era, o.version_bucket, "missing",
                                       detail="harness error") for o in pkg.objects]
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _round_trip(pkg: Package, docs: dict[tuple[str, str], dict[str, Any]], result: PackageResult,
                tmp: Path) -> None:
    kibana_a = KibanaEmulator()
    with _client(kibana_a) as client_a:
        refused, stubs = import_package(client_a, docs)
        result.stubs = [f"{s['type']}:{s['id']}" for s in stubs]
        originals = _bulk_get(client_a, [k for k in docs if k not in refused])
        out = tmp / "objects"
        with serve(kibana_a) as url_a:
            export = run_cli(["export", "--all", "--out", str(out), "--kibana-url", url_a, "--output", "json"], tmp)
        result.export_rc = export.returncode
        result.export_stderr_tail = _tail(export.stderr)
        try:
            result.export_report = json.loads(export.stdout)
        except ValueError:
            result.export_report = _tail(export.stdout)
    kibana_b = KibanaEmulator()
    with _client(kibana_b) as client_b:
        # B's space starts empty, as the "push into an empty space" says: the stubs are objects of A's
        # space, so `export --all` carries them and push writes them into B like any other object.
        client_b.post("/api/spaces/space", json={"id": SPACE_B, "name": "Migration B"}).raise_for_status()
        if out.is_dir():
            with serve(kibana_b) as url_b:
                push = run_cli(["push", "--objects", str(out), "--space", SPACE_B, "--kibana-url", url_b,
                                *_extra_push_args()], tmp)
            result.push_rc = push.returncode
            result.push_stderr_tail = _tail(push.stderr)
            result.push_stdout_tail = _problem_lines(push.stdout)
        pushed = _bulk_get(client_b, list(originals), SPACE_B)
        stub_keys = {(s["type"], s["id"]) for s in stubs}
        result.extra_in_b = sorted(f"{t}:{i}" for t, i in _all_keys(client_b, SPACE_B) - set(docs) - stub_keys
                                   if not is_marker_object({"type": t, "id": i}))
    for obj in pkg.objects:
        entry = ObjectResult(obj.type, obj.id, obj.local_path, obj.era, obj.version_bucket, "missing")
        if obj.key in refused:
            entry.outcome = "refused_by_kibana"
            entry.refusal, entry.detail = refused[obj.key]
        elif obj.key not in originals:
            entry.detail = "imported but not readable from A"
        elif obj.key not in pushed:
            entry.detail = "not in B"
        else:
            differences = compare(originals[obj.key], pushed[obj.key])
            entry.outcome = "differs" if differences else "equal"
            entry.differences = [str(d) for d in differences]
        result.objects.append(entry)


# ------------------------------------------------------------------------------------------------- summary
def summarise(results: list[PackageResult]) -> dict[str, Any]:
    """Coverage per type (present / expected, expected = all objects minus those refused as newer than 8.11),
    exactness per era (equal / present), refusals by kind, packages whose push failed."""
    by_type: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_era: dict[str, dict[str, int]] = {e: defaultdict(int) for e in ERAS}
    refusals: dict[str, int] = defaultdict(int)
    diff_paths: dict[str, int] = defaultdict(int)
    for package in results:
        for obj in package.objects:
            row = by_type[obj.type]
            row["total"] += 1
            row[obj.outcome] += 1
            if obj.outcome == "refused_by_kibana":
                refusals[f"{obj.type}:{obj.refusal}"] += 1
                if obj.refusal in APART:
                    row["newer_than_8_11"] += 1
                    continue
            row["expected"] += 1
            era_row = by_era[obj.era]
            era_row["expected"] += 1
            if obj.outcome in ("equal", "differs"):
                row["present"] += 1
                era_row["present"] += 1
                era_row[obj.outcome] += 1
            for path in dict.fromkeys(_generic_path(d) for d in obj.differences):
                diff_paths[f"{obj.type}: {path}"] += 1
    total = {k: sum(r.get(k, 0) for r in by_type.values())
             for k in ("total", "expected", "present", "equal", "differs", "missing", "refused_by_kibana",
                       "newer_than_8_11")}
    push_failed = [p for p in results if p.push_rc != 0 and any(
        o.outcome != "refused_by_kibana" for o in p.objects)]
    return {
        "totals": total,
        "coverage_by_type": {t: {"present": r["present"], "expected": r["expected"], "total": r["total"],
                                 "equal": r["equal"], "missing": r["missing"],
                                 "refused_newer_than_8_11": r["newer_than_8_11"],
                                 "refused_other": r["refused_by_kibana"] - r["newer_than_8_11"]}
                             for t, r in sorted(by_type.items())},
        "exactness_by_era": {e: {"equal": r["equal"], "present": r["present"], "expected": r["expected"]}
                             for e, r in by_era.items()},
        "refusals": dict(sorted(refusals.items(), key=lambda kv: -kv[1])),
        "packages": len(results),
        "packages_push_failed": [{"package": p.name, "push_rc": p.push_rc, "export_rc": p.export_rc,
                                  "reason": _reason(p)} for p in push_failed],
        "packages_export_nonzero": [{"package": p.name, "export_rc": p.export_rc,
                                     "stderr": p.export_stderr_tail.splitlines()[-1:] if p.export_stderr_tail
                                     else []} for p in results if p.export_rc not in (0, None)],
        "harness_errors": {p.name: p.harness_error for p in results if p.harness_error},
        "top_differences": dict(sorted(diff_paths.items(), key=lambda kv: -kv[1])[:25]),
    }


def _generic_path(difference: str) -> str:
    path = difference.split(": ", 1)[0]
    return re.sub(r"\[\d+\]", "[]", path)


def _reason(package: PackageResult) -> str:
    if package.push_rc is None:
        last = package.export_stderr_tail.splitlines()[-1:] or [package.harness_error]
        return f"push not run: export wrote no objects folder (export exit {package.export_rc}: {last[0][:200]})"
    failed = [line for line in package.push_stdout_tail.splitlines() if line.startswith("FAILED")]
    if failed:
        return f"{len(failed)} object(s) failed, e.g. {failed[0][:300]}"
    for text in (package.push_stderr_tail, package.push_stdout_tail, package.harness_error):
        lines = [line for line in text.splitlines() if line.strip()]
        if lines:
            return lines[-1][:300]
    return f"push exit {package.push_rc}"


def run_all(units: list[Package], jobs: int = 2, corpus: Path = CORPUS) -> list[PackageResult]:
    """Run the packages over `jobs` worker processes (each package gets its own emulators)."""
    if jobs <= 1:
        return [run_package(u, corpus) for u in units]
    from concurrent.futures import ProcessPoolExecutor

    # biggest first, so one large package does not end the run alone
    ordered = sorted(units, key=lambda u: -len(u.objects))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        done = list(pool.map(run_package, ordered, [corpus] * len(ordered)))
    order = {u.name: n for n, u in enumerate(units)}
    return sorted(done, key=lambda r: order[r.name])
