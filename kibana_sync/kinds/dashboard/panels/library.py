"""Panels that show an object saved in the library, by reference: a saved search (``search: id``), a legacy
visualization (``visualization: id``), a Lens visualization (``lens: id``), a map (``map: id``) or a links
panel (``links: id``). Kibana stores ``panelRefName: panel_<panelIndex>`` and the reference
``<panelIndex>:panel_<panelIndex>`` (reference-objects 1.6, 2, 3.3, 5.1, 6.1); older exports name it otherwise,
which ``resolve_library_reference`` reads the way Kibana does on load."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, create_model

from kibana_sync.kinds.dashboard.panels.common import (
    PanelCommon,
    PanelContent,
    PanelContext,
    PanelRef,
    PanelType,
)
from kibana_sync.source.model import Ref

# Kibana's saved-object type -> the kind name of this tool that manages it (and the YAML key of the panel).
LIBRARY_TYPES = {"search": "search", "visualization": "visualization", "lens": "lens", "map": "map",
                 "links": "links"}


class SearchPanelKeys(PanelCommon):
    """A saved search shown as a table; ``columns`` and ``sort`` override the search's own (reference-objects
    6.1: ``embeddableConfig.columns``/``sort``)."""

    content_config_keys: ClassVar[frozenset[str]] = frozenset({"columns", "sort"})

    columns: list[str] | None = Field(default=None, description="the columns this panel shows")
    sort: list[Any] | None = Field(default=None, description='e.g. [["@timestamp", "desc"]]')


# embeddableConfig keys a library panel type says with keys of its own (YAML key -> Kibana key)
_OVERRIDES = {"search": {"columns": "columns", "sort": "sort"}}


def _panel_model(key: str) -> type[PanelCommon]:
    model = create_model(  # type: ignore[call-overload]
        f"{key.capitalize()}ReferencePanel", __base__=SearchPanelKeys if key == "search" else PanelCommon,
        __doc__=f"A {key} saved in the library, shown by reference.",
        **{key: (Ref, Field(description=f"id of the {key} (a file in objects/ or {{external: id}})"))})
    return model  # type: ignore[no-any-return]


class LibraryType(PanelType):
    """One saved-object type shown by reference."""

    owns_panel_references = False

    def __init__(self, saved_object_type: str) -> None:
        self.saved_object_type = saved_object_type
        self.key = saved_object_type  # type: ignore[misc]
        self.model = _panel_model(saved_object_type)  # type: ignore[misc]

    def compile(self, panel: Any, panel_index: str, ctx: PanelContext) -> PanelContent:
        ref_name = f"panel_{panel_index}"
        ref = {"id": ctx.resolve(getattr(panel, self.key)), "name": f"{panel_index}:{ref_name}",
               "type": self.saved_object_type}
        config = {kibana: getattr(panel, key) for key, kibana in _OVERRIDES.get(self.key, {}).items()
                  if getattr(panel, key) is not None}
        return PanelContent(self.saved_object_type, config, extra={"panelRefName": ref_name}, references=[ref])

    def decompile(self, stored: dict[str, Any], normal: dict[str, Any],
                  own_refs: list[dict[str, str]]) -> dict[str, Any] | None:
        config = normal.get("embeddableConfig", {})
        if normal.get("type") != self.saved_object_type or not isinstance(normal.get("id"), str) \
                or "panelRefName" in normal or "attributes" in config or "savedVis" in config:
            return None
        data: dict[str, Any] = {self.key: normal["id"]}
        for key, kibana in _OVERRIDES.get(self.key, {}).items():
            if kibana in config:
                value = config[kibana]
                if not isinstance(value, list) or (key == "columns" and not all(isinstance(c, str) for c in value)):
                    return None
                data[key] = value
        return data

    def references(self, panel: Any) -> list[PanelRef]:
        return [PanelRef(LIBRARY_TYPES[self.saved_object_type], getattr(panel, self.key), (self.key,))]


def resolve_library_reference(panel: dict[str, Any], references: list[dict[str, str]]
                              ) -> tuple[dict[str, Any], dict[str, str] | None]:
    """The panel with the library object it names written in (``type`` and ``id``, as Kibana injects them on
    load), and the dashboard reference that named it; the panel unchanged and None when it names none."""
    index = panel.get("panelIndex")
    ref_name = panel.get("panelRefName")
    if isinstance(ref_name, str):
        names = [f"{index}:{ref_name}", ref_name]
    elif "id" not in panel and isinstance(index, str):
        names = [f"{index}:savedObjectRef"]  # the naming of Kibana 8.14+ exports
    else:
        return panel, None
    for name in names:
        ref = next((r for r in references if r.get("name") == name), None)
        if ref is not None:
            if panel.get("type", ref.get("type")) != ref.get("type"):
                return panel, None
            resolved = {k: v for k, v in panel.items() if k != "panelRefName"}
            resolved.update({"type": ref.get("type"), "id": ref.get("id")})
            return resolved, ref
    return panel, None
