"""Per-space ids, so one repo can be pushed into several Kibana spaces.

In Kibana 8 the ids of saved objects, rules and connectors are global across spaces (reference 1.1, 2.1):
importing an id that another space already uses makes Kibana store a copy under a random id, which kibana-sync
could then never find again. ``--id-suffix`` gives every object the repo manages its own id in this space
(``genesis-logs`` -> ``genesis-logs-staging``) and rewrites the references between them; references to
objects the repo does not manage (``{external: ...}``) keep their ids.
"""

from __future__ import annotations

from kibana_sync.kibana.stores.registry import store_named
from kibana_sync.project.build import Build


def with_id_suffix(build: Build, suffix: str) -> Build:
    if not suffix:
        return build
    managed = {key for objects in build.objects.values() for key in objects}
    suffixed = Build(adopt={i + suffix for i in build.adopt})
    for store_name, objects in build.objects.items():
        store = store_named(store_name)
        for key, body in objects.items():
            suffixed.add(store_name, *store.with_id_suffix(key, body, suffix, managed))
    return suffixed
