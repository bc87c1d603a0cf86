"""Spaces API (reference 8; `x-pack/plugins/spaces/server/routes/api/external/{get,get_all,post,put,delete}.ts`,
body schema `x-pack/plugins/spaces/server/lib/space_schema.ts`, `spaces_client.ts`). Other APIs never check that
the URL's space exists (reference 1.1)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import HttpError
from .routing import Router
from .validation import invalid, js_type, require_object
from .wire import Request, Response, json_response, no_content

SPACE_ID = re.compile(r"^[a-z0-9_\-]+$")  # SPACE_ID_REGEX
COLOR = re.compile(r"^#[a-zA-Z0-9]{6}$")  # space_schema.ts accepts any alphanumerics, not only hex digits
MAX_SPACE_INITIALS = 2
MAX_SPACES = 1000  # xpack.spaces.maxSpaces default
# spaceSchema's keys in declaration order: config-schema reports the first failing one, then unknown keys
SPACE_KEYS = ("id", "name", "description", "initials", "color", "disabledFeatures", "_reserved", "imageUrl")
# what the spaces client stores and answers (`generateSpaceAttributes` / `transformSavedObjectToSpace`);
# undefined values vanish from the JSON, so absent optional keys are simply missing
ANSWER_KEYS = ("id", "name", "description", "color", "initials", "imageUrl", "disabledFeatures", "_reserved")
# create_default_space.ts
DEFAULT_SPACE = {"id": "default", "name": "Default", "description": "This is your default space!",
                 "color": "#00bfb3", "disabledFeatures": [], "_reserved": True}


class SpacesApi:
    def __init__(self, on_delete: Callable[[str], None] | None = None) -> None:
        self.spaces: dict[str, dict[str, Any]] = {"default": dict(DEFAULT_SPACE)}
        self._on_delete = on_delete

    def register(self, router: Router) -> None:
        router.add("GET", "/api/spaces/space", self.get_all)
        router.add("GET", "/api/spaces/space/{id}", self.get)
        router.add("POST", "/api/spaces/space", self.create)
        router.add("PUT", "/api/spaces/space/{id}", self.update)
        router.add("DELETE", "/api/spaces/space/{id}", self.delete)

    def add(self, space: dict[str, Any]) -> dict[str, Any]:
        """Validate and store a space (used by the route and by test helpers)."""
        space = _validated(space)
        if len(self.spaces) >= MAX_SPACES:
            raise HttpError(400, "Unable to create Space, this exceeds the maximum number of spaces set by the "
                                 "xpack.spaces.maxSpaces setting")
        if space["id"] in self.spaces:
            # post.ts turns the saved-object conflict into this message
            raise HttpError(409, f"A space with the identifier {space['id']} already exists.")
        self.spaces[space["id"]] = _stored(space)
        return _answer(self.spaces[space["id"]])

    def get_all(self, request: Request) -> Response:
        # spaces_client.getAll: a find sorted by `name.keyword` (byte order, so upper case first)
        return json_response([_answer(s) for s in sorted(self.spaces.values(), key=lambda s: s["name"])])

    def get(self, request: Request) -> Response:
        return json_response(_answer(self._existing(request.params["id"])))

    def create(self, request: Request) -> Response:
        return json_response(self.add(require_object(request.json())))

    def update(self, request: Request) -> Response:
        """put.ts: the body is the full spaceSchema, but the id is the URL's (the body id is ignored, and
        `_reserved` cannot be set or cleared: the client writes only `generateSpaceAttributes`). The repository
        update of 8.10+ merges `{...existing, ...attributes}` where absent optional keys are `undefined`, so they
        are dropped: PUT replaces the space."""
        space = _validated(require_object(request.json()))
        existing = self._existing(request.params["id"])
        updated = {**_stored(space), "id": existing["id"]}
        if existing.get("_reserved"):
            updated["_reserved"] = True
        self.spaces[existing["id"]] = updated
        return json_response(_answer(updated))

    def delete(self, request: Request) -> Response:
        space = self._existing(request.params["id"])
        if space.get("_reserved"):
            raise HttpError(400, f"The {space['id']} space cannot be deleted because it is reserved.")
        # spaces_client.delete: deleteByNamespace removes the space's objects first
        if self._on_delete is not None:
            self._on_delete(space["id"])
        del self.spaces[space["id"]]
        return no_content()

    def _existing(self, space_id: str) -> dict[str, Any]:
        if space_id not in self.spaces:
            raise HttpError(404, "Not Found")  # response.notFound()
        return self.spaces[space_id]


def _stored(space: dict[str, Any]) -> dict[str, Any]:
    """What create/update keep: `_reserved` from a request body is never written."""
    return {k: space[k] for k in ANSWER_KEYS if k in space and k != "_reserved"}


def _answer(space: dict[str, Any]) -> dict[str, Any]:
    return {k: space[k] for k in ANSWER_KEYS if k in space}


def _string(space: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = space.get(key)
    if value is None and not required and key not in space:
        return None
    if not isinstance(value, str):
        got = "undefined" if key not in space else js_type(value)
        raise invalid(f"request body.{key}", f"expected value of type [string] but got [{got}]")
    return value


def _validated(space: dict[str, Any]) -> dict[str, Any]:
    """spaceSchema, key by key in declaration order, then unknown keys (config-schema/Joi order)."""
    space_id = _string(space, "id", required=True)
    if not SPACE_ID.match(space_id):
        raise invalid("request body.id", "must be lower case, a-z, 0-9, '_', and '-' are allowed")
    name = _string(space, "name", required=True)
    if len(name) < 1:
        raise invalid("request body.name", "value has length [0] but it must have a minimum length of [1].")
    _string(space, "description")
    initials = _string(space, "initials")
    if initials is not None and len(initials) > MAX_SPACE_INITIALS:
        raise invalid("request body.initials", f"value has length [{len(initials)}] but it must have a maximum "
                                               f"length of [{MAX_SPACE_INITIALS}].")
    color = _string(space, "color")
    if color is not None and not COLOR.match(color):
        raise invalid("request body.color", "must be a 6 digit hex color, starting with a #")
    features = space.get("disabledFeatures", [])
    if not isinstance(features, list):
        raise invalid("request body.disabledFeatures",
                      f"expected value of type [array] but got [{js_type(features)}]")
    for index, feature in enumerate(features):
        if not isinstance(feature, str):
            raise invalid(f"request body.disabledFeatures.{index}",
                          f"expected value of type [string] but got [{js_type(feature)}]")
    if "_reserved" in space and not isinstance(space["_reserved"], bool):
        raise invalid("request body._reserved",
                      f"expected value of type [boolean] but got [{js_type(space['_reserved'])}]")
    image = _string(space, "imageUrl")
    if image is not None and image != "" and not image.startswith("data:image"):
        raise invalid("request body.imageUrl", "must start with 'data:image'")
    for key in space:
        if key not in SPACE_KEYS:
            raise invalid(f"request body.{key}", "definition for this key is missing")
    return {**space, "disabledFeatures": features}
