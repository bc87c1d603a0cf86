"""Read what Kibana has for a build, in as few requests as the API allows.

Never one request per saved object: the desired saved objects come from ``_bulk_get`` (chunked by the
client), marked objects for ``--prune`` from one ``_find`` on the managed tag, rules from one ``_find``
filtered on the marker tag (plus a ``GET`` for a few desired rules that do not carry the marker yet) and
connectors from one list call. The reads do not depend on each other, so they run concurrently: a diff
costs about one round trip of latency, not one per API.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kibana_sync.build import Build
from kibana_sync.client import KibanaClient
from kibana_sync.kinds import all_kinds
from kibana_sync.ownership import RULE_MARKER_TAG
from kibana_sync.plan import LiveState, managed_tag_id

RULE_MARKER_FILTER = f'alert.attributes.tags:"{RULE_MARKER_TAG}"'
# Up to this many unmarked desired rules are looked up one GET each; more (typically the first push, when
# none exists yet) are found by listing the space's rules, which costs one request per 100 rules instead.
FEW_RULE_LOOKUPS = 5

Key = tuple[str, str]


def read_live(client: KibanaClient, build: Build, *, prune: bool = False) -> LiveState:
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="kibana-read") as pool:
        saved = pool.submit(_saved_objects, client, build)
        marked = pool.submit(_marked_saved_objects, client, build) if prune else None
        rules = pool.submit(_rules, client, build) if build.rules or prune else None
        connectors = pool.submit(client.list_connectors) if build.connectors else None
        return LiveState(
            saved_objects=saved.result(),
            marked_saved_objects=marked.result() if marked else {},
            rules=rules.result() if rules else {},
            connectors={c["id"]: c for c in connectors.result()} if connectors else {},
        )


def _saved_objects(client: KibanaClient, build: Build) -> dict[Key, dict[str, Any]]:
    keys = [(o["type"], o["id"]) for o in build.saved_objects]
    return {(o["type"], o["id"]): o for o in client.bulk_get(keys)} if keys else {}


def _marked_saved_objects(client: KibanaClient, build: Build) -> dict[Key, dict[str, Any]]:
    types = sorted({k.saved_object_type for k in all_kinds() if k.saved_object_type})
    marked = client.find(types, has_reference={"type": "tag", "id": managed_tag_id(build)})
    return {(o["type"], o["id"]): o for o in marked}


def _rules(client: KibanaClient, build: Build) -> dict[str, dict[str, Any]]:
    rules = {r["id"]: r for r in client.find_rules(filter=RULE_MARKER_FILTER)}
    rules.update(_unmarked_rules(client, build.rules.keys() - rules.keys()))
    return rules


def _unmarked_rules(client: KibanaClient, ids: set[str]) -> dict[str, dict[str, Any]]:
    """Desired rules without the marker (new, made by hand, or from before kibana-sync) that exist anyway."""
    if len(ids) > FEW_RULE_LOOKUPS:
        return {r["id"]: r for r in client.find_rules() if r["id"] in ids}
    found = {}
    for id_ in sorted(ids):
        rule = client.get_rule(id_)
        if rule is not None:
            found[id_] = rule
    return found
