"""``validate`` for rules: what Kibana's rules API would reject (reference.md 5.1, 5.5), said at the YAML line,
plus warnings for fields the data view does not declare."""

from __future__ import annotations

from typing import Any

from kibana_sync.kinds import checks
from kibana_sync.kinds.base import Entry
from kibana_sync.kinds.connector.kind import ConnectorModel
from kibana_sync.kinds.connector.types import CONNECTOR_TYPES
from kibana_sync.kinds.data_view.kind import DataViewModel
from kibana_sync.kinds.rule import es_query, es_query_check
from kibana_sync.kinds.rule.es_query import duration_seconds
from kibana_sync.kinds.rule.model import (
    ACTION_GROUPS,
    DEFAULT_ACTION_GROUPS,
    Frequency,
    RuleAction,
    RuleModel,
)
from kibana_sync.source.diagnostics import Diagnostic, Severity
from kibana_sync.source.model import External


def check_rule(entry: Entry, project: Any) -> list[Diagnostic]:
    m: RuleModel = entry.model
    shape = _shape_problems(entry)
    if shape:
        return shape
    out = _params_problems(entry, project)
    out += _frequency_problems(entry)
    for i, action in enumerate(m.actions):
        out += _action_problems(entry, project, i, action)
    if m.params is None and isinstance(m.query, es_query.SearchSourceQuery):
        out += _query_problems(entry)
    if m.params is None:
        out += _field_problems(entry, project)
    return out


def _shape_problems(entry: Entry) -> list[Diagnostic]:
    """Raw ``params`` and the compact .es-query fields are two ways to say one thing: exactly one is needed."""
    m: RuleModel = entry.model
    if m.params is not None:
        written = [f for f in es_query.COMPACT_FIELDS if f in m.model_fields_set]
        return [entry.diagnostic((f,), "write either raw params or the compact .es-query fields, not both")
                for f in written]
    if m.rule_type != es_query.RULE_TYPE:
        return [entry.diagnostic(("rule_type",), f"a {m.rule_type} rule needs its Kibana params under params "
                                                 f"(only {es_query.RULE_TYPE} has the compact form)")]
    missing = [f for f in ("query", "window") if getattr(m, f) is None]
    return [entry.diagnostic((f,), f"required for an {es_query.RULE_TYPE} rule ({_EXAMPLES[f]})") for f in missing]


_EXAMPLES = {"query": "{kql: ..., data_view: ...} or {dsl: ..., index: [...], time_field: ...}",
             "window": "how far back each run looks, e.g. 5m"}


def _params_problems(entry: Entry, project: Any) -> list[Diagnostic]:
    m: RuleModel = entry.model
    if m.rule_type != es_query.RULE_TYPE:
        return []
    if m.params is not None:
        return [entry.diagnostic(("params", key), message) for key, message in es_query_check.problems(m.params)]
    params = es_query.compile_params(m, project.resolve)
    return [entry.diagnostic(("raw_params", key) if key in m.raw_params else es_query.PARAM_PATHS.get(key, (key,)),
                             message) for key, message in es_query_check.problems(params)]


def _frequency_problems(entry: Entry) -> list[Diagnostic]:
    m: RuleModel = entry.model
    out = []
    if m.throttle is not None and m.notify_when is None:
        out.append(entry.diagnostic(("throttle",), "a rule-level throttle needs a rule-level notify_when (Kibana "
                                                   "wants both or neither); prefer per-action frequency"))
    for i, action in enumerate(m.actions):
        if m.notify_when is not None and action.frequency is not None:
            out.append(entry.diagnostic(("actions", i, "frequency"), "Kibana rejects per-action frequency when the "
                                        "rule sets notify_when; remove one of them"))
        frequency = action.frequency or Frequency()
        out += _throttle_problems(entry, ("actions", i, "frequency"), frequency.notify_when, frequency.throttle)
    if m.notify_when is not None:
        out += _throttle_problems(entry, (), m.notify_when, m.throttle)
    return out


def _throttle_problems(entry: Entry, at: tuple[str | int, ...], notify_when: str,
                       throttle: str | None) -> list[Diagnostic]:
    m: RuleModel = entry.model
    if notify_when != "onThrottleInterval":
        if throttle is not None:
            return [entry.diagnostic((*at, "throttle"), f"ignored unless notify_when is onThrottleInterval "
                                                        f"(it is {notify_when})", Severity.WARNING)]
        return []
    if throttle is None:
        return [entry.diagnostic((*at, "notify_when"), "onThrottleInterval without a throttle notifies on every run; "
                                                       "add throttle, e.g. 10m", Severity.WARNING)]
    if duration_seconds(throttle) < duration_seconds(m.schedule):
        return [entry.diagnostic((*at, "throttle"), f"Kibana rejects a throttle ({throttle}) shorter than the "
                                                    f"schedule interval ({m.schedule})")]
    return []


def _action_problems(entry: Entry, project: Any, i: int, action: RuleAction) -> list[Diagnostic]:
    m: RuleModel = entry.model
    out = []
    groups = ACTION_GROUPS.get(m.rule_type)
    if action.group is None and m.rule_type not in DEFAULT_ACTION_GROUPS:
        out.append(entry.diagnostic(("actions", i), f"group is required for a {m.rule_type} rule"))
    elif action.group is not None and groups is not None and action.group not in groups:
        out.append(entry.diagnostic(("actions", i, "group"), f"{m.rule_type} rules have the action groups "
                                    f"{', '.join(repr(g) for g in groups)}, not {action.group!r}"))
    connector = None if isinstance(action.connector, External) else project.get(action.connector, "connector")
    if connector is not None and isinstance(connector.model, ConnectorModel):
        spec = CONNECTOR_TYPES.get(connector.model.type)
        allowed = spec.action_params if spec else None
        for key in action.params:
            if allowed is not None and key not in allowed:
                out.append(entry.diagnostic(("actions", i, "params", key), f"a {connector.model.type} connector "
                                            f"takes {', '.join(sorted(allowed))}, not {key!r}"))
            elif key in ("body", "message") and not isinstance(action.params[key], str):
                out.append(entry.diagnostic(("actions", i, "params", key), "expected a text template (write a "
                                            "YAML literal block with |)"))
    return out


def _query_problems(entry: Entry) -> list[Diagnostic]:
    query = entry.model.query
    if query.kql is None:
        return []
    return checks.kql_problems(entry, ("query", "kql"), query.kql,
                               lucene_switch="write `lucene:` instead of `kql:`")


def _field_problems(entry: Entry, project: Any) -> list[Diagnostic]:
    """The fields the rule names should be declared by its data view (a DSL rule's: the repo data view with the
    same index pattern, if any); a KQL rule's data view needs a time field, which its window applies to."""
    m: RuleModel = entry.model
    found = _data_view_of(m, project)
    if found is None:
        return []
    data_view_id, data_view = found
    out = []
    named: list[tuple[checks.Path, str]] = []
    if isinstance(m.query, es_query.SearchSourceQuery):
        if not data_view.time_field:
            out.append(entry.diagnostic(("query", "data_view"), "the rule's window applies to the data view's "
                                        "time field, but this data view has none (set its time_field)"))
        named += [(("query", "kql"), f) for f in checks.kql_fields(m.query.kql)]
    elif isinstance(m.query, es_query.DslQuery):
        named.append((("query", "time_field"), m.query.time_field))
    if m.aggregation.field:
        named.append((("aggregation", "field"), m.aggregation.field))
    if m.group_by is not None:
        named.append((("group_by", "field"), m.group_by.field))
    known = checks.declared_fields(project, data_view_id)
    return out + checks.field_warnings(entry, named, known, checks.data_view_label(data_view_id))


def _data_view_of(m: RuleModel, project: Any) -> tuple[str, DataViewModel] | None:
    if isinstance(m.query, es_query.SearchSourceQuery):
        entry = None if isinstance(m.query.data_view, External) else project.get(m.query.data_view, "data_view")
        return (entry.id, entry.model) if entry is not None and isinstance(entry.model, DataViewModel) else None
    if isinstance(m.query, es_query.DslQuery):
        pattern = ",".join(m.query.index)
        return next(((e.id, e.model) for e in project.of_kind("data_view") if e.model.index_pattern == pattern),
                    None)
    return None
