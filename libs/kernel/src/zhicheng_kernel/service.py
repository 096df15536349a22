"""One way to assemble a service: migrations, event store, outbox relay, consumers, API, health."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import Table

from .access_audit import install_access_audit
from .api_docs import install_api_docs
from .audit import install_audit
from .auth import ServiceCredentials, TokenVerifier
from .calendar import ChinaCalendar
from .clock import Clock, FixedClock, SystemClock
from .consumer import EventConsumer, Subscription
from .context import ServiceContext
from .database import Database
from .edge import install_edge
from .envelope import NO_UPCASTS, Upcasters
from .eventstore import EventStore
from .feed import FeedClient, feed_router
from .health import HealthReport, health_report
from .kafka import client_options, ensure_topics, keep_topics, topic_for
from .logs import configure_logging
from .metrics import install_metrics
from .migrations import upgrade
from .origin import OriginMiddleware
from .pace import Pace
from .positioner import Positioner
from .problem_responses import declare_problem_responses
from .problems import install_problem_handlers
from .relay import OutboxRelay
from .settings import ServiceSettings
from .telemetry import instrument_app, trace_consumer

log = logging.getLogger(__name__)


@dataclass
class ConsumerSpec:
    name: str
    subscriptions: list[Subscription]


C = TypeVar("C", bound=ServiceContext)


@dataclass
class ServiceRuntime(Generic[C]):
    """The running service: its context (what routes and handlers use), positioner, relay and consumers."""

    context: C
    relay: OutboxRelay
    positioner: Positioner
    consumers: dict[str, EventConsumer] = field(default_factory=dict)

    def nudge_consumers(self) -> None:
        """The broker may have lost records (restarted, forgot its topics): every consumer reads its feeds."""
        for consumer in self.consumers.values():
            consumer.nudge()


# Builds the service's own context from the kernel's parts (nothing is built at import time).
ContextFactory = Callable[[ServiceContext], Awaitable[C]]
# Start-up and shut-down hooks and background jobs receive the service's context.
Hook = Callable[[C], Awaitable[None]]


def clock_from(settings: ServiceSettings) -> Clock:
    """ZC_FAKE_NOW (ISO 8601 with offset) freezes the clock; production never honours it."""
    if settings.fake_now is not None and settings.environment != "production":
        return FixedClock(settings.fake_now)
    return SystemClock()


def kernel_context(
    name: str,
    settings: ServiceSettings,
    *,
    upcasters: Upcasters = NO_UPCASTS,
    store_factory: Callable[[str, Upcasters], EventStore] = EventStore,
    verifier: TokenVerifier | None = None,
    clock: Clock | None = None,
    pool_size: int = 10,
) -> ServiceContext:
    """The kernel's parts of a service context, for the running service and for its command-line tools."""
    the_clock = clock or clock_from(settings)
    store = store_factory(name, upcasters)
    store.clock = the_clock
    return ServiceContext(
        name=name,
        settings=settings,
        db=Database(settings.database_url, pool_size=pool_size),
        store=store,
        clock=the_clock,
        calendar=ChinaCalendar(),
        credentials=ServiceCredentials(
            f"{settings.org_url}/api/v1/auth/token", settings.service_client_id, settings.service_client_secret
        ),
        verifier=verifier or TokenVerifier(jwks_url=f"{settings.org_url}/.well-known/jwks.json"),
    )


def create_service_app(
    name: str,
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    migrations_dir: Path,
    routers: Sequence[APIRouter],
    context: ContextFactory[C],
    consumers: Sequence[ConsumerSpec] = (),
    upcasters: Upcasters = NO_UPCASTS,
    verifier: TokenVerifier | None = None,
    clock: Clock | None = None,
    on_startup: Sequence[Hook[C]] = (),
    on_shutdown: Sequence[Hook[C]] = (),
    background: Sequence[Callable[[C], Coroutine[Any, Any, None]]] = (),
    store_factory: Callable[[str, Upcasters], EventStore] = EventStore,
    access_audit: Table | None = None,
    audit_log: Table | None = None,
) -> FastAPI:
    """Migrations, then the service's context, relay, consumers and background jobs, then the API."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await upgrade(settings.database_url, migrations_dir)
        base = kernel_context(
            name, settings, upcasters=upcasters, store_factory=store_factory, verifier=verifier, clock=clock
        )
        db, store = base.db, base.store
        runtime = ServiceRuntime(
            context=await context(base),
            relay=OutboxRelay(db, store, settings.kafka_bootstrap, options=client_options(settings)),
            positioner=Positioner(db),
        )
        for spec in consumers:
            feeds = {
                s.source: FeedClient(s.source, settings.peer_url(s.source), base.credentials)
                for s in spec.subscriptions
            }
            runtime.consumers[spec.name] = EventConsumer(
                spec.name,
                db,
                spec.subscriptions,
                bootstrap=settings.kafka_bootstrap,
                feeds=feeds,
                catchup_interval=settings.catchup_interval_seconds,
                heartbeat=settings.quiet_heartbeat_seconds,
                session_timeout_ms=settings.consumer_session_timeout_ms,
                heartbeat_interval_ms=settings.consumer_heartbeat_interval_ms,
                context=runtime.context,
                options=client_options(settings),
            )
        for traced in runtime.consumers.values():  # a consumer span in each applied event's trace
            trace_consumer(traced)
        app.state.runtime = runtime
        app.state.context = runtime.context
        app.state.verifier = runtime.context.verifier
        for hook in on_startup:
            await hook(runtime.context)
        topics = sorted({topic_for(name)} | {topic_for(s.source) for spec in consumers for s in spec.subscriptions})
        with contextlib.suppress(Exception):
            await ensure_topics(
                settings.kafka_bootstrap,
                topics,
                settings.kafka_partitions,
                settings.kafka_replication,
                client_options(settings),
            )
        tasks = [
            asyncio.create_task(runtime.positioner.run(), name=f"{name}.positioner"),  # first: see the shutdown
            asyncio.create_task(runtime.relay.run(), name=f"{name}.relay"),
            asyncio.create_task(
                keep_topics(
                    settings.kafka_bootstrap,
                    topics,
                    settings.kafka_partitions,
                    settings.kafka_replication,
                    Pace(max(settings.catchup_interval_seconds, 1.0), settings.quiet_heartbeat_seconds),
                    options=client_options(settings),
                    on_gap=runtime.nudge_consumers,
                ),
                name=f"{name}.topics",
            ),
        ]
        tasks += [asyncio.create_task(c.run(), name=c.name) for c in runtime.consumers.values()]
        tasks += [asyncio.create_task(job(runtime.context)) for job in background]
        try:
            yield
        finally:
            runtime.positioner.stop()  # it ends between two transactions (a cancelled query can stick)
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(tasks[0], timeout=5)
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(task, timeout=5)
            for hook in on_shutdown:
                await hook(runtime.context)
            await db.dispose()

    # /docs serves Swagger UI from the service itself, never a CDN (zhicheng_kernel.api_docs)
    app = FastAPI(
        title=title, description=description, version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    install_api_docs(app)
    if access_audit is not None:  # inside OriginMiddleware: the origin is known when it records
        install_access_audit(app, access_audit)
    if audit_log is not None:  # the business audit (finding 16), inside OriginMiddleware like the access audit
        install_audit(app, name, audit_log)
    install_metrics(app)
    app.add_middleware(OriginMiddleware)
    install_problem_handlers(app)
    instrument_app(app, name, settings)  # traces and the correlation id (wraps the problem handlers above)

    @app.get(
        "/health",
        tags=["运维"],
        summary="健康检查",
        response_model=HealthReport,
        responses={503: {"model": HealthReport, "description": "转发或消费停滞、有死信（见 problems）"}},
    )
    async def health() -> JSONResponse:
        runtime: ServiceRuntime[ServiceContext] = app.state.runtime
        async with runtime.context.db.read() as conn:
            head = await runtime.context.store.head(conn)
        watermarks = {
            consumer.name: {source: await consumer.watermark(source) for source in consumer.subscriptions}
            for consumer in runtime.consumers.values()
        }
        statuses = {c.name: c.status for c in runtime.consumers.values()}
        report = health_report(name, head, runtime.relay.status, statuses, watermarks)
        return JSONResponse(jsonable_encoder(report), status_code=200 if report.status == "ok" else 503)

    app.include_router(feed_router())
    for router in routers:
        app.include_router(router)
    install_edge(app)  # body caps, the token before the body, no NUL; /livez (zhicheng_kernel.edge)
    declare_problem_responses(app)
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    configure_logging(getattr(app.state, "service_name", app.title), settings)
    uvicorn.run(
        app, host=settings.http_host, port=settings.http_port, log_level="info", access_log=False, log_config=None
    )
