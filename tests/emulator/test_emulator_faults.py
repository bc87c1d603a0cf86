"""Fault injection and the request log, over real loopback HTTP (`serve()`) and in-process."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from kibana_emulator.fixtures import PASSWORD, USER, client_for
from kibana_emulator.samples import import_objects, tag


@pytest.fixture
def loopback(emulator_url):
    with httpx.Client(base_url=emulator_url, auth=(USER, PASSWORD), headers={"kbn-xsrf": "t"},
                      timeout=5) as client:
        yield client


def test_serve_answers_real_http(loopback):
    assert loopback.get("/api/status").json()["version"]["number"] == "8.11.0"
    response = import_objects(loopback, [tag("t1", "x")], overwrite="true")
    assert response.json()["success"] is True
    assert loopback.get("/api/saved_objects/tag/t1").json()["attributes"]["name"] == "x"


def test_fail_next_answers_gateway_errors_with_retry_after(loopback, kibana_emulator):
    kibana_emulator.faults.fail_next(2, status=503, retry_after=1, path_prefix="/api/saved_objects")
    first = loopback.get("/api/saved_objects/_find", params={"type": "tag"})
    assert (first.status_code, first.headers["retry-after"]) == (503, "1")
    assert loopback.get("/api/status").status_code == 200  # other paths are untouched
    assert loopback.get("/api/saved_objects/_find", params={"type": "tag"}).status_code == 503
    assert loopback.get("/api/saved_objects/_find", params={"type": "tag"}).status_code == 200


@pytest.mark.parametrize("status", [429, 502, 504])
def test_fail_next_supports_the_retryable_statuses(loopback, kibana_emulator, status):
    kibana_emulator.faults.fail_next(1, status=status)
    assert loopback.get("/api/status").status_code == status


def test_dropped_connection_has_no_response_on_the_loopback_server(loopback, kibana_emulator):
    kibana_emulator.faults.drop_next(1, path_prefix="/api/spaces")
    with pytest.raises(httpx.RemoteProtocolError):
        loopback.get("/api/spaces/space")
    assert loopback.get("/api/spaces/space").status_code == 200
    assert [r.status for r in kibana_emulator.requests] == [None, 200]


def test_dropped_connection_in_process_raises_the_matching_httpx_errors(kibana_emulator):
    kibana_emulator.faults.drop_next(1)
    kibana_emulator.faults.drop_next(1, mode="refuse")
    with client_for(kibana_emulator) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/api/status")
        with pytest.raises(httpx.ConnectError):
            client.get("/api/status")
        assert client.get("/api/status").status_code == 200


def test_latency_is_added_to_every_request(loopback, kibana_emulator):
    kibana_emulator.faults.latency_ms = 150
    started = time.monotonic()
    loopback.get("/api/status")
    assert time.monotonic() - started >= 0.15


def test_request_log_separates_reads_from_writes(emulator_http, kibana_emulator):
    emulator_http.get("/api/saved_objects/_find", params={"type": "tag"})
    emulator_http.post("/api/saved_objects/_bulk_get", json=[])
    emulator_http.post("/s/team/api/saved_objects/_export", json={"type": "tag"})
    import_objects(emulator_http, [tag("t1", "x")], space="team")
    writes = kibana_emulator.writes()
    assert [(w.method, w.path, w.space, w.status) for w in writes] == [
        ("POST", "/api/saved_objects/_import", "team", 200)]
    assert kibana_emulator.requests[2].query == {}
    kibana_emulator.reset_log()
    assert kibana_emulator.requests == []


def test_state_helpers_simulate_an_edit_in_kibana(emulator_http, kibana_emulator):
    import_objects(emulator_http, [tag("t1", "x")])
    before = emulator_http.get("/api/saved_objects/tag/t1").json()
    edited = kibana_emulator.get_object("tag", "t1")
    edited["attributes"]["color"] = "#000000"
    kibana_emulator.put_object(edited)
    after = emulator_http.get("/api/saved_objects/tag/t1").json()
    assert after["attributes"]["color"] == "#000000"
    assert after["version"] != before["version"]
    assert kibana_emulator.create_space("team")["id"] == "team"
    assert emulator_http.get("/api/spaces/space/team").status_code == 200


def test_loopback_server_answers_concurrent_requests_in_parallel(emulator_url, kibana_emulator, monkeypatch):
    # Each request waits until all four are inside the emulator at once: a server that answered one request at a
    # time would break the barrier (after its timeout) and answer 500 instead of 200.
    barrier = threading.Barrier(4, timeout=10)
    handle = kibana_emulator.handle

    def handle_together(*args, **kwargs):
        barrier.wait()
        return handle(*args, **kwargs)

    monkeypatch.setattr(kibana_emulator, "handle", handle_together)

    def fetch(_: int) -> int:
        with httpx.Client(base_url=emulator_url, auth=(USER, PASSWORD), timeout=30) as client:
            return client.get("/api/status").status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(fetch, range(4)))
    assert statuses == [200] * 4
