"""Spaces API (reference 8). Other APIs never check that the URL's space exists (reference 1.1)."""

from __future__ import annotations

import re
from typing import Any

from .errors import HttpError
from .routing import Router
from .validation import expect, invalid, reject_unknown_keys, require_object
from .wire import Request, Response, json_response, no_content

SPACE_ID = re.compile(r"^[a-z0-9_\-]+$")
COLOR = re.compile(r"^#[a-fA-F0-9]{6}$")
SPACE_KEYS = ("id", "name", "description", "color", "initials", "disabledFeatures", "imageUrl", "_reserved")
DEFAULT_SPACE = {"id": "default", "name": "Default", "description": "This is your default space!",
                 "color": "#00bfb3", "disabledFeatures": [], "_reserved": True}


class SpacesApi:
    def __init__(self) -> None:
        self.spaces: dict[str, dict[str, Any]] = {"default": dict(DEFAULT_SPACE)}

    def register(self, router: Router) -> None:
        router.add("GET", "/api/spaces/space", lambda r: json_response(list(self.spaces.values())))
        router.add("GET", "/api/spaces/space/{id}", self.get)
        router.add("POST", "/api/spaces/space", self.create)
        router.add("PUT", "/api/spaces/space/{id}", self.update)
        router.add("DELETE", "/api/spaces/space/{id}", self.delete)

    def add(self, space: dict[str, Any]) -> dict[str, Any]:
        """Validate and store a space (used by the route and by test helpers)."""
        space = _validated(space)
        if space["id"] in self.spaces:
            raise HttpError(409, f"A space with the identifier {space['id']} already exists.")
        self.spaces[space["id"]] = space
        return space

    def get(self, request: Request) -> Response:
        return json_response(self._existing(request.params["id"]))

    def create(self, request: Request) -> Response:
        return json_response(self.add(require_object(request.json())))

    def update(self, request: Request) -> Response:
        existing = self._existing(request.params["id"])
        space = _validated(require_object(request.json()))
        if space["id"] != existing["id"]:
            raise HttpError(400, "Cannot change a space's id")
        self.spaces[space["id"]] = {**space, **({"_reserved": True} if existing.get("_reserved") else {})}
        return json_response(self.spaces[space["id"]])

    def delete(self, request: Request) -> Response:
        space = self._existing(request.params["id"])
        if space.get("_reserved"):
            raise HttpError(400, "The default space cannot be deleted because it is reserved.")
        del self.spaces[space["id"]]
        return no_content()

    def _existing(self, space_id: str) -> dict[str, Any]:
        if space_id not in self.spaces:
            raise HttpError(404, "Not Found")
        return self.spaces[space_id]


def _validated(space: dict[str, Any]) -> dict[str, Any]:
    reject_unknown_keys(space, SPACE_KEYS, "request body")
    expect(space.get("id"), "string", "request body.id")
    if not SPACE_ID.match(space["id"]):
        raise invalid("request body.id", "must be lower case, a-z, 0-9, '_', and '-' are allowed")
    expect(space.get("name"), "string", "request body.name")
    if not space["name"].strip():
        raise invalid("request body.name", "value has length [0] but it must have a minimum length of [1].")
    if space.get("color") is not None and not COLOR.match(str(space["color"])):
        raise invalid("request body.color", "must be a 6 digit hex color, starting with a #")
    if space.get("initials") is not None and len(str(space["initials"])) > 2:
        raise invalid("request body.initials", "value has length [3] but it must have a maximum length of [2].")
    result = {k: v for k, v in space.items() if k != "_reserved"}
    result.setdefault("disabledFeatures", [])
    return result
