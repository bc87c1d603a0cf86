"""Input controls (``input_control_vis``) name their data view per control: in the YAML as ``data_view:`` inside
the control, in Kibana as ``indexPatternRefName: control_<i>_index_pattern`` plus a reference of that name, *i*
being the control's position (reference-objects-es.md 1.2, ``controls_references.ts``)."""

from __future__ import annotations

from typing import Any

from kibana_sync.kibana.format import reference
from kibana_sync.source.model import External, Ref, RefUse, ref_id

CONTROLS_TYPE = "input_control_vis"


def control_ref_name(i: int) -> str:
    return f"control_{i}_index_pattern"


def _controls(vis_type: str, params: dict[str, Any]) -> list[Any]:
    controls = params.get("controls") if vis_type == CONTROLS_TYPE else None
    return controls if isinstance(controls, list) else []


def _as_ref(value: Any) -> Ref | None:
    if isinstance(value, dict) and set(value) == {"external"} and isinstance(value["external"], str):
        return External.model_validate(value)
    return value if isinstance(value, str) else None


def control_references(vis_type: str, params: dict[str, Any]) -> list[RefUse]:
    return [RefUse("data_view", ref, ("params", "controls", i, "data_view"))
            for i, c in enumerate(_controls(vis_type, params))
            if isinstance(c, dict) and (ref := _as_ref(c.get("data_view"))) is not None]


def extract_controls(vis_type: str, params: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Params as Kibana stores them: each control's ``data_view`` replaced by its reference name."""
    controls, refs = [], []
    for i, c in enumerate(_controls(vis_type, params)):
        ref = _as_ref(c.get("data_view")) if isinstance(c, dict) else None
        if ref is None:
            controls.append(c)
            continue
        refs.append(reference("index-pattern", ref_id(ref), control_ref_name(i)))
        controls.append({**{k: v for k, v in c.items() if k != "data_view"}, "indexPatternRefName":
                         control_ref_name(i)})
    return ({**params, "controls": controls} if refs else params), refs


def inject_controls(vis_type: str, params: dict[str, Any], data_view_refs: dict[str, str]
                    ) -> tuple[dict[str, Any], set[str]]:
    """The inverse of ``extract_controls``: each ``indexPatternRefName`` that ``data_view_refs`` resolves becomes
    ``data_view``; returns the reference names used."""
    controls, used = [], set()
    for i, c in enumerate(_controls(vis_type, params)):
        name = control_ref_name(i)
        if isinstance(c, dict) and c.get("indexPatternRefName") == name and name in data_view_refs \
                and "data_view" not in c:
            used.add(name)
            c = {**{k: v for k, v in c.items() if k != "indexPatternRefName"}, "data_view": data_view_refs[name]}
        controls.append(c)
    return ({**params, "controls": controls} if used else params), used
