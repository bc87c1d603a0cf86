"""Spaces (``objects/spaces/``): the Kibana spaces a repo's objects live in (reference.md 8, Kibana 8.11's
``/api/spaces/space``). A space is written before every other object, so ``push --space genesis`` can create
the space it then fills.

A space has no tags, references or ``_meta``, so kibana-sync marks the spaces it manages at the end of the
description, where a person sees it in Stack Management > Spaces: ``... [managed-by-kibana-sync]``. The store
adds the marker (``kibana/stores/spaces.py``), ``decompile`` removes it, so it never shows in a person's YAML.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from kibana_sync.kibana.ownership import DEFAULT_SPACE_ID, unmarked_description
from kibana_sync.kinds.base import Decompiled, Entry, Kind
from kibana_sync.source.diagnostics import Diagnostic
from kibana_sync.source.model import Model

SPACE_ID = re.compile(r"^[a-z0-9_\-]+$")  # Kibana's SPACE_ID_REGEX
# What Kibana stores and answers for a space (spaces_client), besides the id.
_KEYS = {"name": "name", "description": "description", "color": "color", "initials": "initials",
         "disabled_features": "disabledFeatures", "image_url": "imageUrl"}


class SpaceModel(Model):
    id: str | None = Field(default=None, description="the space id, in URLs as /s/<id>; default: the file name")
    name: str = Field(min_length=1)
    description: str = ""
    color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$", description="avatar colour, #RRGGBB")
    initials: str | None = Field(default=None, max_length=2, description="avatar initials (at most 2)")
    disabled_features: list[str] = Field(default_factory=list,
                                         description="feature ids hidden in this space, e.g. canvas, maps, ml")
    image_url: str | None = Field(default=None, pattern=r"^data:image", description="avatar image as a data URL")


class SpaceKind(Kind):
    name = "space"
    folder = "spaces"
    model = SpaceModel
    store = "spaces"

    def check(self, entry: Entry, project: Any) -> list[Diagnostic]:
        out = []
        if not SPACE_ID.match(entry.id):
            out.append(entry.diagnostic(("id",), f"space id {entry.id!r}: Kibana allows only lower case a-z, 0-9, "
                                                  "'_' and '-'"))
        if entry.id == DEFAULT_SPACE_ID:
            out.append(entry.diagnostic(("id",), "the default space is Kibana's own: it cannot be created or "
                                                 "marked as managed; leave it out of objects/spaces/"))
        return out

    def compile(self, entry: Entry, project: Any) -> dict[str, Any]:
        m: SpaceModel = entry.model
        body: dict[str, Any] = {"id": entry.id}
        for key, kibana_key in _KEYS.items():
            value = getattr(m, key)
            if value is not None:
                body[kibana_key] = value
        return body  # the description's marker is added by the store (SpaceStore.mark), like every marker

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        # What the spaces API answers, without _reserved (Kibana's, never written) and with its defaults.
        out = {k: obj[k] for k in ("id", *_KEYS.values()) if obj.get(k) is not None}
        out.setdefault("disabledFeatures", [])
        out.setdefault("description", "")
        return out

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        data: dict[str, Any] = {"id": obj["id"], "name": obj.get("name", "")}
        description = unmarked_description(obj.get("description") or "")
        if description:
            data["description"] = description
        for key, kibana_key in _KEYS.items():
            if key not in ("name", "description") and obj.get(kibana_key) not in (None, []):
                data[key] = obj[kibana_key]
        return Decompiled(data, compact_parts=1)
