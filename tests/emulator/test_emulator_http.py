"""Fidelity of the HTTP basics: spaces in URLs, headers, authentication, error bodies, status (reference 1, 8)."""

from __future__ import annotations

import base64
import socket
import threading
from datetime import UTC, datetime

import httpx
import pytest
from kibana_emulator import ApiKeyGrant, EmulatorConfig, KibanaEmulator, serve
from kibana_emulator.fixtures import client_for


def test_1_3_no_credentials_is_a_66_byte_401(kibana_emulator):
    with client_for(kibana_emulator, auth=None) as anonymous:
        response = anonymous.get("/api/saved_objects/_find", params={"type": "tag"})
    assert response.status_code == 401
    assert response.content == b'{"statusCode":401,"error":"Unauthorized","message":"Unauthorized"}'
    assert len(response.content) == 66


def test_1_3_wrong_password_is_401_with_the_wrapped_es_error(kibana_emulator):
    with client_for(kibana_emulator, auth=("bob", "nope")) as client:
        response = client.get("/api/spaces/space")
    assert response.status_code == 401
    assert "unable to authenticate user [bob]" in response.json()["message"]
    assert "www-authenticate" in response.headers


def test_1_3_api_key_authentication():
    emulator = KibanaEmulator(EmulatorConfig(api_keys={"key-id": ApiKeyGrant("s3cret", owner="sync-bot")}))
    token = base64.b64encode(b"key-id:s3cret").decode()
    with client_for(emulator, auth=None, headers={"authorization": f"ApiKey {token}"}) as client:
        assert client.get("/api/spaces/space").status_code == 200
    wrong = base64.b64encode(b"key-id:guess").decode()
    with client_for(emulator, auth=None, headers={"authorization": f"ApiKey {wrong}"}) as client:
        assert client.get("/api/spaces/space").status_code == 401


def test_1_2_writes_need_kbn_xsrf(kibana_emulator):
    with client_for(kibana_emulator, headers={}) as client:
        response = client.post("/api/saved_objects/tag/t1", json={"attributes": {"name": "x"}})
        assert response.json() == {"statusCode": 400, "error": "Bad Request",
                                   "message": "Request must contain a kbn-xsrf header."}
        # reads do not
        assert client.get("/api/saved_objects/_find", params={"type": "tag"}).status_code == 200
        # the xsrf-exempt alternative: the exact kbn-version
        accepted = client.post("/api/saved_objects/tag/t1", json={"attributes": {"name": "x"}},
                               headers={"kbn-version": "8.11.0"})
        assert accepted.status_code == 200


def test_1_2_wrong_kbn_version_is_rejected_with_attributes(kibana_emulator):
    with client_for(kibana_emulator) as client:
        response = client.get("/api/spaces/space", headers={"kbn-version": "8.10.0"})
    assert response.json() == {
        "statusCode": 400, "error": "Bad Request",
        "message": 'Browser client is out of date, please refresh the page ("kbn-version" header was "8.10.0" '
                   'but should be "8.11.0")',
        "attributes": {"expected": "8.11.0", "got": "8.10.0"}}


def test_1_2_authentication_is_checked_before_xsrf(kibana_emulator):
    with client_for(kibana_emulator, auth=None, headers={}) as client:
        assert client.post("/api/saved_objects/tag/t1", json={}).status_code == 401


def test_1_2_elastic_api_version_header_is_accepted(emulator_http):
    response = emulator_http.get("/api/alerting/rules/_find", headers={"elastic-api-version": "2023-10-31"})
    assert response.status_code == 200


def test_1_4_unknown_route_is_404_even_without_credentials(kibana_emulator):
    with client_for(kibana_emulator, auth=None) as client:
        response = client.get("/api/nothing/here")
    assert response.json() == {"statusCode": 404, "error": "Not Found", "message": "Not Found"}


def test_1_3_read_only_user_gets_403_on_writes_only():
    emulator = KibanaEmulator(EmulatorConfig(users={"viewer": "v"}, read_only_users=frozenset({"viewer"})))
    with client_for(emulator, auth=("viewer", "v")) as client:
        assert client.post("/api/saved_objects/_export", json={"type": "tag"}).status_code == 200
        denied = client.post("/api/saved_objects/tag/t1", json={"attributes": {"name": "x"}})
    assert denied.status_code == 403 and denied.json()["error"] == "Forbidden"


def test_1_5_status_is_redacted_without_credentials(kibana_emulator):
    with client_for(kibana_emulator, auth=None) as client:
        response = client.get("/api/status")
    assert response.json() == {"status": {"overall": {"level": "available"}}}


def test_1_5_status_with_credentials_has_the_version(emulator_http):
    body = emulator_http.get("/api/status").json()
    assert body["version"]["number"] == "8.11.0"
    assert body["status"]["overall"]["level"] == "available"


def test_1_5_version_is_configurable():
    with client_for(KibanaEmulator(EmulatorConfig(version="8.12.2"))) as client:
        assert client.get("/api/status").json()["version"]["number"] == "8.12.2"


def test_8_default_space_and_created_spaces_are_listed(emulator_http):
    created = emulator_http.post("/api/spaces/space", json={"id": "team-a", "name": "Team A"})
    assert created.json() == {"id": "team-a", "name": "Team A", "disabledFeatures": []}
    ids = [s["id"] for s in emulator_http.get("/api/spaces/space").json()]
    assert ids == ["default", "team-a"]
    assert emulator_http.get("/api/spaces/space/default").json()["_reserved"] is True
    assert emulator_http.get("/api/spaces/space/nope").status_code == 404


@pytest.mark.parametrize(("body", "status"), [
    ({"id": "Bad Id", "name": "x"}, 400),
    ({"id": "ok"}, 400),
    ({"id": "default", "name": "again"}, 409),
])
def test_8_space_validation(emulator_http, body, status):
    assert emulator_http.post("/api/spaces/space", json=body).status_code == status


def test_1_1_writes_into_a_space_that_does_not_exist_are_accepted(emulator_http, kibana_emulator):
    response = emulator_http.post("/s/ghost/api/saved_objects/tag/t1", json={"attributes": {"name": "x"}})
    assert response.json()["namespaces"] == ["ghost"]
    assert emulator_http.get("/api/spaces/space/ghost").status_code == 404


def test_raw_handle_accepts_a_query_mapping():
    emulator = KibanaEmulator()
    auth = "Basic " + base64.b64encode(b"elastic:changeme").decode()
    status, headers, body = emulator.handle("GET", "/api/saved_objects/_find", {"type": ["tag"]},
                                            {"Authorization": auth}, b"")
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert httpx.Response(status, content=body).json()["total"] == 0


def test_clock_makes_timestamps_deterministic():
    fixed = KibanaEmulator(clock=lambda: datetime(2023, 11, 20, 10, 0, tzinfo=UTC))
    with client_for(fixed) as client:
        body = client.post("/api/saved_objects/tag/t1", json={"attributes": {"name": "x"}}).json()
    assert body["created_at"] == body["updated_at"] == "2023-11-20T10:00:00.000Z"


def test_loopback_keep_alive_answers_each_request_in_one_send_with_nodelay(kibana_emulator, monkeypatch):
    """Headers and body written apart make every sequential keep-alive request wait for the peer's delayed ACK
    (~40 ms). Asserted structurally, not by timing: each response is exactly one send on a TCP_NODELAY socket,
    and all requests share one kept-alive connection."""
    sends: list[tuple[int, int]] = []  # (server-side socket fileno, TCP_NODELAY)
    lock = threading.Lock()
    real_sendall = socket.socket.sendall
    with serve(kibana_emulator) as url:
        port = int(url.rsplit(":", 1)[1])

        def counting_sendall(sock, data, *args):
            if sock.getsockname()[1] == port:  # the server's end of an accepted connection
                with lock:
                    sends.append((sock.fileno(), sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
            return real_sendall(sock, data, *args)

        monkeypatch.setattr(socket.socket, "sendall", counting_sendall)
        requests = 12
        with client_for(kibana_emulator, base_url=url, transport=None) as client:
            for _ in range(requests):
                assert client.get("/api/spaces/space").status_code == 200
        monkeypatch.undo()
    assert len(sends) == requests
    assert len({fileno for fileno, _ in sends}) == 1
    assert all(nodelay for _, nodelay in sends)
