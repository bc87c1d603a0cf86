"""ILM policies: `PUT/GET/DELETE _ilm/policy/<name>` (reference-objects-es.md 7.1).

Parsing mirrors the 8.x parsers: request `put_lifecycle_request` {policy}, `LifecyclePolicy` parser
`lifecycle_policy` {phases, _meta}, `Phase` parser `phase` {min_age, actions}; actions are named objects
(`NamedObjectNotFoundException` for unknown names). Validation order: `LifecyclePolicy.validate()` →
`TimeseriesLifecycleType.validate` (raw IllegalArgumentException), then phase timing
(`validateMonotonicallyIncreasingPhaseTimings`, an ActionRequestValidationException), then the prerequisites
checked against the cluster (snapshot repository, licence, SLM policy) in TransportPutLifecycleAction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import Cause, bad_request, error, java_list, not_found, validation_failed
from .state import Cluster, Policy, is_wildcard, simple_match
from .units import UnitError, human_time, parse_size, parse_time
from .xjson import ObjectParsing, Path, Spans

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
HOT_ACTIONS_THAT_REQUIRE_ROLLOVER = {"readonly", "shrink", "forcemerge", "downsample", "searchable_snapshot"}
ACTIONS_CANNOT_FOLLOW_SEARCHABLE_SNAPSHOT = ["forcemerge", "freeze", "shrink", "downsample"]

# Field kinds per action, in each action's toXContent order.
ACTION_FIELDS: dict[str, dict[str, str]] = {
    "rollover": {"max_size": "size", "max_primary_shard_size": "size", "max_age": "time", "max_docs": "long",
                 "max_primary_shard_docs": "long", "min_size": "size", "min_primary_shard_size": "size",
                 "min_age": "time", "min_docs": "long", "min_primary_shard_docs": "long"},
    "delete": {"delete_searchable_snapshot": "bool"},
    "set_priority": {"priority": "int_or_null"},
    "forcemerge": {"max_num_segments": "int", "index_codec": "string"},
    "shrink": {"number_of_shards": "int", "max_primary_shard_size": "size"},
    "searchable_snapshot": {"snapshot_repository": "string", "force_merge_index": "bool",
                            "total_shards_per_node": "int"},
    "allocate": {"number_of_replicas": "int", "total_shards_per_node": "int", "include": "map",
                 "exclude": "map", "require": "map"},
    "migrate": {"enabled": "bool"},
    "wait_for_snapshot": {"policy": "string"},
    "downsample": {"fixed_interval": "string", "wait_timeout": "time"},
    "readonly": {}, "freeze": {}, "unfollow": {},
}

Frames = list[tuple[str, str]]


class PolicyParser:
    def __init__(self, spans: Spans) -> None:
        self.p = ObjectParsing(spans)
        self.spans = spans

    def expect_object(self, frames: Frames, parser: str, path: Path, value: Any) -> None:
        self.p.expect_object(frames, parser, path, value)

    def request(self, body: Any) -> dict[str, Any]:
        self.expect_object([], "put_lifecycle_request", (), body)
        for key in body:
            if key != "policy":
                raise self.p.unknown_field([], "put_lifecycle_request", (key,), ["policy"])
        if "policy" not in body:
            raise bad_request("Required [policy]")
        frames: Frames = [("put_lifecycle_request", "policy")]
        policy = body["policy"]
        if not isinstance(policy, dict):
            raise self.p.bad_type([], "put_lifecycle_request", ("policy",), policy)
        for key in policy:
            if key not in ("phases", "_meta"):
                raise self.p.unknown_field(frames, "lifecycle_policy", ("policy", key), ["phases", "_meta"])
        if "phases" not in policy:
            raise self.p.build_error(frames, ("policy",), "Required [phases]")
        phases_path = ("policy", "phases")
        if not isinstance(policy["phases"], dict):
            raise self.p.bad_type(frames, "lifecycle_policy", phases_path, policy["phases"])
        if "_meta" in policy and not isinstance(policy["_meta"], dict):
            raise self.p.bad_type(frames, "lifecycle_policy", ("policy", "_meta"), policy["_meta"])
        phases = {name: self.phase(name, spec, (*phases_path, name),
                                   [*frames, ("lifecycle_policy", "phases"), ("phases", name)])
                  for name, spec in policy["phases"].items()}
        out: dict[str, Any] = {"phases": phases}
        if "_meta" in policy:
            out["_meta"] = policy["_meta"]
        return out

    def phase(self, name: str, spec: Any, path: Path, frames: Frames) -> dict[str, Any]:
        self.expect_object(frames, "phase", path, spec)
        for key in spec:
            if key not in ("min_age", "actions"):
                raise self.p.unknown_field(frames, "phase", (*path, key), ["min_age", "actions"])
        min_age = (0, "0ms")
        if "min_age" in spec:
            raw = spec["min_age"]
            if isinstance(raw, dict | list):
                raise self.p.bad_type(frames, "phase", (*path, "min_age"), raw)
            text = str(raw)
            if text.startswith("-"):  # Phase.PARSER treats a negative min_age as 0 (7.x leftovers)
                min_age = (0, "0ms")
            else:
                try:
                    min_age = parse_time(text, "min_age")
                except UnitError as err:
                    raise self.p.value_error([*frames, ("phase", "min_age")], (*path, "min_age"),
                                             err.cause) from None
        if "actions" not in spec:
            raise self.p.build_error(frames, path, "Required [actions]")
        actions_path = (*path, "actions")
        actions = spec["actions"]
        if not isinstance(actions, dict):
            raise self.p.bad_type(frames, "phase", actions_path, actions)
        parsed = {}
        for action, body in actions.items():
            action_frames = [*frames, ("phase", "actions"), ("actions", action)]
            if action not in ACTION_FIELDS:
                at = self.spans.key[(*actions_path, action)]
                inner = Cause("named_object_not_found_exception",
                              f"[{at}] unable to parse LifecycleAction with name [{action}]: parser not found")
                raise self.p.wrap(action_frames, at, [inner])
            parsed[action] = self.action(action, body, (*actions_path, action), action_frames)
        return {"min_age": min_age[1], "_nanos": min_age[0], "actions": parsed}

    def action(self, name: str, body: Any, path: Path, frames: Frames) -> dict[str, Any]:
        self.expect_object(frames, name, path, body)
        fields = ACTION_FIELDS[name]
        values: dict[str, Any] = {}
        for key, value in body.items():
            if key not in fields:
                raise self.p.unknown_field(frames, name, (*path, key), list(fields))
            values[key] = self.value(fields[key], value, (*path, key), [*frames, (name, key)], frames, name)
        try:
            return BUILDERS.get(name, _echo)(values)
        except ValueError as err:
            raise self.p.build_error(frames, path, str(err)) from None

    def value(self, kind: str, value: Any, path: Path, value_frames: Frames, frames: Frames, parser: str) -> Any:
        scalar = not isinstance(value, dict | list)
        if kind == "map":
            if not isinstance(value, dict):
                raise self.p.bad_type(frames, parser, path, value)
            return {k: str(v) for k, v in value.items()}
        if kind == "int_or_null" and value is None:
            return None
        if not scalar or value is None:
            raise self.p.bad_type(frames, parser, path, value)
        try:
            if kind in ("int", "int_or_null", "long"):
                if isinstance(value, bool):
                    raise self.p.bad_type(frames, parser, path, value)
                try:
                    return int(value) if not isinstance(value, float) else int(value)
                except ValueError:
                    raise self.p.value_error(value_frames, path,
                                             Cause("number_format_exception", f'For input string: "{value}"')) from None
            if kind == "bool":
                if isinstance(value, bool):
                    return value
                if isinstance(value, str) and value in ("true", "false"):
                    return value == "true"
                if isinstance(value, str):
                    raise self.p.value_error(value_frames, path, Cause(
                        "illegal_argument_exception",
                        f"Failed to parse value [{value}] as only [true] or [false] are allowed."))
                raise self.p.bad_type(frames, parser, path, value)
            if kind == "string":
                if not isinstance(value, str):
                    raise self.p.bad_type(frames, parser, path, value)
                return value
            if kind == "time":
                return parse_time(value, path[-1])
            if kind == "size":
                return parse_size(value, path[-1])
        except UnitError as err:
            raise self.p.value_error(value_frames, path, err.cause) from None
        raise AssertionError(kind)


# --- action constructors: validation and the re-serialised (GET) form -----------------------------------------

def _echo(values: dict[str, Any]) -> dict[str, Any]:
    return {}


def _rollover(v: dict[str, Any]) -> dict[str, Any]:
    if not any(k.startswith("max_") for k in v):
        raise ValueError("At least one max_* rollover condition must be set.")
    return {k: (v[k][1] if isinstance(v[k], tuple) else v[k]) for k in ACTION_FIELDS["rollover"] if k in v}


def _delete(v: dict[str, Any]) -> dict[str, Any]:
    return {"delete_searchable_snapshot": v.get("delete_searchable_snapshot", True)}


def _set_priority(v: dict[str, Any]) -> dict[str, Any]:
    if "priority" not in v:
        raise ValueError("Required [priority]")
    if v["priority"] is not None and v["priority"] < 0:
        raise ValueError("[priority] must be 0 or greater")
    return {"priority": v["priority"]}


def _forcemerge(v: dict[str, Any]) -> dict[str, Any]:
    if "max_num_segments" not in v:
        raise ValueError("Required [max_num_segments]")
    if v["max_num_segments"] <= 0:
        raise ValueError("[max_num_segments] must be a positive integer")
    if "index_codec" in v and v["index_codec"] != "best_compression":
        raise ValueError(f"unknown index codec: [{v['index_codec']}]")
    return {k: v[k] for k in ("max_num_segments", "index_codec") if k in v}


def _shrink(v: dict[str, Any]) -> dict[str, Any]:
    if "number_of_shards" in v and "max_primary_shard_size" in v:
        raise ValueError("Cannot set both [number_of_shards] and [max_primary_shard_size]")
    if "number_of_shards" not in v and "max_primary_shard_size" not in v:
        raise ValueError("Either [number_of_shards] or [max_primary_shard_size] must be set")
    if "number_of_shards" in v:
        if v["number_of_shards"] <= 0:
            raise ValueError("[number_of_shards] must be greater than 0")
        return {"number_of_shards": v["number_of_shards"]}
    return {"max_primary_shard_size": v["max_primary_shard_size"]}


def _searchable_snapshot(v: dict[str, Any]) -> dict[str, Any]:
    if "snapshot_repository" not in v:
        raise ValueError("Required [snapshot_repository]")
    out = {"snapshot_repository": v["snapshot_repository"], "force_merge_index": v.get("force_merge_index", True)}
    if "total_shards_per_node" in v:
        if v["total_shards_per_node"] < 1:
            raise ValueError("[total_shards_per_node] must be >= 1")
        out["total_shards_per_node"] = v["total_shards_per_node"]
    return out


def _allocate(v: dict[str, Any]) -> dict[str, Any]:
    if not any(v.get(k) for k in ("include", "exclude", "require")) and v.get("number_of_replicas") is None \
            and v.get("total_shards_per_node") is None:
        raise ValueError("At least one of include, exclude, require, number_of_replicas or total_shards_per_node "
                         "must contain attributes for action allocate")
    if v.get("number_of_replicas") is not None and v["number_of_replicas"] < 0:
        raise ValueError("[number_of_replicas] must be >= 0")
    if v.get("total_shards_per_node") is not None and v["total_shards_per_node"] < -1:
        raise ValueError("[total_shards_per_node] must be >= -1")
    out: dict[str, Any] = {k: v[k] for k in ("number_of_replicas", "total_shards_per_node") if k in v}
    for key in ("include", "exclude", "require"):  # AllocateAction prints all three maps, empty or not
        out[key] = v.get(key, {})
    return out


def _migrate(v: dict[str, Any]) -> dict[str, Any]:
    return {"enabled": v.get("enabled", True)}


def _wait_for_snapshot(v: dict[str, Any]) -> dict[str, Any]:
    if "policy" not in v:
        raise ValueError("Required [policy]")
    return {"policy": v["policy"]}


def _downsample(v: dict[str, Any]) -> dict[str, Any]:
    if "fixed_interval" not in v:
        raise ValueError("Required [fixed_interval]")
    return {"fixed_interval": v["fixed_interval"], "wait_timeout": v["wait_timeout"][1] if "wait_timeout" in v
            else "1d"}


BUILDERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "rollover": _rollover, "delete": _delete, "set_priority": _set_priority, "forcemerge": _forcemerge,
    "shrink": _shrink, "searchable_snapshot": _searchable_snapshot, "allocate": _allocate, "migrate": _migrate,
    "wait_for_snapshot": _wait_for_snapshot, "downsample": _downsample,
}


# --- validation ---------------------------------------------------------------------------------------------

def validate_phases(phases: dict[str, Any]) -> None:
    """TimeseriesLifecycleType.validate (thrown raw → 400 illegal_argument_exception, reference 7.1)."""
    for name, phase in phases.items():
        if name not in ALLOWED_ACTIONS:
            raise bad_request(f"Timeseries lifecycle does not support phase [{name}]")
        for action in phase["actions"]:
            if action not in ALLOWED_ACTIONS[name]:
                raise bad_request(f"invalid action [{action}] defined in phase [{name}]")
    hot = phases.get("hot")
    if hot and "rollover" not in hot["actions"]:
        needing = [a for a in hot["actions"] if a in HOT_ACTIONS_THAT_REQUIRE_ROLLOVER]
        if needing:
            raise bad_request(f"the [{', '.join(needing)}] action(s) may not be used in the [hot] phase without an "
                              "accompanying [rollover] action")
    conflicting = [n for n in _ordered(phases) if phases[n]["actions"].get("migrate", {}).get("enabled")
                   and any(phases[n]["actions"].get("allocate", {}).get(k) for k in ("include", "exclude", "require"))]
    if conflicting:
        raise bad_request(f"phases [{','.join(conflicting)}] specify an enabled migrate action and an allocate "
                          "action with allocation rules. specify only a single data migration in each phase")
    following: list[str] = []
    if "searchable_snapshot" in (hot or {}).get("actions", {}):
        following = [n for n in _ordered(phases) if n != "hot"]
    elif "searchable_snapshot" in phases.get("cold", {}).get("actions", {}) and "frozen" in phases:
        following = ["frozen"]
    illegal = [n for n in following if set(ACTIONS_CANNOT_FOLLOW_SEARCHABLE_SNAPSHOT) & set(phases[n]["actions"])]
    if illegal:
        raise bad_request(f"phases [{','.join(illegal)}] define one or more of "
                          f"{java_list(ACTIONS_CANNOT_FOLLOW_SEARCHABLE_SNAPSHOT)} actions which are not allowed "
                          "after a managed index is mounted as a searchable snapshot")
    repos = sorted({p["actions"]["searchable_snapshot"]["snapshot_repository"] for p in phases.values()
                    if "searchable_snapshot" in p["actions"]})
    if len(repos) > 1:
        raise bad_request(f"policy specifies [searchable_snapshot] action multiple times with differing repositories "
                          f"{java_list(repos)}, the same repository must be used for all searchable snapshot actions")
    if "frozen" in phases and "searchable_snapshot" not in phases["frozen"]["actions"]:
        raise bad_request("policy specifies the [frozen] phase without a corresponding [searchable_snapshot] action, "
                          "but a searchable snapshot action is required in the frozen phase")


def phase_timing_error(phases: dict[str, Any]) -> str:
    """validateMonotonicallyIncreasingPhaseTimings (min_age 0 means 'not configured' and is skipped)."""
    errors, invalid = [], set()
    for i, name in enumerate(PHASES):
        phase = phases.get(name)
        if not phase or phase["_nanos"] == 0 or name in invalid:
            continue
        bad = [n for n in PHASES[i + 1:] if n in phases and phases[n]["_nanos"] != 0
               and phases[n]["_nanos"] < phase["_nanos"]]
        if bad:
            invalid.update(bad)
            cited = [f"{n} phase (min_age: {human_time(phases[n]['_nanos'])})" for n in bad]
            text = "the " + ", the ".join(cited)
            if len(cited) > 1:
                head, _, tail = text.rpartition(",")
                text = f"{head} and{tail}"
            errors.append(f"Your policy is configured to run {text} before the {name} phase (min_age: "
                          f"{human_time(phase['_nanos'])}). You should change the phase timing so that the phases "
                          "will execute in the order of hot, warm, then cold.")
    return ",".join(errors)


def validate_policy_name(name: str) -> None:
    """LifecyclePolicy.validatePolicyName (reference 7.6, inferred)."""
    if "," in name:
        raise bad_request(f"invalid policy name [{name}]: must not contain ','")
    if " " in name:
        raise bad_request(f"invalid policy name [{name}]: must not contain spaces")
    if name.startswith("_"):
        raise bad_request(f"invalid policy name [{name}]: must not start with '_'")
    size = len(name.encode())
    if size > 255:
        raise bad_request(f"invalid policy name [{name}]: name is too long, ({size} > 255)")


def _ordered(phases: dict[str, Any]) -> list[str]:
    return [p for p in PHASES if p in phases]


def stored_form(parsed: dict[str, Any]) -> dict[str, Any]:
    """Phases in execution order, actions sorted (the TreeMap a policy gets after any transport hop,
    `Phase(StreamInput)`); min_age always present."""
    phases = {name: {"min_age": parsed["phases"][name]["min_age"],
                     "actions": dict(sorted(parsed["phases"][name]["actions"].items()))}
              for name in _ordered(parsed["phases"])}
    out: dict[str, Any] = {"phases": phases}
    if "_meta" in parsed:
        out["_meta"] = parsed["_meta"]
    return out


# --- the API ------------------------------------------------------------------------------------------------

class IlmApi:
    def __init__(self, cluster: Cluster, config: Any, now: Callable[[], str]) -> None:
        self.cluster = cluster
        self.config = config
        self.now = now

    def put(self, name: str, body: Any, spans: Spans, principal: str) -> dict[str, Any]:
        parsed = PolicyParser(spans).request(body)
        validate_phases(parsed["phases"])
        timing = phase_timing_error(parsed["phases"])
        if timing:
            raise error(400, "action_request_validation_exception", validation_failed([timing]))
        validate_policy_name(name)
        self._prerequisites(name, parsed["phases"])
        policy = stored_form(parsed)
        existing = self.cluster.policies.get(name)
        if existing and existing.policy == policy and existing.headers == principal:
            return {"acknowledged": True}  # isNoopUpdate: same policy and same security headers
        self.cluster.policies[name] = Policy(name, policy, existing.version + 1 if existing else 1, self.now(),
                                             principal)
        return {"acknowledged": True}

    def _prerequisites(self, name: str, phases: dict[str, Any]) -> None:
        for phase in _ordered(phases):
            action = phases[phase]["actions"].get("searchable_snapshot")
            if action and action["snapshot_repository"] not in self.config.snapshot_repositories:
                raise bad_request(f"no such repository [{action['snapshot_repository']}], the snapshot repository "
                                  f"referenced by the [searchable_snapshot] action in the [{phase}] phase must exist "
                                  "before it can be referenced by an ILM policy")
        if any("searchable_snapshot" in p["actions"] for p in phases.values()) and \
                self.config.license not in ("enterprise", "trial"):
            raise bad_request(f"policy [{name}] defines the [searchable_snapshot] action but the current license is "
                              "non-compliant for [searchable-snapshots]")
        for phase in _ordered(phases):
            wait = phases[phase]["actions"].get("wait_for_snapshot")
            if wait and wait["policy"] not in self.config.slm_policies:
                raise bad_request(f"no such snapshot lifecycle policy [{wait['policy']}], the snapshot lifecycle "
                                  f"policy referenced by the [wait_for_snapshot] action in the [{phase}] phase must "
                                  "exist before it can be referenced by an ILM policy")

    def get(self, names: str | None) -> dict[str, Any]:
        """TransportGetLifecycleAction: no name or `*` → all (sorted, TreeMap); a missing exact name → 404;
        a wildcard may only come alone."""
        requested = names.split(",") if names else []
        if not self.cluster.policies and not self.config.ilm_metadata_exists and requested:
            raise not_found(f"Lifecycle policy not found: {java_list(requested)}")
        if len(requested) > 1 and any(is_wildcard(n) for n in requested):
            raise bad_request("wildcard only supports a single value, please use comma-separated values or a single "
                              "wildcard value")
        out: dict[str, Any] = {}
        for pattern in requested or ["*"]:
            if is_wildcard(pattern):
                for pname in sorted(self.cluster.policies):
                    if simple_match(pattern, pname):
                        out[pname] = self._item(pname)
            elif pattern in self.cluster.policies:
                out[pattern] = self._item(pattern)
            else:
                raise not_found(f"Lifecycle policy not found: {pattern}")
        return out

    def _item(self, name: str) -> dict[str, Any]:
        p = self.cluster.policies[name]
        return {"version": p.version, "modified_date": p.modified_date, "policy": p.policy,
                "in_use_by": self.cluster.policy_usage(name)}

    def delete(self, name: str) -> dict[str, Any]:
        """TransportDeleteLifecycleAction: indices using the policy block the delete (templates do not)."""
        users = self.cluster.policy_usage(name)["indices"]
        if users:
            raise bad_request(f"Cannot delete policy [{name}]. It is in use by one or more indices: {java_list(users)}")
        if name not in self.cluster.policies:
            raise not_found(f"Lifecycle policy not found: {name}")
        del self.cluster.policies[name]
        return {"acknowledged": True}

