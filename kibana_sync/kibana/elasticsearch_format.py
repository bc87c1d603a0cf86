"""Elasticsearch objects as kibana-sync compiles and compares them: the store name kinds give, the ownership
marker in ``_meta`` (an inverse pair), and index settings in their flat form. Pure, so that loading the kinds for
``validate`` does not load the HTTP client."""

from __future__ import annotations

from typing import Any

ES_STORE = "elasticsearch"
MARKER_KEY, MARKER_VALUE = "managed_by", "kibana-sync"

def meta_of(obj: dict[str, Any]) -> dict[str, Any]:
    holder = obj.get("policy") if obj.get("type") == "ilm_policy" else obj
    meta = holder.get("_meta") if isinstance(holder, dict) else None
    return meta if isinstance(meta, dict) else {}


def _with_meta(obj: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    if obj.get("type") == "ilm_policy":
        policy = {k: v for k, v in (obj.get("policy") or {}).items() if k != "_meta"}
        return {**obj, "policy": {**policy, **({"_meta": meta} if meta else {})}}
    out = {k: v for k, v in obj.items() if k != "_meta"}
    return {**out, **({"_meta": meta} if meta else {})}


def mark_meta(obj: dict[str, Any]) -> dict[str, Any]:
    return _with_meta(obj, {**meta_of(obj), MARKER_KEY: MARKER_VALUE})


def unmark_meta(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` without kibana-sync's marker (and without ``_meta`` when nothing else was in it)."""
    meta = meta_of(obj)
    if meta.get(MARKER_KEY) != MARKER_VALUE:
        return obj
    return _with_meta(obj, {k: v for k, v in meta.items() if k != MARKER_KEY})


def flat_settings(settings: Any) -> dict[str, Any]:
    """Index settings as dotted, ``index.``-prefixed keys (as ``?flat_settings=true`` shows them)."""
    flat: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            elif value is not None:
                flat[f"{prefix}{key}"] = value

    walk(settings if isinstance(settings, dict) else {}, "")
    return {(k if k.startswith("index.") else f"index.{k}"): v for k, v in flat.items()}


def is_marked_meta(obj: dict[str, Any]) -> bool:
    return meta_of(obj).get(MARKER_KEY) == MARKER_VALUE
