"""The relay's leadership lock against a real broker that dies and comes back (finding 3 of issue 12)."""

from __future__ import annotations

import asyncio
import logging

import pytest
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.kafka import ensure_topics, topic_for
from zhicheng_kernel.relay import OutboxRelay

from tests.harness import Servers
from tests.kernel.messaging_support import (
    DatabaseFactory,
    advisory_locks,
    append,
    eventually,
    source_name,
)

pytestmark = pytest.mark.stack


async def test_finding_3_the_relay_publishes_again_after_the_broker_died(
    servers: Servers, fresh: DatabaseFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Finding 3: "The relay's leadership lock leaks: pg_try_advisory_lock is taken on a pooled connection
    that goes back to the pool still holding it when the producer fails; after any broker outage no
    replica publishes again." The broker is killed under a publishing relay and restarted: the relay
    publishes again, and no advisory lock stays with an idle pooled connection once the relay stopped."""
    db = await fresh()
    store = EventStore(source_name())
    await ensure_topics(servers.kafka.bootstrap, [topic_for(store.source)], 1)
    relay = OutboxRelay(db, store, servers.kafka.bootstrap, request_timeout_ms=3000)
    task = asyncio.create_task(relay.run())
    caplog.set_level(logging.WARNING, logger="zhicheng_kernel.relay")

    async def published(position: int) -> bool:
        return relay.published_position >= position

    async def relay_failed() -> bool:
        return any("outbox relay of" in r.getMessage() and "failed" in r.getMessage() for r in caplog.records)

    try:
        first = await append(db, store)
        await eventually(lambda: published(first.position), 30)
        await asyncio.to_thread(servers.kafka.kill9)
        try:
            await append(db, store)
            await eventually(relay_failed, 60)  # the producer failed while the broker was away
        finally:
            await asyncio.to_thread(servers.kafka.start)
        await ensure_topics(servers.kafka.bootstrap, [topic_for(store.source)], 1)
        last = await append(db, store)
        await eventually(lambda: published(last.position), 90, step=0.2)
        # While leading, exactly one session (the relay's own) holds the lock.
        assert len(await advisory_locks(db)) == 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    # Stopped: the pool (still open) keeps no connection holding the leadership lock.
    assert await advisory_locks(db) == []
