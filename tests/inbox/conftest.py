"""The inbox's stack harness: org-service running for real, with application-service's and
review-service's events produced onto their Kafka topics as those services would publish them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from zhicheng_kernel.database import Database
from zhicheng_kernel.envelope import EventEnvelope, Metadata, NewEvent
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.kafka import topic_for
from zhicheng_kernel.positioner import Positioner

from tests.api_client import Api
from tests.harness import DATABASES, Stack


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[Api]:
    client = Api(stack)
    yield client
    client.http.close()


Publish = Callable[..., EventEnvelope]


@pytest.fixture
def publish(stack: Stack) -> Publish:
    """Append one event of `source` to that service's own event store, as the service would (its relay
    publishes it, its feed serves it: consumers apply only what the source's feed returns, issue 12
    finding 9); `again=` redelivers an envelope already published onto the topic (a duplicate delivery)."""

    def produce(
        source: str,
        event_type: str = "",
        payload: dict[str, Any] | None = None,
        *,
        again: EventEnvelope | None = None,
        stream_id: str | None = None,
    ) -> EventEnvelope:
        if source not in stack.processes:
            pytest.skip(f"needs {source} running (its feed is the truth): ZC_TEST_SERVICES")

        async def append() -> EventEnvelope:
            db = Database(stack.servers.postgres.url(DATABASES[source]), pool_size=1)
            store = EventStore(source)
            stream = stream_id or str(uuid.uuid4())
            try:
                async with db.transaction() as conn:
                    version = len(await store.load(conn, stream))
                    (event,) = await store.append(
                        conn, "test", stream, version, [NewEvent(event_type, payload or {})], Metadata(actor="test")
                    )
                # This test process appended, so it positions (as every appending process does).
                await Positioner(db).position_all()
                async with db.read() as conn:
                    return next(e for e in await store.load(conn, stream) if e.event_id == event.event_id)
            finally:
                await db.dispose()

        async def send(event: EventEnvelope) -> None:
            producer = AIOKafkaProducer(bootstrap_servers=stack.servers.kafka.bootstrap)
            await producer.start()
            try:
                await producer.send_and_wait(
                    topic_for(event.source), event.model_dump_json().encode(), key=event.stream_id.encode()
                )
            finally:
                await producer.stop()

        if again is not None:
            asyncio.run(send(again))
            return again
        return asyncio.run(append())

    return produce


def org_rows(stack: Stack, query: Any) -> list[dict[str, Any]]:
    """Rows of org-service's own database (as the service sees them), read from a synchronous test."""

    async def read() -> list[dict[str, Any]]:
        db = Database(stack.servers.postgres.url(DATABASES["org-service"]), pool_size=1)
        try:
            async with db.read() as conn:
                return [dict(r._mapping) for r in await conn.execute(query)]
        finally:
            await db.dispose()

    return asyncio.run(read())
