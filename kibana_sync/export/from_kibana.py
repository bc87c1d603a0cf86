"""Read what to export from a live Kibana: saved objects through ``_export`` (with the objects they reference,
``includeReferencesDeep``), rules and connectors through their own APIs (a rule brings its connectors)."""

from __future__ import annotations

from typing import Any

from kibana_sync.export.pipeline import ExportReport, KibanaObject
from kibana_sync.export.select import Selection, uses
from kibana_sync.kibana.client import KibanaClient
from kibana_sync.kinds.registry import all_kinds
from kibana_sync.source.diagnostics import Severity


def fetch_live(client: KibanaClient, selection: Selection, report: ExportReport) -> list[KibanaObject]:
    saved = _saved_objects(client, selection)
    # Only ask the rules API when rules can be selected at all.
    rules = [r for r in map(_rule, client.find_rules()) if selection.matches(r)] if _wants(selection, "rule") else []
    return [*saved, *_rule_data_views(client, rules, saved), *_connectors(client, selection, rules, report), *rules]


def _wants(selection: Selection, type_: str) -> bool:
    return not selection.types or type_ in selection.types


def _saved_object_types(selection: Selection) -> list[str]:
    known = {k.name: k.saved_object_type for k in all_kinds() if k.saved_object_type}
    if not selection.types:
        return sorted(known.values())
    # Kibana types without a kind yet (map, visualization, ...) are passed on: export reports them as skipped.
    return sorted({known.get(t, t) for t in selection.types if t not in ("rule", "connector")})


def _saved_objects(client: KibanaClient, selection: Selection) -> list[KibanaObject]:
    types = _saved_object_types(selection)
    if not types:
        return []
    if not (selection.ids or selection.titles):
        # Every object of these types is chosen: one export brings them and what they use.
        found = client.export(types=types, include_references_deep=True)
    else:
        candidates = [_saved(o) for o in client.export(types=types)]
        chosen = [(o.type, o.id) for o in candidates if selection.matches(o)]
        found = client.export(objects=chosen, include_references_deep=True) if chosen else []
    return [_saved(o) for o in found]


def _rule_data_views(client: KibanaClient, rules: list[KibanaObject],
                     saved: list[KibanaObject]) -> list[KibanaObject]:
    """The data views search-source rules use, unless already exported. Read with ``_bulk_get``, which leaves a
    missing one out (``_export`` would fail whole); the rule then refers to it as external."""
    have = {(o.type, o.id) for o in saved}
    wanted = sorted({key for rule in rules for key in uses(rule) if key[0] == "index-pattern"} - have)
    return [_saved(o) for o in client.bulk_get(wanted)] if wanted else []


def _connectors(client: KibanaClient, selection: Selection, rules: list[KibanaObject],
                report: ExportReport) -> list[KibanaObject]:
    needed = {id_ for rule in rules for _, id_ in uses(rule)}
    if not needed and not _wants(selection, "connector"):
        return []  # nothing could be chosen: spare the request
    chosen = []
    for body in client.list_connectors():
        connector = KibanaObject("connectors", "connector", body["id"], body, "Kibana")
        if body["id"] not in needed and not selection.matches(connector):
            continue
        if body.get("is_preconfigured"):
            # Defined in kibana.yml, not through the API: push could not create it, so rules refer to it as external.
            report.add(Severity.WARNING, connector.describe(), "preconfigured connector (kibana.yml); not exported")
            continue
        chosen.append(connector)
    return chosen


def _saved(obj: dict[str, Any]) -> KibanaObject:
    return KibanaObject("saved_objects", obj["type"], obj["id"], obj, "Kibana")


def _rule(body: dict[str, Any]) -> KibanaObject:
    return KibanaObject("rules", "rule", body["id"], body, "Kibana")
