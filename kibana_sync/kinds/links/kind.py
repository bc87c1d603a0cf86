"""Links panels saved to the library (``objects/links/``), Kibana 8.11's ``links`` saved object.

A dashboard link's target is a reference named by the link's id, ``link_<id>_dashboard`` (reference-objects-es
5.1). A link written without ``id`` gets one derived from the object id and its position (stable across
builds); export writes ``id`` only when Kibana's differs from that, i.e. for links made in Kibana's editor.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from typing import Any

from kibana_sync.kibana.format import (
    CORE_MIGRATION_VERSION,
    is_tag_reference,
    reference,
    reference_order,
    strip_server_fields,
    tag_reference,
)
from kibana_sync.kinds.base import Decompiled, Entry, Kind, Project
from kibana_sync.kinds.links.model import DASHBOARD_LINK_DEFAULTS, URL_LINK_DEFAULTS, Link, LinksModel
from kibana_sync.source.model import RefUse

_LINK_ID_NAMESPACE = uuid.UUID("4c1f0d6e-2b7a-4f4e-9d0c-6c696e6b7321")
DASHBOARD_LINK = "dashboardLink"
URL_LINK = "externalLink"
_OPTION_KEYS = {"openInNewTab": "open_in_new_tab", "useCurrentFilters": "use_current_filters",
                "useCurrentDateRange": "use_current_date_range", "encodeUrl": "encode_url"}


def link_reference_name(link_id: str) -> str:
    return f"link_{link_id}_dashboard"


def derived_link_id(object_id: str, position: int) -> str:
    return str(uuid.uuid5(_LINK_ID_NAMESPACE, f"{object_id}/{position}"))


class LinksKind(Kind):
    name = "links"
    folder = "links"
    model = LinksModel
    saved_object_type = "links"

    def references(self, entry: Entry) -> list[RefUse]:
        m: LinksModel = entry.model
        uses = [RefUse("tag", t, ("tags", i)) for i, t in enumerate(m.tags)]
        uses += [RefUse("dashboard", link.dashboard, ("links", i, "dashboard"))
                 for i, link in enumerate(m.links) if link.dashboard is not None]
        return uses

    def compile(self, entry: Entry, project: Project) -> dict[str, Any]:
        m: LinksModel = entry.model
        links: list[dict[str, Any]] = []
        references: list[dict[str, str]] = []
        for position, link in enumerate(m.links):
            stored, ref = compile_link(link, link.id or derived_link_id(entry.id, position), position,
                                       project.resolve)
            links.append(stored)
            if ref is not None:
                references.append(ref)
        attributes: dict[str, Any] = {"title": m.title}
        if m.description is not None:
            attributes["description"] = m.description
        if m.layout is not None:
            attributes["layout"] = m.layout
        attributes["links"] = links
        attributes.update(copy.deepcopy(m.raw_attributes))
        references += copy.deepcopy(m.raw_references)
        references += [tag_reference(project.resolve(t)) for t in m.tags]
        # `links` has no migrations in 8.11, so Kibana stamps no typeMigrationVersion (corpus esdiag exports).
        return {"attributes": attributes, "coreMigrationVersion": CORE_MIGRATION_VERSION, "id": entry.id,
                "managed": False, "references": references, "type": "links"}

    def decompile(self, obj: dict[str, Any]) -> Decompiled:
        attributes = dict(obj.get("attributes", {}))
        refs = list(obj.get("references", []))
        data: dict[str, Any] = {"id": obj["id"], "title": attributes.pop("title", "")}
        for key in ("description", "layout"):
            if key in attributes:
                data[key] = attributes.pop(key)
        tags = [r for r in refs if is_tag_reference(r)]
        if tags:
            data["tags"] = [r["id"] for r in tags]
            refs = [r for r in refs if r not in tags]
        stored_links = attributes.pop("links", [])
        links, used = [], set()
        for position, stored in enumerate(sorted(stored_links, key=lambda link: link.get("order", 0))):
            link, ref_name = decompile_link(stored, refs)
            if "id" in stored and stored["id"] != derived_link_id(obj["id"], position):
                link["id"] = stored["id"]
            links.append(link)
            if ref_name is not None:
                used.add(ref_name)
        data["links"] = links
        if attributes:
            data["raw_attributes"] = attributes
        left = [r for r in refs if r.get("name") not in used]
        if left:
            data["raw_references"] = left
        if any("raw" in link for link in links):
            return Decompiled(data, [f"links {obj['id']}: a link kept as Kibana stores it (not a dashboard or "
                                     "URL link this tool can read)"], raw_parts=1)
        return Decompiled(data, compact_parts=1)

    def normalise(self, obj: dict[str, Any]) -> dict[str, Any]:
        out = strip_server_fields(obj)
        attributes = copy.deepcopy(out.get("attributes", {}))
        attributes.setdefault("description", "")
        attributes.setdefault("layout", "vertical")
        links = attributes.get("links")
        if isinstance(links, list) and all(isinstance(link, dict) for link in links):
            links = sorted(links, key=lambda link: link.get("order", 0))  # the order Kibana shows them in
            for position, link in enumerate(links):
                link["order"] = position
                defaults = DASHBOARD_LINK_DEFAULTS if link.get("type") == DASHBOARD_LINK else URL_LINK_DEFAULTS
                link["options"] = {**defaults, **(link.get("options") or {})}
            attributes["links"] = links
        return {**out, "attributes": attributes,
                "references": sorted(out.get("references", []), key=reference_order)}


def compile_link(link: Link, link_id: str, position: int,
                 resolve: Callable[[Any], str]) -> tuple[dict[str, Any], dict[str, str] | None]:
    """One stored link and the dashboard reference it adds (None for a URL)."""
    stored: dict[str, Any] = {"id": link_id, "order": position}
    ref = None
    if link.dashboard is not None:
        stored["type"] = DASHBOARD_LINK
        stored["destinationRefName"] = link_reference_name(link_id)
        ref = reference("dashboard", resolve(link.dashboard), stored["destinationRefName"])
        options = {"openInNewTab": link.open_in_new_tab, "useCurrentFilters": link.use_current_filters,
                   "useCurrentDateRange": link.use_current_date_range}
    elif link.url is not None:
        stored["type"] = URL_LINK
        stored["destination"] = link.url
        options = {"openInNewTab": link.open_in_new_tab, "encodeUrl": link.encode_url}
    else:  # a link kept raw: its type and destination are in `raw`
        options = {}
    if link.label is not None:
        stored["label"] = link.label
    if not link.no_options:
        stored["options"] = options
    for key, value in link.raw.items():
        if key == "options" and isinstance(value, dict):
            options.update(copy.deepcopy(value))
        else:
            stored[key] = copy.deepcopy(value)
    return stored, ref


def decompile_link(stored: dict[str, Any], refs: list[dict[str, Any]]) -> tuple[dict[str, Any], str | None]:
    """The YAML of one stored link and the name of the reference it used (None if none)."""
    rest = {k: v for k, v in stored.items() if k not in ("id", "order")}
    type_ = rest.pop("type", None)
    options = rest.pop("options", None)
    data: dict[str, Any] = {}
    used = None
    defaults: dict[str, Any] = {}
    ref_name = rest.get("destinationRefName")
    target = next((r for r in refs if r.get("name") == ref_name and r.get("type") == "dashboard"), None)
    if type_ == DASHBOARD_LINK and ref_name == link_reference_name(str(stored.get("id"))) and target is not None:
        data["dashboard"] = target["id"]
        used = rest.pop("destinationRefName")
        defaults = DASHBOARD_LINK_DEFAULTS
    elif type_ == URL_LINK and isinstance(rest.get("destination"), str):
        data["url"] = rest.pop("destination")
        defaults = URL_LINK_DEFAULTS
    else:
        rest["type"] = type_
    if isinstance(rest.get("label"), str):
        data["label"] = rest.pop("label")
    raw_options: dict[str, Any] = {}
    if isinstance(options, dict):
        for key, value in options.items():
            if key in defaults and type(value) is bool:
                if value != defaults[key]:
                    data[_OPTION_KEYS[key]] = value
            else:
                raw_options[key] = value
    elif options is None and "options" not in stored:
        data["no_options"] = True
    elif options is not None:
        rest["options"] = options
    if raw_options:
        rest["options"] = raw_options
    if rest:
        data["raw"] = rest
    return data, used
