"""What a person writes for a links panel saved to the library (``objects/links/*.yaml``), Kibana 8.11's
``links`` saved object (reference-objects-es.md 5.1): a list of links to dashboards or URLs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from kibana_sync.source.model import Model, Ref

# What Kibana's links panel assumes for options a link does not store (src/plugins/links/common/constants.ts:
# DEFAULT_DASHBOARD_DRILLDOWN_OPTIONS, DEFAULT_URL_DRILLDOWN_OPTIONS).
DASHBOARD_LINK_DEFAULTS = {"openInNewTab": False, "useCurrentFilters": True, "useCurrentDateRange": True}
URL_LINK_DEFAULTS = {"openInNewTab": False, "encodeUrl": True}


class Link(Model):
    """One link: ``dashboard: <id>`` or ``url: https://...``; options only where they differ from Kibana's."""

    dashboard: Ref | None = Field(default=None, description="a dashboard id in this repo, or {external: id}")
    url: str | None = None
    label: str | None = Field(default=None, description="default: the dashboard's title or the URL")
    open_in_new_tab: bool = False
    use_current_filters: bool = Field(default=True, description="dashboard links: carry the filters over")
    use_current_date_range: bool = Field(default=True, description="dashboard links: carry the time range over")
    encode_url: bool = Field(default=True, description="URL links: encode the URL")
    id: str | None = Field(default=None, description="Kibana's link id (names the dashboard reference); "
                                                    "default: derived from the object id and the position")
    no_options: bool = Field(default=False, description="store no options at all, as links made by early "
                                                        "editors are (Kibana then applies its defaults)")
    raw: dict[str, Any] = Field(default_factory=dict, description="other link keys, verbatim")

    @model_validator(mode="after")
    def _one_destination(self) -> Link:
        if (self.dashboard is None) == (self.url is None) and not (self.dashboard is None and "type" in self.raw):
            raise ValueError("a link needs exactly one of dashboard: <id> or url: <address>")
        dashboard_only = [k for k in ("use_current_filters", "use_current_date_range")
                          if k in self.model_fields_set]
        if self.url is not None and dashboard_only:
            raise ValueError(f"{', '.join(dashboard_only)} only apply to dashboard links")
        if self.dashboard is not None and "encode_url" in self.model_fields_set:
            raise ValueError("encode_url only applies to URL links")
        options = {"open_in_new_tab", "use_current_filters", "use_current_date_range", "encode_url"}
        if self.no_options and self.model_fields_set & options:
            raise ValueError("no_options: true stores no options; drop " +
                             ", ".join(sorted(self.model_fields_set & options)))
        return self


class LinksModel(Model):
    id: str | None = None
    title: str = Field(description="the title Kibana lists the links under")
    description: str | None = None
    tags: list[Ref] = Field(default_factory=list, description="tag ids in this repo, or {external: id}")
    layout: Literal["horizontal", "vertical"] | None = Field(default=None, description="Kibana's default: "
                                                                                        "vertical")
    links: list[Link] = Field(default_factory=list)
    raw_attributes: dict[str, Any] = Field(default_factory=dict, description="other attributes, verbatim")
    raw_references: list[dict[str, str]] = Field(default_factory=list,
                                                 description="references no link accounts for, verbatim")
