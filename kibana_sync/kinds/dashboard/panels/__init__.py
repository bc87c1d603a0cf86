"""Dashboard panel types: one module per type (its YAML model, compile, decompile, normalise), listed in
``registry``; ``stored`` turns any panel into the element of ``panelsJSON`` Kibana stores and back."""
