"""Prometheus metrics of a service, at `GET /metrics` on the service's own port.

The gateways route only the paths they list, and `/metrics` is not one; a request that came through
the public gateway anyway (it marks what it forwards `X-Zc-Edge: public`) is refused. Series:

- `zc_http_requests_total{method,route,status}` and `zc_http_request_duration_seconds{method,route}`
  (the route's template, `/api/v1/applications/{application_id}`, never the raw path);
- `zc_relay_head_position`, `zc_relay_published_position`, `zc_relay_lag_events`, `zc_relay_leader`,
  `zc_relay_parked_events` (zhicheng_kernel.health.RelayStatus, the head read from the store);
- per consumer and source: `zc_consumer_watermark`, `zc_consumer_lag_events`,
  `zc_consumer_last_error_age_seconds`, `zc_consumer_source_parked`; `zc_dead_letters_open{consumer}`;
- `zc_workflow_starts_pending`: the workflow starts Temporal has not accepted yet (workflow_starts).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import text

from .errors import Forbidden

if TYPE_CHECKING:
    from .service import ServiceRuntime

PUBLIC_EDGE_HEADER = "x-zc-edge"


class ServiceMetrics:
    """One registry per app (several apps may share a test process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("zc_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=r)
        self.latency = Histogram(
            "zc_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
            registry=r,
        )
        self.relay_head = Gauge("zc_relay_head_position", "The event store's head position", registry=r)
        self.relay_published = Gauge(
            "zc_relay_published_position", "The last position the broker acknowledged", registry=r
        )
        self.relay_lag = Gauge("zc_relay_lag_events", "Events committed but not yet published", registry=r)
        self.relay_leader = Gauge("zc_relay_leader", "1 when this replica's relay holds the lock", registry=r)
        self.relay_parked = Gauge("zc_relay_parked_events", "Events the relay cannot publish (parked)", registry=r)
        self.relay_error_age = Gauge(
            "zc_relay_last_error_age_seconds", "Seconds since the relay's last error (-1: none)", registry=r
        )
        labels = ["consumer", "source"]
        self.watermark = Gauge("zc_consumer_watermark", "Every position up to this one is applied", labels, registry=r)
        self.consumer_lag = Gauge("zc_consumer_lag_events", "The source's head minus the watermark", labels, registry=r)
        self.consumer_error_age = Gauge(
            "zc_consumer_last_error_age_seconds",
            "Seconds since the last error on the source (-1: none)",
            labels,
            registry=r,
        )
        self.parked = Gauge(
            "zc_consumer_source_parked", "1 when the source is parked on a failing event", labels, registry=r
        )
        self.dead_letters = Gauge(
            "zc_dead_letters_open", "Dead letters neither retried nor skipped", ["consumer"], registry=r
        )
        self.workflow_starts = Gauge(
            "zc_workflow_starts_pending", "Workflow starts Temporal has not accepted yet", registry=r
        )

    async def refresh(self, runtime: ServiceRuntime[Any]) -> None:
        """Read the relay's and consumers' status (and what only the database knows) into the gauges."""
        now = runtime.context.clock.now()
        async with runtime.context.db.read() as conn:
            head = await runtime.context.store.head(conn)
            has_starts = (await conn.execute(text("SELECT to_regclass('workflow_start') IS NOT NULL"))).scalar_one()
            pending = (
                (await conn.execute(text("SELECT count(*) FROM workflow_start WHERE NOT started"))).scalar_one()
                if has_starts
                else 0
            )
        self.workflow_starts.set(pending)
        relay = runtime.relay.status
        self.relay_head.set(max(head, relay.head_position))
        self.relay_published.set(relay.published_position)
        self.relay_lag.set(max(0, max(head, relay.head_position) - relay.published_position))
        self.relay_leader.set(1 if relay.leader else 0)
        self.relay_parked.set(len(relay.parked_positions))
        self.relay_error_age.set((now - relay.last_error_at).total_seconds() if relay.last_error_at else -1)
        for consumer in runtime.consumers.values():
            status = consumer.status
            self.dead_letters.labels(consumer.name).set(status.dead_letters)
            for source in consumer.subscriptions:
                source_status = status.sources.get(source)
                watermark = await consumer.watermark(source)
                self.watermark.labels(consumer.name, source).set(watermark)
                if source_status is None:
                    self.consumer_lag.labels(consumer.name, source).set(0)
                    self.consumer_error_age.labels(consumer.name, source).set(-1)
                    self.parked.labels(consumer.name, source).set(0)
                    continue
                self.consumer_lag.labels(consumer.name, source).set(max(0, source_status.feed_head - watermark))
                error_at = source_status.last_error_at
                self.consumer_error_age.labels(consumer.name, source).set(
                    (now - error_at).total_seconds() if error_at else -1
                )
                self.parked.labels(consumer.name, source).set(1 if source_status.parked_at_position is not None else 0)


class MetricsMiddleware:
    """Counts and times every HTTP request by its route's template and answer."""

    def __init__(self, app: Any, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            template = str(getattr(route, "path", "")) or "unmatched"
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)


def install_metrics(app: FastAPI) -> ServiceMetrics:
    """The request metrics and `GET /metrics` (refused through the public gateway)."""
    metrics = ServiceMetrics()
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    async def scrape(request: Request) -> Response:
        if request.headers.get(PUBLIC_EDGE_HEADER, "").lower() == "public":
            raise Forbidden("metrics_internal", "运行指标仅供内部监控系统读取。")
        await metrics.refresh(request.app.state.runtime)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", scrape, methods=["GET"], include_in_schema=False)
    return metrics
