"""kibana-sync: Kibana content as YAML, compiled to Kibana 8.11 objects and kept in sync."""

__version__ = "0.1.0"
