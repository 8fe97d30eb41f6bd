"""A local replica of an ECSS-like WordPress (Foxiz) site, generated from data and served on
127.0.0.1, for end-to-end crawl tests, the offline demo, incremental-crawl and fault tests,
and crawl benchmarks.

Quick start::

    from ecss_crawler.replica import ReplicaConfig, serve_replica

    with serve_replica(ReplicaConfig(n_articles=40)) as server:
        server.base_url            # http://127.0.0.1:PORT/
        server.site.expected_records()
        server.requests            # what was asked for
"""

from __future__ import annotations

from ecss_crawler.replica.faults import (
    Body,
    Delay,
    Fault,
    Mirror,
    Redirect,
    Reset,
    Status,
    Transform,
    Truncate,
)
from ecss_crawler.replica.model import ArticleSpec, Block, ReplicaConfig, Response, Run
from ecss_crawler.replica.server import ReplicaServer, RequestLog, RequestRecord, serve_replica
from ecss_crawler.replica.site import ReplicaSite
from ecss_crawler.replica.static_export import nginx_conf, write_static

__all__ = [
    "ArticleSpec",
    "Block",
    "Body",
    "Delay",
    "Fault",
    "Mirror",
    "Redirect",
    "ReplicaConfig",
    "ReplicaServer",
    "ReplicaSite",
    "RequestLog",
    "RequestRecord",
    "Reset",
    "Response",
    "Run",
    "Status",
    "Transform",
    "Truncate",
    "nginx_conf",
    "serve_replica",
    "write_static",
]
