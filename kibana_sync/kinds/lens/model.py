"""What a person writes for a Lens visualization saved to the library (``objects/lenses/*.yaml``).

The chart keys are those of a dashboard's by-value Lens panel (``kibana_sync.lens.LensChart``), so a panel
moves between by-value and by-reference by moving its chart keys into a file and writing ``lens: <id>`` in the
dashboard. One exception: ``tags`` is the object's Kibana tags here, as on every kind, so a tag cloud's bucket
is written ``words``. What the compact keys cannot say exactly is kept as the decoded Lens state instead
(``visualization_type`` + ``state`` + ``references``), never as escaped JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from kibana_sync.lens import LensChart
from kibana_sync.lens.config import SLOT_KEYS, BucketSpec, ChartType, check_chart_shape, esql_columns
from kibana_sync.source.model import Ref

# Keys of the file itself; everything else in a compact file is a chart key.
OBJECT_KEYS = ("id", "title", "description", "tags")
RAW_KEYS = ("visualization_type", "state", "references", "raw_attributes", "stored")  # stored: its description


class LensModel(LensChart):
    id: str | None = None
    title: str = Field(description="the title Kibana lists the visualization under")
    description: str = ""
    tags: list[Ref] = Field(default_factory=list,  # type: ignore[assignment]
                            description="tag ids in this repo, or {external: id}")
    words: BucketSpec | None = Field(default=None, description="tag cloud words (a dashboard panel's `tags`)")
    chart: ChartType | None = Field(default=None,  # type: ignore[assignment]
                                    description="the compact form: line, bar, pie, metric, ...; leave out to "
                                                "write the raw form (visualization_type + state)")
    visualization_type: str | None = Field(default=None, description="raw form: Lens's visualizationType")
    state: dict[str, Any] | None = Field(default=None, description="raw form: the Lens state, decoded")
    references: list[dict[str, str]] = Field(default_factory=list,
                                             description="raw form: the data-view and filter references")

    @model_validator(mode="before")
    @classmethod
    def _esql_columns(cls, data: Any) -> Any:
        return esql_columns(data, tuple(k for k in SLOT_KEYS if k != "tags"))  # tags: the object's Kibana tags

    @model_validator(mode="after")
    def _shape(self) -> LensModel:
        if self.state is None:
            if self.chart is None:
                raise ValueError("write chart: (line, bar, pie, metric, table, ...) with its keys, or the raw "
                                 "form visualization_type: + state:")
            if self.visualization_type is not None or self.references:
                raise ValueError("visualization_type and references belong to the raw form (with state:)")
            if self.data_view is None and self.esql is None:
                raise ValueError("a library Lens needs data_view: (there is no dashboard to take it from), or "
                                 "an esql: query")
            if self.chart == "tagcloud" and self.words is None:
                raise ValueError("a tagcloud needs words: (a terms bucket; a dashboard panel names it tags:)")
            check_chart_shape(self.as_chart())
        else:
            chart_keys = sorted(self.model_fields_set - set(OBJECT_KEYS) - set(RAW_KEYS))
            if chart_keys:
                raise ValueError(f"the raw form (state:) takes no chart keys; found {', '.join(chart_keys)}")
        return self

    @property
    def is_raw(self) -> bool:
        return self.state is not None

    def as_chart(self) -> LensChart:
        """The chart keys as the LensChart a dashboard panel would hold (``words`` back under ``tags``)."""
        data = self.model_dump(by_alias=True, exclude_unset=True,
                               exclude=set(OBJECT_KEYS) | set(RAW_KEYS[:3]) | {"words"})
        if self.words is not None:
            data["tags"] = self.words.model_dump(by_alias=True, exclude_unset=True)
        return LensChart.model_validate(data)
