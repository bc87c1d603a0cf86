"""``kibana-sync export`` against a live Kibana (HTTP mocked with respx) and the command line around it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import yaml
from click.testing import CliRunner

from kibana_sync.cli.main import main
from kibana_sync.kibana.ownership import MANAGED_TAG_REF, managed_tag_object

URL = "http://kibana.test:5601"


def saved(type_: str, id_: str, attributes: dict[str, Any], refs: list[tuple[str, str]] = ()) -> dict[str, Any]:
    return {"attributes": attributes, "coreMigrationVersion": "8.8.0", "id": id_, "managed": False,
            "references": [{"id": i, "name": f"ref-{n}", "type": t} for n, (t, i) in enumerate(refs)],
            "type": type_, "typeMigrationVersion": "8.0.0"}


def data_view(id_: str, pattern: str, refs: list[tuple[str, str]] = ()) -> dict[str, Any]:
    return saved("index-pattern", id_, {"fields": "[]", "title": pattern, "timeFieldName": "@timestamp"}, refs)


def tag(id_: str, name: str) -> dict[str, Any]:
    return saved("tag", id_, {"color": "#D36086", "description": "", "name": name})


class FakeKibana:
    """Just enough of Kibana 8.11's export, rules and connectors APIs for export's reads."""

    def __init__(self, objects: list[dict[str, Any]], rules: list[dict[str, Any]] = (),
                 connectors: list[dict[str, Any]] = ()):
        self.objects = {(o["type"], o["id"]): o for o in objects}
        self.rules, self.connectors = list(rules), list(connectors)
        self.export_bodies: list[dict[str, Any]] = []

    def install(self, router: respx.MockRouter) -> None:
        router.get(f"{URL}/api/status").respond(json={"version": {"number": "8.11.0"}})
        router.post(f"{URL}/api/saved_objects/_export").mock(side_effect=self._export)
        router.get(f"{URL}/api/alerting/rules/_find").respond(
            json={"page": 1, "per_page": 100, "total": len(self.rules), "data": self.rules})
        router.get(f"{URL}/api/actions/connectors").respond(json=self.connectors)

    def _export(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.export_bodies.append(body)
        if "type" in body:
            found = sorted((o for o in self.objects.values() if o["type"] in body["type"]), key=lambda o: o["id"])
        else:
            found = [self.objects[(o["type"], o["id"])] for o in body["objects"]]
        if body.get("includeReferencesDeep"):
            found = self._with_references(found)
        lines = [json.dumps(o, sort_keys=True) for o in found]
        lines.append(json.dumps({"exportedCount": len(found), "missingRefCount": 0, "missingReferences": []}))
        return httpx.Response(200, text="\n".join(lines), headers={"Content-Type": "application/ndjson"})

    def _with_references(self, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = {(o["type"], o["id"]): o for o in found}
        todo = list(found)
        while todo:
            for ref in todo.pop()["references"]:
                key = (ref["type"], ref["id"])
                if key in self.objects and key not in out:
                    out[key] = self.objects[key]
                    todo.append(self.objects[key])
        return list(out.values())


@pytest.fixture
def kibana() -> FakeKibana:
    return FakeKibana([
        data_view("genesis-logs", "genesis-*"), data_view("other", "metrics-*"), tag("ops", "Ops team"),
        managed_tag_object(), {**data_view("managed", "managed-*"), "references": [MANAGED_TAG_REF]},
    ])


def run(args: list[str], tmp_path: Path) -> Any:
    env = {"KIBANA_URL": URL, "KIBANA_API_KEY": "secret-key"}
    return CliRunner().invoke(main, ["export", "--out", str(tmp_path / "objects"), *args], env=env)


def test_export_by_title_writes_the_matching_objects(kibana: FakeKibana, tmp_path: Path) -> None:
    with respx.mock(assert_all_called=False) as router:
        kibana.install(router)
        result = run(["--title", "genesis*"], tmp_path)

    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "objects").rglob("*.yaml")] == ["genesis.yaml"]
    # Candidates are listed without references, then the chosen ones are exported with everything they use.
    assert kibana.export_bodies[-1] == {"objects": [{"type": "index-pattern", "id": "genesis-logs"}],
                                        "includeReferencesDeep": True}


def test_export_all_writes_every_object_without_the_ownership_marker(kibana: FakeKibana, tmp_path: Path) -> None:
    with respx.mock(assert_all_called=False) as router:
        kibana.install(router)
        result = run(["--all", "--output", "json"], tmp_path)

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["written"] == {"index-pattern": 3, "tag": 1}
    assert report["errors"] == [] and report["skipped"] == []
    files = {p.relative_to(tmp_path / "objects").as_posix(): p.read_text() for p in (tmp_path / "objects").rglob("*")
             if p.is_file()}
    assert sorted(files) == ["data_views/genesis.yaml", "data_views/managed.yaml", "data_views/metrics.yaml",
                             "tags/ops-team.yaml"]
    assert not any("kibana-sync" in text for text in files.values())


def test_export_by_type_accepts_kind_names(kibana: FakeKibana, tmp_path: Path) -> None:
    with respx.mock(assert_all_called=False) as router:
        kibana.install(router)
        result = run(["--type", "tag"], tmp_path)
    assert result.exit_code == 0, result.output
    assert kibana.export_bodies == [{"type": ["tag"], "includeReferencesDeep": True}]
    assert [p.name for p in (tmp_path / "objects").rglob("*.yaml")] == ["ops-team.yaml"]


def test_a_selection_that_cannot_use_rules_or_connectors_does_not_read_them(kibana: FakeKibana,
                                                                           tmp_path: Path) -> None:
    with respx.mock(assert_all_called=False) as router:
        kibana.install(router)
        result = run(["--type", "tag"], tmp_path)
        paths = [call.request.url.path for call in router.calls]
    assert result.exit_code == 0, result.output
    assert paths == ["/api/status", "/api/saved_objects/_export"]  # one export: every tag is chosen


def test_a_live_export_needs_a_selection(tmp_path: Path) -> None:
    result = run([], tmp_path)
    assert result.exit_code == 2
    assert "--all, or --type / --id / --title" in result.output


def test_all_and_filters_do_not_mix(tmp_path: Path) -> None:
    result = run(["--all", "--type", "tag"], tmp_path)
    assert result.exit_code == 2
    assert "do not combine" in result.output


def test_kibana_errors_are_reported_with_exit_code_2(tmp_path: Path) -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{URL}/api/status").respond(json={"version": {"number": "8.11.0"}})
        router.post(f"{URL}/api/saved_objects/_export").respond(
            400, json={"statusCode": 400, "error": "Bad Request",
                       "message": "Trying to export non-exportable type(s): wigwag"})
        result = run(["--type", "wigwag"], tmp_path)
    assert result.exit_code == 2
    assert "non-exportable type(s): wigwag" in result.output


def test_from_file_exits_2_when_a_line_is_bad_but_writes_the_rest(tmp_path: Path) -> None:
    ndjson = tmp_path / "export.ndjson"
    ndjson.write_text(json.dumps(tag("ops", "Ops")) + "\n{not json\n")
    result = CliRunner().invoke(main, ["export", "--from-file", str(ndjson), "--out", str(tmp_path / "objects")])
    assert result.exit_code == 2
    assert f"error: {ndjson}:2: not valid JSON" in result.output
    assert yaml.safe_load((tmp_path / "objects/tags/ops.yaml").read_text())["id"] == "ops"


def test_json_report_counts_what_was_written_skipped_and_warned(tmp_path: Path) -> None:
    ndjson = tmp_path / "export.ndjson"
    objects = [tag("ops", "Ops"), saved("canvas-workpad", "w1", {"name": "Wall"})]
    ndjson.write_text("\n".join(json.dumps(o) for o in objects))
    result = CliRunner().invoke(main, ["export", "--from-file", str(ndjson), "--out", str(tmp_path / "objects"),
                                       "--output", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["written"] == {"tag": 1}
    assert report["parts"] == {"tag": {"compact": 0, "raw": 0}}
    assert report["skipped"] == [{"type": "canvas-workpad", "id": "w1", "title": "Wall"}]
    assert len(report["warnings"]) == 1 and "canvas-workpad 'w1' 'Wall'" in report["warnings"][0]


def tilt_rule(connector_id: str) -> dict[str, Any]:
    """A rule as GET /api/alerting/rule returns it (reference 5.3 and 5.6)."""
    return {
        "id": "tilt", "name": "Tilt score >= 90", "rule_type_id": ".es-query", "consumer": "alerts", "enabled": True,
        "tags": ["genesis"], "schedule": {"interval": "1m"},
        "params": {"searchType": "esQuery", "index": ["genesis-*"], "timeField": "@timestamp",
                   "esQuery": '{"query":{"range":{"tilt_score":{"gte":90}}}}', "timeWindowSize": 5,
                   "timeWindowUnit": "m", "thresholdComparator": ">", "threshold": [0], "size": 10,
                   "aggType": "count", "groupBy": "all", "excludeHitsFromPreviousRun": False},
        "actions": [{"group": "query matched", "id": connector_id, "params": {"message": "tilt {{context.value}}"},
                     "connector_type_id": ".server-log", "uuid": "6c0f",
                     "frequency": {"summary": False, "notify_when": "onActiveAlert", "throttle": None}}],
        "scheduled_task_id": "tilt", "created_by": "elastic", "updated_by": "elastic",
        "created_at": "2023-11-20T10:00:00.000Z", "updated_at": "2023-11-20T10:00:00.000Z",
        "api_key_owner": "elastic", "api_key_created_by_user": False, "throttle": None, "notify_when": None,
        "mute_all": False, "muted_alert_ids": [], "execution_status": {"status": "pending"}, "snooze_schedule": [],
        "revision": 0, "running": False}


def test_a_preconfigured_connector_stays_in_kibana_and_the_rule_names_it_as_external(tmp_path: Path) -> None:
    preconfigured = {"id": "my-server-log", "name": "Server log", "connector_type_id": ".server-log",
                     "is_preconfigured": True, "is_deprecated": False, "referenced_by_count": 1}
    kibana = FakeKibana([], rules=[tilt_rule("my-server-log")], connectors=[preconfigured])
    with respx.mock(assert_all_called=False) as router:
        kibana.install(router)
        result = run(["--type", "rule"], tmp_path)

    assert result.exit_code == 0, result.output
    assert "connector 'my-server-log' 'Server log' (Kibana): preconfigured connector (kibana.yml)" in result.output
    assert [p.parent.name for p in (tmp_path / "objects").rglob("*.yaml")] == ["alerts"]
    (rule_file,) = (tmp_path / "objects/alerts").iterdir()
    assert yaml.safe_load(rule_file.read_text())["actions"][0]["connector"] == {"external": "my-server-log"}
