"""The connectors (actions) API as a store: one list call, one request per connector write.

A connector has neither tags nor references, so it cannot carry kibana-sync's marker: every connector whose id
the repo names is treated as the repo's, and connectors are never pruned (docs/SAFETY.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from kibana_sync.kibana.errors import KibanaError
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

CONNECTOR = "connector"
_UPDATABLE = ("name", "config", "secrets")  # PUT replaces config and secrets wholesale and rejects the type


class ConnectorStore(Store):
    name: ClassVar[str] = "connectors"
    object_type: ClassVar[str | None] = "connector"
    can_mark: ClassVar[bool] = False
    prunable: ClassVar[bool] = False
    privilege: ClassVar[str] = ("Kibana feature privilege All on Actions and Connectors (feature id actions) "
                                "in this space")


    def with_id_suffix(self, key: Key, body: dict[str, Any], suffix: str, managed: set[Key]) -> tuple[str, dict]:
        return key[1] + suffix, body
    def read_space(self, client: KibanaClient, keys: Sequence[Key], types: Sequence[str]) -> SpaceView:
        listed = {(CONNECTOR, c["id"]): c for c in client.list_connectors()}
        return SpaceView.from_listing(listed, keys)

    def write(self, client: KibanaClient, writes: Sequence[Write]) -> list[WriteResult]:
        return one_at_a_time(writes, lambda w: self._write_one(client, w),
                             lambda k: client.get_connector(k[1]) is not None)

    def _write_one(self, client: KibanaClient, write: Write) -> str:
        id_, body = write.key[1], write.body
        try:
            if write.action is WriteAction.CREATE:
                client.create_connector(id_, body)
            elif write.action is WriteAction.UPDATE:
                client.update_connector(id_, {k: body[k] for k in _UPDATABLE if k in body})
            elif write.action is WriteAction.RECREATE:
                client.delete_connector(id_)
                try:
                    client.create_connector(id_, body)
                except KibanaError as exc:
                    # Kibana never returns secrets, so the old connector cannot be put back.
                    raise KibanaError(f"deleted, but creating it again failed: {exc.message}; the next push "
                                      "creates it", exc.status, exc.body) from None
        except KibanaError as exc:
            # Kibana may quote a secret back, e.g. a Slack webhook URL that xpack.actions.allowedHosts refuses.
            raise without_secrets(exc, body.get("secrets") or {}) from None
        return DONE[write.action]

    def delete(self, client: KibanaClient, keys: Sequence[Key]) -> list[WriteResult]:
        return deleted_one_at_a_time(keys, lambda k: client.delete_connector(k[1]))

    def elsewhere(self, client: KibanaClient, keys: Sequence[Key], spaces: Sequence[str]) -> dict[Key, list[str]]:
        wanted = set(keys)
        found: dict[Key, list[str]] = {}
        for space in spaces if wanted else ():
            for connector in client.list_connectors(space=space):
                # A preconfigured connector shows in every space and is no collision made by a push.
                if (CONNECTOR, connector["id"]) in wanted and not connector.get("is_preconfigured"):
                    found.setdefault((CONNECTOR, connector["id"]), []).append(space)
        return found

    def is_builtin(self, obj: dict[str, Any]) -> bool:
        return bool(obj.get("is_preconfigured") or obj.get("is_system_action"))


def without_secrets(exc: KibanaError, secrets: Mapping[str, Any]) -> KibanaError:
    from kibana_sync.kibana.client import scrub_secrets

    message = scrub_secrets(exc.message, [v for v in secrets.values() if isinstance(v, str)])
    return exc if message == exc.message else KibanaError(message, exc.status, None)
