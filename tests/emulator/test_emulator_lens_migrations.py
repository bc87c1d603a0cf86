"""Kibana 8.11 runs Lens migrations 7.13.1-8.9.0 on import of an older Lens object (`saved_object_migrations.ts`,
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


# ------------------------------------------------------------------ the full by-value chain on real dashboards
MONGODB = Path("kibana-objects/elastic-package/mongodb/dashboard/mongodb-Metrics-MongoDB.json")  # dashboard 8.1.0
APM_JAVA = Path("kibana-objects/apm-contrib/apm-agent-java/dashboard/39144590-7ae6-11ed-b6ad-0b0592126c90.json")
BOX_EVENTS = Path("kibana-objects/package-storage/box_events/dashboard/"
                  "box_events-ce6fbf50-2df9-11ed-8003-6d5721603181.json")  # dashboard 7.17.0


def import_dashboard(client, emulator, corpus: Path, path: Path) -> tuple[list[dict], list[dict]]:
    """(panels as sent, panels as stored) of a real dashboard imported with its data views."""
    from migration.harness import importable, load_manifest
    manifest = next(o for o in load_manifest(corpus) if o.local_path == str(path))
    obj = importable(json.loads((corpus / path).read_text()), manifest)
    views = {r["id"] for r in obj["references"] if r["type"] == "index-pattern"}
    objects = [data_view(v, typeMigrationVersion="8.0.0", coreMigrationVersion="8.8.0") for v in sorted(views)]
    response = import_objects(client, [*objects, obj], overwrite="true")
    assert response.json()["success"] is True, response.text
    stored = emulator.get_object("dashboard", obj["id"])["attributes"]["panelsJSON"]
    return json.loads(obj["attributes"]["panelsJSON"]), json.loads(stored)


def lens_of(panel: dict[str, Any]) -> dict[str, Any]:
    return panel["embeddableConfig"]["attributes"]


def test_an_8_1_pie_panel_gets_primary_groups_metrics_and_a_named_legend_size(corpus_dir, emulator_http,
                                                                             kibana_emulator):
    """8.5.0 commonMigratePartitionChartGroups, 8.6.0 commonMigratePartitionMetrics, 8.3.0
    commonPreserveOldLegendSizeDefault (no size was the old default: 'auto')."""
    sent, stored = import_dashboard(emulator_http, kibana_emulator, corpus_dir, MONGODB)
    before, after = lens_of(sent[1])["state"]["visualization"]["layers"][0], \
        lens_of(stored[1])["state"]["visualization"]["layers"][0]
    assert "groups" not in after and "metric" not in after
    assert after["primaryGroups"] == before["groups"]
    assert after["metrics"] == [before["metric"]]
    assert after["legendSize"] == "auto"


def test_an_8_1_datatable_panel_gets_row_heights_from_fit_row_to_content(corpus_dir, emulator_http,
                                                                         kibana_emulator):
    """8.2.0 commonEnhanceTableRowHeight: no fitRowToContent -> single line."""
    sent, stored = import_dashboard(emulator_http, kibana_emulator, corpus_dir, MONGODB)
    assert lens_of(sent[0])["visualizationType"] == "lnsDatatable"
    vis = lens_of(stored[0])["state"]["visualization"]
    assert (vis["rowHeight"], vis["rowHeightLines"]) == ("single", 1)


def test_an_8_0_xy_panel_gets_empty_rows_and_an_auto_legend(corpus_dir, emulator_http, kibana_emulator):
    """8.2.0 commonSetIncludeEmptyRowsDateHistogram (overwrites), 8.3.0 legend size."""
    _sent, stored = import_dashboard(emulator_http, kibana_emulator, corpus_dir, APM_JAVA)
    lens = lens_of(stored[1])
    assert lens["state"]["visualization"]["legend"]["legendSize"] == "auto"
    histograms = [c for layer in lens["state"]["datasourceStates"]["formBased"]["layers"].values()
                  for c in layer["columns"].values() if c["operationType"] == "date_histogram"]
    assert histograms and all(c["params"]["includeEmptyRows"] is True for c in histograms)


def test_a_7_17_panel_filter_names_its_data_view_reference_in_index(corpus_dir, emulator_http, kibana_emulator):
    """8.1.0 commonRenameFilterReferences: meta.index = meta.indexRefName, indexRefName deleted."""
    sent, stored = import_dashboard(emulator_http, kibana_emulator, corpus_dir, BOX_EVENTS)
    before = [f["meta"] for f in lens_of(sent[1])["state"]["filters"]]
    after = [f["meta"] for f in lens_of(stored[1])["state"]["filters"]]
    assert [m["index"] for m in after] == [m["indexRefName"] for m in before]
    assert not any("indexRefName" in m for m in after)


def test_library_lens_before_8_1_gets_a_terms_parent_format_by_value_panels_do_not():
    """Only the saved-object map's 8.1.0 runs addParentFormatter (saved_object_migrations.ts vs
    make_lens_embeddable_factory.ts)."""
    from kibana_emulator.lens_migrations import migrate_lens
    attributes = {"visualizationType": "lnsXY", "state": {"visualization": {"layers": []}, "datasourceStates": {
        "indexpattern": {"layers": {"l": {"columnOrder": ["c"], "columns": {
            "c": {"operationType": "terms", "params": {"size": 5}}}}}}}}}
    library = migrate_lens(attributes, (8, 0, 0), library=True)
    by_value = migrate_lens(attributes, (8, 0, 0), library=False)
    assert library["state"]["datasourceStates"]["formBased"]["layers"]["l"]["columns"]["c"]["params"] == {
        "size": 5, "parentFormat": {"id": "terms"}}
    assert by_value["state"]["datasourceStates"]["formBased"]["layers"]["l"]["columns"]["c"]["params"] == {"size": 5}


@pytest.mark.parametrize(("shape", "groups", "expected"), [
    ("pie", ["a"], {"primaryGroups": ["a"]}),
    ("waffle", ["a"], {"primaryGroups": ["a"]}),
    ("mosaic", ["a", "b"], {"primaryGroups": ["a"], "secondaryGroups": ["b"]}),
])
def test_partition_groups_as_kibanas_common_migrations_test(shape, groups, expected):
    from kibana_emulator.lens_migrations import migrate_partition_chart_groups
    attributes = {"state": {"visualization": {"shape": shape, "layers": [{"groups": groups}]}}}
    migrate_partition_chart_groups(attributes)
    assert attributes["state"]["visualization"]["layers"][0] == expected


@pytest.mark.parametrize(("format_id", "bucketed", "compact"), [
    # the table of common_migrations.test.ts "migrate new metric formatters to uniform configuration"
    (None, True, False), ("number", True, False), ("number", False, True), ("percentage", False, True),
    ("bytes", False, False), ("bits", False, False), (None, False, False),
])
def test_metric_formatter_as_kibanas_common_migrations_test(format_id, bucketed, compact):
    from kibana_emulator.lens_migrations import migrate_metric_formatter
    params = {"format": {"id": format_id}} if format_id else {}
    attributes = {"visualizationType": "lnsMetric", "state": {"datasourceStates": {"formBased": {"layers": {
        "test": {"columnOrder": [], "columns": {"col1": {"operationType": "test", "isBucketed": bucketed,
                                                         "params": copy.deepcopy(params)}}}}}}}}
    migrate_metric_formatter(attributes)
    column = attributes["state"]["datasourceStates"]["formBased"]["layers"]["test"]["columns"]["col1"]
    expected = {"format": {"id": format_id, "params": {"compact": True}}} if compact else params
    assert column["params"] == expected


@pytest.mark.parametrize(("size", "expected"), [(None, "auto"), (80, "small"), (130, "medium"), (230, "xlarge"),
                                                ("auto", "<dropped>")])
def test_legend_pixel_sizes_become_names(size, expected):
    """8.3.0 `pixelsToLegendSize[String(legendSize)]`: an unknown key gives undefined, which JSON drops."""
    from kibana_emulator.lens_migrations import preserve_old_legend_size_default
    legend = {"isVisible": True} if size is None else {"isVisible": True, "legendSize": size}
    attributes = {"visualizationType": "lnsXY", "state": {"visualization": {"legend": legend}}}
    preserve_old_legend_size_default(attributes)
    assert attributes["state"]["visualization"]["legend"].get("legendSize", "<dropped>") == expected


def test_a_reversed_default_heatmap_palette_becomes_custom_percent_stops():
    """7.16.0 commonMakeReversePaletteAsCustom (moveDefaultPaletteToPercentCustomInPlace)."""
    from kibana_emulator.lens_migrations import make_reverse_palette_as_custom
    palette = {"name": "temperature", "type": "palette", "params": {
        "name": "temperature", "reverse": True, "stops": [{"color": "#a", "stop": 10}, {"color": "#b", "stop": 20}]}}
    attributes = {"visualizationType": "lnsHeatmap", "state": {"visualization": {"palette": palette}}}
    make_reverse_palette_as_custom(attributes)
    assert palette["name"] == "custom"
    assert palette["params"] == {"name": "custom", "reverse": True, "rangeType": "percent", "rangeMin": 0,
                                 "rangeMax": 80, "steps": 2,
                                 "colorStops": [{"color": "#a", "stop": 0}, {"color": "#b", "stop": 50}],
                                 "stops": [{"color": "#a", "stop": 50}, {"color": "#b", "stop": 100}]}
