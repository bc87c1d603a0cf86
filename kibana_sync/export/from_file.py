"""Where exported objects come from: a Kibana NDJSON export file, or a ``build`` output folder
(``saved_objects.ndjson`` + ``rules/<id>.json`` + ``connectors/<id>.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from kibana_sync.export.pipeline import ExportReport, KibanaObject
from kibana_sync.kibana.ndjson import parse_ndjson
from kibana_sync.source.diagnostics import Severity
from kibana_sync.source.yaml_reader import YAMLSourceError, decode_text

BUILD_NDJSON = "saved_objects.ndjson"


def read_export_file(path: Path, report: ExportReport) -> list[KibanaObject]:
    """The saved objects of one NDJSON file; bad lines and the export-details line's complaints go in ``report``."""
    try:
        text = decode_text(path.read_bytes())
    except YAMLSourceError as exc:
        report.add(Severity.ERROR, f"{path}:{exc.line}:{exc.column}", exc.message)
        return []
    parsed = parse_ndjson(text)
    for problem in parsed.problems:
        report.add(Severity.ERROR, f"{path}:{problem.line}", problem.message)
    for warning in parsed.detail_warnings():
        report.add(Severity.WARNING, str(path), warning)
    return [KibanaObject("saved_objects", o.obj["type"], o.obj["id"], o.obj, f"{path}:{o.line}")
            for o in parsed.objects]


def read_build_dir(root: Path, report: ExportReport) -> list[KibanaObject]:
    """What ``build`` wrote: rule and connector bodies carry no id (it is the file name), so it is put back."""
    objects = read_export_file(root / BUILD_NDJSON, report) if (root / BUILD_NDJSON).is_file() else []
    for folder, api, type_ in (("connectors", "connectors", "connector"), ("rules", "rules", "rule")):
        for path in sorted((root / folder).glob("*.json")):
            try:
                body = json.loads(decode_text(path.read_bytes()))
            except YAMLSourceError as exc:
                report.add(Severity.ERROR, f"{path}:{exc.line}:{exc.column}", exc.message)
                continue
            except ValueError as exc:
                report.add(Severity.ERROR, str(path), f"not valid JSON: {exc}")
                continue
            except RecursionError:
                report.add(Severity.ERROR, str(path), "not valid JSON: nested too deeply (limit on input)")
                continue
            if not isinstance(body, dict):
                report.add(Severity.ERROR, str(path), f"expected a JSON object, got {type(body).__name__}")
                continue
            objects.append(KibanaObject(api, type_, path.stem, {"id": path.stem, **body}, str(path)))
    return objects


def read_from_file(path: Path, report: ExportReport) -> list[KibanaObject]:
    """``--from-file``: an NDJSON export, or a build output folder."""
    return read_build_dir(path, report) if path.is_dir() else read_export_file(path, report)
