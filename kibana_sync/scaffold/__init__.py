"""The files ``kibana-sync init`` writes into a new repository, kept as package data under ``files/``."""
