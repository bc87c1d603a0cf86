"""Lens attributes -> the compact chart mapping, or None when the compact form cannot say it exactly.

Three passes: read what the compact keys can say (chart, buckets, metrics, the common options); compile that
and keep whatever still differs verbatim in the ``raw``/``params`` keys of the column, layer or visualization
it belongs to; compile once more and return the mapping only if it reproduces the normalised attributes.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from kibana_sync.lens.charts.families import family_for_visualization_type
from kibana_sync.lens.columns import unknown_field_type
from kibana_sync.lens.compile import compile_editor_form, compile_lens
from kibana_sync.lens.config import LensChart
from kibana_sync.lens.esql import EsqlReader
from kibana_sync.lens.layers import LAYER_ID, REFERENCE_LAYER_ID
from kibana_sync.lens.normalise import formbased_layers, normalise_lens, stored_with_canonical_ids
from kibana_sync.lens.reading import ChartReader, Inexpressible
from kibana_sync.lens.stored_keys import read_stored_as, stored_as_compiled
from kibana_sync.lens.text_based import text_based_layers

_STATE_KEYS = ("visualization", "query", "filters", "datasourceStates")


def decompile_lens(attributes: dict[str, Any], *, normalised: bool = False,
                   stored: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The compact mapping (with ``data_view``), or None when only the raw attributes are exact.

    ``normalised``: the attributes are already ``normalise_lens``'s output (a dashboard has normalised its
    panels anyway), so they are not normalised a second time; ``stored`` then gives the attributes as stored,
    so that the chart records how they differ from what compile writes (its ``stored:`` key).
    """
    try:
        return decompile_or_explain(attributes, normalised=normalised, stored=stored)
    except Inexpressible:
        return None
    except (LookupError, TypeError, AttributeError):  # malformed attributes: the caller keeps them raw
        return None


def decompile_or_explain(attributes: dict[str, Any], *, normalised: bool = False,
                         stored: dict[str, Any] | None = None) -> dict[str, Any]:
    """Like ``decompile_lens`` but raises Inexpressible saying why (used by tests and reports)."""
    normal = attributes if normalised else normalise_lens(attributes)
    if stored is None and not normalised:
        stored = attributes
    family = family_for_visualization_type(normal.get("visualizationType") or "")
    if family is None:
        raise Inexpressible(f"visualization {normal.get('visualizationType')}")
    if text_based_layers(normal.get("state", {})):
        esql = EsqlReader(normal)
        data = esql.common_keys()
        family.read(esql, data)  # type: ignore[arg-type]  # EsqlReader offers the ChartReader interface
        esql.check_every_column_is_shown()
        _keep_esql_differences(esql, data)
        if _compiled(data, None) != normal:
            raise Inexpressible("compiled form differs")
        return data
    reader = ChartReader(normal)
    data = reader.common_keys()
    family.read(reader, data)
    reader.check_every_column_is_shown()
    # ``data`` has no ``stored:`` key yet, so what it compiles to is the editor form: one compile serves the
    # second pass, the round-trip check and reading how the stored chart differs from it (normalise_lens does not
    # change it); it is compiled again only when the second pass added raw keys.
    editor_form = compile_editor_form(_chart(data), reader.data_view, unknown_field_type)
    canonical = stored_with_canonical_ids(stored) if stored is not None else None
    # A chart stored exactly as compile writes it (ids aside) is exact by construction: neither a second pass nor
    # the normalised round-trip check could find anything (most charts the 8.11 editor or this tool saved;
    # checking them was about a quarter of an export's time). Any other chart goes the long way.
    if stored is None or canonical is None or not stored_as_compiled(stored, canonical, editor_form):
        editor_form = _checked_the_long_way(reader, data, normal, editor_form)
        if stored is not None and canonical is not None:
            stored_as = read_stored_as(stored, canonical, editor_form, reader.data_view)
            if stored_as:
                data["stored"] = stored_as
    if stored is not None and data.get("raw_references"):
        data["raw_references"] = _in_stored_order(data["raw_references"], stored.get("references"))
    return data


def _checked_the_long_way(reader: ChartReader, data: dict[str, Any], normal: dict[str, Any],
                          editor_form: dict[str, Any]) -> dict[str, Any]:
    """Second pass (raw keys for what the compact keys did not say) and the normalised round-trip check;
    returns the editor form of ``data`` as it now is."""
    compiled = normalise_lens(editor_form)
    if _keep_differences(reader, data, compiled):
        editor_form = compile_editor_form(_chart(data), reader.data_view, unknown_field_type)
        compiled = normalise_lens(editor_form)
    if compiled != normal:
        raise Inexpressible("compiled form differs")
    return editor_form


def _in_stored_order(references: list[dict[str, Any]], stored: Any) -> list[dict[str, Any]]:
    """The normalised form sorts references; write them back in the order the chart stored them."""
    keys = [(r.get("type"), r.get("id"), r.get("name")) for r in stored] if isinstance(stored, list) else []
    return sorted(references, key=lambda r: keys.index(k) if (k := (r.get("type"), r.get("id"), r.get("name")))
                  in keys else len(keys))


def _chart(data: dict[str, Any]) -> LensChart:
    try:
        return LensChart.model_validate(data)
    except ValidationError as exc:
        raise Inexpressible(f"invalid compact form: {exc.errors()[0]['msg']}") from None


def _compiled(data: dict[str, Any], data_view: str | None) -> dict[str, Any]:
    return normalise_lens(compile_lens(_chart(data), data_view, unknown_field_type))


def _keep_differences(reader: ChartReader, data: dict[str, Any], compiled: dict[str, Any]) -> bool:
    """Second pass: keep verbatim, in the raw key it belongs to, whatever the compact keys did not say, given
    ``compiled``, what ``data`` compiles to (normalised). Returns whether ``data`` changed."""
    before = dict(data)  # keys are only added, and a changed raw key is a new mapping
    columns_changed = False
    state = compiled["state"]
    compiled_layers = formbased_layers(state)
    layer = compiled_layers.get(LAYER_ID, {})
    reference_layer = compiled_layers.get(REFERENCE_LAYER_ID, {})
    columns = {**layer.get("columns", {}), **reference_layer.get("columns", {})}
    if _without(reference_layer, "columns") != _without(reader.reference_layer or {}, "columns"):
        raise Inexpressible("reference line layer differs")
    if set(columns) != set(reader.columns):
        raise Inexpressible("column ids differ")
    owners = {column_id: (container, key) for container, key, column_id in reader.slots}
    for column_id, column in reader.columns.items():
        if column == columns[column_id]:
            continue
        if column_id not in owners:
            raise Inexpressible("inner column differs")
        container, key = owners[column_id]
        _keep_column_differences(container, key, column, columns[column_id])
        columns_changed = True
    _diff_into(data, "raw_datasource_layer", _without(reader.layer, "columns"), _without(layer, "columns"))
    _keep_visualization_differences(reader, data, state.get("visualization", {}))
    _diff_into(data, "raw_state", _without(reader.state, *_STATE_KEYS), _without(state, *_STATE_KEYS))
    _diff_into(data, "raw_attributes", _without(reader.normal, "state", "references"),
               _without(compiled, "state", "references"))
    return columns_changed or len(data) != len(before) or any(data[k] is not v for k, v in before.items())


def _keep_esql_differences(reader: EsqlReader, data: dict[str, Any]) -> None:
    """Second pass for ES|QL charts: layer, visualization, state and attribute keys the compact keys did not
    say are kept verbatim (the columns themselves must read back exactly)."""
    compiled = _compiled(data, None)
    state = compiled["state"]
    layer = text_based_layers(state).get(LAYER_ID, {})
    if layer.get("columns") != reader.layer.get("columns"):
        raise Inexpressible("ES|QL columns differ")
    _diff_into(data, "raw_datasource_layer", _without(reader.layer, "columns"), _without(layer, "columns"))
    _keep_visualization_differences(reader, data, state.get("visualization", {}))  # type: ignore[arg-type]
    _diff_into(data, "raw_state", _without(reader.state, *_STATE_KEYS), _without(state, *_STATE_KEYS))
    _diff_into(data, "raw_attributes", _without(reader.normal, "state", "references"),
               _without(compiled, "state", "references"))
    if reader.normal.get("references"):
        data["raw_references"] = reader.normal["references"]


def _keep_visualization_differences(reader: ChartReader, data: dict[str, Any], compiled: dict[str, Any]) -> None:
    original = reader.visualization
    if "layers" in original:
        layers, compiled_layers = original["layers"], compiled.get("layers", [])
        if len(layers) != len(compiled_layers):
            raise Inexpressible("visualization layers differ")
        for key, layer, compiled_layer in zip(("raw_layer", "raw_reference_layer"), layers, compiled_layers,
                                              strict=False):
            _diff_into(data, key, layer, compiled_layer)
        original, compiled = _without(original, "layers"), _without(compiled, "layers")
    _diff_into(data, "raw_visualization", original, compiled)


def _without(mapping: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in keys}


def _diff_into(target: dict[str, Any], key: str, original: dict[str, Any], compiled: dict[str, Any]) -> None:
    """Put every key whose value differs into ``target[key]``; a key only the compiled side has cannot be
    expressed (raw keys add or replace, they never remove)."""
    extra = [k for k in compiled if k not in original]
    if extra:
        raise Inexpressible(f"{key}: compiled form adds {', '.join(extra)}")
    differences = {k: v for k, v in original.items() if compiled.get(k) != v}
    if differences:
        target[key] = {**target.get(key, {}), **differences}


def _keep_column_differences(container: Any, key: Any, original: dict[str, Any],
                             compiled: dict[str, Any]) -> None:
    spec = container[key]
    if isinstance(spec, str):  # the short form of a metric or of a date histogram
        spec = {"date_histogram": spec} if original.get("isBucketed") else {"metric": spec}
    _diff_into(spec, "params", original.get("params", {}), compiled.get("params", {}))
    _diff_into(spec, "raw", _without(original, "params"), _without(compiled, "params"))
    container[key] = spec
