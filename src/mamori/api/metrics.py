"""Prometheus metrics, one registry per app (so several apps in one process, as in tests, never collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "mamori_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mamori_http_request_seconds",
            "HTTP request latency by route",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.verdicts = Counter(
            "mamori_verdicts", "Decisions by kind and verdict", ["kind", "verdict"], registry=self.registry
        )

    def verdict(self, kind: str, verdict: str) -> None:
        self.verdicts.labels(kind, verdict).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
