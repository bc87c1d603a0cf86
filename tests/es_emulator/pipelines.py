"""Ingest pipelines: `PUT/GET/DELETE _ingest/pipeline/<id>` (reference-objects-es.md 7.4).

Sources: `Pipeline.create` (field order description, version, _meta, processors, on_failure; leftovers and an
empty on_failure rejected), `ConfigurationUtils.readProcessor` (common tag/description/if/ignore_failure/
on_failure, unknown type, leftover options, `newConfigurationException` metadata `processor_type`,
`processor_tag`, `property_name`), `IngestService.innerPut` (`if_version`), `GetPipelineResponse` (404 `{}`),
`IngestService.innerDelete` / the in-use check of reference 7.4, and each processor's `Factory.create`.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import Cause, EsError, bad_request, error, not_found
from .state import Cluster, is_wildcard, simple_match

# Processor types of the 8.11 default distribution (ingest-common, ingest-geoip, ingest-user-agent, x-pack).
PROCESSOR_TYPES = frozenset({
    "append", "attachment", "bytes", "circle", "community_id", "convert", "csv", "date", "date_index_name",
    "dissect", "dot_expander", "drop", "enrich", "fail", "fingerprint", "foreach", "geo_grid", "geoip", "grok",
    "gsub", "html_strip", "inference", "join", "json", "kv", "lowercase", "network_direction", "pipeline", "redact",
    "registered_domain", "remove", "rename", "reroute", "script", "set", "set_security_user", "sort", "split",
    "trim", "uppercase", "uri_parts", "urldecode", "user_agent",
})
_COMMON = {"tag", "description", "if", "ignore_failure", "on_failure"}
CONVERT_TYPES = ("integer", "long", "float", "double", "string", "boolean", "ip", "auto")


class ConfigError(Exception):
    """ElasticsearchParseException from a factory, before readProcessor adds type/tag metadata."""

    def __init__(self, reason: str, property_name: str | None = None, type_: str = "parse_exception") -> None:
        super().__init__(reason)
        self.reason = reason
        self.property_name = property_name
        self.type = type_


def _java_type(value: Any) -> str:
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer" if -2**31 <= value < 2**31 else "java.lang.Long"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, list):
        return "java.util.ArrayList"
    if isinstance(value, dict):
        return "java.util.HashMap"
    return "java.lang.String"


def _required(config: dict[str, Any], key: str) -> Any:
    if key not in config or config[key] is None:
        raise ConfigError(f"[{key}] required property is missing", key)
    return config.pop(key)


def _string(config: dict[str, Any], key: str, required: bool = True) -> str | None:
    if not required and config.get(key) is None:
        config.pop(key, None)
        return None
    value = _required(config, key)
    if not isinstance(value, str):
        raise ConfigError(f"[{key}] property isn't a string, but of type [{_java_type(value)}]", key)
    return value


def _list(config: dict[str, Any], key: str) -> list[Any]:
    value = _required(config, key)
    if not isinstance(value, list):
        raise ConfigError(f"[{key}] property isn't a list, but of type [{_java_type(value)}]", key)
    return value


def _pop(config: dict[str, Any], *keys: str) -> None:
    for key in keys:
        config.pop(key, None)


# Factory.create of the processors kibana-sync pipelines commonly use: required options first, as the factories
# read them; then their optional options are consumed so readProcessor can report leftovers.
def _set(c: dict[str, Any]) -> None:
    _string(c, "field")
    if c.get("copy_from") is not None:
        if "value" in c:
            raise ConfigError("[copy_from] cannot set both `copy_from` and `value` in the same processor", "copy_from")
        c.pop("copy_from")
    else:
        c.pop("copy_from", None)
        _required(c, "value")
    _pop(c, "override", "ignore_empty_value", "media_type")


def _rename(c: dict[str, Any]) -> None:
    _string(c, "field")
    _string(c, "target_field")
    _pop(c, "ignore_missing", "override")


def _remove(c: dict[str, Any]) -> None:
    if "field" not in c and "keep" not in c:
        raise ConfigError("[keep] or [field] must be specified", "keep")
    if "field" in c and "keep" in c:
        raise ConfigError("[keep] and [field] cannot be used in the same processor", "keep")
    _pop(c, "field", "keep", "ignore_missing")


def _date(c: dict[str, Any]) -> None:
    _string(c, "field")
    _pop(c, "target_field", "timezone", "locale")
    _list(c, "formats")
    _pop(c, "output_format")


def _grok(c: dict[str, Any]) -> None:
    _string(c, "field")
    patterns = _list(c, "patterns")
    if not patterns:
        raise ConfigError("[patterns] List of patterns must not be empty", "patterns")
    _pop(c, "pattern_definitions", "trace_match", "ignore_missing", "ecs_compatibility")


def _json(c: dict[str, Any]) -> None:
    _string(c, "field")
    _pop(c, "target_field", "add_to_root", "add_to_root_conflict_strategy", "allow_duplicate_keys",
         "strict_json_parsing")


def _convert(c: dict[str, Any]) -> None:
    _string(c, "field")
    kind = _string(c, "type")
    if kind not in CONVERT_TYPES:
        raise ConfigError(f"[type] type [{kind}] not supported, cannot convert field.", "type")
    _pop(c, "target_field", "ignore_missing")


def _script(c: dict[str, Any]) -> None:
    if c.get("source") is None and c.get("id") is None:
        # Script.Builder.build's IllegalArgumentException (uncertain how readProcessor wraps it: see README).
        raise ConfigError("must specify either [source] for an inline script or [id] for a stored script",
                          type_="illegal_argument_exception")
    _pop(c, "source", "id", "lang", "params", "options")


FACTORIES = {"set": _set, "rename": _rename, "remove": _remove, "date": _date, "grok": _grok, "json": _json,
             "convert": _convert, "script": _script}


class PipelinesApi:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def put(self, pid: str, body: Any, if_version: str | None) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise error(400, "parse_exception", "request body or source parameter is required")
        config = copy.deepcopy(body)
        if if_version is not None:
            self._check_version(pid, int(if_version), config)
        self._validate(pid, copy.deepcopy(config))
        self.cluster.pipelines[pid] = config
        return {"acknowledged": True}

    def _check_version(self, pid: str, required: int, config: dict[str, Any]) -> None:
        current = self.cluster.pipelines.get(pid)
        if current is None:
            raise bad_request(f"version conflict, required version [{required}] for pipeline [{pid}] but no pipeline "
                              "was found")
        if current.get("version") != required:
            raise bad_request(f"version conflict, required version [{required}] for pipeline [{pid}] but current "
                              f"version is [{current.get('version')}]")
        if "version" in config and config["version"] == current.get("version"):
            raise bad_request(f"cannot update pipeline [{pid}] with the same version [{required}]")
        if config.get("version") is None:
            config["version"] = required + 1  # innerPut injects if_version + 1 when the body has none

    def _validate(self, pid: str, config: dict[str, Any]) -> None:
        """Pipeline.create on a copy (IngestService.validatePipeline)."""
        description = config.pop("description", None)
        if description is not None and not isinstance(description, str):
            raise error(400, "parse_exception", f"[description] property isn't a string, but of type "
                                                f"[{_java_type(description)}]", property_name="description")
        version = config.pop("version", None)
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise error(400, "parse_exception", f"[version] property isn't an integer, but of type "
                                                f"[{_java_type(version)}]", property_name="version")
        meta = config.pop("_meta", None)
        if meta is not None and not isinstance(meta, dict):
            raise error(400, "parse_exception", f"[_meta] property isn't a map, but of type [{_java_type(meta)}]",
                        property_name="_meta")
        if "processors" not in config or config["processors"] is None:
            raise error(400, "parse_exception", "[processors] required property is missing",
                        property_name="processors")
        processors = config.pop("processors")
        if not isinstance(processors, list):
            raise error(400, "parse_exception", f"[processors] property isn't a list, but of type "
                                                f"[{_java_type(processors)}]", property_name="processors")
        self._processors(processors)
        on_failure = config.pop("on_failure", None)
        if on_failure is not None:
            if not isinstance(on_failure, list):
                raise error(400, "parse_exception", f"[on_failure] property isn't a list, but of type "
                                                    f"[{_java_type(on_failure)}]", property_name="on_failure")
            self._processors(on_failure)
        if config:
            raise error(400, "parse_exception", f"pipeline [{pid}] doesn't support one or more provided configuration "
                                                f"parameters [{', '.join(config)}]")
        if on_failure is not None and not on_failure:
            raise error(400, "parse_exception", f"pipeline [{pid}] cannot have an empty on_failure option defined")

    def _processors(self, processors: list[Any]) -> None:
        for entry in processors:
            if not isinstance(entry, dict):
                raise error(400, "parse_exception", f"property isn't a map, but of type [{_java_type(entry)}]")
            for ptype, config in entry.items():
                self._processor(ptype, config)

    def _processor(self, ptype: str, config: Any) -> None:
        if isinstance(config, str) and ptype == "script":
            config = {"source": config}
        if not isinstance(config, dict):
            raise error(400, "parse_exception", f"property isn't a map, but of type [{_java_type(config)}]",
                        processor_type=ptype)
        config = dict(config)
        tag = config.get("tag")
        meta: dict[str, Any] = {"processor_type": ptype}
        if tag is not None:
            meta["processor_tag"] = str(tag)
        if ptype not in PROCESSOR_TYPES:
            raise error(400, "parse_exception", f"No processor type exists with name [{ptype}]", **meta)
        on_failure = config.get("on_failure")
        if on_failure is not None:
            if not isinstance(on_failure, list):
                raise error(400, "parse_exception", f"[on_failure] property isn't a list, but of type "
                                                    f"[{_java_type(on_failure)}]", property_name="on_failure")
            self._processors(on_failure)
            if not on_failure:
                raise error(400, "parse_exception", "[on_failure] processors list cannot be empty",
                            **meta, property_name="on_failure")
        _pop(config, *_COMMON)
        factory = FACTORIES.get(ptype)
        if factory is None:
            return  # other processors: options are not checked (README)
        try:
            factory(config)
        except ConfigError as err:
            extra = {"property_name": err.property_name} if err.property_name else {}
            if err.type == "illegal_argument_exception":
                # ExceptionsHelper.convertToElastic wraps a non-ES exception (uncertain, see README)
                raise EsError(500, [Cause("exception", f"java.lang.IllegalArgumentException: {err.reason}", meta),
                                    Cause("illegal_argument_exception", err.reason)]) from None
            raise error(400, err.type, err.reason, **meta, **extra) from None
        if config:
            raise error(400, "parse_exception", f"processor [{ptype}] doesn't support one or more provided "
                                                f"configuration parameters [{', '.join(config)}]", **meta)

    def get(self, ids: str | None) -> tuple[int, dict[str, Any]]:
        """GetPipelineResponse: `{id: stored body}`; nothing found for a named request → 404 `{}`."""
        pipelines = self.cluster.pipelines
        if ids is None:
            return 200, copy.deepcopy(pipelines)
        out: dict[str, Any] = {}
        for pid in ids.split(","):
            for name in (sorted(pipelines) if is_wildcard(pid) else [pid]):
                if name in pipelines and simple_match(pid, name):
                    out[name] = copy.deepcopy(pipelines[name])
        return (200 if out else 404), out

    def delete(self, pid: str) -> dict[str, Any]:
        matched = [p for p in self.cluster.pipelines if simple_match(pid, p)] if is_wildcard(pid) else \
            ([pid] if pid in self.cluster.pipelines else [])
        if not matched:
            raise not_found(f"pipeline [{pid}] is missing")
        for name in matched:
            for role in ("default", "final"):
                users = sorted(i.name for i in self.cluster.indices.values()
                               if i.settings.get(f"index.{role}_pipeline") == name)
                if users:
                    raise bad_request(f"pipeline [{name}] cannot be deleted because it is the {role} pipeline for "
                                      f"{len(users)} index(es) including [{', '.join(users[:3])}]")
        for name in matched:
            del self.cluster.pipelines[name]
        return {"acknowledged": True}
