"""Dashboard filters are the shared filter pills of ``_filter_pills`` (one YAML form for searches and dashboards).

Kept only so that modules still importing the model from here keep working; new code imports ``_filter_pills``.
"""

from kibana_sync.kinds._filter_pills import Filter, FilterSpec, compact_filter, normalise_filter

__all__ = ["Filter", "FilterSpec", "compact_filter", "normalise_filter"]
