"""Dashboard panel types: one module per type (its YAML model, compile, decompile, normalise), listed in
``registry``; ``stored`` turns any panel into the element of ``panelsJSON`` Kibana stores and back.

Adding a panel type: write ``panels/<type>.py`` with a model (a ``PanelCommon`` subclass with the key that names
the type, and ``content_config_keys``: the ``embeddableConfig`` keys it writes) and a ``PanelType`` whose
``compile`` returns Kibana's panel type, config and references, whose ``decompile`` is its inverse on the
normalised stored panel (None when it cannot say a panel exactly), ``normalise`` the defaults Kibana fills on
load and ``references`` the objects it points at; add one line to ``registry.PANEL_TYPES`` (before any type
that would also read the panel). ``tests/kinds/dashboard/test_dashboard_panel_laws.py`` then checks the
inverse law on every corpus panel the new type reads.
"""
