"""What a test can vary about the emulated Elasticsearch: version, credentials, licence, repositories."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EsConfig:
    version: str = "8.11.1"
    # GET / of an 8.11.1 distribution (build hash/date as published for 8.11.1; lucene 9.8.0).
    build_hash: str = "6f9ff581fbcde658e6f69d6ce03050f060d1fd0c"
    build_date: str = "2023-11-11T10:05:59.421038163Z"
    build_flavor: str = "default"
    build_type: str = "docker"
    lucene_version: str = "9.8.0"
    minimum_wire_compatibility_version: str = "7.17.0"
    minimum_index_compatibility_version: str = "7.0.0"
    node_name: str = "es-emulator-0"
    cluster_name: str = "docker-cluster"
    cluster_uuid: str = "Xq2Yh7DTRzK1Fj3xCq5uPw"
    users: dict[str, str] = field(default_factory=lambda: {"elastic": "changeme"})
    api_keys: dict[str, str] = field(default_factory=dict)  # api key id -> secret (`ApiKey base64(id:secret)`)
    # ES 8 answers 401 with one WWW-Authenticate challenge per enabled realm type (basic, token service, api keys).
    www_authenticate: tuple[str, ...] = ('Basic realm="security", charset="UTF-8"', 'Bearer realm="security"',
                                         "ApiKey")
    # `searchable_snapshot` in an ILM policy needs an enterprise licence (reference 7.1); a fresh self-managed
    # cluster is `basic`, the default here lets policies through unless a test asks for the licence error.
    license: str = "enterprise"
    snapshot_repositories: set[str] = field(default_factory=set)  # empty: searchable_snapshot policies fail
    slm_policies: set[str] = field(default_factory=set)  # for ILM `wait_for_snapshot`
    # `status` of every data stream in GET _data_stream (a single node with replicas=1 would say YELLOW).
    data_stream_status: str = "GREEN"
    # A real 8.11 cluster always holds ILM metadata (it installs built-in policies), so a GET of a missing policy
    # answers `Lifecycle policy not found: <name>`; False models a cluster without any (`[<name>]`, reference 7.1).
    ilm_metadata_exists: bool = True
    # Unknown `index.*` settings are rejected like ES does; tests needing an exotic setting can add it here.
    extra_index_settings: set[str] = field(default_factory=set)
