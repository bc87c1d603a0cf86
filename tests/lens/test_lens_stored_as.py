"""A chart saved by an older editor records what it lacks (``stored:``), so compile gives back the object Kibana
held, not the 8.11 editor's form of it; judged with the independent comparer of the migration yardstick."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from migration.compare import compare

from kibana_sync.kinds.registry import kind_named
from kibana_sync.lens import LensChart, compile_lens, decompile_lens
from kibana_sync.lens.columns import unknown_field_type

LENS = kind_named("lens")
# apm-kibana-7x, saved by the 8.0 editor: no `sampling`, no empty indexpattern/textBased states, terms columns
# without include/exclude, a metric column without params, and the 7.x `current-indexpattern` reference.
TABLE = "kibana-objects/apm-contrib/apm-kibana-7x/lens/2a2fc690-8a9f-11ec-b781-0f74df3e04a9.json"
# websphere_application_server: a package-built Lens without `description`.
NO_DESCRIPTION = "kibana-objects/package-storage/websphere_application_server/lens/" \
                 "websphere_application_server-0828ba40-c07b-11ec-8552-f3dc1a6b95f9.json"


class _Project:
    def resolve(self, ref: Any) -> str:
        return ref if isinstance(ref, str) else ref.id

    def get(self, id_: str, kind: str | None = None) -> None:
        return None


class _Entry:
    def __init__(self, id_: str, model: Any) -> None:
        self.id, self.model = id_, model


def _round_trip(obj: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    data = LENS.decompile(obj).data
    model = LENS.model.model_validate({k: v for k, v in data.items() if k != "id"})
    return data, LENS.compile(_Entry(obj["id"], model), _Project())  # type: ignore[arg-type]


def _corpus(corpus_dir: Path, path: str) -> dict[str, Any]:
    return json.loads((corpus_dir / path).read_text(encoding="utf-8"))


def _renamed_datasource(obj: dict[str, Any]) -> dict[str, Any]:
    """What Kibana holds after import: the 8.6.0 migration renames `indexpattern` to `formBased`."""
    out = copy.deepcopy(obj)
    sources = out["attributes"]["state"]["datasourceStates"]
    out["attributes"]["state"]["datasourceStates"] = {"formBased" if k == "indexpattern" else k: v
                                                      for k, v in sources.items()}
    return out


def test_an_8_0_editor_chart_compiles_back_to_what_kibana_held(corpus_dir: Path) -> None:
    original = _renamed_datasource(_corpus(corpus_dir, TABLE))
    data, compiled = _round_trip(original)
    assert data["chart"] == "table"  # still the compact form
    assert "layer1.sampling" in data["stored"]["unset"]
    assert "datasourceStates.textBased" in data["stored"]["unset"]
    assert data["stored"]["current_data_view_reference"] is True
    assert compare(original, compiled) == []


def test_a_package_lens_without_description_is_pushed_without_one(corpus_dir: Path) -> None:
    original = _corpus(corpus_dir, NO_DESCRIPTION)
    assert "description" not in original["attributes"]
    data, compiled = _round_trip(original)
    assert "description" in data["stored"]["unset"]
    assert "description" not in compiled["attributes"]


def test_a_chart_as_the_8_11_editor_saves_it_records_nothing() -> None:
    chart = LensChart.model_validate({"chart": "bar", "x": "terms host.name", "metric": "count"})
    attributes = compile_lens(chart, "dv", unknown_field_type)
    data = decompile_lens(attributes)
    assert data is not None and "stored" not in data


def test_a_by_value_panel_keeps_its_current_indexpattern_reference_and_lacking_keys() -> None:
    chart = LensChart.model_validate({"chart": "bar", "x": "terms host.name", "metric": "count"})
    stored = compile_lens(chart, "dv", unknown_field_type)
    stored["references"].append({"type": "index-pattern", "id": "dv",
                                 "name": "indexpattern-datasource-current-indexpattern"})
    del stored["state"]["datasourceStates"]["formBased"]["layers"]["layer1"]["sampling"]
    data = decompile_lens(copy.deepcopy(stored))
    assert data is not None
    assert data["stored"] == {"unset": ["layer1.sampling"], "current_data_view_reference": True}
    recompiled = compile_lens(LensChart.model_validate(data), "dv", unknown_field_type)
    assert compare({"type": "lens", "attributes": stored}, {"type": "lens", "attributes": recompiled}) == []


def test_a_raw_form_lens_without_description_is_pushed_without_one(corpus_dir: Path) -> None:
    original = _corpus(corpus_dir, "kibana-objects/package-storage/oracle_weblogic/lens/"
                                   "oracle_weblogic-0ddf0d70-ba29-11ec-913e-9be55c877bed.json")
    data, compiled = _round_trip(original)
    assert "state" in data and data["stored"] == {"unset": ["description"]}
    assert "description" not in compiled["attributes"]


def test_a_by_value_chart_without_type_stays_without() -> None:
    chart = LensChart.model_validate({"chart": "bar", "x": "terms host.name", "metric": "count"})
    stored = compile_lens(chart, "dv", unknown_field_type)
    del stored["type"]
    data = decompile_lens(copy.deepcopy(stored))
    assert data is not None and data["stored"] == {"unset": ["type"]}
    assert "type" not in compile_lens(LensChart.model_validate(data), "dv", unknown_field_type)


def test_a_value_stored_with_another_json_type_is_recorded_and_written_back() -> None:
    """Python's ``1 == 1.0 == True``; JSON's are three values. A chart that stores ``sampling: 1.0`` and a
    visualization flag as ``1`` is pushed with exactly those, not with what compile writes."""
    chart = LensChart.model_validate({"chart": "bar", "x": "terms host.name", "metric": "count"})
    stored = compile_lens(chart, "dv", unknown_field_type)
    stored["state"]["datasourceStates"]["formBased"]["layers"]["layer1"]["sampling"] = 1.0
    stored["state"]["visualization"]["axisTitlesVisibilitySettings"]["x"] = 1
    data = decompile_lens(copy.deepcopy(stored))
    assert data is not None
    assert data["stored"]["set"] == {"layer1.sampling": 1.0, "visualization.axisTitlesVisibilitySettings.x": 1}
    recompiled = compile_lens(LensChart.model_validate(data), "dv", unknown_field_type)
    assert json.dumps(recompiled, sort_keys=True) == json.dumps(stored, sort_keys=True)
