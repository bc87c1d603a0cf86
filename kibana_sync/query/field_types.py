"""How Kibana classifies Elasticsearch mapping types; shared by data views, query checks and Lens columns."""

from __future__ import annotations

# Lens column dataType for each mapping type (Kibana's KBN_FIELD_TYPES).
LENS_DATA_TYPES: dict[str, str] = {
    **dict.fromkeys(["keyword", "text", "match_only_text", "wildcard", "constant_keyword", "version", "flattened"],
                    "string"),
    **dict.fromkeys(["date", "date_nanos"], "date"),
    **dict.fromkeys(["long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float",
                     "unsigned_long", "histogram"], "number"),
    "boolean": "boolean", "ip": "ip", "geo_point": "geo_point", "geo_shape": "geo_shape",
}
