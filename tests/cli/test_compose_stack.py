"""The repo's compose.yaml (the local Kibana of the getting-started walkthrough): what would make a push fail
against it if it were wrong. No Docker here: these read the file, they do not start the stack."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text())


def _environment(service: dict) -> dict[str, str]:
    return dict(item.split("=", 1) for item in service["environment"])


def _default(value: str) -> str:
    """The value compose uses when the variable is unset: ${NAME:-default} -> default."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def test_stack_is_8_11_with_security_and_a_trial_license() -> None:
    services = _compose()["services"]
    assert services["elasticsearch"]["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:8.11.")
    assert services["kibana"]["image"].startswith("docker.elastic.co/kibana/kibana:8.11.")
    es = _environment(services["elasticsearch"])
    assert es["xpack.security.enabled"] == "true"
    # the webhook connector (GENESIS alerts) needs Gold or trial in 8.11
    assert es["xpack.license.self_generated.type"] == "trial"


def test_kibana_logs_in_as_kibana_system_with_the_password_setup_sets() -> None:
    services = _compose()["services"]
    kibana = _environment(services["kibana"])
    assert kibana["ELASTICSEARCH_USERNAME"] == "kibana_system"
    setup = services["setup"]
    script = " ".join(setup["command"])
    assert "/_security/user/kibana_system/_password" in script
    assert "KIBANA_SYSTEM_PASSWORD" in script
    assert _default(_environment(setup)["KIBANA_SYSTEM_PASSWORD"]) == _default(kibana["ELASTICSEARCH_PASSWORD"])
    assert services["kibana"]["depends_on"]["setup"]["condition"] == "service_completed_successfully"


def test_kibana_can_store_rules_and_connectors() -> None:
    kibana = _environment(_compose()["services"]["kibana"])
    # without an encryption key of 32+ characters Kibana refuses to create rules and connectors
    assert len(_default(kibana["XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY"])) >= 32


def test_ports_are_published_on_localhost_only() -> None:
    services = _compose()["services"]
    for name in ("elasticsearch", "kibana"):
        assert all(port.startswith("127.0.0.1:") for port in services[name]["ports"])
