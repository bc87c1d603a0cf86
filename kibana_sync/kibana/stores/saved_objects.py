"""The saved-objects API (data views, searches, dashboards, tags, visualizations, ...) as a store.

Reads are ``_bulk_get`` (the wanted objects) and one ``_find`` of every managed type with only titles asked for
(references and timestamps come anyway): that one listing tells which objects carry the marker, which were made
by hand and who references what. Writes are ``_import?overwrite=true`` in as few requests as Kibana's limits
allow; deletes one ``_bulk_delete`` without ``force``.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ClassVar

from kibana_sync.kibana.errors import KibanaError
from kibana_sync.kibana.ownership import (
    MANAGED_TAG_ID,
    Marker,
    is_marked_saved_object,
    is_marker_tag_object,
    mark_saved_object,
    unmark_saved_object,
)
from kibana_sync.kibana.stores.base import DONE, Key, SpaceView, Store, Write, WriteResult

if TYPE_CHECKING:  # the HTTP client is loaded by the commands that talk to Kibana, not by build
    from kibana_sync.kibana.client import ImportResult, KibanaClient

# Import errors that make Kibana write nothing at all from that request (reference 2.3, step 5).
ALL_OR_NOTHING_ERRORS = frozenset({"conflict", "ambiguous_conflict", "missing_references"})
LISTED_FIELDS = ["title", "name"]
# Types that can reference another saved object in 8.11 besides the ones kibana-sync has kinds for; a prune
# asks about all of them so a hand-made referrer of any of these stops the delete.
REFERRER_TYPES = ("dashboard", "visualization", "lens", "map", "search", "index-pattern", "links",
                  "canvas-workpad", "graph-workspace")
HAS_REFERENCE_CHUNK = 50
NOT_WRITTEN_ALL_OR_NOTHING = "not written: Kibana imports all or nothing"  # keys per _find: has_reference goes in the query string


class SavedObjectStore(Store):
    name: ClassVar[str] = "saved_objects"
    privilege: ClassVar[str] = ("Kibana feature privilege All, in this space, on the features of the object types "
                                "pushed: Dashboard, Discover, Visualize Library, Maps, Data View Management, Tag "
                                "Management (feature ids dashboard, discover, visualize, maps, indexPatterns, "
                                "savedObjectsTagging)")

    def read_space(self, client: KibanaClient, keys: Sequence[Key], types: Sequence[str]) -> SpaceView:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="kibana-read-so") as pool:
            found = pool.submit(client.bulk_get, list(keys)) if keys else None
            listed = pool.submit(client.find, sorted(types), fields=LISTED_FIELDS) if types else None
            return SpaceView(
                found={(o["type"], o["id"]): o for o in found.result()} if found else {},
                listed={(o["type"], o["id"]): o for o in listed.result()} if listed else {})

    def write(self, client: KibanaClient, writes: Sequence[Write]) -> list[WriteResult]:
        if not writes:
            return []
        out = self._import(client, writes)
        # Kibana writes nothing from a request in which one object has a missing reference or a conflict
        # (reference 2.3): send the others once more without the objects it refused, so one bad object does not
        # hold back the rest of its level.
        held_back = [w for w in writes if out[w.key].message.startswith(NOT_WRITTEN_ALL_OR_NOTHING)]
        if held_back:
            out.update(self._import(client, held_back))
        return [out[w.key] for w in writes]

    def _import(self, client: KibanaClient, writes: Sequence[Write]) -> dict[Key, WriteResult]:
        try:
            results = client.import_objects([w.body for w in writes], overwrite=True)
        except KibanaError as exc:
            return {w.key: WriteResult(w.key, False, f"import failed: {exc}", exc.status) for w in writes}
        by_key = {w.key: w for w in writes}
        out: dict[Key, WriteResult] = {}
        for result in results:
            for outcome in _import_results(result, by_key):
                out[outcome.key] = outcome
        for w in writes:
            out.setdefault(w.key, WriteResult(w.key, False, "Kibana's import answer does not mention this object; "
                                                            "it may not be written"))
        return out

    def delete(self, client: KibanaClient, keys: Sequence[Key]) -> list[WriteResult]:
        if not keys:
            return []
        try:
            # Without force Kibana refuses to delete an object shared to other spaces, where it may still be in
            # use; prune only answers for this space.
            statuses = client.bulk_delete(list(keys), force=False)
        except KibanaError as exc:
            return [WriteResult(k, False, f"delete failed: {exc}", exc.status) for k in keys]
        by_key = {(s.get("type"), s.get("id")): s for s in statuses}
        results = []
        for key in keys:
            status = by_key.get(key, {})
            error = status.get("error") or {}
            if status.get("success") or error.get("statusCode") == 404:
                results.append(WriteResult(key, True, "deleted"))
            elif "multiple namespaces" in str(error.get("message")):
                results.append(WriteResult(key, False, "not deleted: it is shared to other spaces too, where it may "
                                                       "be in use; unshare it in Kibana (Stack Management > Saved "
                                                       "objects) or delete it there", 400))
            else:
                results.append(WriteResult(key, False, f"delete failed: {error.get('message', 'no status from Kibana')}",
                                           error.get("statusCode")))
        return results

    def elsewhere(self, client: KibanaClient, keys: Sequence[Key], spaces: Sequence[str]) -> dict[Key, list[str]]:
        if not keys or not spaces:
            return {}
        here = client.settings.space
        return {(o["type"], o["id"]): [s for s in o.get("namespaces", []) if s != here] or list(spaces)
                for o in client.bulk_get(list(keys), namespaces=list(spaces))}

    def referrers(self, client: KibanaClient, keys: Sequence[Key], types: Sequence[str]) -> dict[Key, list[dict]]:
        wanted = set(keys)
        found: dict[Key, list[dict]] = {}
        all_types = sorted(set(types) | set(REFERRER_TYPES))
        for start in range(0, len(keys), HAS_REFERENCE_CHUNK):
            chunk = [{"type": t, "id": i} for t, i in keys[start:start + HAS_REFERENCE_CHUNK]]
            for obj in client.find(all_types, has_reference=chunk, fields=LISTED_FIELDS):
                for ref in obj.get("references") or []:
                    target = (ref.get("type"), ref.get("id"))
                    if target in wanted and target != (obj["type"], obj["id"]):
                        found.setdefault(target, []).append(obj)
        return found

    def dependencies(self, body: dict[str, Any]) -> set[Key]:
        # A missing tag only drops a label; anything else referenced (data view, search, library panel) breaks it.
        return {key for key in self.references(body) if key[0] != "tag"}

    def with_id_suffix(self, key: Key, body: dict[str, Any], suffix: str, managed: set[Key]) -> tuple[str, dict]:
        refs = [{**r, "id": r["id"] + suffix} if (r.get("type"), r.get("id")) in managed else r
                for r in body.get("references", [])]
        return key[1] + suffix, {**body, "id": body["id"] + suffix, "references": refs}

    def references(self, body: dict[str, Any]) -> set[Key]:
        return {(r["type"], r["id"]) for r in body.get("references") or []
                if isinstance(r, dict) and isinstance(r.get("type"), str) and isinstance(r.get("id"), str)}

    def dist_path(self, key: Key) -> str | None:
        return None  # one saved_objects.ndjson: what Kibana's import and Stack Management take

    def mark(self, body: dict[str, Any]) -> dict[str, Any]:
        return mark_saved_object(body)

    def unmark(self, body: dict[str, Any]) -> dict[str, Any]:
        return unmark_saved_object(body)

    def is_marker(self, obj: dict[str, Any]) -> bool:
        return is_marker_tag_object(obj)

    def is_marked(self, obj: dict[str, Any], marker: Marker) -> bool:
        if obj.get("type") == "tag" and obj.get("id") == marker.tag_id:
            return True
        return any(r.get("type") == "tag" and r.get("id") == marker.tag_id for r in obj.get("references") or [])

    def is_marked_by_anyone(self, obj: dict[str, Any]) -> bool:
        return is_marked_saved_object(obj) or is_marker_tag_object(obj) or obj.get("id") == MANAGED_TAG_ID


def _import_results(result: ImportResult, by_key: dict[Key, Write]) -> list[WriteResult]:
    blocking = [e for e in result.errors if (e.get("error") or {}).get("type") in ALL_OR_NOTHING_ERRORS]
    out = []
    for error in result.errors:
        key = (error.get("type", ""), error.get("id", ""))
        if key in by_key:
            detail = error.get("error") or {}
            out.append(WriteResult(key, False, describe_import_error(detail), detail.get("statusCode")))
    for item in result.success_results:
        key = (item.get("type", ""), item.get("id", ""))
        write = by_key.get(key)
        if write is None:
            continue
        if blocking:
            first = blocking[0]
            out.append(WriteResult(key, False, f"{NOT_WRITTEN_ALL_OR_NOTHING} and {first.get('type')} "
                                               f"{first.get('id')!r} failed in the same request"))
        elif item.get("destinationId") and item["destinationId"] != item.get("id"):
            out.append(WriteResult(key, False, "id already used in another space; Kibana stored a copy under the "
                                               f"new id {item['destinationId']!r}", id_taken_elsewhere=True))
        else:
            out.append(WriteResult(key, True, DONE[write.action]))
    return out


def describe_import_error(error: dict[str, Any]) -> str:
    kind = error.get("type", "unknown")
    if kind == "missing_references":
        refs = ", ".join(f"{r.get('type')} {r.get('id')!r}" for r in error.get("references", []))
        return f"references objects Kibana does not have: {refs}"
    if kind == "conflict":
        return "conflicts with an existing object" + (f" {error['destinationId']!r}" if error.get("destinationId") else "")
    if kind == "ambiguous_conflict":
        ids = ", ".join(repr(d.get("id")) for d in error.get("destinations", []))
        return f"matches several objects copied from the same original ({ids}); delete the extra copies in Kibana"
    if kind == "unsupported_type":
        return "Kibana does not support this saved-object type"
    detail = error.get("message") or kind
    status = error.get("statusCode")
    if status == 409:
        return f"changed in Kibana by someone else while this push ran (409 version conflict): {detail}"
    return f"rejected by Kibana ({status}): {detail}" if status else f"rejected by Kibana: {detail}"

