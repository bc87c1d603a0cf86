"""The alerting rules API as a store: one listing of the space's rules, one request per rule write.

Rules carry the marker as a tag. A listing returns whole rules, so it serves as both the read of the wanted
rules and the list of the space (no per-rule GET). Writes run a few at a time (``CONCURRENT_WRITES``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from kibana_sync.kibana.errors import KibanaError
from kibana_sync.kibana.ownership import (
    Marker,
    is_marked_rule,
    is_rule_marked_by_anyone,
    mark_rule,
    unmark_rule,
    with_marker_suffix,
)
from kibana_sync.kibana.stores.base import (
    DONE,
    Key,
    SpaceView,
    Store,
    Write,
    WriteAction,
    WriteResult,
    deleted_one_at_a_time,
    one_at_a_time,
)

if TYPE_CHECKING:  # the HTTP client is loaded by the commands that talk to Kibana, not by build
    from kibana_sync.kibana.client import KibanaClient

RULE = "rule"
_RULE_CREATE_KEYS = ("name", "rule_type_id", "consumer", "enabled", "tags", "schedule", "params", "throttle",
                     "notify_when")
_RULE_ACTION_KEYS = ("group", "id", "params", "frequency", "alerts_filter")


class RuleStore(Store):
    name: ClassVar[str] = "rules"
    object_type: ClassVar[str | None] = "rule"
    privilege: ClassVar[str] = ("Kibana feature privilege All on Stack Rules (Management > Rules and Connectors; "
                                "feature id stackAlerts) in this space")

    def read_space(self, client: KibanaClient, keys: Sequence[Key], types: Sequence[str]) -> SpaceView:
        listed = {(RULE, r["id"]): r for r in client.find_rules()}
        return SpaceView.from_listing(listed, keys)

    def write(self, client: KibanaClient, writes: Sequence[Write]) -> list[WriteResult]:
        return one_at_a_time(writes, lambda w: self._write_one(client, w),
                             lambda k: client.get_rule(k[1]) is not None)

    def _write_one(self, client: KibanaClient, write: Write) -> str:
        id_ = write.key[1]
        if write.action is WriteAction.CREATE:
            client.create_rule(id_, write.body)
        elif write.action is WriteAction.UPDATE:
            client.update_rule(id_, write.body)
        elif write.action is WriteAction.RECREATE:
            client.delete_rule(id_)
            try:
                client.create_rule(id_, write.body)
            except KibanaError as exc:
                raise _recreate_failed(client, id_, write.live, exc) from None
        if write.set_enabled is True:
            client.enable_rule(id_)
        elif write.set_enabled is False:
            client.disable_rule(id_)
        if write.action is WriteAction.TOGGLE:
            return "enabled" if write.set_enabled else "disabled"
        return DONE[write.action]

    def delete(self, client: KibanaClient, keys: Sequence[Key]) -> list[WriteResult]:
        return deleted_one_at_a_time(keys, lambda k: client.delete_rule(k[1]))

    def elsewhere(self, client: KibanaClient, keys: Sequence[Key], spaces: Sequence[str]) -> dict[Key, list[str]]:
        wanted = set(keys)
        found: dict[Key, list[str]] = {}
        for space in spaces if wanted else ():
            for rule in client.find_rules(space=space):
                if (RULE, rule["id"]) in wanted:
                    found.setdefault((RULE, rule["id"]), []).append(space)
        return found

    def dependencies(self, body: dict[str, Any]) -> set[Key]:
        deps = {("connector", a["id"]) for a in body.get("actions") or [] if isinstance(a.get("id"), str)}
        # A search-source rule names its data view by id inside params (reference 5.5).
        search = (body.get("params") or {}).get("searchConfiguration")
        if isinstance(search, dict) and isinstance(search.get("index"), str):
            deps.add(("index-pattern", search["index"]))
        return deps

    def with_id_suffix(self, key: Key, body: dict[str, Any], suffix: str, managed: set[Key]) -> tuple[str, dict]:
        actions = [{**a, "id": a["id"] + suffix} if ("connector", a.get("id")) in managed else a
                   for a in body.get("actions", [])]
        out = {**body, "actions": actions}
        if "tags" in body:
            out["tags"] = with_marker_suffix(body["tags"], suffix)
        # A search-source rule names its data view by id inside params (reference 5.5).
        search = (body.get("params") or {}).get("searchConfiguration")
        if isinstance(search, dict) and ("index-pattern", search.get("index")) in managed:
            out["params"] = {**body["params"], "searchConfiguration": {**search, "index": search["index"] + suffix}}
        return key[1] + suffix, out

    def mark(self, body: dict[str, Any]) -> dict[str, Any]:
        return mark_rule(body)

    def unmark(self, body: dict[str, Any]) -> dict[str, Any]:
        return unmark_rule(body)

    def is_marked(self, obj: dict[str, Any], marker: Marker) -> bool:
        return is_marked_rule(obj, marker.rule_tag)

    def is_marked_by_anyone(self, obj: dict[str, Any]) -> bool:
        return is_rule_marked_by_anyone(obj)


def _recreate_failed(client: KibanaClient, id_: str, live: dict[str, Any] | None, failure: KibanaError) -> KibanaError:
    """A recreate deleted the rule and could not create the new one: the old rule is created again as Kibana had
    it, so a failed push loses no rule. Returns the error to report."""
    if live is None:
        return KibanaError(f"deleted, but creating it again failed: {failure.message}; the next push creates it",
                           failure.status, failure.body)
    try:
        client.create_rule(id_, rule_create_body(live))
    except KibanaError as exc:
        return KibanaError(f"deleted, but creating it again failed: {failure.message}; putting the old rule back "
                           f"failed too: {exc.message}; the next push creates it", failure.status, failure.body)
    return KibanaError(f"not recreated: {failure.message}; the old rule was created again as Kibana had it",
                       failure.status, failure.body)


def rule_create_body(rule: dict[str, Any]) -> dict[str, Any]:
    """A ``POST /api/alerting/rule/{id}`` body from a ``GET`` answer: the fields create accepts (reference 5.1),
    without the server-managed ones (action uuids, connector types, API key owner, execution status, ...)."""
    body = {k: rule[k] for k in _RULE_CREATE_KEYS if rule.get(k) is not None}
    body["actions"] = [{k: a[k] for k in _RULE_ACTION_KEYS if a.get(k) is not None} for a in rule.get("actions") or []]
    return body
