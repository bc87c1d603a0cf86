"""Kibana 8.11 runs Lens migrations 7.15.0-8.5.0 on import of an older Lens object (`saved_object_migrations.ts`,
`common_migrations.ts`; see `kibana_emulator/lens_migrations.py`); an object already at 8.9.0 is stored as sent.
Checked on real library Lens objects of the oracle_weblogic package (stamped `migrationVersion: {lens: 8.1.0}`);
for the 7.15.0 and 8.1.0 steps the same objects are relabelled 7.14.0 with the shape such a version had."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from kibana_emulator.samples import data_view, import_objects

LENS = Path("kibana-objects/package-storage/oracle_weblogic/lens")
METRIC_LAST_VALUE = "oracle_weblogic-0ddf0d70-ba29-11ec-913e-9be55c877bed"  # lnsMetric, formula over last_value
PIE_COUNT = "oracle_weblogic-4cb91a80-b895-11ec-b6f8-0795d197226b"  # lnsPie with a count column


def load(corpus: Path, id_: str, version: str) -> dict[str, Any]:
    obj = json.loads((corpus / LENS / f"{id_}.json").read_text())
    obj.pop("typeMigrationVersion", None)
    obj["migrationVersion"] = {"lens": version}
    return obj


def import_and_read(client, emulator, obj: dict[str, Any]) -> dict[str, Any]:
    views = {r["id"] for r in obj["references"] if r["type"] == "index-pattern"}
    objects = [data_view(v, typeMigrationVersion="8.0.0", coreMigrationVersion="8.8.0") for v in sorted(views)]
    response = import_objects(client, [*objects, obj], overwrite="true")
    assert response.json()["success"] is True, response.text
    return emulator.get_object("lens", obj["id"])["attributes"]


def columns(attributes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    layers = attributes["state"]["datasourceStates"]["formBased"]["layers"]
    return {cid: col for layer in layers.values() for cid, col in layer["columns"].items()}


def as_7_14_pie(obj: dict[str, Any]) -> dict[str, Any]:
    """A 7.14 pie had no `layerType` and counted `Records` (both added by later migrations)."""
    obj = copy.deepcopy(obj)
    obj["migrationVersion"] = {"lens": "7.14.0"}
    for layer in obj["attributes"]["state"]["visualization"]["layers"]:
        del layer["layerType"]
    for layer in obj["attributes"]["state"]["datasourceStates"]["indexpattern"]["layers"].values():
        for column in layer["columns"].values():
            if column["operationType"] == "count":
                column["sourceField"] = "Records"
    return obj


def test_a_7_14_lens_gets_layer_type_data_and_count_columns_count_records(corpus_dir, emulator_http,
                                                                         kibana_emulator):
    stored = import_and_read(emulator_http, kibana_emulator, as_7_14_pie(load(corpus_dir, PIE_COUNT, "8.1.0")))
    assert [layer["layerType"] for layer in stored["state"]["visualization"]["layers"]] == ["data"]
    counts = [c for c in columns(stored).values() if c["operationType"] == "count"]
    assert [c["sourceField"] for c in counts] == ["___records___"]


def test_an_8_9_lens_keeps_records_and_no_layer_type(corpus_dir, emulator_http, kibana_emulator):
    obj = as_7_14_pie(load(corpus_dir, PIE_COUNT, "8.1.0"))
    obj["migrationVersion"] = {"lens": "8.9.0"}
    stored = import_and_read(emulator_http, kibana_emulator, obj)
    assert all("layerType" not in layer for layer in stored["state"]["visualization"]["layers"])
    layers = stored["state"]["datasourceStates"]["indexpattern"]["layers"]  # no 8.6.0 rename either
    counts = [c for layer in layers.values() for c in layer["columns"].values() if c["operationType"] == "count"]
    assert [c["sourceField"] for c in counts] == ["Records"]


def test_an_8_1_legacy_metric_gets_array_values_locked_settings_and_the_legacy_id(corpus_dir, emulator_http,
                                                                                  kibana_emulator):
    obj = load(corpus_dir, METRIC_LAST_VALUE, "8.1.0")
    original_vis = obj["attributes"]["state"]["visualization"]
    stored = import_and_read(emulator_http, kibana_emulator, obj)
    last_values = [c for c in columns(stored).values() if c["operationType"] == "last_value"]
    assert last_values and all(c["params"]["showArrayValues"] is True for c in last_values)
    assert stored["visualizationType"] == "lnsLegacyMetric"
    assert stored["state"]["visualization"] == {**original_vis, "textAlign": "center", "titlePosition": "bottom",
                                                "size": "xl"}


def test_an_8_9_metric_is_stored_as_sent(corpus_dir, emulator_http, kibana_emulator):
    obj = load(corpus_dir, METRIC_LAST_VALUE, "8.9.0")
    stored = import_and_read(emulator_http, kibana_emulator, obj)
    assert stored == obj["attributes"]


def test_migrations_keep_explicit_values_kibana_keeps(corpus_dir, emulator_http, kibana_emulator):
    obj = load(corpus_dir, METRIC_LAST_VALUE, "8.1.0")
    vis = obj["attributes"]["state"]["visualization"]
    vis.update(textAlign="left", size="s")
    for layer in obj["attributes"]["state"]["datasourceStates"]["indexpattern"]["layers"].values():
        for column in layer["columns"].values():
            if column["operationType"] == "last_value":
                column["params"]["showArrayValues"] = False
    stored = import_and_read(emulator_http, kibana_emulator, obj)
    assert all(c["params"]["showArrayValues"] is False
               for c in columns(stored).values() if c["operationType"] == "last_value")
    assert {k: stored["state"]["visualization"][k] for k in ("textAlign", "titlePosition", "size")} == {
        "textAlign": "left", "titlePosition": "bottom", "size": "s"}


@pytest.mark.parametrize(("version", "expected"), [("8.4.0", "lnsMetric"), ("8.5.0", "lnsMetricNew")])
def test_the_pre_8_5_new_metric_id_becomes_lns_metric_only_before_8_5(corpus_dir, emulator_http, kibana_emulator,
                                                                      version, expected):
    obj = load(corpus_dir, METRIC_LAST_VALUE, version)
    obj["attributes"]["visualizationType"] = "lnsMetricNew"
    assert import_and_read(emulator_http, kibana_emulator, obj)["visualizationType"] == expected


def by_value_dashboard(lens: dict[str, Any], version: str) -> dict[str, Any]:
    attributes = lens["attributes"]
    panel = {"type": "lens", "panelIndex": "p1", "gridData": {"x": 0, "y": 0, "w": 24, "h": 15, "i": "p1"},
             "embeddableConfig": {"attributes": {**attributes, "references": lens["references"]}}}
    return {"type": "dashboard", "id": "by-value-lens", "migrationVersion": {"dashboard": version},
            "attributes": {"title": "by value", "panelsJSON": json.dumps([panel]), "optionsJSON": "{}",
                           "kibanaSavedObjectMeta": {"searchSourceJSON": "{}"}},
            "references": []}


@pytest.mark.parametrize(("version", "vis_type"), [("8.1.0", "lnsLegacyMetric"), ("8.9.0", "lnsMetric")])
def test_a_by_value_lens_panel_is_migrated_by_the_dashboards_version(corpus_dir, emulator_http, kibana_emulator,
                                                                     version, vis_type):
    dashboard = by_value_dashboard(load(corpus_dir, METRIC_LAST_VALUE, "8.1.0"), version)
    response = import_objects(emulator_http, [dashboard], overwrite="true")
    assert response.json()["success"] is True, response.text
    panels = json.loads(kibana_emulator.get_object("dashboard", "by-value-lens")["attributes"]["panelsJSON"])
    lens = panels[0]["embeddableConfig"]["attributes"]
    assert lens["visualizationType"] == vis_type
    assert ("size" in lens["state"]["visualization"]) is (version == "8.1.0")
