"""validate skips writing an object's JSON to measure it when a bound shows it is far below Kibana's import limit:
the bound must never be below the real size, or an object over the limit would pass."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kibana_sync.project.loader import json_bytes_bound

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30))
trees = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=5)),
                     max_leaves=40)


@given(trees)
@settings(max_examples=300)
def test_the_bound_is_never_below_the_written_size(value: Any) -> None:
    try:
        written = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate: measured by writing it, as before
        return
    assert json_bytes_bound(value) >= len(written)
