"""One package per kind of Kibana object (its YAML model, compile, decompile, checks); ``registry`` lists them in
apply order and ``base`` is the interface they share."""
