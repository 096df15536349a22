"""Kafka only wakes a consumer up (finding 9 of issue 12, the local part): what it applies comes from
the source's feed, and the source is the topic's, never the message body's."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from zhicheng_kernel.consumer import EventConsumer, Subscription
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.kafka import ensure_topics, topic_for

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


def forged(genuine: EventEnvelope, **changes: object) -> bytes:
    return genuine.model_copy(update={"event_id": uuid.uuid4(), **changes}).model_dump_json().encode()


async def test_finding_9_a_forged_envelope_at_the_next_position_is_not_applied(
    servers: Servers, fresh: DatabaseFactory
) -> None:
    """Finding 9: "a consumer takes `source` and `position` from the message body: a forged envelope at
    the next position is applied and the genuine one dropped." Anyone who can write to the topic
    publishes an envelope at the next position (and one claiming another source): the consumer applies
    the genuine events from the feed and never the forged ones."""
    db, other_db = await fresh(), await fresh()
    store, other = EventStore(source_name()), EventStore(source_name())
    topic = topic_for(store.source)
    await ensure_topics(servers.kafka.bootstrap, [topic, topic_for(other.source)], 1)
    first = await append(db, store, 5)
    other_first = await append(other_db, other, 3)
    consumer = EventConsumer(
        f"c-{store.source}",
        db,
        [Subscription(s.source, {"Incremented": add_to_total}) for s in (store, other)],
        bootstrap=servers.kafka.bootstrap,
        feeds={store.source: StoreFeed(db, store), other.source: StoreFeed(other_db, other)},  # type: ignore[dict-item]
        catchup_interval=3600,  # the Kafka path only
        session_timeout_ms=2000,
        heartbeat_interval_ms=300,
    )
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka.bootstrap)
    await producer.start()
    task = asyncio.create_task(consumer.run_kafka())
    try:
        await producer.send_and_wait(topic, first.model_dump_json().encode(), key=b"k")
        # The attacker's envelopes: the next position of this source, and a position of the other source
        # sent on this source's topic.
        await producer.send_and_wait(topic, forged(first, position=first.position + 1, payload={"by": 1000}), key=b"k")
        await producer.send_and_wait(
            topic, forged(other_first, position=other_first.position + 1, payload={"by": 2000}), key=b"k"
        )
        await eventually(lambda: _at_least(consumer.watermark(store.source), first.position), 30)
        genuine = await append(db, store, 7)
        assert genuine.position == first.position + 1
        await producer.send_and_wait(topic, genuine.model_dump_json().encode(), key=b"k")
        await eventually(lambda: _at_least(consumer.watermark(store.source), genuine.position), 30)
    finally:
        await producer.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert await total(db, store.source) == 12
    assert await total(db, other.source) == 0  # nothing of the other source came through this topic
    assert await consumer.watermark(other.source) == 0


async def _at_least(value: object, bound: int) -> bool:
    if asyncio.iscoroutine(value):
        value = await value
    assert isinstance(value, int)
    return value >= bound
