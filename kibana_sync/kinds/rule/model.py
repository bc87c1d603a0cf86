"""The YAML form of an alerting rule: the rule itself, its actions and their frequency.

The ``.es-query`` compact fields come from ``_es_query.EsQueryFields``; ``params`` is the verbatim alternative.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from kibana_sync.kinds.rule import es_query
from kibana_sync.kinds.rule.es_query import Duration, EsQueryFields
from kibana_sync.source.model import Model, Ref

NotifyWhen = Literal["onActionGroupChange", "onActiveAlert", "onThrottleInterval"]
DEFAULT_CONSUMER = "alerts"
DEFAULT_NOTIFY_WHEN: NotifyWhen = "onActionGroupChange"  # once per activation, not on every run
DEFAULT_ACTION_GROUPS = {es_query.RULE_TYPE: "query matched"}
ACTION_GROUPS = {es_query.RULE_TYPE: es_query.ACTION_GROUPS}


class Frequency(Model):
    notify_when: NotifyWhen = DEFAULT_NOTIFY_WHEN
    throttle: Duration | None = Field(default=None, description="with onThrottleInterval: notify at most this often")
    summary: bool = Field(default=False, description="one summary of all alerts instead of one per alert")


class RuleAction(Model):
    connector: Ref
    group: str | None = Field(default=None, description="action group; .es-query default: 'query matched'")
    params: dict[str, Any] = Field(default_factory=dict, description="for the connector, e.g. {body: ...}")
    frequency: Frequency | None = Field(default=None, description="default: on action group change, per alert")
    alerts_filter: dict[str, Any] | None = None


class RuleModel(EsQueryFields):
    id: str | None = None
    name: str = Field(min_length=1)
    rule_type: str = Field(default=es_query.RULE_TYPE, min_length=1)
    consumer: str = Field(default=DEFAULT_CONSUMER, min_length=1)
    enabled: bool = True
    tags: list[str] = Field(default_factory=list)
    schedule: Duration = Field(default="1m", description="how often the rule runs")
    notify_when: NotifyWhen | None = Field(default=None, description="deprecated rule-level frequency")
    throttle: Duration | None = Field(default=None, description="deprecated rule-level frequency")
    params: dict[str, Any] | None = Field(default=None, description="Kibana's params verbatim (any rule type)")
    actions: list[RuleAction] = Field(default_factory=list)
