"""The spaces API as a store (reference.md 8). Spaces are global, not inside a space: the store reads and writes
``/api/spaces/space`` whatever ``--space`` says, and it comes first in apply order, so a push can create the
space it writes into.

Ownership is the description's marker (``kinds/space``). Prune deletes only marked spaces, and never the
default space (Kibana's own, reserved) nor the space the push writes into: deleting a space deletes every
object in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from kibana_sync.kibana.ownership import (
    DEFAULT_SPACE_ID,
    Marker,
    is_marked_space,
    marked_description,
    unmarked_description,
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

SPACE = "space"
class SpaceStore(Store):
    name: ClassVar[str] = "spaces"
    object_type: ClassVar[str | None] = "space"
    inside_space: ClassVar[bool] = False
    privilege: ClassVar[str] = ("Kibana privilege All on Stack Management > Spaces (the global kibana_admin "
                                "role has it); a space-scoped role cannot create spaces")

    def read_space(self, client: KibanaClient, keys: Sequence[Key], types: Sequence[str]) -> SpaceView:
        if not keys:
            # A repo without objects/spaces/ never asks (nor needs the right to see other spaces). Its managed
            # spaces then go unlisted, so prune cannot remove the last one: the guard would refuse that anyway.
            return SpaceView()
        listed = {(SPACE, s["id"]): s for s in client.spaces()}
        return SpaceView.from_listing(listed, keys)

    def write(self, client: KibanaClient, writes: Sequence[Write]) -> list[WriteResult]:
        return one_at_a_time(writes, lambda w: self._write_one(client, w),
                             lambda k: any(s["id"] == k[1] for s in client.spaces()))

    def _write_one(self, client: KibanaClient, write: Write) -> str:
        if write.action is WriteAction.CREATE:
            client.create_space(write.body)
        else:  # PUT replaces the whole space; a space's id never changes, so there is no recreate
            client.update_space(write.key[1], write.body)
        return DONE[WriteAction.UPDATE if write.action is WriteAction.RECREATE else write.action]

    def delete(self, client: KibanaClient, keys: Sequence[Key]) -> list[WriteResult]:
        protected = {DEFAULT_SPACE_ID, client.settings.space}
        refused = [WriteResult(k, False, "not deleted: it is the default space or the space this push writes "
                                         "into (deleting a space deletes everything in it)")
                   for k in keys if k[1] in protected]
        done = deleted_one_at_a_time([k for k in keys if k[1] not in protected], lambda k: client.delete_space(k[1]))
        by_key = {r.key: r for r in [*refused, *done]}
        return [by_key[k] for k in keys]

    def elsewhere(self, client: KibanaClient, keys: Sequence[Key], spaces: Sequence[str]) -> dict[Key, list[str]]:
        return {}  # spaces are not inside spaces

    def mark(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "description": marked_description(body.get("description") or "")}

    def unmark(self, body: dict[str, Any]) -> dict[str, Any]:
        if "description" not in body:
            return body
        return {**body, "description": unmarked_description(body.get("description") or "")}

    def is_marked(self, obj: dict[str, Any], marker: Marker) -> bool:
        # --id-suffix renames what is inside a space, not the space, so every owner's marker is the same.
        return is_marked_space(obj) and not obj.get("_reserved")

    def is_marked_by_anyone(self, obj: dict[str, Any]) -> bool:
        return is_marked_space(obj)

    def is_builtin(self, obj: dict[str, Any]) -> bool:
        # Spaces are around the pushed space, not in it: one made by hand elsewhere is not a hand-made object of
        # this space for diff's listing (or --fail-on-unmanaged). A space of the repo's id made by hand is still
        # a conflict, as is_marked decides that.
        return bool(obj.get("_reserved")) or obj.get("id") == DEFAULT_SPACE_ID or not is_marked_space(obj)
