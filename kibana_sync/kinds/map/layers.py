"""A map's layer data views <-> the references Kibana extracts from them (``x-pack/plugins/maps/common/
migrations/references.ts``): the source's ``indexPatternId`` becomes ``indexPatternRefName`` =
``layer_<i>_source_index_pattern``, a join's ``right.indexPatternId`` ``layer_<i>_join_<j>_index_pattern``."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from kibana_sync.kibana.format import reference

Path = tuple[str | int, ...]


def data_view_slots(layers: list[Any]) -> Iterator[tuple[Path, dict[str, Any], str]]:
    """(YAML path of the holder, the holder mapping, reference name) for every place a layer names a data
    view: the source descriptor and each join's right side."""
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict):
            continue
        source = layer.get("sourceDescriptor")
        if isinstance(source, dict):
            yield (i, "sourceDescriptor"), source, f"layer_{i}_source_index_pattern"
        for j, join in enumerate(layer.get("joins") or []):
            right = join.get("right") if isinstance(join, dict) else None
            if isinstance(right, dict):
                yield (i, "joins", j, "right"), right, f"layer_{i}_join_{j}_index_pattern"


def extract(layers: list[Any], resolve: Callable[[Any], str]) -> tuple[list[Any], list[dict[str, str]]]:
    """Layers with every ``indexPatternId`` replaced by its reference name, and those references."""
    out = copy.deepcopy(layers)
    refs: list[dict[str, str]] = []
    for _path, holder, name in data_view_slots(out):
        if isinstance(holder.get("indexPatternId"), (str, dict)):  # anything else is not a data view id
            refs.append(reference("index-pattern", resolve(holder.pop("indexPatternId")), name))
            holder["indexPatternRefName"] = name
    return out, refs


def inject(layers: list[Any], references: list[dict[str, Any]]) -> tuple[list[Any], list[dict[str, Any]]]:
    """The inverse of ``extract``: reference names replaced by the data view ids; returns the references no
    layer used. A name with no reference stays as it is (Kibana would fail to load that layer)."""
    out = copy.deepcopy(layers)
    by_name = {r.get("name"): r for r in references}
    used: set[str] = set()
    for _path, holder, name in data_view_slots(out):
        ref_name = holder.get("indexPatternRefName")
        target = by_name.get(ref_name)
        # Only a name where extract would put it, on an index-pattern reference, reads back exactly.
        if ref_name == name and target is not None and target.get("type") == "index-pattern" \
                and "indexPatternId" not in holder:
            del holder["indexPatternRefName"]
            holder["indexPatternId"] = target["id"]
            used.add(ref_name)
    return out, [r for r in references if r.get("name") not in used]
