"""ILM policies (``objects/ilm_policies/``): ``PUT _ilm/policy/<name>`` (reference-objects-es.md 7.1).

The YAML is the policy itself, phases as YAML::

    name: genesis-logs            # optional: the file name otherwise
    phases:
      hot:
        actions:
          rollover: {max_age: 7d, max_primary_shard_size: 50gb}
      delete:
        min_age: 90d
        actions: {delete: {}}

Checked as Elasticsearch 8.11 checks it (TimeseriesLifecycleType, the action parsers): phases and the actions
each allows, each action's fields, rollover without a ``max_*`` condition, hot-phase actions that need a
rollover, ``searchable_snapshot`` without a repository, a frozen phase without a searchable snapshot, phases
whose ``min_age`` runs backwards. Whether the repository exists is the cluster's to say, at push.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field

from kibana_sync.kinds.base import Entry, Project
from kibana_sync.kinds.es_objects import EsKind, EsModel, meta_field
from kibana_sync.source.diagnostics import Diagnostic
from kibana_sync.source.model import Model

PHASES = ["hot", "warm", "cold", "frozen", "delete"]  # TimeseriesLifecycleType.ORDERED_VALID_PHASES
ALLOWED_ACTIONS = {
    "hot": ["set_priority", "unfollow", "rollover", "readonly", "downsample", "shrink", "forcemerge",
            "searchable_snapshot"],
    "warm": ["set_priority", "unfollow", "readonly", "downsample", "allocate", "migrate", "shrink", "forcemerge"],
    "cold": ["set_priority", "unfollow", "readonly", "downsample", "searchable_snapshot", "allocate", "migrate",
             "freeze"],
    "frozen": ["unfollow", "searchable_snapshot"],
    "delete": ["wait_for_snapshot", "delete"],
}
HOT_ACTIONS_THAT_REQUIRE_ROLLOVER = ("readonly", "shrink", "forcemerge", "downsample", "searchable_snapshot")
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "rollover": ("max_size", "max_primary_shard_size", "max_age", "max_docs", "max_primary_shard_docs",
                 "min_size", "min_primary_shard_size", "min_age", "min_docs", "min_primary_shard_docs"),
    "delete": ("delete_searchable_snapshot",),
    "set_priority": ("priority",),
    "forcemerge": ("max_num_segments", "index_codec"),
    "shrink": ("number_of_shards", "max_primary_shard_size"),
    "searchable_snapshot": ("snapshot_repository", "force_merge_index", "total_shards_per_node"),
    "allocate": ("number_of_replicas", "total_shards_per_node", "include", "exclude", "require"),
    "migrate": ("enabled",),
    "wait_for_snapshot": ("policy",),
    "downsample": ("fixed_interval", "wait_timeout"),
    "readonly": (), "freeze": (), "unfollow": (),
}
# What Elasticsearch fills in when the field is left out (the GET form shows them): left out of the comparable
# form, so a policy that omits them is in sync.
ACTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "delete": {"delete_searchable_snapshot": True},
    "searchable_snapshot": {"force_merge_index": True},
    "migrate": {"enabled": True},
    "allocate": {"include": {}, "exclude": {}, "require": {}},
    "downsample": {"wait_timeout": "1d"},
}
_TIME = re.compile(r"^(-?\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)$")
_TIME_FIELDS = ("max_age", "min_age")
_SIZE_FIELDS = ("max_size", "max_primary_shard_size", "min_size", "min_primary_shard_size")
_BYTE_SIZE = re.compile(r"^\d+(\.\d+)?\s*(b|kb?|mb?|gb?|tb?|pb?)$", re.IGNORECASE)
_TIME_UNITS = {"nanos": 1, "micros": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9,
               "d": 86400 * 10**9}


class Phase(Model):
    min_age: str | int | None = Field(None, description="Time since rollover (or creation) before this phase "
                                                        "starts, e.g. 7d; 0ms when left out.")
    actions: dict[str, dict[str, Any] | None] = Field(default_factory=dict,
                                                      description="Action name -> its options ({} for none).")


class IlmPolicy(EsModel):
    """An ILM policy: phases by name, each with ``min_age`` and ``actions``."""

    phases: dict[str, Phase]
    meta: dict[str, Any] | None = meta_field()


class IlmPolicyKind(EsKind):
    name: ClassVar[str] = "ilm_policy"
    folder: ClassVar[str] = "ilm_policies"
    model: ClassVar = IlmPolicy
    api_path: ClassVar[str] = "/_ilm/policy"

    def body(self, model: IlmPolicy) -> dict[str, Any]:
        phases = {}
        for name, phase in model.phases.items():
            out: dict[str, Any] = {}
            if phase.min_age is not None:
                out["min_age"] = str(phase.min_age)
            out["actions"] = {action: options or {} for action, options in phase.actions.items()}
            phases[name] = out
        policy: dict[str, Any] = {"phases": phases}
        if model.meta is not None:
            policy["_meta"] = model.meta
        return {"policy": policy}

    def check(self, entry: Entry, project: Project) -> list[Diagnostic]:
        model: IlmPolicy = entry.model
        out = self.check_name(entry)
        starts: list[tuple[str, int]] = []
        for phase_name, phase in model.phases.items():
            here = ("phases", phase_name)
            if phase_name not in ALLOWED_ACTIONS:
                out.append(entry.diagnostic(here, f"Timeseries lifecycle does not support phase [{phase_name}]; "
                                                  f"expected one of: {', '.join(PHASES)}"))
                continue
            if phase.min_age is not None:
                nanos = time_nanos(str(phase.min_age))
                if nanos is None:
                    out.append(entry.diagnostic((*here, "min_age"), f"failed to parse setting [min_age] with value "
                                                                    f"[{phase.min_age}] as a time value: expected "
                                                                    "a number and a unit (d, h, m, s, ms)"))
                else:
                    starts.append((phase_name, nanos))
            else:
                starts.append((phase_name, 0))
            for action, options in phase.actions.items():
                out.extend(_check_action(entry, phase_name, action, options or {}, (*here, "actions", action)))
        out.extend(_check_phases(entry, model, starts))
        return out

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        policy = obj.get("policy") if isinstance(obj.get("policy"), dict) else {}
        phases = {}
        for name in sorted(policy.get("phases") or {}, key=lambda p: PHASES.index(p) if p in PHASES else 9):
            phase = policy["phases"][name] or {}
            out: dict[str, Any] = {}
            min_age = phase.get("min_age")
            if min_age is not None and time_nanos(str(min_age)) != 0:
                out["min_age"] = canonical_unit(str(min_age))
            actions = {}
            for action, options in sorted((phase.get("actions") or {}).items()):
                defaults = ACTION_DEFAULTS.get(action, {})
                actions[action] = {k: canonical_unit(v) if isinstance(v, str) else v
                                   for k, v in sorted((options or {}).items()) if defaults.get(k, ...) != v}
            out["actions"] = actions
            phases[name] = out
        normal: dict[str, Any] = {"phases": phases}
        if policy.get("_meta"):
            normal["_meta"] = policy["_meta"]
        return {"type": self.name, "id": obj.get("id"), "policy": normal}

    def yaml_form(self, normal: dict[str, Any]) -> dict[str, Any]:
        policy = normal.get("policy") or {}
        data: dict[str, Any] = {"phases": policy.get("phases", {})}
        if policy.get("_meta"):
            data["_meta"] = policy["_meta"]
        return data


def time_nanos(value: str) -> int | None:
    if value in ("0", "-1"):
        return int(value)
    match = _TIME.match(value.strip())
    if match is None:
        return None
    return int(float(match.group(1)) * _TIME_UNITS[match.group(2)])


def canonical_unit(value: Any) -> Any:
    """Elasticsearch prints byte sizes with lowercase units (``50GB`` -> ``50gb``) and ``0`` as ``0ms``."""
    if not isinstance(value, str):
        return value
    if re.fullmatch(r"\d+(\.\d+)?(b|kb|mb|gb|tb|pb)", value, re.IGNORECASE):
        return value.lower()
    return value


def _check_action(entry: Entry, phase: str, action: str, options: dict[str, Any],
                  path: tuple[str, ...]) -> list[Diagnostic]:
    if action not in ACTION_FIELDS:
        return [entry.diagnostic(path, f"unable to parse LifecycleAction with name [{action}]: parser not found "
                                       f"(known actions: {', '.join(sorted(ACTION_FIELDS))})")]
    if action not in ALLOWED_ACTIONS[phase]:
        return [entry.diagnostic(path, f"invalid action [{action}] defined in phase [{phase}]; the {phase} phase "
                                       f"allows: {', '.join(ALLOWED_ACTIONS[phase])}")]
    out = [entry.diagnostic((*path, key), f"[{action}] unknown field [{key}]; expected one of: "
                                          f"{', '.join(ACTION_FIELDS[action]) or 'none'}")
           for key in options if key not in ACTION_FIELDS[action]]
    out.extend(_check_units(entry, options, path))
    problem = ""
    if action == "rollover" and not any(k.startswith("max_") for k in options):
        problem = ("At least one max_* rollover condition must be set. (max_age, max_primary_shard_size, "
                   "max_size, max_docs or max_primary_shard_docs)")
    elif action == "searchable_snapshot" and not options.get("snapshot_repository"):
        problem = ("Required [snapshot_repository]: a searchable snapshot needs a snapshot repository registered "
                   "in the cluster (leave the action out on a cluster without one)")
    elif action == "forcemerge" and "max_num_segments" not in options:
        problem = "Required [max_num_segments]"
    elif action == "set_priority" and "priority" not in options:
        problem = "Required [priority]"
    elif action == "shrink" and ("number_of_shards" in options) == ("max_primary_shard_size" in options):
        problem = "Either [number_of_shards] or [max_primary_shard_size] must be set, not both"
    elif action == "wait_for_snapshot" and not options.get("policy"):
        problem = "Required [policy]"
    elif action == "downsample" and not options.get("fixed_interval"):
        problem = "Required [fixed_interval]"
    if problem:
        out.append(entry.diagnostic(path, problem))
    return out


def _check_units(entry: Entry, options: dict[str, Any], path: tuple[str, ...]) -> list[Diagnostic]:
    # Elasticsearch parses these when the policy is put; caught here, a typo in a unit is an error at its line
    # rather than a refused push after the other stores have been written.
    out = []
    for key, value in options.items():
        if not isinstance(value, str):
            continue
        if key in _TIME_FIELDS and time_nanos(value) is None:
            out.append(entry.diagnostic((*path, key), f"failed to parse setting [{key}] with value [{value}] as a "
                                                      "time value: expected a number and a unit (d, h, m, s, ms)"))
        elif key in _SIZE_FIELDS and value not in ("0", "-1") and not _BYTE_SIZE.match(value.strip()):
            out.append(entry.diagnostic((*path, key), f"failed to parse setting [{key}] with value [{value}] as a "
                                                      "size in bytes: expected a number and a unit (b, kb, mb, gb, "
                                                      "tb, pb)"))
    return out


def _check_phases(entry: Entry, model: IlmPolicy, starts: list[tuple[str, int]]) -> list[Diagnostic]:
    out = []
    hot = model.phases.get("hot")
    if hot is not None and "rollover" not in hot.actions:
        needing = [a for a in hot.actions if a in HOT_ACTIONS_THAT_REQUIRE_ROLLOVER]
        if needing:
            out.append(entry.diagnostic(("phases", "hot", "actions"), f"the [{', '.join(needing)}] action(s) may "
                                                                      "not be used in the [hot] phase without an "
                                                                      "accompanying [rollover] action"))
    frozen = model.phases.get("frozen")
    if frozen is not None and "searchable_snapshot" not in frozen.actions:
        out.append(entry.diagnostic(("phases", "frozen"), "policy specifies the [frozen] phase without a "
                                                          "corresponding [searchable_snapshot] action, but a "
                                                          "searchable snapshot action is required in the frozen phase"))
    repositories = {(p.actions.get("searchable_snapshot") or {}).get("snapshot_repository")
                    for p in model.phases.values() if "searchable_snapshot" in p.actions}
    if len(repositories - {None}) > 1:
        out.append(entry.diagnostic(("phases",), "policy specifies [searchable_snapshot] action multiple times with "
                                                 "differing repositories"))
    ordered = sorted((PHASES.index(p), p, n) for p, n in starts if p in PHASES)
    for (_, earlier, a), (_, later, b) in zip(ordered, ordered[1:], strict=False):
        if b < a and b != 0:
            out.append(entry.diagnostic(("phases", later, "min_age"), f"Your policy is configured to run the "
                                                                      f"{later} phase before the {earlier} phase: "
                                                                      "min_age must not decrease from one phase "
                                                                      "to the next"))
    return out
