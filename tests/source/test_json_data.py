"""copy_json stands in for copy.deepcopy on every Lens chart export reads: it must copy exactly what deepcopy
copies (types, sharing, independence), whichever of its two paths the value takes."""

from __future__ import annotations

import copy

from pydantic import BaseModel

from kibana_sync.source.json_data import copy_json


class _Tagged(dict):  # a dict subclass: marshal refuses it, so the Python copy runs
    pass


class _Model(BaseModel):
    name: str


def test_types_survive_exactly() -> None:
    value = {"flags": [True, 1, 1.0, -0.0, None, 10**30, "1"], "nested": {"t": (1, [2])}}
    copied = copy_json(value)
    assert copied == value
    assert [type(v) for v in copied["flags"]] == [type(v) for v in value["flags"]]
    assert repr(copied["flags"][3]) == "-0.0"
    assert copied["nested"]["t"] == (1, [2])


def test_the_copy_is_independent() -> None:
    value = {"a": {"b": [1, {"c": 2}]}}
    copied = copy_json(value)
    copied["a"]["b"][1]["c"] = 3
    copied["a"]["b"].append(4)
    assert value == {"a": {"b": [1, {"c": 2}]}}


def test_a_shared_part_stays_shared_like_deepcopy() -> None:
    shared = {"x": [1]}
    for value in ({"p": shared, "q": shared}, {"p": shared, "q": shared, "odd": _Tagged(y=1)}):
        copied = copy_json(value)
        assert copied["p"] is copied["q"]
        assert copied["p"] is not shared
        deep = copy.deepcopy(value)
        assert deep["p"] is deep["q"]


def test_values_marshal_refuses_are_still_copied() -> None:
    model = _Model(name="a")
    value = {"tagged": _Tagged(a=[1]), "model": model}
    copied = copy_json(value)
    assert type(copied["tagged"]) is _Tagged and copied["tagged"] == {"a": [1]}
    assert copied["tagged"]["a"] is not value["tagged"]["a"]
    assert copied["model"] == model and copied["model"] is not model
