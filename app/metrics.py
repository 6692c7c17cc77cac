"""Prometheus metrics of the service (one registry per app instance, so tests stay isolated)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "undertow_deliveries_total",
            "Webhook deliveries by event and outcome",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.queue_depth = Gauge("undertow_queue_depth", "Jobs waiting", registry=self.registry)
        self.review_seconds = Histogram(
            "undertow_review_seconds",
            "Time from job start to published review",
            registry=self.registry,
            buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300),
        )
        self.github_calls = Counter(
            "undertow_github_calls_total", "GitHub API calls", ["method"], registry=self.registry
        )
        self.rate_limit_remaining = Gauge(
            "undertow_github_rate_limit_remaining", "x-ratelimit-remaining of the last response", registry=self.registry
        )
        self.findings = Counter(
            "undertow_findings_total", "Findings published, by rule", ["rule"], registry=self.registry
        )
