"""Read what Kibana has for a build, in as few requests as the API allows.

Never one request per saved object: the desired saved objects come from ``_bulk_get`` (chunked by the
client), marked objects from one ``_find`` on the managed tag (only ids, titles and references: ``--prune``
deletes them, and without it the plan says how many lost their YAML), rules from one ``_find`` filtered on
the marker tag (plus a ``GET`` for a few desired rules that do not carry the marker yet) and connectors from
one list call. The reads do not depend on each other, so they run concurrently: a diff costs about one round
trip of latency, not one per API.

Ids are global across spaces (reference 2.1), so an object to be created may already live in another space,
where Kibana's import would make a copy under a random id. Only when the plan has creates, one more round
looks for them there: the space list, one ``_bulk_get`` with ``namespaces`` for the saved objects, and a rule
list and a connector list per other space.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kibana_sync.kibana.client import KibanaClient
from kibana_sync.kibana.ownership import RULE_MARKER_TAG
from kibana_sync.kinds.registry import all_kinds
from kibana_sync.project.build import Build
from kibana_sync.sync.plan import LiveState, managed_tag_id, rule_marker_for

# Kibana answers these fields of a _find result; the references come anyway (they carry the marker).
_MARKED_FIELDS = ["title", "name"]


def rule_marker_filter(marker: str = RULE_MARKER_TAG) -> str:
    return f'alert.attributes.tags:"{marker}"'


RULE_MARKER_FILTER = rule_marker_filter()
# Up to this many unmarked desired rules are looked up one GET each; more (typically the first push, when
# none exists yet) are found by listing the space's rules, which costs one request per 100 rules instead.
FEW_RULE_LOOKUPS = 5

Key = tuple[str, str]


def read_live(client: KibanaClient, build: Build, *, prune: bool = False) -> LiveState:
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="kibana-read") as pool:
        saved = pool.submit(_saved_objects, client, build)
        marked = pool.submit(_marked_saved_objects, client, build) if build.saved_objects else None
        rules = pool.submit(_rules, client, build) if build.rules or prune else None
        connectors = pool.submit(client.list_connectors) if build.connectors else None
        live = LiveState(
            saved_objects=saved.result(),
            marked_saved_objects=marked.result() if marked else {},
            rules=rules.result() if rules else {},
            connectors={c["id"]: c for c in connectors.result()} if connectors else {},
            space=client.settings.space,
        )
    live.elsewhere = _elsewhere(client, build, live)
    return live


def _elsewhere(client: KibanaClient, build: Build, live: LiveState) -> dict[Key, list[str]]:
    """Objects to be created whose ids another space already has: key -> those spaces. No request when
    nothing is to be created."""
    saved = [(o["type"], o["id"]) for o in build.saved_objects if (o["type"], o["id"]) not in live.saved_objects]
    rules = build.rules.keys() - live.rules.keys()
    connectors = build.connectors.keys() - live.connectors.keys()
    if not (saved or rules or connectors):
        return {}
    here = client.settings.space
    others = [s for s in client.list_spaces() if s != here]
    if not others:
        return {}
    found: dict[Key, list[str]] = {}
    if saved:
        for obj in client.bulk_get(saved, namespaces=others):
            found[(obj["type"], obj["id"])] = [s for s in obj.get("namespaces", []) if s != here] or others
    for space in others:
        if rules:
            for rule in client.find_rules(space=space):
                if rule["id"] in rules:
                    found.setdefault(("rule", rule["id"]), []).append(space)
        if connectors:
            for connector in client.list_connectors(space=space):
                # A preconfigured connector shows in every space and is no collision made by a push.
                if connector["id"] in connectors and not connector.get("is_preconfigured"):
                    found.setdefault(("connector", connector["id"]), []).append(space)
    return found


def _saved_objects(client: KibanaClient, build: Build) -> dict[Key, dict[str, Any]]:
    keys = [(o["type"], o["id"]) for o in build.saved_objects]
    return {(o["type"], o["id"]): o for o in client.bulk_get(keys)} if keys else {}


def _marked_saved_objects(client: KibanaClient, build: Build) -> dict[Key, dict[str, Any]]:
    types = sorted({k.saved_object_type for k in all_kinds() if k.saved_object_type})
    marked = client.find(types, has_reference={"type": "tag", "id": managed_tag_id(build)}, fields=_MARKED_FIELDS)
    return {(o["type"], o["id"]): o for o in marked}


def _rules(client: KibanaClient, build: Build) -> dict[str, dict[str, Any]]:
    rules = {r["id"]: r for r in client.find_rules(filter=rule_marker_filter(rule_marker_for(build)))}
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
