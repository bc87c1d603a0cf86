"""Component and composable index templates (reference-objects-es.md 7.2, 7.3).

Sources: `ComponentTemplate`/`ComposableIndexTemplate`/`Template` parsers (`component_template`,
`index_template`, `template`, `data_stream_template`), `MetadataIndexTemplateService` (addComponentTemplate,
addIndexTemplateV2, validateIndexTemplateV2, validate, validateDataStreamsStillReferenced,
innerRemoveComponentTemplate/validateNotInUse, innerRemoveIndexTemplateV2/dataStreamsExclusivelyUsingTemplates),
`TransportGet{Component,ComposableIndex}TemplateAction` and their REST handlers (404 for an empty named GET).
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import EsError, bad_request, error, invalid_template, java_list, not_found, validation_failed
from .indexsettings import merge_mappings, parse_template, render_template, settings_errors, validate_mappings
from .state import Cluster, is_wildcard, patterns_overlap, simple_match
from .xjson import ObjectParsing, Spans

COMPONENT_FIELDS = ["template", "version", "_meta"]
INDEX_TEMPLATE_FIELDS = ["index_patterns", "template", "composed_of", "priority", "version", "_meta", "data_stream",
                         "allow_auto_create", "ignore_missing_component_templates"]
DATA_STREAM_FIELDS = ["hidden", "allow_custom_routing"]


def _check_scalar(parsing: ObjectParsing, parser: str, key: str, value: Any, kind: str) -> None:
    ok = {"long": isinstance(value, int) and not isinstance(value, bool),
          "object": isinstance(value, dict),
          "bool": isinstance(value, bool) or value in ("true", "false"),
          "strings": isinstance(value, list | str) and all(isinstance(v, str) for v in
                                                            (value if isinstance(value, list) else [value]))}[kind]
    if not ok:
        raise parsing.bad_type([], parser, (key,), value)


class TemplatesApi:
    def __init__(self, cluster: Cluster, config: Any) -> None:
        self.cluster = cluster
        self.config = config

    # --- component templates --------------------------------------------------------------------------------

    def put_component(self, name: str, body: Any, spans: Spans, create: bool) -> dict[str, Any]:
        parsing = ObjectParsing(spans)
        if not isinstance(body, dict):
            parsing.expect_object([], "component_template", (), body)
        for key, value in body.items():
            if key not in COMPONENT_FIELDS:
                raise parsing.unknown_field([], "component_template", (key,), COMPONENT_FIELDS)
            if key != "template":
                _check_scalar(parsing, "component_template", key, value, "long" if key == "version" else "object")
        if "template" not in body:
            raise bad_request("Required [template]")
        stored: dict[str, Any] = {"template": parse_template(body["template"], ("template",),
                                                             [("component_template", "template")], parsing,
                                                             self.config.extra_index_settings)}
        for key in ("version", "_meta"):
            if key in body:
                stored[key] = body[key]
        if create and name in self.cluster.component_templates:
            raise bad_request(f"component template [{name}] already exists")
        errors = _template_errors(stored["template"], self.config.extra_index_settings)
        if errors:
            raise invalid_template(name, validation_failed(errors))
        # Every index template composed of this component is re-validated with it (addComponentTemplate).
        trial = dict(self.cluster.component_templates, **{name: stored})
        for tname in sorted(self.cluster.index_templates):
            template = self.cluster.index_templates[tname]
            if name in template.get("composed_of", []):
                try:
                    self._validate_v2(tname, template, trial, self.cluster.index_templates)
                except EsError as err:
                    raise bad_request(f"updating component template [{name}] results in invalid composable "
                                      f"template [{tname}] after templates are merged", err.chain) from None
        self.cluster.component_templates[name] = stored
        return {"acknowledged": True}

    def get_component(self, name: str | None, flat_settings: bool) -> tuple[int, dict[str, Any]]:
        templates = self.cluster.component_templates
        if name is None:
            names = sorted(templates)
        elif is_wildcard(name):
            names = sorted(n for n in templates if simple_match(name, n))
        elif name in templates:
            names = [name]
        else:
            raise not_found(f"component template matching [{name}] not found")
        items = [{"name": n, "component_template": self._render_component(templates[n], flat_settings)}
                 for n in names]
        return (200 if items or name is None else 404), {"component_templates": items}

    @staticmethod
    def _render_component(stored: dict[str, Any], flat_settings: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"template": render_template(stored["template"], flat_settings)}
        for key in ("version", "_meta"):
            if key in stored:
                out[key] = copy.deepcopy(stored[key])
        return out

    def delete_component(self, names: str) -> dict[str, Any]:
        removing: list[str] = []
        for name in names.split(","):
            if is_wildcard(name):
                removing += [n for n in self.cluster.component_templates if simple_match(name, n)]
            elif name in self.cluster.component_templates:
                removing.append(name)
            else:
                raise not_found(name)
        in_use, users = set(), []
        for tname in sorted(self.cluster.index_templates):
            used = set(self.cluster.index_templates[tname].get("composed_of", [])) & set(removing)
            if used:
                in_use |= used
                users.append(tname)
        if users:
            raise bad_request(f"component templates {java_list(sorted(in_use))} cannot be removed as they are still "
                              f"in use by index templates {java_list(users)}")
        for name in removing:
            del self.cluster.component_templates[name]
        return {"acknowledged": True}

    # --- composable index templates -----------------------------------------------------------------------------

    def put_index_template(self, name: str, body: Any, spans: Spans, create: bool) -> dict[str, Any]:
        stored = self._parse_index_template(body, spans)
        if create and name in self.cluster.index_templates:
            raise bad_request(f"index template [{name}] already exists")
        components = self.cluster.component_templates
        if any(p == "*" for p in stored["index_patterns"]):
            merged = self.cluster.resolve_settings(stored)
            if "index.hidden" in merged:
                raise invalid_template(name, "global composable templates may not specify the setting index.hidden")
        self._check_overlap(name, stored)
        missing = [c for c in stored.get("composed_of", []) if c not in components]
        ignored = stored.get("ignore_missing_component_templates", [])
        unexcused = [c for c in missing if c not in ignored]
        if unexcused and not ignored:
            raise invalid_template(name, f"index template [{name}] specifies component templates "
                                         f"{java_list(unexcused)} that do not exist")
        if unexcused:
            raise invalid_template(name, f"index template [{name}] specifies a missing component templates "
                                         f"{java_list(unexcused)} that does not exist and is not part of "
                                         "'ignore_missing_component_templates'")
        trial_templates = dict(self.cluster.index_templates, **{name: stored})
        self._validate_v2(name, stored, components, trial_templates)
        self.cluster.index_templates[name] = stored
        return {"acknowledged": True}

    def _parse_index_template(self, body: Any, spans: Spans) -> dict[str, Any]:
        parsing = ObjectParsing(spans)
        if not isinstance(body, dict):
            parsing.expect_object([], "index_template", (), body)
        kinds = {"composed_of": "strings", "priority": "long", "version": "long", "_meta": "object",
                 "data_stream": "object", "allow_auto_create": "bool", "ignore_missing_component_templates": "strings",
                 "index_patterns": "strings"}
        for key, value in body.items():
            if key not in INDEX_TEMPLATE_FIELDS:
                raise parsing.unknown_field([], "index_template", (key,), INDEX_TEMPLATE_FIELDS)
            if key in kinds:
                _check_scalar(parsing, "index_template", key, value, kinds[key])
        if "index_patterns" not in body:
            raise bad_request("Required [index_patterns]")
        patterns = body["index_patterns"]
        stored: dict[str, Any] = {"index_patterns": [patterns] if isinstance(patterns, str) else list(patterns)}
        if "template" in body:
            stored["template"] = parse_template(body["template"], ("template",), [("index_template", "template")],
                                                parsing, self.config.extra_index_settings)
        # composed_of is printed when sent, and as [] when a template section was sent (reference 7.3).
        if "composed_of" in body or "template" in body:
            stored["composed_of"] = list(body.get("composed_of") or [])
        for key in ("priority", "version", "_meta"):
            if key in body:
                stored[key] = body[key]
        if "data_stream" in body:
            ds = body["data_stream"]
            for key, value in ds.items():
                if key not in DATA_STREAM_FIELDS:
                    raise parsing.unknown_field([("index_template", "data_stream")], "data_stream_template",
                                                ("data_stream", key), DATA_STREAM_FIELDS)
                if not (isinstance(value, bool) or value in ("true", "false")):
                    raise parsing.bad_type([("index_template", "data_stream")], "data_stream_template",
                                           ("data_stream", key), value)
            # DataStreamTemplate.toXContent always prints both booleans (false by default in 8.11).
            stored["data_stream"] = {key: ds.get(key, False) in (True, "true") for key in DATA_STREAM_FIELDS}
        if "allow_auto_create" in body:
            stored["allow_auto_create"] = body["allow_auto_create"] in (True, "true")
        if "ignore_missing_component_templates" in body:
            value = body["ignore_missing_component_templates"]
            stored["ignore_missing_component_templates"] = [value] if isinstance(value, str) else list(value)
        return stored

    def _check_overlap(self, name: str, stored: dict[str, Any]) -> None:
        """findConflictingV2Templates with checkPriority: overlapping patterns at the same priority."""
        priority = stored.get("priority") or 0
        overlaps: dict[str, list[str]] = {}
        for other, template in sorted(self.cluster.index_templates.items()):
            if other == name or (template.get("priority") or 0) != priority:
                continue
            if any(patterns_overlap(a, b) for a in stored["index_patterns"] for b in template["index_patterns"]):
                overlaps[other] = template["index_patterns"]
        if overlaps:
            described = ",".join(f"{t} => {java_list(p)}" for t, p in overlaps.items())
            raise bad_request(
                f"index template [{name}] has index patterns {java_list(stored['index_patterns'])} matching patterns "
                f"from existing templates [{','.join(overlaps)}] with patterns ({described}) that have the same "
                f"priority [{priority}], multiple index templates may not match during index creation, please use a "
                "different priority")

    def _validate_v2(self, name: str, template: dict[str, Any], components: dict[str, Any],
                     templates: dict[str, Any]) -> None:
        """validateIndexTemplateV2: validate(), data streams still referenced, lifecycle, then composition."""
        errors = _name_and_pattern_errors(name, template["index_patterns"])
        errors += settings_errors((template.get("template") or {}).get("settings") or {},
                                  self.config.extra_index_settings)
        if errors:
            raise invalid_template(name, validation_failed(errors))
        saved = self.cluster.component_templates
        self.cluster.component_templates = components
        try:
            aliases = self.cluster.resolve_aliases(template)
            lifecycle = self.cluster.resolve_lifecycle(template)
            sections = self.cluster.composed_sections(template)
        finally:
            self.cluster.component_templates = saved
        if "data_stream" in template and aliases:
            raise bad_request(f"template [{name}] has alias and data stream definitions")
        if lifecycle is not None and "data_stream" not in template:
            raise bad_request(f"index template [{name}] specifies lifecycle configuration that can only be used in "
                              "combination with a data stream")
        self._data_streams_still_referenced(name, template, templates)
        try:
            validate_mappings(merge_mappings([s["mappings"] for s in sections if s.get("mappings")]))
        except EsError as err:
            composed = template.get("composed_of", [])
            with_components = f"with component templates {java_list(composed)} " if composed else ""
            raise bad_request(f"composable template [{name}] template after composition {with_components}is invalid",
                              err.chain) from None

    def _data_streams_still_referenced(self, name: str, template: dict[str, Any],
                                       templates: dict[str, Any]) -> None:
        def unreferenced(candidates: dict[str, Any]) -> set[str]:
            out = set()
            for ds in self.cluster.data_streams:
                match = self.cluster.find_v2_template(ds, candidates)
                if match is None or "data_stream" not in candidates[match]:
                    out.add(ds)
            return out

        newly = sorted(unreferenced(templates) - unreferenced(self.cluster.index_templates))
        if newly:
            no_ds = "" if "data_stream" in template else "and no data stream configuration "
            raise bad_request(f"composable template [{name}] with index patterns {java_list(template['index_patterns'])}"
                              f", priority [{template.get('priority', 'null')}] {no_ds}would cause data streams "
                              f"{java_list(newly)} to no longer match a data stream template")

    def get_index_template(self, name: str | None, flat_settings: bool) -> tuple[int, dict[str, Any]]:
        templates = self.cluster.index_templates
        if name is None:
            names = sorted(templates)
        elif is_wildcard(name):
            names = sorted(n for n in templates if simple_match(name, n))
        elif name in templates:
            names = [name]
        else:
            raise not_found(f"index template matching [{name}] not found")
        items = [{"name": n, "index_template": self._render_index_template(templates[n], flat_settings)}
                 for n in names]
        return (200 if items or name is None else 404), {"index_templates": items}

    @staticmethod
    def _render_index_template(stored: dict[str, Any], flat_settings: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"index_patterns": list(stored["index_patterns"])}
        if "template" in stored:
            out["template"] = render_template(stored["template"], flat_settings)
        for key in ("composed_of", "priority", "version", "_meta", "data_stream", "allow_auto_create",
                    "ignore_missing_component_templates"):
            if key in stored:
                out[key] = copy.deepcopy(stored[key])
        return out

    def delete_index_template(self, names: str) -> dict[str, Any]:
        removing: set[str] = set()
        for name in names.split(","):
            matched = {n for n in self.cluster.index_templates if simple_match(name, n)} if is_wildcard(name) \
                else ({name} if name in self.cluster.index_templates else set())
            if not matched and name != "*":
                raise error(404, "index_template_missing_exception", f"index_template [{name}] missing")
            removing |= matched
        blocked = []
        for ds in self.cluster.data_streams:
            candidates = {t for t, body in self.cluster.index_templates.items()
                          if any(simple_match(p, ds) for p in body["index_patterns"])}
            if candidates and candidates <= removing:
                blocked.append(ds)
        if blocked:
            raise bad_request(f"unable to remove composable templates {java_list(sorted(removing))} as they are in "
                              f"use by a data streams {java_list(sorted(blocked))}")
        for name in removing:
            del self.cluster.index_templates[name]
        return {"acknowledged": True}


def _template_errors(section: dict[str, Any], extra: set[str]) -> list[str]:
    if section.get("mappings"):
        validate_mappings(section["mappings"])
    return settings_errors(section.get("settings") or {}, extra)


def _name_and_pattern_errors(name: str, patterns: list[str]) -> list[str]:
    """MetadataIndexTemplateService.validate (note the source's own `index_patterns`/`index_pattern` mix)."""
    errors = []
    for bad, message in ((" ", "must not contain a space"), (",", "must not contain a ','"),
                         ("#", "must not contain a '#'"), ("*", "must not contain a '*'")):
        if bad in name:
            errors.append(f"name {message}")
    if name.startswith("_"):
        errors.append("name must not start with '_'")
    if name.lower() != name:
        errors.append("name must be lower cased")
    for pattern in patterns:
        if " " in pattern:
            errors.append(f"index_patterns [{pattern}] must not contain a space")
        for bad in (",", "#", ":"):
            if bad in pattern:
                errors.append(f"index_pattern [{pattern}] must not contain a '{bad}'")
        if pattern.startswith("_"):
            errors.append(f"index_pattern [{pattern}] must not start with '_'")
    return errors
