"""One way to assemble a service: migrations, event store, outbox relay, consumers, API, health."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI

from .auth import ServiceCredentials, TokenVerifier
from .consumer import EventConsumer, Subscription
from .database import Database
from .envelope import NO_UPCASTS, Upcasters
from .eventstore import EventStore
from .feed import FeedClient, feed_router
from .kafka import ensure_topics, keep_topics, topic_for
from .migrations import upgrade
from .origin import OriginMiddleware
from .problems import install_problem_handlers
from .relay import OutboxRelay
from .settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass
class ConsumerSpec:
    name: str
    subscriptions: list[Subscription]


@dataclass
class ServiceRuntime:
    """Everything a request handler or a consumer of this service needs, built once at start."""

    name: str
    settings: ServiceSettings
    db: Database
    store: EventStore
    credentials: ServiceCredentials
    verifier: TokenVerifier
    relay: OutboxRelay
    consumers: dict[str, EventConsumer] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)


Hook = Callable[[ServiceRuntime], Awaitable[None]]


def create_service_app(
    name: str,
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    migrations_dir: Path,
    routers: Sequence[APIRouter],
    consumers: Sequence[ConsumerSpec] = (),
    upcasters: Upcasters = NO_UPCASTS,
    verifier: TokenVerifier | None = None,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    background: Sequence[Callable[[ServiceRuntime], Coroutine[Any, Any, None]]] = (),
    store_factory: Callable[[str, Upcasters], EventStore] = EventStore,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await upgrade(settings.database_url, migrations_dir)
        db = Database(settings.database_url)
        store = store_factory(name, upcasters)
        credentials = ServiceCredentials(
            f"{settings.org_url}/api/v1/auth/token", settings.service_client_id, settings.service_client_secret
        )
        runtime = ServiceRuntime(
            name=name,
            settings=settings,
            db=db,
            store=store,
            credentials=credentials,
            verifier=verifier or TokenVerifier(jwks_url=f"{settings.org_url}/.well-known/jwks.json"),
            relay=OutboxRelay(db, store, settings.kafka_bootstrap),
        )
        for spec in consumers:
            feeds = {
                s.source: FeedClient(s.source, settings.peer_url(s.source), credentials) for s in spec.subscriptions
            }
            runtime.consumers[spec.name] = EventConsumer(
                spec.name,
                db,
                spec.subscriptions,
                bootstrap=settings.kafka_bootstrap,
                feeds=feeds,
                catchup_interval=settings.catchup_interval_seconds,
                session_timeout_ms=settings.consumer_session_timeout_ms,
                heartbeat_interval_ms=settings.consumer_heartbeat_interval_ms,
            )
        app.state.runtime = runtime
        app.state.verifier = runtime.verifier
        for hook in on_startup:
            await hook(runtime)
        topics = sorted({topic_for(name)} | {topic_for(s.source) for spec in consumers for s in spec.subscriptions})
        with contextlib.suppress(Exception):
            await ensure_topics(settings.kafka_bootstrap, topics, settings.kafka_partitions, settings.kafka_replication)
        tasks = [
            asyncio.create_task(runtime.relay.run(), name=f"{name}.relay"),
            asyncio.create_task(
                keep_topics(
                    settings.kafka_bootstrap,
                    topics,
                    settings.kafka_partitions,
                    settings.kafka_replication,
                    interval=max(settings.catchup_interval_seconds, 1.0),
                ),
                name=f"{name}.topics",
            ),
        ]
        tasks += [asyncio.create_task(c.run(), name=c.name) for c in runtime.consumers.values()]
        tasks += [asyncio.create_task(job(runtime)) for job in background]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(task, timeout=5)
            for hook in on_shutdown:
                await hook(runtime)
            await db.dispose()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.add_middleware(OriginMiddleware)
    install_problem_handlers(app)

    @app.get("/health", tags=["运维"], summary="健康检查")
    async def health() -> dict[str, Any]:
        runtime: ServiceRuntime = app.state.runtime
        async with runtime.db.read() as conn:
            head = await runtime.store.head(conn)
        watermarks = {
            consumer.name: {source: await consumer.watermark(source) for source in consumer.subscriptions}
            for consumer in runtime.consumers.values()
        }
        return {
            "status": "ok",
            "service": name,
            "head": head,
            "published": runtime.relay.published_position,
            "consumers": watermarks,
        }

    app.include_router(feed_router())
    for router in routers:
        app.include_router(router)
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_level="info", access_log=False)
