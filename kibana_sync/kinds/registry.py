"""Every kind of object kibana-sync manages, in apply order: a kind comes after every kind it may reference,
so a push writes data views before the searches that use them and connectors before the rules that call them.
Deletes run in the reverse order. Adding a kind is one package under ``kinds/`` plus one line here."""

from __future__ import annotations

from functools import cache

from kibana_sync.kinds.base import Kind
from kibana_sync.kinds.component_template.kind import ComponentTemplateKind
from kibana_sync.kinds.connector.kind import ConnectorKind
from kibana_sync.kinds.dashboard.kind import DashboardKind
from kibana_sync.kinds.data_view.kind import DataViewKind
from kibana_sync.kinds.ilm_policy.kind import IlmPolicyKind
from kibana_sync.kinds.index_template.kind import IndexTemplateKind
from kibana_sync.kinds.ingest_pipeline.kind import IngestPipelineKind
from kibana_sync.kinds.lens.kind import LensKind
from kibana_sync.kinds.links.kind import LinksKind
from kibana_sync.kinds.map.kind import MapKind
from kibana_sync.kinds.rule.kind import RuleKind
from kibana_sync.kinds.search.kind import SearchKind
from kibana_sync.kinds.space.kind import SpaceKind
from kibana_sync.kinds.tag.kind import TagKind
from kibana_sync.kinds.visualization.kind import VisualizationKind

KINDS: tuple[Kind, ...] = (
    SpaceKind(),  # first: a push may create the space it then writes into
    # Elasticsearch first: data views, searches and rules read the indices its templates shape. ILM policies
    # and ingest pipelines before the templates whose settings name them (Elasticsearch does not check those
    # names at PUT, but an index created in between would point at nothing: reference 7.7's order),
    # components before the index templates composed of them.
    IlmPolicyKind(),
    IngestPipelineKind(),
    ComponentTemplateKind(),
    IndexTemplateKind(),
    TagKind(),
    DataViewKind(),
    SearchKind(),
    VisualizationKind(),
    # Library Lens and maps read data views; dashboards show them as panels.
    LensKind(),
    MapKind(),
    # Links point at dashboards and dashboards show links panels. Kibana's import does not check either
    # reference (it checks only index-pattern and search ones), so the order only decides what a failed write
    # holds back: a dashboard whose links panel failed is held back, a links object is never held back by the
    # dashboards it merely navigates to.
    LinksKind(),
    DashboardKind(),
    ConnectorKind(),
    RuleKind(),
)


def all_kinds() -> tuple[Kind, ...]:
    """Every kind, in apply order."""
    return KINDS


def apply_position(kind: Kind) -> int:
    """Where ``kind`` stands in the apply order (0 first)."""
    return _positions()[kind.name]


@cache
def _positions() -> dict[str, int]:
    return {kind.name: i for i, kind in enumerate(KINDS)}


def kind_named(name: str) -> Kind:
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise KeyError(name)


def kind_for_saved_object_type(type_: str) -> Kind | None:
    for kind in KINDS:
        if kind.saved_object_type == type_:
            return kind
    return None
