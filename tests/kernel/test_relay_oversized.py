"""Events over Kafka's message size (finding 2 of issue 12): the store refuses them, and the relay
parks one the broker refuses anyway instead of retrying it forever."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select
from zhicheng_kernel import deadletters
from zhicheng_kernel.consumer import EventConsumer, Subscription
from zhicheng_kernel.envelope import EventEnvelope, Metadata, NewEvent
from zhicheng_kernel.errors import DomainError
from zhicheng_kernel.eventstore import MAX_EVENT_BYTES, EventStore
from zhicheng_kernel.kafka import ensure_topics, topic_for
from zhicheng_kernel.relay import OutboxRelay
from zhicheng_kernel.tables import events

from tests.harness import Servers
from tests.kernel.messaging_support import (
    DatabaseFactory,
    StoreFeed,
    add_to_total,
    append,
    eventually,
    source_name,
    total,
)

pytestmark = pytest.mark.stack


async def test_finding_2_the_store_refuses_an_event_over_the_bound(fresh: DatabaseFactory) -> None:
    """Finding 2: "Events over Kafka's message size block publishing: ... an `authors` item of 2 MB is
    accepted". The event store refuses such an event when it is appended, with a clear problem, and
    writes nothing of the command."""
    db = await fresh()
    store = EventStore(source_name())
    stream = f"s-{uuid.uuid4()}"
    with pytest.raises(DomainError) as refused:
        async with db.transaction() as conn:
            await store.append(
                conn,
                "paper",
                stream,
                0,
                [NewEvent("Small", {"by": 1}), NewEvent("PaperSubmitted", {"authors": ["张" * 2_000_000]})],
                Metadata(actor="test"),
            )
    assert refused.value.code == "event_too_large"
    assert refused.value.status == 413
    assert "事件" in refused.value.message
    async with db.read() as conn:
        assert await store.load(conn, stream) == []
        assert await store.head(conn) == 0
    # Just under the bound is accepted (the bound counts the payload's UTF-8 JSON bytes).
    async with db.transaction() as conn:
        fits = NewEvent("Fits", {"t": "a" * (MAX_EVENT_BYTES - 20)})
        await store.append(conn, "paper", stream, 0, [fits], Metadata("t"))


async def test_finding_2_the_relay_parks_an_event_the_broker_refuses_and_publishes_the_later_ones(
    servers: Servers, fresh: DatabaseFactory
) -> None:
    """Finding 2: "the relay then retries one oversized event forever and the service's `published`
    counter freezes." An oversized event already in the store (written before the bound) is parked with a
    dead letter; the events after it are published, and consumers still get it from the feed."""
    db = await fresh()
    store = EventStore(source_name())
    await ensure_topics(servers.kafka.bootstrap, [topic_for(store.source)], 1)
    before = await append(db, store, 1)
    async with db.transaction() as conn:  # as an event written before the store had its bound
        head = (await conn.execute(select(func.coalesce(func.max(events.c.position), 0)))).scalar_one()
        await conn.execute(
            events.insert().values(
                stream_id=f"s-{uuid.uuid4()}",
                version=1,
                position=head + 1,
                stream_type="counter",
                event_id=uuid.uuid4(),
                event_type="Incremented",
                schema_version=1,
                occurred_at=func.now(),
                actor="test",
                correlation_id=uuid.uuid4(),
                causation_id=None,
                payload={"by": 10, "authors": ["x" * 2_000_000]},
            )
        )
    oversized = head + 1
    after = await append(db, store, 100)
    relay = OutboxRelay(db, store, servers.kafka.bootstrap, review_interval=0.2)
    task = asyncio.create_task(relay.run())
    reader = AIOKafkaConsumer(
        topic_for(store.source), bootstrap_servers=servers.kafka.bootstrap, auto_offset_reset="earliest"
    )
    await reader.start()
    seen: list[int] = []
    try:
        async with asyncio.timeout(30):
            while after.position not in seen:
                for records in (await reader.getmany(timeout_ms=500)).values():
                    seen += [EventEnvelope.model_validate_json(r.value).position for r in records]
        await eventually(lambda: _at_least(relay.published_position, after.position), 10)
        assert seen == [before.position, after.position]
        assert relay.status.parked_positions == [oversized]
        async with db.read() as conn:
            (letter,) = await deadletters.list_dead_letters(conn)
        assert (letter.consumer, letter.source, letter.position, letter.status, letter.attempts) == (
            deadletters.RELAY,
            store.source,
            oversized,
            "open",
            1,
        )
        assert "MessageSizeTooLarge" in letter.error
        # An operator retries it (nothing changed: it is parked again), then skips it with a reason.
        await deadletters.retry(db, deadletters.RELAY, store.source, oversized, by="运维员", reason="再试一次")

        async def attempted_twice() -> bool:
            async with db.read() as conn:
                (again,) = await deadletters.list_dead_letters(conn)
            return again.status == "open" and again.attempts == 2

        await eventually(attempted_twice, 30)
        assert relay.status.parked_positions == [oversized]
        await deadletters.skip(
            db, deadletters.RELAY, store.source, oversized, by="运维员", reason="过大，消费方从事件流读取"
        )
        await eventually(lambda: _equal(relay.status.parked_positions, []), 30)
    finally:
        await reader.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    # Consumers still get it from the feed (the truth).
    consumer = EventConsumer(
        f"c-{store.source}",
        db,
        [Subscription(store.source, {"Incremented": add_to_total})],
        bootstrap=servers.kafka.bootstrap,
        feeds={store.source: StoreFeed(db, store)},  # type: ignore[dict-item]
    )
    await consumer.catch_up(store.source)
    assert await total(db, store.source) == 111


async def _at_least(value: int, bound: int) -> bool:
    return value >= bound


async def _equal(value: object, expected: object) -> bool:
    return value == expected
