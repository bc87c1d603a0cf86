"""Read what Kibana has for a build, in as few requests as the APIs allow: each store reads its part of the space
(``Store.read_space``), all stores at once, so a diff costs about one round trip of latency, not one per API.

Never one request per object: saved objects are one ``_bulk_get`` (chunked by the client) plus one ``_find`` of
every managed type with titles only (it shows which objects carry the marker and which were made by hand);
rules and connectors are one listing each.

Ids are global across spaces (reference 2.1), so an object to be created may already live in another space,
where Kibana's import would make a copy under a random id. Only when the plan has creates, one more round
looks for them there (the space list, then each store's ``elsewhere``). Only with ``--prune``, and only when
there is something to delete, one ``_find`` asks who references the candidates.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from kibana_sync.kibana.client import KibanaClient
from kibana_sync.kibana.ownership import RULE_MARKER_TAG
from kibana_sync.kibana.stores.base import Key, SpaceView
from kibana_sync.kibana.stores.registry import all_stores
from kibana_sync.kinds.registry import all_kinds
from kibana_sync.project.build import Build
from kibana_sync.sync.plan import LiveState, marker_of


def rule_marker_filter(marker: str = RULE_MARKER_TAG) -> str:
    """The ``_find`` filter for one owner's rules (for tools and the bench; sync lists all rules of a space)."""
    return f'alert.attributes.tags:"{marker}"'


RULE_MARKER_FILTER = rule_marker_filter()


def store_types(store_name: str) -> list[str]:
    """The saved-object types of the kinds kept in a store (empty for stores whose objects have no type)."""
    return sorted({k.saved_object_type for k in all_kinds() if k.store == store_name and k.saved_object_type})


def read_live(client: KibanaClient, build: Build, *, prune: bool = False) -> LiveState:
    stores = [s for s in all_stores() if s.inside_space or prune or build.objects_of(s.name)]
    with ThreadPoolExecutor(max_workers=len(stores), thread_name_prefix="kibana-read") as pool:
        futures = {s.name: pool.submit(s.read_space, client, list(build.objects_of(s.name)), store_types(s.name))
                   for s in stores}
        live = LiveState(views={name: f.result() for name, f in futures.items()}, space=client.settings.space)
    live.elsewhere = _elsewhere(client, build, live)
    if prune:
        live.referrers = _referrers(client, build, live)
    return live


def _elsewhere(client: KibanaClient, build: Build, live: LiveState) -> dict[Key, list[str]]:
    """Objects to be created whose ids another space already has: key -> those spaces. No request when
    nothing is to be created."""
    creates = {s.name: [k for k in build.objects_of(s.name) if k not in live.view(s.name).found]
               for s in all_stores()}
    if not any(creates.values()):
        return {}
    here = client.settings.space
    others = [s for s in client.list_spaces() if s != here]
    found: dict[Key, list[str]] = {}
    for store in all_stores() if others else ():
        if creates[store.name]:
            found.update(store.elsewhere(client, creates[store.name], others))
    return found


def _referrers(client: KibanaClient, build: Build, live: LiveState) -> dict[Key, list[dict]]:
    """For each object prune may delete, the objects of the space that reference it."""
    marker = marker_of(build)
    found: dict[Key, list[dict]] = {}
    for store in all_stores():
        view: SpaceView = live.view(store.name)
        desired = build.objects_of(store.name)
        candidates = [k for k, obj in view.listed.items()
                      if k not in desired and store.prunable and store.is_marked(obj, marker)]
        if candidates:
            found.update(store.referrers(client, candidates, store_types(store.name)))
    return found
