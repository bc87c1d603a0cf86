"""What a stored Lens chart holds that compile would not write today (the chart key ``stored:``).

Compile writes what the 8.11 editor writes (``sampling: 1``, empty ``indexpattern``/``textBased`` states, a terms
column's ``include``/``exclude``, ``emptyAsNull``...). Older editors and package builders stored less, or stored
a default differently, and Kibana keeps an imported chart as it was. ``normalise_lens`` treats absent and default
alike, but the object pushed must be the one Kibana held: so the chart records, as paths in the Lens attributes
compile writes (ids as compile writes them: ``layer1``, ``col1``...), the keys to leave out (``unset``) and the
values stored otherwise (``set``). A chart the 8.11 editor saved records nothing.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from pydantic import Field

from kibana_sync.kibana.format import reference_order
from kibana_sync.lens.normalise import CURRENT_DATA_VIEW_REFERENCE
from kibana_sync.source.json_data import copy_json
from kibana_sync.source.model import Model

# Attributes the caller (library Lens file, dashboard panel) keeps itself.
_OWN_KEYS = ("title", "description", "type", "references")


class StoredAs(Model):
    """How the stored chart differs from what compile writes (older editors); export fills it in."""

    unset: list[str] = Field(default_factory=list, description="paths compile writes that the stored chart lacks: "
                             "under the Lens state (datasourceStates.textBased), a formBased layer "
                             "(layer1.sampling) or an attribute (description)")
    set: dict[str, Any] = Field(default_factory=dict, description="attribute path -> the value stored there")
    current_data_view_reference: bool | int = Field(
        default=False, description="the chart also names its data view as indexpattern-datasource-current-"
        "indexpattern (editors before 8.6): true when that reference comes first, else its position")


_LAYERS = ["state", "datasourceStates", "formBased", "layers"]
_LAYER_ID = re.compile(r"^layer\d+$")
_ATTRIBUTE_KEYS = ("title", "description", "visualizationType", "type", "state", "references")


def _segments(path: str) -> list[str | int]:
    """A written path -> segments from the attributes: ``layer1.sampling`` is a formBased layer's key, a path
    starting with an attribute (``description``) is the attribute's, any other is under ``state``."""
    segments: list[str | int] = [int(p) if p.isdigit() else p for p in path.split(".")]
    if isinstance(segments[0], str) and _LAYER_ID.match(segments[0]):
        return [*_LAYERS, *segments]
    if segments[0] in _ATTRIBUTE_KEYS:
        return segments
    return ["state", *segments]


def _path(segments: list[str | int]) -> str | None:
    if any(isinstance(s, str) and ("." in s or s.isdigit() or not s) for s in segments) \
            or segments[0] not in _ATTRIBUTE_KEYS:
        return None  # a key the dotted form cannot name unambiguously
    if segments[:4] == _LAYERS and len(segments) > 4 and _LAYER_ID.match(str(segments[4])):
        segments = segments[4:]
    elif segments[:1] == ["state"] and len(segments) > 1 and segments[1] not in _ATTRIBUTE_KEYS \
            and not _LAYER_ID.match(str(segments[1])):
        segments = segments[1:]
    return ".".join(str(s) for s in segments)


# Leaves whose JSON is the same exactly when they are equal (floats are not: 0.0 == -0.0; nor is 1 == True or
# 1 == 1.0, which the type check tells apart).
_PLAIN = frozenset({str, int, bool, type(None)})


def _same(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` are the same JSON. ``==`` alone would take ``true`` for ``1``; Python's equality
    runs first because it settles most differences at C speed, the walk then only tells types apart."""
    if a.__class__ is not dict and a.__class__ is not list:
        return a.__class__ is b.__class__ and (a == b if a.__class__ in _PLAIN else _same_leaf(a, b))
    return a.__class__ is b.__class__ and bool(a == b) and _same_types(a, b)


def _same_types(a: Any, b: Any) -> bool:
    """For ``a == b`` (so keys and lengths agree): whether every leaf also has the same type (and float sign) on
    both sides. The loops are written out for dicts and lists: a generic pairing was twice as slow."""
    if a.__class__ is dict:
        for key, value in a.items():
            other = b[key]
            cls = value.__class__
            if cls is not other.__class__:
                return False
            if cls is dict or cls is list:
                if not _same_types(value, other):
                    return False
            elif cls not in _PLAIN and not _same_leaf(value, other):
                return False
        return True
    for value, other in zip(a, b, strict=True):
        cls = value.__class__
        if cls is not other.__class__:
            return False
        if cls is dict or cls is list:
            if not _same_types(value, other):
                return False
        elif cls not in _PLAIN and not _same_leaf(value, other):
            return False
    return True


def _same_leaf(a: Any, b: Any) -> bool:
    if a.__class__ is float:
        return repr(a) == repr(b)  # 0.0 == -0.0
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _differences(stored: Any, compiled: Any, at: list[str | int], unset: list[list[str | int]],
                 values: list[tuple[list[str | int], Any]]) -> None:
    if isinstance(stored, dict) and isinstance(compiled, dict):
        unset.extend([*at, k] for k in compiled if k not in stored)
        for key, value in stored.items():
            if key not in compiled:
                values.append(([*at, key], value))
            else:
                _differences(value, compiled[key], [*at, key], unset, values)
    elif isinstance(stored, list) and isinstance(compiled, list) and len(stored) == len(compiled):
        for index, (a, b) in enumerate(zip(stored, compiled, strict=True)):
            _differences(a, b, [*at, index], unset, values)
    elif not _same(stored, compiled):
        values.append((at, stored))


def _comparable(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if k not in _OWN_KEYS}


def stored_as_compiled(stored: dict[str, Any], canonical: dict[str, Any], compiled: dict[str, Any]) -> bool:
    """Whether ``stored`` (``canonical``: its ``stored_with_canonical_ids``) is ``compiled`` (compile's editor form)
    exactly, up to layer and column ids, the title and description (the caller keeps those) and the order of
    references (a set to Kibana, and the raw ones are written back in their stored order): then no ``stored:``
    record is needed, and nothing else differs."""
    if any(key not in stored for key in ("title", "description", "type")):
        return False
    if not _same(_comparable(canonical), _comparable(compiled)):
        return False
    references = compiled.get("references", [])
    return _same(canonical.get("references", []), sorted(references, key=reference_order)) \
        and stored.get("type") == compiled.get("type")


def read_stored_as(stored: dict[str, Any], canonical: dict[str, Any], compiled: dict[str, Any],
                   data_view: str | None) -> dict[str, Any]:
    """The ``stored:`` mapping that makes ``compiled`` (compile's output for the chart read from ``stored``)
    the stored attributes again (``canonical``: the stored chart's ``stored_with_canonical_ids``, which the caller
    works out once for this and ``stored_as_compiled``); empty when nothing differs or no exact record exists."""
    unset: list[list[str | int]] = []
    values: list[tuple[list[str | int], Any]] = []
    # Most charts are stored as compile writes them: one comparison of the whole chart spares the walk.
    if not _same(_comparable(canonical), _comparable(compiled)):
        _differences(_comparable(canonical), _comparable(compiled), [], unset, values)
    out: dict[str, Any] = {}
    unset_paths = [_path(p) for p in unset]
    # The values come from the stored chart itself (the canonical form shares what it did not rename): the
    # chart's record gets its own copies.
    set_paths = {_path(p): copy_json(v) for p, v in values}
    if None in unset_paths or None in set_paths:
        return {}
    unset_paths += [key for key in ("title", "description", "type") if key not in stored and key in compiled]
    if unset_paths:
        out["unset"] = unset_paths
    if set_paths:
        out["set"] = set_paths
    references = stored.get("references") if isinstance(stored.get("references"), list) else []
    current = [i for i, r in enumerate(references) if isinstance(r, dict) and r.get("id") == data_view
               and r.get("name") == CURRENT_DATA_VIEW_REFERENCE and r.get("type") == "index-pattern"]
    if data_view is not None and len(current) == 1:
        out["current_data_view_reference"] = True if current[0] == 0 else current[0]
    if not out:
        return {}
    rebuilt = copy.deepcopy(compiled)
    apply_stored_as(rebuilt, StoredAs.model_validate(out), data_view)
    if not _same(_comparable(rebuilt), _comparable(canonical)):
        return {}
    return out


def apply_stored_as(attributes: dict[str, Any], stored_as: StoredAs, data_view: str | None) -> None:
    """Make compiled ``attributes`` what the stored chart held (in place). Paths that do not lead anywhere (the
    chart was edited since) are skipped."""
    for path in stored_as.unset:
        *parents, last = _segments(path)
        container = _walk(attributes, parents)
        if isinstance(container, dict):
            container.pop(last, None)
        elif isinstance(container, list) and isinstance(last, int) and last < len(container):
            container.pop(last)
    for path, value in stored_as.set.items():
        *parents, last = _segments(path)
        container = _walk(attributes, parents)
        if isinstance(container, dict) or isinstance(container, list) and isinstance(last, int) and last < len(container):
            container[last] = copy.deepcopy(value)
    position = stored_as.current_data_view_reference
    if position is not False and data_view is not None:
        references = attributes.setdefault("references", [])
        at = 0 if position is True else min(int(position), len(references))
        references.insert(at, {"type": "index-pattern", "id": data_view, "name": CURRENT_DATA_VIEW_REFERENCE})


def _walk(value: Any, segments: list[str | int]) -> Any:
    for segment in segments:
        if isinstance(value, dict) and segment in value or isinstance(value, list) and isinstance(segment, int) and segment < len(value):
            value = value[segment]
        else:
            return None
    return value
