"""Compact Lens panels: ``LensChart`` (what a person writes), ``compile_lens`` (-> Lens attributes),
``decompile_lens`` (the exact inverse, or None), ``normalise_lens`` (comparable form) and the fields and
queries a chart names."""

from kibana_sync.lens.compile import compile_lens
from kibana_sync.lens.config import Bucket, LensChart, MetricSpec
from kibana_sync.lens.decompile import decompile_lens
from kibana_sync.lens.filters import compact_filter_data_views
from kibana_sync.lens.normalise import normalise_lens
from kibana_sync.lens.usage import lens_fields, lens_queries

__all__ = ["Bucket", "LensChart", "MetricSpec", "compact_filter_data_views", "compile_lens", "decompile_lens",
           "lens_fields", "lens_queries", "normalise_lens"]
