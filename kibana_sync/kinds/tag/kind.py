"""Tags (``objects/tags/``): the labels dashboards and searches carry in Kibana."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from kibana_sync.kibana.format import saved_object
from kibana_sync.kinds.base import Decompiled, Entry, Kind
from kibana_sync.source.model import Model


class TagModel(Model):
    id: str | None = None
    name: str = Field(min_length=1)
    description: str = ""
    color: str = Field(default="#54B399", pattern=r"^#[0-9A-Fa-f]{6}$")


class TagKind(Kind):
    name = "tag"
    folder = "tags"
    model = TagModel
    saved_object_type = "tag"

    def compile(self, entry: Entry, project: Any) -> dict[str, Any]:
        m: TagModel = entry.model
        return saved_object("tag", entry.id, {"color": m.color, "description": m.description, "name": m.name}, [])

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        attrs = obj.get("attributes", {})
        data: dict[str, Any] = {"id": obj["id"], "name": attrs.get("name", "")}
        if attrs.get("description"):
            data["description"] = attrs["description"]
        data["color"] = attrs.get("color", "#54B399")
        return Decompiled(data)
