"""The registry names each kind and its folder without importing it (so a run loads only the kinds it uses):
those names must be the kinds' own."""

from __future__ import annotations

from kibana_sync.kinds.registry import KINDS, all_kinds, kind_folders, kind_named, kind_names


def test_the_table_names_each_kind_and_folder_as_the_kind_does() -> None:
    assert [(name, folder) for name, folder, _ in KINDS] == [(k.name, k.folder) for k in all_kinds()]
    assert kind_names() == tuple(k.name for k in all_kinds())
    assert kind_folders() == {k.folder: k.name for k in all_kinds()}


def test_a_kind_is_one_object_however_it_is_asked_for() -> None:
    assert all(kind_named(k.name) is k for k in all_kinds())
