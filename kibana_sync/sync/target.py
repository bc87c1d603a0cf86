"""The sync layer's two steps, used by ``diff`` and ``push``: check the target, then plan against it.

``plan`` computes what differs (pure, ``plan.py``) from what ``live`` reads; ``apply`` writes it.
"""

from __future__ import annotations

from kibana_sync.kibana.client import KibanaClient, KibanaError
from kibana_sync.project.build import Build
from kibana_sync.sync.live import read_live
from kibana_sync.sync.plan import Plan, compute_plan


def check_target(client: KibanaClient, build: Build | None = None) -> str:
    """Kibana's version, after making sure it is one kibana-sync supports and the space exists (or ``build``
    creates it: spaces are written first)."""
    version = client.version()  # raises UnsupportedKibana with the supported range
    creates_it = build is not None and ("space", client.settings.space) in build.objects_of("spaces")
    if not creates_it and not client.space_exists():
        space = client.settings.space
        raise KibanaError(f"space {space!r} does not exist in Kibana at {client.settings.url}; create it first "
                          "(Stack Management > Spaces, or POST /api/spaces/space) -- Kibana would otherwise accept "
                          "the objects into a space nobody can see; or let the push create it: "
                          "objects/spaces/<id>.yaml")
    return version


def make_plan(client: KibanaClient, build: Build, *, prune: bool = False, update_secrets: bool = False,
              adopt: bool = False, max_delete: int | None = None) -> Plan:
    live = read_live(client, build, prune=prune)
    return compute_plan(build, live, prune=prune, update_secrets=update_secrets, adopt=adopt, max_delete=max_delete)
