"""Cluster metadata: the objects kibana-sync manages plus the indices they imply, and template resolution.

Resolution follows `MetadataIndexTemplateService.findV2Template` (highest-priority composable template whose
patterns match; a match-all template does not apply to hidden names) and `resolveSettings`/`resolveLifecycle`
(component templates in `composed_of` order, then the template's own section; later wins).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any


def simple_match(pattern: str, value: str) -> bool:
    """`Regex.simpleMatch`: only `*` is special."""
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]").replace("?", "[?]"))


def is_wildcard(name: str) -> bool:
    return "*" in name


def patterns_overlap(a: str, b: str) -> bool:
    """Whether two `*` patterns can match a common name (ES intersects their automata)."""
    def tokens(p: str) -> list[str]:
        return re.findall(r"\*|[^*]", p)

    ta, tb = tokens(a), tokens(b)
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(ta) and j == len(tb):
            return True
        if i < len(ta) and ta[i] == "*":
            stack.append((i + 1, j))  # the star ends
            if j < len(tb) and tb[j] != "*":
                stack.append((i, j + 1))  # the star swallows b's next character
        if j < len(tb) and tb[j] == "*":
            stack.append((i, j + 1))
            if i < len(ta) and ta[i] != "*":
                stack.append((i + 1, j))
        if i < len(ta) and j < len(tb) and "*" not in (ta[i], tb[j]) and ta[i] == tb[j]:
            stack.append((i + 1, j + 1))
    return False


@dataclass
class Policy:
    name: str
    policy: dict[str, Any]  # {"phases": ..., "_meta"?: ...} as GET prints it
    version: int
    modified_date: str
    headers: str  # who stored it (ILM keeps the caller's security headers; a no-op PUT needs the same ones)


@dataclass
class Index:
    name: str
    uuid: str
    settings: dict[str, Any]  # flat, index.-prefixed
    data_stream: str | None = None


@dataclass
class DataStream:
    name: str
    generation: int
    indices: list[str]
    meta: dict[str, Any] | None
    hidden: bool
    allow_custom_routing: bool
    lifecycle: dict[str, Any] | None


@dataclass
class Cluster:
    policies: dict[str, Policy] = field(default_factory=dict)
    component_templates: dict[str, dict[str, Any]] = field(default_factory=dict)  # stored (GET) form
    index_templates: dict[str, dict[str, Any]] = field(default_factory=dict)  # stored form + "_had_template"
    pipelines: dict[str, dict[str, Any]] = field(default_factory=dict)
    data_streams: dict[str, DataStream] = field(default_factory=dict)
    indices: dict[str, Index] = field(default_factory=dict)

    # --- template resolution -----------------------------------------------------------------------------------

    def find_v2_template(self, name: str, templates: dict[str, dict[str, Any]] | None = None) -> str | None:
        templates = self.index_templates if templates is None else templates
        hidden = name.startswith(".")
        candidates = []
        for tname, template in templates.items():
            patterns = template["index_patterns"]
            if hidden and any(p == "*" for p in patterns):
                continue
            if any(simple_match(p, name) for p in patterns):
                candidates.append((template.get("priority") or 0, tname))
        if not candidates:
            return None
        return max(candidates)[1]

    def composed_sections(self, template: dict[str, Any]) -> list[dict[str, Any]]:
        sections = [self.component_templates[c]["template"] for c in template.get("composed_of", [])
                    if c in self.component_templates]
        if "template" in template:
            sections.append(template["template"])
        return sections

    def resolve_settings(self, template: dict[str, Any]) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        for section in self.composed_sections(template):
            settings.update(section.get("settings") or {})
        return settings

    def resolve_lifecycle(self, template: dict[str, Any]) -> dict[str, Any] | None:
        lifecycle = None
        for section in self.composed_sections(template):
            if "lifecycle" in section:
                lifecycle = section["lifecycle"]
        return lifecycle

    def resolve_aliases(self, template: dict[str, Any]) -> dict[str, Any]:
        aliases: dict[str, Any] = {}
        for section in self.composed_sections(template):
            aliases.update(section.get("aliases") or {})
        return aliases

    # --- usage -------------------------------------------------------------------------------------------------

    def data_streams_using_template(self, tname: str) -> list[str]:
        return sorted(ds for ds in self.data_streams if self.find_v2_template(ds) == tname)

    def policy_usage(self, policy: str) -> dict[str, list[str]]:
        """`LifecyclePolicyUtils.calculateUsage`: indices, data streams and composable templates whose
        (resolved) settings name the policy."""
        templates = sorted(t for t, body in self.index_templates.items()
                           if self.resolve_settings(body).get("index.lifecycle.name") == policy)
        streams = sorted(ds for ds in self.data_streams
                         if (t := self.find_v2_template(ds)) is not None
                         and self.resolve_settings(self.index_templates[t]).get("index.lifecycle.name") == policy)
        indices = sorted(i.name for i in self.indices.values() if i.settings.get("index.lifecycle.name") == policy)
        return {"indices": indices, "data_streams": streams, "composable_templates": templates}
