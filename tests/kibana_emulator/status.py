"""`GET /api/status` (reference 1.5): redacted without credentials, the full body with `version.number` with them."""

from __future__ import annotations

from typing import Any

from .config import EmulatorConfig
from .wire import Request, Response, json_response

AVAILABLE = {"level": "available", "summary": "All services and plugins are available"}


def status_response(request: Request, config: EmulatorConfig, now: str) -> Response:
    if request.principal is None:
        return json_response({"status": {"overall": {"level": "available"}}})
    body: dict[str, Any] = {
        "name": config.server_name,
        "uuid": config.server_uuid,
        "version": {"number": config.version.removesuffix("-SNAPSHOT"), "build_hash": "0" * 40,
                    "build_number": 68000, "build_snapshot": config.version.endswith("-SNAPSHOT"),
                    "build_date": "2023-11-04T09:02:47.000Z"},
        "status": {
            "overall": AVAILABLE,
            "core": {"elasticsearch": {"level": "available", "summary": "Elasticsearch is available"},
                     "savedObjects": {"level": "available", "summary": "SavedObjects service has completed migrations and is available"}},
            "plugins": {},
        },
        "metrics": {"last_updated": now, "collection_interval_in_millis": 5000, "os": {}, "process": {},
                    "processes": [], "response_times": {}, "concurrent_connections": 0, "requests": {},
                    "elasticsearch_client": {}},
    }
    return json_response(body)
