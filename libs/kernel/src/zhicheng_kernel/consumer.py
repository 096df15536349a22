"""Idempotent consumers: Kafka is the fast path, the source's event feed is the truth.

Each event is applied in one transaction together with its tracking row, and Kafka offsets are
committed only afterwards. A duplicate (Kafka redelivery, or the same event from the feed) finds
its tracking row and changes nothing. Positions of a source are gapless, so a consumer knows
exactly what it has not seen yet and asks the source's feed for it: after a broker restart with
empty memory, or after a day down, it ends in the same state as if nothing had happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .database import Database
from .envelope import NO_UPCASTS, EventEnvelope, Upcasters
from .feed import FeedClient
from .health import ConsumerStatus
from .kafka import topic_for
from .tables import consumer_watermarks, processed_events

log = logging.getLogger(__name__)

# A handler receives the service's context (see context.py), the transaction and the event.
Handler = Callable[[Any, AsyncConnection, EventEnvelope], Awaitable[None]]


@dataclass
class Subscription:
    """What one consumer does with the events of one source service, by event type."""

    source: str
    handlers: Mapping[str, Handler]
    upcasters: Upcasters = field(default_factory=lambda: NO_UPCASTS)


class EventConsumer:
    def __init__(
        self,
        name: str,
        db: Database,
        subscriptions: list[Subscription],
        *,
        bootstrap: str,
        feeds: Mapping[str, FeedClient],
        catchup_interval: float = 2.0,
        session_timeout_ms: int = 6000,
        heartbeat_interval_ms: int = 1000,
        context: Any = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.context = context
        self.db = db
        self.subscriptions = {s.source: s for s in subscriptions}
        self.bootstrap = bootstrap
        self.feeds = feeds
        self.catchup_interval = catchup_interval
        self.session_timeout_ms = session_timeout_ms
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.applied = asyncio.Event()
        self._topic_source = {topic_for(s): s for s in self.subscriptions}
        self.options = dict(options or {})  # the broker's security settings (kafka.client_options)
        self.status = ConsumerStatus(name)

    # -- applying one event, exactly once -------------------------------------------------------

    async def apply(self, event: EventEnvelope) -> bool:
        """Apply one event if it is new; returns whether it changed anything."""
        sub = self.subscriptions.get(event.source)
        if sub is None:
            return False
        event = sub.upcasters.upcast(event)
        async with self.db.transaction() as conn:
            watermark = await self._lock_watermark(conn, event.source)
            if event.position <= watermark:
                return False
            inserted = await conn.execute(
                insert(processed_events)
                .values(consumer=self.name, source=event.source, position=event.position)
                .on_conflict_do_nothing()
                .returning(processed_events.c.position)
            )
            if inserted.first() is None:
                return False
            handler = sub.handlers.get(event.event_type)
            if handler is not None:
                await handler(self.context, conn, event)
            if event.position == watermark + 1:
                await self._advance_watermark(conn, event.source, watermark)
        self.applied.set()
        return True

    async def _lock_watermark(self, conn: AsyncConnection, source: str) -> int:
        await conn.execute(
            insert(consumer_watermarks).values(consumer=self.name, source=source, position=0).on_conflict_do_nothing()
        )
        row = (
            await conn.execute(
                select(consumer_watermarks.c.position)
                .where(consumer_watermarks.c.consumer == self.name, consumer_watermarks.c.source == source)
                .with_for_update()
            )
        ).one()
        return int(row.position)

    async def _advance_watermark(self, conn: AsyncConnection, source: str, watermark: int) -> None:
        rows = await conn.execute(
            select(processed_events.c.position)
            .where(
                processed_events.c.consumer == self.name,
                processed_events.c.source == source,
                processed_events.c.position > watermark,
            )
            .order_by(processed_events.c.position)
        )
        new = watermark
        for (position,) in rows:
            if position != new + 1:
                break
            new = position
        await conn.execute(
            consumer_watermarks.update()
            .where(consumer_watermarks.c.consumer == self.name, consumer_watermarks.c.source == source)
            .values(position=new)
        )
        await conn.execute(
            delete(processed_events).where(
                processed_events.c.consumer == self.name,
                processed_events.c.source == source,
                processed_events.c.position <= new,
            )
        )

    async def watermark(self, source: str) -> int:
        async with self.db.read() as conn:
            row = (
                await conn.execute(
                    select(consumer_watermarks.c.position).where(
                        consumer_watermarks.c.consumer == self.name, consumer_watermarks.c.source == source
                    )
                )
            ).first()
        return int(row.position) if row else 0

    # -- the fast path: Kafka ---------------------------------------------------------------------

    async def run_kafka(self) -> None:
        while True:
            consumer = AIOKafkaConsumer(
                *self._topic_source,
                bootstrap_servers=self.bootstrap,
                group_id=self.name,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                session_timeout_ms=self.session_timeout_ms,
                heartbeat_interval_ms=self.heartbeat_interval_ms,
                # The broker answers a fetch at once when records exist; this bounds the idle wait.
                fetch_max_wait_ms=20,
                **self.options,
            )
            try:
                await consumer.start()
                await self._consume(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer %s lost Kafka (%s); reconnecting", self.name, exc)
                await asyncio.sleep(1.0)
            finally:
                # stop() can hang while the broker forgot the topic; never let it block recovery.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(consumer.stop(), timeout=5)

    async def _consume(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            for records in batches.values():
                for record in records:
                    event = self._parse(record.value, record.topic, record.partition, record.offset)
                    if event is not None:
                        await self.apply(event)
            if batches:
                await asyncio.wait_for(consumer.commit(), timeout=10)

    def _parse(self, value: bytes | None, topic: str, partition: int, offset: int) -> EventEnvelope | None:
        """A message that is not an event envelope is skipped: nothing is lost, since the source's feed
        (the truth) still has every event, and one bad message must not block its partition."""
        if value is None:
            return None
        try:
            return EventEnvelope.model_validate_json(value)
        except ValidationError:
            log.error("consumer %s skipped a malformed message at %s[%d]@%d", self.name, topic, partition, offset)
            return None

    # -- the truth: the source's event feed ----------------------------------------------------------

    async def catch_up(self, source: str) -> int:
        """Apply whatever the source's feed has beyond our watermark; returns how many were new."""
        feed = self.feeds[source]
        applied = 0
        while True:
            after = await self.watermark(source)
            page = await feed.read(after=after, limit=500)
            for event in page:
                applied += await self.apply(event)
            if len(page) < 500:
                return applied

    async def run_catchup(self) -> None:
        while True:
            for source in self.subscriptions:
                try:
                    await self.catch_up(source)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("consumer %s cannot read the feed of %s: %s", self.name, source, exc)
            await asyncio.sleep(self.catchup_interval)

    async def run(self) -> None:
        await asyncio.gather(self.run_kafka(), self.run_catchup())
