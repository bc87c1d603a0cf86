"""What the client says about itself before and after it talks to Kibana: warnings about an unverified or
clear-text connection, and secrets scrubbed from every message in every encoding the tool knows."""

from __future__ import annotations

import base64
from urllib.parse import quote

import httpx

from kibana_sync.kibana.client import KibanaClient, connection_warnings, scrub_secrets
from kibana_sync.kibana.connection import ConnectionSettings

API_KEY = base64.b64encode(b"VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw").decode()


def test_insecure_is_warned_about():
    (warning,) = connection_warnings(ConnectionSettings(url="https://kibana.example.com", insecure=True,
                                                        api_key=API_KEY))
    assert warning.startswith("--insecure: Kibana's TLS certificate is not verified") and "--ca-cert" in warning


def test_basic_auth_over_plain_http_to_a_host_that_is_not_loopback_is_warned_about():
    remote = ConnectionSettings(url="http://kibana.example.com:5601", username="ci", password="pw")
    (warning,) = connection_warnings(remote)
    assert warning == ("a username and password (basic auth) is sent over plain http to kibana.example.com, "
                       "readable by anyone on the network; use an https:// URL")
    for local in ("http://localhost:5601", "http://127.0.0.1:5601", "http://[::1]:5601"):
        assert connection_warnings(ConnectionSettings(url=local, username="ci", password="pw")) == []
    assert connection_warnings(ConnectionSettings(url="https://kibana.example.com", username="ci",
                                                  password="pw")) == []
    assert connection_warnings(ConnectionSettings(url="http://kibana.example.com")) == []  # nothing to leak


def test_secret_scrubbing_covers_every_encoding_of_a_secret():
    key_id, key = base64.b64decode(API_KEY).decode().split(":")
    text = (f"ApiKey {API_KEY}; decoded {key_id}:{key}; half {key}; url {quote(API_KEY, safe='')}; "
            f"glued {API_KEY}xyz; pw {quote('p@ss/w0rd!', safe='')} and p@ss/w0rd!suffix")
    scrubbed = scrub_secrets(text, [API_KEY, "p@ss/w0rd!"])
    for leaked in (API_KEY, key, f"{key_id}:{key}", quote(API_KEY, safe=""), "p%40ss%2Fw0rd", "p@ss/w0rd"):
        assert leaked not in scrubbed
    assert scrubbed.count("***") == 7
    # A short value is replaced only as a whole word, so it does not mangle every word holding it.
    assert scrub_secrets("a bad cab: a", ["a"]) == "*** bad cab: ***"


def test_a_kibana_error_quoting_the_api_key_in_any_encoding_does_not_show_it():
    settings = ConnectionSettings(url="http://kibana.test:5601", api_key=API_KEY)
    half = base64.b64decode(API_KEY).decode().split(":")[1]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"statusCode": 400, "error": "Bad Request",
                                         "message": f"bad key {half}{'x'} and {quote(API_KEY, safe='')}"})

    client = KibanaClient(settings, transport=httpx.MockTransport(answer), retries=0)
    try:
        client.version()
    except Exception as exc:  # noqa: BLE001 - the message is what is checked
        message = str(exc)
    assert half not in message and quote(API_KEY, safe="") not in message and "***" in message
