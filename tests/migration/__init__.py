"""Corpus migration yardstick (issue 9): corpus -> Kibana -> `export --all` -> `push` into an empty space -> compare."""
