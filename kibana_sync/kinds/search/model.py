"""What a person writes for a saved search (``objects/searches/*.yaml``), and the attribute names it maps to."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from kibana_sync.query.filters import Filter
from kibana_sync.source.model import Model, Ref

INDEX_REF_NAME = "kibanaSavedObjectMeta.searchSourceJSON.index"
SortDirection = Literal["asc", "desc"]


def _sort_form(value: Any) -> str | None:
    if isinstance(value, dict):
        return "mapping"
    return "pair" if isinstance(value, list | tuple) else None


# Told apart by shape, so a wrong direction is one error at its line rather than one per form tried.
SortEntry = Annotated[
    Annotated[dict[str, SortDirection], Tag("mapping")] | Annotated[tuple[str, SortDirection], Tag("pair")],
    Discriminator(_sort_form, custom_error_type="sort_form",
                  custom_error_message='expected `- "@timestamp": desc` (or Kibana\'s ["@timestamp", "desc"])'),
]
DEFAULT_QUERY = {"query": "", "language": "kuery"}
# What Kibana assumes when an attribute is absent; `normalise` fills these so absent and default compare equal.
ATTRIBUTE_DEFAULTS: dict[str, Any] = {
    "description": "", "columns": [], "sort": [], "grid": {}, "hideChart": False, "isTextBasedQuery": False,
    "timeRestore": False, "usesAdHocDataView": False,
}


class TimeRange(Model):
    from_: str = Field(alias="from", description="e.g. now-24h")
    to: str = Field(description="e.g. now")


class RefreshInterval(Model):
    pause: bool
    value: int = Field(ge=0, description="milliseconds")


class SearchModel(Model):
    id: str | None = None
    title: str = Field(min_length=1)
    description: str = ""
    data_view: Ref | None = Field(default=None, description="a data view id in this repo, or {external: id}")
    query: str = ""
    language: Literal["kuery", "lucene"] = "kuery"
    filters: list[Filter] = Field(default_factory=list, description="filter pills: {field, is | is_one_of | "
                                  "exists | is_between, negate, disabled, label, data_view}, or a Kibana filter "
                                  "object kept verbatim")
    columns: list[str] = Field(default_factory=list)
    sort: list[SortEntry] = Field(
        default_factory=list, description='- "@timestamp": desc   (or Kibana\'s ["@timestamp", "desc"])')
    grid: dict[str, Any] = Field(default_factory=dict, description="Kibana's grid state, e.g. column widths")
    hide_chart: bool = False
    is_text_based_query: bool = False
    time_restore: bool = False
    time_range: TimeRange | None = None
    refresh_interval: RefreshInterval | None = None
    unset: list[Literal["columns", "grid", "hide_chart", "is_text_based_query", "time_restore"]] = Field(
        default_factory=list, description="attributes this saved search does not carry (saved before Kibana 8 "
                                          "wrote them): compile leaves them out, as Kibana held it")
    row_height: int | None = None
    rows_per_page: int | None = Field(default=None, gt=0)
    breakdown_field: str | None = None
    view_mode: Literal["documents", "aggregated"] | None = None
    hide_aggregated_preview: bool | None = None
    uses_ad_hoc_data_view: bool | None = None
    tags: list[Ref] = Field(default_factory=list, description="ids of tag objects")
    raw_search_source: dict[str, Any] = Field(
        default_factory=dict, description="searchSourceJSON keys kept verbatim from an export")
    raw_attributes: dict[str, Any] = Field(default_factory=dict, description="attributes kept verbatim")
    raw_references: list[dict[str, str]] = Field(default_factory=list, description="references kept verbatim")

    @model_validator(mode="after")
    def _unset_keys_are_not_also_set(self) -> SearchModel:
        for key in self.unset:
            value = getattr(self, key)
            if value != {"grid": {}, "columns": []}.get(key, False):
                raise ValueError(f"{key} is listed in unset but also set to {value!r}; keep one")
        return self

    @field_validator("sort")
    @classmethod
    def _one_field_per_sort_entry(cls, value: list[Any]) -> list[Any]:
        for item in value:
            if isinstance(item, dict) and len(item) != 1:
                raise ValueError(f'each sort entry names one field, e.g. - "@timestamp": desc (got {item})')
        return value

    def sort_pairs(self) -> list[list[str]]:
        return [list(next(iter(s.items()))) if isinstance(s, dict) else list(s) for s in self.sort]


# YAML key -> attribute, for the optional attributes that are written only when set.
OPTIONAL = {
    "row_height": "rowHeight", "rows_per_page": "rowsPerPage", "breakdown_field": "breakdownField",
    "view_mode": "viewMode", "hide_aggregated_preview": "hideAggregatedPreview",
    "uses_ad_hoc_data_view": "usesAdHocDataView",
}
# YAML key -> attribute, for the booleans Kibana 8.11 always writes.
FLAGS = {"hide_chart": "hideChart", "is_text_based_query": "isTextBasedQuery", "time_restore": "timeRestore"}
