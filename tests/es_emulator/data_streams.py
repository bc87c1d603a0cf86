"""Data streams: `PUT/GET/DELETE _data_stream/<name>` (reference-objects-es.md 7.5).

Sources: `MetadataCreateDataStreamService` (needs a matching composable template with `data_stream`; the first
backing index `.ds-<name>-<uuuu.MM.dd>-000001` takes the resolved template settings; `_meta` and the lifecycle are
copied from the template), `GetDataStreamAction.Response.DataStreamInfo.toXContent` (8.11 field order,
`prefer_ilm`/`ilm_policy`/`managed_by` per index and `next_generation_managed_by` from `V_8_11_X`),
`DeleteDataStreamTransportAction` (404 `index_not_found_exception` for a missing concrete name).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .errors import EsError, bad_request, error
from .state import Cluster, DataStream, Index, is_wildcard, simple_match

ILM, DSL, UNMANAGED = "Index Lifecycle Management", "Data stream lifecycle", "Unmanaged"


def index_not_found(name: str) -> EsError:
    """IndexNotFoundException: resource metadata and `index_uuid: _na_` (metadata shape inferred)."""
    return error(404, "index_not_found_exception", f"no such index [{name}]",
                 **{"resource.type": "index_or_alias", "resource.id": name, "index_uuid": "_na_", "index": name})


def _managed_by(policy: str | None, prefer_ilm: bool, lifecycle: dict[str, Any] | None) -> str:
    dsl = lifecycle is not None and lifecycle.get("enabled", True)
    if dsl and (policy is None or not prefer_ilm):
        return DSL
    if policy is not None:
        return ILM
    return UNMANAGED


class DataStreamsApi:
    def __init__(self, cluster: Cluster, config: Any, clock: Callable[[], datetime]) -> None:
        self.cluster = cluster
        self.config = config
        self.clock = clock

    def put(self, name: str) -> dict[str, Any]:
        if name.lower() != name:
            raise error(400, "invalid_index_name_exception",
                        f"Invalid index name [{name}], must be lowercase", index=name, index_uuid="_na_")
        if name.startswith(".ds-"):
            raise bad_request(f"data_stream [{name}] must not start with '.ds-'")
        if name in self.cluster.data_streams:
            raise error(400, "resource_already_exists_exception", f"data_stream [{name}] already exists")
        tname = self.cluster.find_v2_template(name)
        if tname is None:
            raise bad_request(f"no matching index template found for data stream [{name}]")
        template = self.cluster.index_templates[tname]
        if "data_stream" not in template:
            raise bad_request(f"matching index template [{tname}] for data stream [{name}] has no data stream "
                              "template")
        index_name = f".ds-{name}-{self.clock():%Y.%m.%d}-000001"
        settings = dict(self.cluster.resolve_settings(template))
        settings.setdefault("index.hidden", "true")
        self.cluster.indices[index_name] = Index(index_name, _uuid(), settings, data_stream=name)
        self.cluster.data_streams[name] = DataStream(
            name=name, generation=1, indices=[index_name], meta=template.get("_meta"),
            hidden=template["data_stream"]["hidden"], allow_custom_routing=template["data_stream"]["allow_custom_routing"],
            lifecycle=self.cluster.resolve_lifecycle(template))
        return {"acknowledged": True}

    def get(self, names: str | None) -> dict[str, Any]:
        found: list[str] = []
        for pattern in (names or "*").split(","):
            if is_wildcard(pattern):
                found += [n for n in sorted(self.cluster.data_streams) if simple_match(pattern, n)]
            elif pattern in self.cluster.data_streams:
                found.append(pattern)
            else:
                raise index_not_found(pattern)
        return {"data_streams": [self._info(n) for n in dict.fromkeys(found)]}

    def _info(self, name: str) -> dict[str, Any]:
        ds = self.cluster.data_streams[name]
        tname = self.cluster.find_v2_template(name)
        template_settings = self.cluster.resolve_settings(self.cluster.index_templates[tname]) if tname else {}
        indices = []
        for index_name in ds.indices:
            index = self.cluster.indices[index_name]
            policy = index.settings.get("index.lifecycle.name")
            prefer = index.settings.get("index.lifecycle.prefer_ilm", "true") != "false"
            entry: dict[str, Any] = {"index_name": index.name, "index_uuid": index.uuid, "prefer_ilm": prefer}
            if policy is not None:
                entry["ilm_policy"] = policy
            entry["managed_by"] = _managed_by(policy, prefer, ds.lifecycle)
            indices.append(entry)
        out: dict[str, Any] = {"name": name, "timestamp_field": {"name": "@timestamp"}, "indices": indices,
                               "generation": ds.generation}
        if ds.meta is not None:
            out["_meta"] = ds.meta
        out["status"] = self.config.data_stream_status
        if tname is not None:
            out["template"] = tname
        if ds.lifecycle is not None:
            out["lifecycle"] = ds.lifecycle
        policy = template_settings.get("index.lifecycle.name")
        prefer = template_settings.get("index.lifecycle.prefer_ilm", "true") != "false"
        if policy is not None:
            out["ilm_policy"] = policy
        out["next_generation_managed_by"] = _managed_by(policy, prefer, ds.lifecycle)
        out["prefer_ilm"] = prefer
        out.update({"hidden": ds.hidden, "system": False, "allow_custom_routing": ds.allow_custom_routing,
                    "replicated": False})
        return out

    def delete(self, names: str) -> dict[str, Any]:
        doomed: list[str] = []
        for pattern in names.split(","):
            if is_wildcard(pattern):
                doomed += [n for n in self.cluster.data_streams if simple_match(pattern, n)]
            elif pattern in self.cluster.data_streams:
                doomed.append(pattern)
            else:
                raise index_not_found(pattern)
        for name in dict.fromkeys(doomed):
            for index_name in self.cluster.data_streams.pop(name).indices:
                self.cluster.indices.pop(index_name, None)
        return {"acknowledged": True}


def _uuid() -> str:
    """ES index UUIDs are url-safe base64 of 16 random bytes (22 characters)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
