"""Property test: whatever bytes a person (or an attacker) puts in the objects folder or gives to
``export --from-file``, the CLI ends with exit 0, 1 or 2 and a message, never a traceback (issue 10).

Inputs: YAML built from YAML's own syntax (anchors, aliases, merges, tags, flow and block collections, the keys
the kinds use), random mutations of the real files in objects/, random bytes; NDJSON lines of random JSON,
mutations of the corpus exports in ../shared/corpus/ndjson, random bytes. The CLI runs in-process. Bounded so the
whole module takes seconds: ``--hypothesis-show-statistics`` prints how many inputs each property tried.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kibana_sync.cli.main import main

pytestmark = pytest.mark.slow  # property tests (hundreds of CLI runs): the full suite runs them

REPO = Path(__file__).resolve().parents[2]
GENESIS = REPO / "objects"
CORPUS_NDJSON = REPO.parent / "shared" / "corpus" / "ndjson"
REAL_YAML = sorted(GENESIS.rglob("*.yaml"))
REAL_NDJSON = sorted(CORPUS_NDJSON.glob("*.ndjson")) if CORPUS_NDJSON.is_dir() else []
FOLDERS = ["dashboards", "searches", "data_views", "tags", "alerts", "connectors"]

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_handled(result: Result) -> None:
    """Exit 0/1/2 through the CLI's own exits, not an exception escaping it."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"exit {result.exit_code} with {type(result.exception).__name__}: "
                             f"{result.exception}\n{result.output[-2000:]}") from result.exception
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output


# -- YAML -----------------------------------------------------------------------------------------------------

KEYS = ["title", "id", "panels", "chart", "markdown", "raw", "w", "h", "at", "x", "y", "metric", "query", "name",
        "data_view", "filters", "columns", "time", "refresh", "<<", "? complex", "type", "params", "rule_type_id",
        "schedule", "actions", "connector_type_id", "config", "secrets", "title_field", "fields", "color"]
SCALARS = ["0", "-1", "48", "1e400", "0x1F", "true", "~", "null", "''", '""', "'@timestamp'", "count",
           "sum(data.quantity)", "line", "now-24h", "genesis-logs", "{external: x}", "2001-01-01", ".nan",
           "!!binary aGk=", "!!python/object:os.system ls", "!!set {a}", "!!timestamp x", "!!int x", "'\\x00'",
           '"\\ud800"', "level : ERROR and", "[]", "{}", "\t", "é", "\u2028", "\ufeff"]
TOKENS = ["&a ", "&b ", "*a", "*b", "[", "]", "{", "}", ", ", ": ", "- ", "\n", "  ", "    ", "<<: ", "? ", "|\n  ",
          ">-\n  ", "---\n", "...\n", "#c\n", "%YAML 1.1\n", "!t ", "'", '"', "\\", "@", "`", *KEYS, *SCALARS]


def yaml_value(depth: int) -> st.SearchStrategy[str]:
    scalar = st.sampled_from(SCALARS) | st.text(max_size=8).map(json.dumps)
    if depth == 0:
        return scalar
    inner = yaml_value(depth - 1)
    flow_seq = st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]")
    flow_map = st.lists(st.tuples(st.sampled_from(KEYS), inner), max_size=4).map(
        lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}")
    anchored = st.tuples(st.sampled_from(["a", "b"]), inner).map(lambda p: f"&{p[0]} {p[1]}")
    alias = st.sampled_from(["*a", "*b"])
    return scalar | flow_seq | flow_map | anchored | alias


yaml_documents = st.one_of(
    st.lists(st.tuples(st.sampled_from(KEYS), yaml_value(3)), max_size=8).map(
        lambda pairs: "".join(f"{k}: {v}\n" for k, v in pairs)),
    st.lists(st.sampled_from(TOKENS), max_size=60).map("".join),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)


@st.composite
def mutated_bytes(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "truncate"]))
        if action == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif action == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS).map(str.encode) | st.binary(min_size=1, max_size=8))
        elif action == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif action == "duplicate":
            data[at:at] = data[max(0, at - draw(st.integers(1, 80))):at]
        elif action == "truncate":
            del data[at:]
    return bytes(data)


@st.composite
def mutated_real_yaml(draw: st.DrawFn) -> tuple[Path, bytes]:
    path = draw(st.sampled_from(REAL_YAML))
    return path.relative_to(GENESIS), draw(mutated_bytes(path.read_bytes()))


yaml_data = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12)
    | st.sampled_from(SCALARS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=6)


@st.composite
def edited_real_yaml(draw: st.DrawFn) -> tuple[Path, bytes]:
    """A real object with one value somewhere inside replaced: valid YAML, so the models, checks and compile
    see it."""
    path = draw(st.sampled_from(REAL_YAML))
    data = yaml.safe_load(path.read_text())
    node, steps = data, draw(st.integers(1, 6))
    for _ in range(steps):
        children = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not children:
            break
        key = draw(st.sampled_from(children))
        if not isinstance(node[key], dict | list) or draw(st.booleans()):
            node[key] = draw(yaml_data)
            break
        node = node[key]
    return path.relative_to(GENESIS), yaml.safe_dump(data, allow_unicode=True).encode()


class ObjectsTree:
    """A copy of objects/ made once per test; each example swaps one file in and puts the original back."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.root = Path(self._tmp.name) / "objects"
        shutil.copytree(GENESIS, self.root)

    def validate_with(self, rel: Path, data: bytes) -> Result:
        target = self.root / rel
        original = target.read_bytes()
        target.write_bytes(data)
        try:
            return validate(self.root)
        finally:
            target.write_bytes(original)

    def close(self) -> None:
        self._tmp.cleanup()


@pytest.fixture(scope="module")
def objects_tree() -> Iterator[ObjectsTree]:
    tree = ObjectsTree()
    yield tree
    tree.close()


def validate(root: Path) -> Result:
    return CliRunner().invoke(main, ["validate", "--objects", str(root)])


@FUZZ
@given(folder=st.sampled_from(FOLDERS), text=yaml_documents)
def test_random_yaml_never_ends_in_a_traceback(folder: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "objects" / folder / "fuzz.yaml"
        path.parent.mkdir(parents=True)
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        assert_handled(validate(path.parents[1]))


@FUZZ
@given(mutation=mutated_real_yaml())
def test_mutated_real_objects_never_end_in_a_traceback(objects_tree: ObjectsTree, mutation: tuple[Path, bytes]) -> None:
    rel, data = mutation
    assert_handled(objects_tree.validate_with(rel, data))


@FUZZ
@given(mutation=edited_real_yaml())
def test_real_objects_with_a_value_changed_never_end_in_a_traceback(objects_tree: ObjectsTree, mutation: tuple[Path, bytes]) -> None:
    rel, data = mutation
    assert_handled(objects_tree.validate_with(rel, data))


# -- NDJSON ---------------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12)
SO_TYPES = ["dashboard", "index-pattern", "search", "lens", "visualization", "tag", "config", "map", "x"]


@st.composite
def saved_object_lines(draw: st.DrawFn) -> str:
    obj: dict = draw(st.fixed_dictionaries(
        {"type": st.sampled_from(SO_TYPES) | json_values, "id": st.text(min_size=1, max_size=6) | json_values},
        optional={"attributes": st.dictionaries(st.sampled_from(["title", "panelsJSON", "kibanaSavedObjectMeta",
                                                                    "fields", "visState", "state", "name"]),
                                                json_values | json_values.map(json.dumps), max_size=4) | json_values,
                  "references": st.lists(st.fixed_dictionaries({"type": st.sampled_from(SO_TYPES),
                                                                "id": st.text(max_size=4),
                                                                "name": st.text(max_size=8)}), max_size=3)
                  | json_values,
                  "coreMigrationVersion": st.sampled_from(["8.8.0", "7.0.0", "x"]),
                  "typeMigrationVersion": st.sampled_from(["8.9.0", "7.10.0", ""]),
                  "exportedCount": st.integers()}))
    return json.dumps(obj)


ndjson_files = st.one_of(
    st.lists(saved_object_lines() | json_values.map(json.dumps) | st.text(max_size=30), max_size=6).map(
        lambda lines: "\n".join(lines).encode("utf-8", errors="surrogatepass")),
    st.binary(max_size=300),
)


@st.composite
def corpus_excerpts(draw: st.DrawFn) -> bytes:
    """A few consecutive lines of a real export, mutated: a whole file per example would make the run minutes."""
    lines = draw(st.sampled_from(REAL_NDJSON)).read_bytes().split(b"\n")
    start = draw(st.integers(0, len(lines) - 1))
    return draw(mutated_bytes(b"\n".join(lines[start:start + draw(st.integers(1, 4))])))


if REAL_NDJSON:
    ndjson_files = ndjson_files | corpus_excerpts()


@FUZZ
@given(data=ndjson_files)
def test_random_ndjson_export_never_ends_in_a_traceback(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "export.ndjson"
        source.write_bytes(data)
        result = CliRunner().invoke(main, ["export", "--from-file", str(source), "--out", str(Path(tmp) / "out")])
        assert_handled(result)
