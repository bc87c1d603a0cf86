"""The small KQL subset the emulator evaluates in `GET /api/alerting/rules/_find?filter=` (reference 5.4)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from .errors import HttpError

CLAUSE = re.compile(r'^(not\s+)?alert\.attributes\.(\w+)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))$', re.IGNORECASE)
FIELDS = {"tags": "tags", "name": "name", "alertTypeId": "rule_type_id", "consumer": "consumer",
          "enabled": "enabled"}


@dataclass(frozen=True)
class _Clause:
    field: str
    value: str
    wildcard: bool
    negate: bool

    def __call__(self, rule: dict[str, Any]) -> bool:
        value = rule.get(self.field)
        values = value if isinstance(value, list) else [value]
        texts = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
        hit = any(fnmatchcase(t, self.value) if self.wildcard else t == self.value for t in texts)
        return hit != self.negate


def compile_filter(kql: str) -> Callable[[dict[str, Any]], bool]:
    """OR of AND-groups of `[not] alert.attributes.<field>:<value>` clauses; anything else is a 400 up front."""
    expression = kql.strip()
    while expression.startswith("(") and expression.endswith(")"):
        expression = expression[1:-1].strip()
    groups = [[_parse(clause) for clause in re.split(r"\s+and\s+", group, flags=re.IGNORECASE)]
              for group in re.split(r"\s+or\s+", expression, flags=re.IGNORECASE)]
    return lambda rule: any(all(clause(rule) for clause in group) for group in groups)


def _parse(text: str) -> _Clause:
    match = CLAUSE.match(text.strip().strip("()").strip())
    if not match or match[2] not in FIELDS:
        raise HttpError(400, f"The Kibana emulator cannot evaluate this rule filter clause: {text}")
    negate, field, quoted, bare = match.groups()
    value = quoted.replace('\\"', '"') if quoted is not None else bare
    return _Clause(FIELDS[field], value, wildcard=quoted is None and "*" in value, negate=bool(negate))
