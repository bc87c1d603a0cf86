"""Spaces API fidelity (reference 8; x-pack/plugins/spaces/server/routes/api/external/*.ts, lib/space_schema.ts,
spaces_client.ts)."""

from __future__ import annotations

import pytest
from kibana_emulator.samples import import_objects, tag

FULL = {"id": "ops", "name": "Operations", "description": "On call", "color": "#aabbcc", "initials": "OP",
        "disabledFeatures": ["ml"], "imageUrl": "data:image/png;base64,AAAA"}


def test_8_create_answers_the_space_in_the_clients_key_order(emulator_http):
    response = emulator_http.post("/api/spaces/space", json=FULL)
    assert response.status_code == 200
    assert list(response.json()) == ["id", "name", "description", "color", "initials", "imageUrl",
                                     "disabledFeatures"]
    assert emulator_http.get("/api/spaces/space/ops").json() == response.json()


def test_8_minimal_space_gets_empty_disabled_features_and_no_other_keys(emulator_http):
    assert emulator_http.post("/api/spaces/space", json={"id": "a", "name": "A"}).json() == {
        "id": "a", "name": "A", "disabledFeatures": []}


def test_8_default_space_is_reserved_and_listed_sorted_by_name(emulator_http):
    emulator_http.post("/api/spaces/space", json={"id": "z", "name": "Alpha"})
    spaces = emulator_http.get("/api/spaces/space").json()
    assert [s["id"] for s in spaces] == ["z", "default"]  # name.keyword sort: "Alpha" < "Default"
    assert spaces[1] == {"id": "default", "name": "Default", "description": "This is your default space!",
                         "color": "#00bfb3", "disabledFeatures": [], "_reserved": True}


@pytest.mark.parametrize(("body", "message"), [
    ({"name": "X"}, "[request body.id]: expected value of type [string] but got [undefined]"),
    ({"id": "Bad Id", "name": "X"}, "[request body.id]: must be lower case, a-z, 0-9, '_', and '-' are allowed"),
    ({"id": "x", "name": ""}, "[request body.name]: value has length [0] but it must have a minimum length of [1]."),
    ({"id": "x", "name": "X", "initials": "ABC"},
     "[request body.initials]: value has length [3] but it must have a maximum length of [2]."),
    ({"id": "x", "name": "X", "color": "red"}, "[request body.color]: must be a 6 digit hex color, starting with a #"),
    ({"id": "x", "name": "X", "imageUrl": "http://x/y.png"}, "[request body.imageUrl]: must start with 'data:image'"),
    ({"id": "x", "name": "X", "disabledFeatures": "ml"},
     "[request body.disabledFeatures]: expected value of type [array] but got [string]"),
    ({"id": "x", "name": "X", "solution": "es"}, "[request body.solution]: definition for this key is missing"),
    # declared keys are validated before unknown ones (Joi object order)
    ({"id": "x", "name": "", "bogus": 1},
     "[request body.name]: value has length [0] but it must have a minimum length of [1]."),
])
def test_8_space_schema_errors(emulator_http, body, message):
    response = emulator_http.post("/api/spaces/space", json=body)
    assert (response.status_code, response.json()["message"]) == (400, message)


def test_8_color_pattern_is_alphanumeric_as_in_space_schema(emulator_http):
    """space_schema.ts uses /^#[a-zA-Z0-9]{6}$/, so a non-hex letter passes."""
    assert emulator_http.post("/api/spaces/space", json={"id": "c", "name": "C", "color": "#zzzzzz"}).status_code == 200


def test_8_reserved_flag_in_a_body_is_accepted_but_never_stored(emulator_http):
    created = emulator_http.post("/api/spaces/space", json={"id": "r", "name": "R", "_reserved": True}).json()
    assert "_reserved" not in created
    assert emulator_http.delete("/api/spaces/space/r").status_code == 204


def test_8_duplicate_space_is_409(emulator_http):
    emulator_http.post("/api/spaces/space", json={"id": "a", "name": "A"})
    response = emulator_http.post("/api/spaces/space", json={"id": "a", "name": "A"})
    assert response.json() == {"statusCode": 409, "error": "Conflict",
                               "message": "A space with the identifier a already exists."}


def test_8_put_replaces_the_space_and_uses_the_url_id(emulator_http):
    emulator_http.post("/api/spaces/space", json=FULL)
    response = emulator_http.put("/api/spaces/space/ops", json={"id": "other", "name": "Ops 2"})
    assert response.status_code == 200
    assert response.json() == {"id": "ops", "name": "Ops 2", "disabledFeatures": []}
    assert emulator_http.get("/api/spaces/space/other").status_code == 404


def test_8_put_validates_the_full_schema_and_404s_unknown_spaces(emulator_http):
    assert emulator_http.put("/api/spaces/space/ops", json={"name": "X"}).status_code == 400
    missing = emulator_http.put("/api/spaces/space/nope", json={"id": "nope", "name": "X"})
    assert missing.json() == {"statusCode": 404, "error": "Not Found", "message": "Not Found"}


def test_8_put_keeps_default_reserved(emulator_http):
    body = emulator_http.put("/api/spaces/space/default", json={"id": "default", "name": "Home"}).json()
    assert body == {"id": "default", "name": "Home", "disabledFeatures": [], "_reserved": True}


def test_8_default_space_cannot_be_deleted(emulator_http):
    response = emulator_http.delete("/api/spaces/space/default")
    assert response.json() == {"statusCode": 400, "error": "Bad Request",
                               "message": "The default space cannot be deleted because it is reserved."}


def test_8_delete_removes_the_space_and_its_objects(emulator_http, kibana_emulator):
    """spaces_client.delete runs deleteByNamespace before deleting the space object."""
    emulator_http.post("/api/spaces/space", json={"id": "ops", "name": "Ops"})
    assert import_objects(emulator_http, [tag("t1", "x")], space="ops").json()["success"] is True
    assert emulator_http.delete("/api/spaces/space/ops").status_code == 204
    assert kibana_emulator.get_object("tag", "t1") is None
    assert emulator_http.get("/api/spaces/space/ops").status_code == 404
    assert emulator_http.delete("/api/spaces/space/ops").status_code == 404
