"""Every kind of object kibana-sync manages, in apply order: a kind comes after every kind it may reference,
so a push writes data views before the searches that use them and connectors before the rules that call them.
Deletes run in the reverse order. Adding a kind is one package under ``kinds/`` plus one line here."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from kibana_sync.kinds.base import Kind


# Each kind's module is imported when the kind is first asked for: `validate` and `build` of a folder load only the
# kinds whose folders it has (every kind's pydantic models cost start-up). One function per kind, a static import.
def _space() -> Kind:
    from kibana_sync.kinds.space.kind import SpaceKind

    return SpaceKind()


def _ilm_policy() -> Kind:
    from kibana_sync.kinds.ilm_policy.kind import IlmPolicyKind

    return IlmPolicyKind()


def _ingest_pipeline() -> Kind:
    from kibana_sync.kinds.ingest_pipeline.kind import IngestPipelineKind

    return IngestPipelineKind()


def _component_template() -> Kind:
    from kibana_sync.kinds.component_template.kind import ComponentTemplateKind

    return ComponentTemplateKind()


def _index_template() -> Kind:
    from kibana_sync.kinds.index_template.kind import IndexTemplateKind

    return IndexTemplateKind()


def _tag() -> Kind:
    from kibana_sync.kinds.tag.kind import TagKind

    return TagKind()


def _data_view() -> Kind:
    from kibana_sync.kinds.data_view.kind import DataViewKind

    return DataViewKind()


def _search() -> Kind:
    from kibana_sync.kinds.search.kind import SearchKind

    return SearchKind()


def _visualization() -> Kind:
    from kibana_sync.kinds.visualization.kind import VisualizationKind

    return VisualizationKind()


def _lens() -> Kind:
    from kibana_sync.kinds.lens.kind import LensKind

    return LensKind()


def _map() -> Kind:
    from kibana_sync.kinds.map.kind import MapKind

    return MapKind()


def _links() -> Kind:
    from kibana_sync.kinds.links.kind import LinksKind

    return LinksKind()


def _dashboard() -> Kind:
    from kibana_sync.kinds.dashboard.kind import DashboardKind

    return DashboardKind()


def _connector() -> Kind:
    from kibana_sync.kinds.connector.kind import ConnectorKind

    return ConnectorKind()


def _rule() -> Kind:
    from kibana_sync.kinds.rule.kind import RuleKind

    return RuleKind()


# (name, folder, loader) in apply order; name and folder repeat the kind's own (a test checks they agree), so
# that a folder can be matched to its kind without importing every kind.
KINDS: tuple[tuple[str, str, Callable[[], Kind]], ...] = (
    ("space", "spaces", _space),  # first: a push may create the space it then writes into
    # Elasticsearch first: data views, searches and rules read the indices its templates shape. ILM policies
    # and ingest pipelines before the templates whose settings name them (Elasticsearch does not check those
    # names at PUT, but an index created in between would point at nothing: reference 7.7's order),
    # components before the index templates composed of them.
    ("ilm_policy", "ilm_policies", _ilm_policy),
    ("ingest_pipeline", "ingest_pipelines", _ingest_pipeline),
    ("component_template", "component_templates", _component_template),
    ("index_template", "index_templates", _index_template),
    ("tag", "tags", _tag),
    ("data_view", "data_views", _data_view),
    ("search", "searches", _search),
    ("visualization", "visualizations", _visualization),
    # Library Lens and maps read data views; dashboards show them as panels.
    ("lens", "lenses", _lens),
    ("map", "maps", _map),
    # Links point at dashboards and dashboards show links panels. Kibana's import does not check either
    # reference (it checks only index-pattern and search ones), so the order only decides what a failed write
    # holds back: a dashboard whose links panel failed is held back, a links object is never held back by the
    # dashboards it merely navigates to.
    ("links", "links", _links),
    ("dashboard", "dashboards", _dashboard),
    ("connector", "connectors", _connector),
    ("rule", "alerts", _rule),
)


def kind_names() -> tuple[str, ...]:
    """Every kind's name, in apply order, without loading any kind."""
    return tuple(name for name, _, _ in KINDS)


def kind_folders() -> dict[str, str]:
    """Folder under objects/ -> the name of the kind it holds, without loading any kind."""
    return {folder: name for name, folder, _ in KINDS}


@cache
def _loaders() -> dict[str, Callable[[], Kind]]:
    return {name: load for name, _, load in KINDS}


@cache
def _loaded(name: str) -> Kind:
    return _loaders()[name]()


def all_kinds() -> tuple[Kind, ...]:
    """Every kind, in apply order (loads them all)."""
    return tuple(_loaded(name) for name in kind_names())


def apply_position(kind: Kind) -> int:
    """Where ``kind`` stands in the apply order (0 first)."""
    return _positions()[kind.name]


@cache
def _positions() -> dict[str, int]:
    return {name: i for i, name in enumerate(kind_names())}


def kind_named(name: str) -> Kind:
    """The kind called ``name`` (KeyError when there is none); only its own module is loaded."""
    if name not in _loaders():
        raise KeyError(name)
    return _loaded(name)


def kind_for_saved_object_type(type_: str) -> Kind | None:
    return kind_in_store("saved_objects", type_)


def kind_in_store(store: str, type_: str) -> Kind | None:
    """The kind of an object read from ``store``: a saved object by its type, the others by the kind's name (the
    type their store gives them: "rule", "connector", "index_template", ...)."""
    return _by_store_and_type().get((store, type_))


@cache
def _by_store_and_type() -> dict[tuple[str, str], Kind]:
    # export asks once per object; a scan of every kind per object was a few percent of an export
    found: dict[tuple[str, str], Kind] = {}
    for kind in all_kinds():
        found.setdefault((kind.store, kind.saved_object_type or kind.name), kind)
    return found
