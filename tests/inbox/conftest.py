"""The inbox's stack harness: org-service running for real, with application-service's and
review-service's events produced onto their Kafka topics as those services would publish them."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from zhicheng_kernel.database import Database
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.kafka import topic_for
from zhicheng_kernel.testing import envelope

from tests.api_client import Api
from tests.harness import DATABASES, Stack

# Far above anything the real services reach in a test run, so events of ours never collide with
# theirs when application-service and review-service run too; each is applied when it arrives.
_positions = itertools.count(10**12 + secrets.randbelow(10**9) * 1000)


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[Api]:
    client = Api(stack)
    yield client
    client.http.close()


Publish = Callable[..., EventEnvelope]


@pytest.fixture
def publish(stack: Stack) -> Publish:
    """Produce one event of `source` onto its topic, keyed by its stream as the source's relay does;
    `again=` redelivers an envelope already produced."""

    def produce(
        source: str,
        event_type: str = "",
        payload: dict[str, Any] | None = None,
        *,
        again: EventEnvelope | None = None,
        stream_id: str | None = None,
    ) -> EventEnvelope:
        position = next(_positions)
        event = again or envelope(source, event_type, payload or {}, stream_id=stream_id, position=position)

        async def send() -> None:
            producer = AIOKafkaProducer(bootstrap_servers=stack.servers.kafka.bootstrap)
            await producer.start()
            try:
                await producer.send_and_wait(
                    topic_for(event.source), event.model_dump_json().encode(), key=event.stream_id.encode()
                )
            finally:
                await producer.stop()

        asyncio.run(send())
        return event

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
