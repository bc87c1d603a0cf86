"""What a person writes for a legacy visualization (``objects/visualizations/*.yaml``), Kibana's ``visualization``
saved object (reference-objects-es.md section 1).

One model serves both forms. The compact form names the vis ``type``, its data source (``data_view`` or
``search``), ``query``/``filters``, aggregations as ``metrics``/``buckets`` and only the ``params`` that differ
from the type's defaults. Whatever that cannot say exactly stays structured beside it: ``aggs`` (Kibana's agg
list, decoded), ``raw_vis_state``, ``raw_search_source``, ``raw_attributes``, ``raw_references``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from kibana_sync.kinds.visualization.aggs import compile_agg
from kibana_sync.kinds.visualization.params import PARAM_DEFAULTS
from kibana_sync.query.filters import Filter
from kibana_sync.source.model import Model, Ref

INDEX_REF_NAME = "kibanaSavedObjectMeta.searchSourceJSON.index"
SEARCH_REF_NAME = "search_0"


class VisualizationModel(Model):
    """A legacy visualization (``objects/visualizations/*.yaml``): aggregation-based charts, markdown, input
    controls, TSVB, Vega, Timelion."""

    id: str | None = None
    title: str
    description: str = ""
    type: str = Field(description="Kibana's vis type: markdown, metric, pie, line, area, histogram, "
                                  "horizontal_bar, table, tagcloud, gauge, goal, input_control_vis, metrics (TSVB), "
                                  "vega, timelion, ...")
    data_view: Ref | None = Field(default=None, description="the data view of the search source: an id in this "
                                                            "repo or {external: id}")
    search: Ref | None = Field(default=None, description="a saved search the visualization is built on")
    vis_title: str | None = Field(default=None, description="visState.title when it differs from title (Kibana "
                                                             "shows title and rewrites this one on save)")
    query: str | dict[str, Any] = Field(default="", description="the query bar text, or (Lucene) a query DSL "
                                                                "object such as {query_string: {query: '*'}}")
    language: Literal["kuery", "lucene"] = "kuery"
    filters: list[Filter] = Field(default_factory=list, description="filter pills, as in searches")
    filter_display_values: bool = Field(
        default=False, description="the `is` / `is_one_of` filters carry Kibana 7's display text (meta.value, "
                                   "e.g. \"a, b\"), as older visualizations stored it")
    metrics: list[str | dict[str, Any]] = Field(
        default_factory=list, description="metric aggregations: count, avg(bytes), {percentiles: load, percents: "
                                          "[95]}; ids are given in order, metrics first")
    buckets: list[str | dict[str, Any]] = Field(
        default_factory=list, description="bucket aggregations, e.g. {terms: host.keyword, size: 5}")
    agg_order: list[Literal["metric", "bucket"]] | None = Field(
        default=None, description="the stored order of the aggregations when it is not metrics then buckets: "
                                  "one `metric` or `bucket` per aggregation, e.g. [bucket, metric]")
    aggs: list[dict[str, Any]] | None = Field(
        default=None, description="Kibana's aggregation list kept as stored (instead of metrics/buckets)")
    params: dict[str, Any] = Field(default_factory=dict, description="vis params that differ from the type's "
                                                                     "defaults (top-level keys, Kibana fills the rest)")
    unset_params: list[str] = Field(
        default_factory=list, description="default params this visualization does not store (saved by an older "
                                          "Kibana or a package builder): compile leaves them out, Kibana applies "
                                          "the defaults when it loads it")
    ui_state: dict[str, Any] = Field(default_factory=dict, description="Kibana's uiStateJSON, decoded")
    data_view_refs: dict[str, Ref] = Field(
        default_factory=dict, description="data views that params name by reference (input controls' "
                                          "control_<i>_index_pattern, TSVB's metrics_<n>_index_pattern)")
    tags: list[Ref] = Field(default_factory=list, description="ids of tag objects")
    unset: list[Literal["query", "filter", "vis_title", "ui_state"]] = Field(
        default_factory=list, description="what this visualization does not carry (saved by an older Kibana or a "
                                          "package builder): searchSourceJSON's query or filter, visState's title, "
                                          "uiStateJSON; compile leaves them out")
    raw_vis_state: dict[str, Any] = Field(default_factory=dict, description="visState keys kept verbatim")
    raw_search_source: dict[str, Any] = Field(default_factory=dict, description="searchSourceJSON keys kept "
                                                                                "verbatim")
    raw_attributes: dict[str, Any] = Field(default_factory=dict, description="attributes kept verbatim")
    raw_references: list[dict[str, str]] = Field(default_factory=list, description="references kept verbatim")

    @field_validator("metrics", "buckets")
    @classmethod
    def _aggs_compile(cls, value: list[Any]) -> list[Any]:
        for entry in value:
            compile_agg(entry, "1", "metric")  # raises ValueError with the expected form
        return value

    @model_validator(mode="after")
    def _one_agg_form(self) -> VisualizationModel:
        if self.aggs is not None and (self.metrics or self.buckets):
            raise ValueError("write aggregations either as metrics/buckets or as Kibana's `aggs` list, not both")
        if self.data_view is not None and self.search is not None:
            raise ValueError("a visualization takes its data view from `search` or from `data_view`, not both")
        if self.agg_order is not None and (self.agg_order.count("metric"), self.agg_order.count("bucket")) != (
                len(self.metrics), len(self.buckets)):
            raise ValueError(f"agg_order names {self.agg_order.count('metric')} metric(s) and "
                             f"{self.agg_order.count('bucket')} bucket(s) but {len(self.metrics)} metric(s) and "
                             f"{len(self.buckets)} bucket(s) are given")
        unknown = [k for k in self.unset_params if k not in PARAM_DEFAULTS.get(self.type, {})]
        if unknown:
            raise ValueError(f"unset_params names {', '.join(unknown)}, which Kibana has no default for in a "
                             f"{self.type} visualization: write it in params or leave it out")
        both = [k for k in self.unset_params if k in self.params]
        if both:
            raise ValueError(f"{', '.join(both)} is listed in unset_params but also given in params; keep one")
        if isinstance(self.query, dict) and self.language != "lucene":
            raise ValueError("a query given as an object is Lucene query DSL: set `language: lucene`")
        if "query" in self.unset and (self.query or self.language != "kuery"):
            raise ValueError("query is listed in unset but also given; keep one")
        if "vis_title" in self.unset and self.vis_title is not None:
            raise ValueError("vis_title is listed in unset but also given; keep one")
        if "ui_state" in self.unset and self.ui_state:
            raise ValueError("ui_state is listed in unset but also given; keep one")
        if "filter" in self.unset and self.filters:
            raise ValueError("filter is listed in unset but filters are given; keep one")
        return self
