"""Idempotent consumers: Kafka wakes them up, the source's event feed is the truth.

A Kafka record only says "the source of this topic has something at position p": the consumer
then reads the source's feed (authenticated with the service's token) beyond its watermark and
applies what the feed returns, in position order. Nothing is taken from the record's body, so a
forged record at the next position changes nothing (finding 9 of issue 12). Each event is applied
in one transaction together with its tracking row; a duplicate finds its tracking row and changes
nothing. A page read from the feed is applied the fast way first: all its events in ONE transaction
with the watermark (issue 14, item 2); a page that cannot go that way (a handler failing, an open dead
letter in it) is applied again one event at a time, with the retries and parking below. A projection
that writes a row an event registers a batch handler for its types: within a page it gets each run of
consecutive events it takes in one call and writes them in one round trip (an executemany), which
is what makes a page cheap — one statement an event costs a round trip to PostgreSQL each. Positions of
a source are gapless, so a consumer knows exactly what it has not seen yet: after a broker restart
with empty memory, or after a day down, it ends in the same state as if nothing had happened.

Quiet when idle (issue 14, item 4): the feeds are read on every Kafka wake-up, at start, when the broker
was lost or came back without its topics, and otherwise only on a slow heartbeat (`Pace`); a catch-up
that finds events Kafka never announced keeps the short period for a while. The Kafka fetch waits 20 ms
while records flow and 1 s once the consumer has been quiet for a while: the embedded broker (tansu)
answers a delayed fetch only when its wait runs out, so a fixed short wait costs a few percent of a core
per consumer doing nothing, and a fixed long one delays every event.

A handler that fails is retried a bounded number of times with backoff; then the event becomes a
dead letter (deadletters.py) and that source is parked for this consumer: its watermark stops
before the event, its other sources go on, and `/health` says so (finding 4). An operator retries
after a fix, or skips with a recorded reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import deadletters
from .database import Database
from .envelope import NO_UPCASTS, EventEnvelope, Upcasters
from .feed import FeedClient
from .health import ConsumerStatus, SourceStatus
from .kafka import topic_for
from .pace import Pace, Signal
from .tables import consumer_watermarks, dead_letters, processed_events

log = logging.getLogger(__name__)

# A handler receives the service's context (see context.py), the transaction and the event.
FEED_PAGE = 500
# Failures of the infrastructure, not of the event: never a dead letter, the next catch-up tries again.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    httpx.TransportError,
    InterfaceError,
    OperationalError,
)

Handler = Callable[[Any, AsyncConnection, EventEnvelope], Awaitable[None]]
# A batch handler receives a run of consecutive events it takes, in position order, and writes them
# in as few statements as it can (a projection writing a row an event: one executemany for the run).
BatchHandler = Callable[[Any, AsyncConnection, list[EventEnvelope]], Awaitable[None]]


@contextlib.contextmanager
def _no_span(consumer: str, event: EventEnvelope) -> Iterator[None]:
    yield


class _OneByOne(Exception):
    """The page cannot be applied in one transaction: apply it one event at a time."""


# How long a fetch may wait at the broker: short while records flow, long once quiet for QUIET_AFTER s.
BUSY_FETCH_WAIT_MS = 20
QUIET_FETCH_WAIT_MS = 1000
QUIET_AFTER_SECONDS = 10.0


@dataclass
class Subscription:
    """What one consumer does with the events of one source service, by event type."""

    source: str
    handlers: Mapping[str, Handler]
    upcasters: Upcasters = field(default_factory=lambda: NO_UPCASTS)
    # types applied a run at a time: within a page of the feed, consecutive events taken by the same batch
    # handler (one or several types; events no handler takes may lie between them) reach it in one call;
    # an event applied alone reaches it in a list of one
    batch_handlers: Mapping[str, BatchHandler] = field(default_factory=dict)

    def __post_init__(self) -> None:
        both = set(self.handlers) & set(self.batch_handlers)
        if both:
            raise ValueError(f"{self.source}: {sorted(both)} have a handler and a batch handler")


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
        heartbeat: float = 30.0,
        quiet_after: float = QUIET_AFTER_SECONDS,
        session_timeout_ms: int = 6000,
        heartbeat_interval_ms: int = 1000,
        context: Any = None,
        options: Mapping[str, Any] | None = None,
        max_attempts: int = 5,
        retry_backoff: float = 0.5,
    ) -> None:
        self.name = name
        self.context = context
        self.db = db
        self.subscriptions = {s.source: s for s in subscriptions}
        self.bootstrap = bootstrap
        self.feeds = feeds
        self.catchup_interval = catchup_interval
        # the feeds are read every catchup_interval while disturbed, every heartbeat when quiet
        self.pace = Pace(catchup_interval, heartbeat)
        self.quiet_after = quiet_after
        self._nudged = Signal()
        self._kafka: AIOKafkaConsumer | None = None  # the running Kafka client, while there is one
        self.session_timeout_ms = session_timeout_ms
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self._topic_source = {topic_for(s): s for s in self.subscriptions}
        self.options = dict(options or {})  # the broker's security settings (kafka.client_options)
        self.max_attempts = max_attempts  # tries of one event before it is a dead letter
        self.retry_backoff = retry_backoff  # seconds before the 2nd try, doubling after each
        self.status = ConsumerStatus(name, sources={s: SourceStatus() for s in self.subscriptions})
        self._catching_up = {s: asyncio.Lock() for s in self.subscriptions}
        # around each event's application (telemetry.trace_consumer puts the event's consumer span here)
        self.around: Callable[[str, EventEnvelope], contextlib.AbstractContextManager[None]] = _no_span

    # -- applying one event, exactly once -------------------------------------------------------

    async def apply(self, event: EventEnvelope) -> bool:
        """Apply one event if it is new; returns whether it changed anything.

        The caller vouches for the event (it comes from the source's feed, or a test built it). A
        source parked at or before this position changes nothing; an event an operator skipped is
        recorded as processed without its handler."""
        sub = self.subscriptions.get(event.source)
        if sub is None:
            return False
        event = sub.upcasters.upcast(event)
        with self.around(self.name, event):
            return await self._apply_one(sub, event)

    async def _apply_one(self, sub: Subscription, event: EventEnvelope) -> bool:
        async with self.db.transaction() as conn:
            watermark = await self._lock_watermark(conn, event.source)
            if event.position <= watermark:
                return False
            letters = {
                int(position): status
                for position, status in await conn.execute(
                    select(dead_letters.c.position, dead_letters.c.status).where(
                        dead_letters.c.consumer == self.name,
                        dead_letters.c.source == event.source,
                        (dead_letters.c.status == deadletters.OPEN) | (dead_letters.c.position == event.position),
                    )
                )
            }
            if any(p <= event.position for p, status in letters.items() if status == deadletters.OPEN):
                return False
            inserted = await conn.execute(
                insert(processed_events)
                .values(consumer=self.name, source=event.source, position=event.position)
                .on_conflict_do_nothing()
                .returning(processed_events.c.position)
            )
            if inserted.first() is None:
                return False
            if letters.get(event.position) != deadletters.SKIPPED:
                handler = sub.handlers.get(event.event_type)
                batch = sub.batch_handlers.get(event.event_type)
                if handler is not None:
                    await handler(self.context, conn, event)
                elif batch is not None:
                    await batch(self.context, conn, [event])
            if event.position == watermark + 1:
                await self._advance_watermark(conn, event.source, watermark)
        self.db.changed.fire()
        return True

    async def apply_batch(self, source: str, events: list[EventEnvelope]) -> int:
        """Apply a page of the source's feed in ONE transaction with the watermark; returns how many were
        new. The page must continue the watermark without a gap (the feed's positions are gapless) and
        hold no open dead letter; otherwise, or when a handler fails, nothing is kept and `_OneByOne` (or
        the handler's error) is raised: the caller applies the page one event at a time."""
        sub = self.subscriptions[source]
        async with self.db.transaction() as conn:
            watermark = await self._lock_watermark(conn, source)
            fresh = [e for e in events if e.position > watermark]
            if not fresh:
                return 0
            first, last = fresh[0].position, fresh[-1].position
            if [e.position for e in fresh] != list(range(watermark + 1, last + 1)):
                raise _OneByOne(f"the page does not continue the watermark {watermark}")
            letters = {
                int(position): status
                for position, status in await conn.execute(
                    select(dead_letters.c.position, dead_letters.c.status).where(
                        dead_letters.c.consumer == self.name,
                        dead_letters.c.source == source,
                        (dead_letters.c.status == deadletters.OPEN) | dead_letters.c.position.between(first, last),
                    )
                )
            }
            if any(status == deadletters.OPEN for status in letters.values()):
                raise _OneByOne("an open dead letter")
            done = set(
                (
                    await conn.execute(
                        select(processed_events.c.position).where(
                            processed_events.c.consumer == self.name,
                            processed_events.c.source == source,
                            processed_events.c.position.between(first, last),
                        )
                    )
                ).scalars()
            )
            run: list[EventEnvelope] = []  # consecutive events of one batch handler, not yet applied
            run_handler: BatchHandler | None = None
            for event in fresh:
                if event.position in done or letters.get(event.position) == deadletters.SKIPPED:
                    continue
                event = sub.upcasters.upcast(event)
                handler = sub.handlers.get(event.event_type)
                batch = sub.batch_handlers.get(event.event_type)
                if batch is None and handler is None:
                    continue
                if run_handler is not None and batch is not run_handler:
                    await self._apply_run(run_handler, conn, run)
                    run, run_handler = [], None
                if batch is not None:
                    run.append(event)
                    run_handler = batch
                elif handler is not None:
                    with self.around(self.name, event):
                        await handler(self.context, conn, event)
            if run_handler is not None:
                await self._apply_run(run_handler, conn, run)
            await self._advance_watermark(conn, source, last)
        self.db.changed.fire()
        return len(fresh) - len(done)

    async def _apply_run(self, handler: BatchHandler, conn: AsyncConnection, run: list[EventEnvelope]) -> None:
        """One call of a batch handler for its run of events; each event has its span."""
        with contextlib.ExitStack() as spans:
            for event in run:
                spans.enter_context(self.around(self.name, event))
            await handler(self.context, conn, run)

    async def _apply_page(self, source: str, page: list[EventEnvelope]) -> tuple[int, bool]:
        """The fast way first; a page it refuses, one event at a time. Returns how many events were new
        and whether the source got parked on the way."""
        try:
            return await self.apply_batch(source, page), False
        except asyncio.CancelledError:
            raise
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:
            if not isinstance(exc, _OneByOne):
                log.warning(
                    "consumer %s: a page of %s failed at once (%s); one event at a time", self.name, source, exc
                )
        applied = 0
        for event in page:
            outcome = await self._apply_or_park(event)
            if outcome is None:
                return applied, True
            applied += outcome
        return applied, False

    async def _apply_or_park(self, event: EventEnvelope) -> bool | None:
        """Apply with bounded retries (backoff); after the last one, write a dead letter and park the
        source (returns None). A failure of the infrastructure (the database away) is not the event's
        fault: it is raised, and the next catch-up tries again."""
        status = self.status.sources[event.source]
        for attempt in range(1, self.max_attempts + 1):
            try:
                return await self.apply(event)
            except asyncio.CancelledError:
                raise
            except TRANSIENT_ERRORS:
                raise
            except Exception as exc:
                _failed(status, exc)
                log.warning(
                    "consumer %s failed on %s #%d (%s), attempt %d of %d: %s",
                    self.name, event.source, event.position, event.event_type, attempt, self.max_attempts, exc,
                )  # fmt: skip
                if attempt == self.max_attempts:
                    await self._park(event, exc)
                    return None
                await asyncio.sleep(self.retry_backoff * 2 ** (attempt - 1))
        return None

    async def _park(self, event: EventEnvelope, exc: Exception) -> None:
        log.error("consumer %s parked %s at #%d: a dead letter (%s)", self.name, event.source, event.position, exc)
        async with self.db.transaction() as conn:
            await deadletters.record_failure(
                conn,
                consumer=self.name,
                source=event.source,
                position=event.position,
                event_type=event.event_type,
                event_id=event.event_id,
                error=deadletters.describe(exc),
                attempts=self.max_attempts,
                now=_now(),
            )
            await self._refresh_letters(conn)

    async def _refresh_letters(self, conn: AsyncConnection) -> None:
        """The parked sources and the open letters of this consumer, as the table says (any replica,
        or an operator, may have changed them)."""
        parked: dict[str, int] = {}
        rows = await conn.execute(
            select(dead_letters.c.source, dead_letters.c.position).where(
                dead_letters.c.consumer == self.name, dead_letters.c.status == deadletters.OPEN
            )
        )
        count = 0
        for source, position in rows:
            count += 1
            parked[source] = min(int(position), parked.get(source, int(position)))
        self.status.dead_letters = count
        for source, source_status in self.status.sources.items():
            source_status.parked_at_position = parked.get(source)

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
            return await self._read_watermark(conn, source)

    async def _read_watermark(self, conn: AsyncConnection, source: str) -> int:
        row = (
            await conn.execute(
                select(consumer_watermarks.c.position).where(
                    consumer_watermarks.c.consumer == self.name, consumer_watermarks.c.source == source
                )
            )
        ).first()
        return int(row.position) if row else 0

    # -- the wake-up: Kafka -------------------------------------------------------------------------

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
                fetch_max_wait_ms=BUSY_FETCH_WAIT_MS,
                **self.options,
            )
            try:
                await consumer.start()
                self._kafka = consumer
                await self._consume(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer %s lost Kafka (%s); reconnecting", self.name, exc)
                self.nudge()  # whatever Kafka would have announced meanwhile comes from the feeds
                await asyncio.sleep(1.0)
            finally:
                self._kafka = None
                # stop() can hang while the broker forgot the topic; never let it block recovery.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(consumer.stop(), timeout=5)

    async def _consume(self, consumer: AIOKafkaConsumer) -> None:
        """A record says "source S has something at position p": the source is the TOPIC's, and the
        events applied are read from S's feed (the truth, read with the service's token), never taken
        from the record. A forged record costs one feed read and changes nothing. Offsets are committed
        whatever happened (a parked source, a feed away): the feed, not the partition, is what is
        caught up from."""
        self._fetch_wait(consumer, BUSY_FETCH_WAIT_MS)
        last_records = time.monotonic()
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            if batches:
                last_records = time.monotonic()
                self._fetch_wait(consumer, BUSY_FETCH_WAIT_MS)
            elif time.monotonic() - last_records > self.quiet_after:
                self._fetch_wait(consumer, QUIET_FETCH_WAIT_MS)
            hints: dict[str, int] = {}
            for partition, records in batches.items():
                source = self._topic_source.get(partition.topic)
                if source is None:
                    continue
                for record in records:
                    position = self._hint(record.value, record.topic, record.partition, record.offset)
                    if position is not None:
                        hints[source] = max(position, hints.get(source, 0))
            for source, position in hints.items():
                if position > await self.watermark(source):
                    await self._catch_up_logged(source)
            if batches:
                await asyncio.wait_for(consumer.commit(), timeout=10)

    def _fetch_wait(self, consumer: AIOKafkaConsumer, wait_ms: int) -> None:
        """aiokafka reads the fetch wait from its fetcher for every fetch request it builds and offers no
        public way to change it after start: it is set there (aiokafka is pinned in uv.lock; tests/kernel
        checks that a consumer still goes quiet and wakes)."""
        fetcher = consumer._fetcher
        if not hasattr(fetcher, "_fetch_max_wait_ms"):
            raise RuntimeError("aiokafka's fetcher no longer holds _fetch_max_wait_ms")
        fetcher._fetch_max_wait_ms = wait_ms

    @property
    def fetch_wait_ms(self) -> int | None:
        """How long the running Kafka client's fetches may wait at the broker now (None: no client)."""
        return None if self._kafka is None else int(self._kafka._fetcher._fetch_max_wait_ms)

    def _hint(self, value: bytes | None, topic: str, partition: int, offset: int) -> int | None:
        """The position a record claims (only a hint of what to read from the feed). A message that is
        not an event envelope wakes nobody: the feed (the truth) still has every event."""
        if value is None:
            return None
        try:
            return EventEnvelope.model_validate_json(value).position
        except ValidationError:
            log.error("consumer %s skipped a malformed message at %s[%d]@%d", self.name, topic, partition, offset)
            return None

    # -- the truth: the source's event feed ----------------------------------------------------------

    async def catch_up(self, source: str) -> int:
        """Apply, in position order, whatever the source's feed has beyond our watermark; returns how many
        were new. Stops at a parked source (a dead letter is open) and at the event it parks."""
        feed = self.feeds[source]
        status = self.status.sources[source]
        applied = 0
        async with self._catching_up[source]:
            while True:
                async with self.db.read() as conn:
                    after = await self._read_watermark(conn, source)
                    await self._refresh_letters(conn)
                status.watermark = after
                if status.parked_at_position is not None:
                    return applied
                page = await feed.read(after=after, limit=FEED_PAGE)
                status.feed_head = max(int(getattr(feed, "last_head", 0)), page[-1].position if page else 0, after)
                if any(event.source != source for event in page):
                    raise ValueError(f"the feed of {source} returned another source's event")
                new, parked = await self._apply_page(source, page)
                applied += new
                if parked:
                    return applied
                if page:
                    status.watermark = max(status.watermark, page[-1].position)
                if len(page) < FEED_PAGE:
                    status.failing_since = None
                    return applied

    async def _catch_up_logged(self, source: str) -> int:
        try:
            return await self.catch_up(source)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            _failed(self.status.sources[source], exc)
            log.warning("consumer %s cannot catch up with %s: %s", self.name, source, exc)
            self.pace.disturb()
            return 0

    def nudge(self) -> None:
        """Read every source's feed now and keep the short period a while: Kafka may have lost records."""
        self.pace.disturb()
        self._nudged.fire()

    async def run_catchup(self) -> None:
        """At start, then on the pace (see the module's docstring) or when nudged. Events found here were
        not announced by Kafka (or not yet): the short period is kept while that goes on."""
        self.pace.disturb()  # until the group is joined, Kafka wakes nobody
        seen = self._nudged.generation
        while True:
            for source in self.subscriptions:
                if await self._catch_up_logged(source):
                    self.pace.disturb()
            seen = await self._nudged.wait(seen, self.pace.interval)

    async def run(self) -> None:
        await asyncio.gather(self.run_kafka(), self.run_catchup())


def _now() -> datetime:
    return datetime.now(UTC)


def _failed(status: SourceStatus, exc: BaseException) -> None:
    status.last_error, status.last_error_at = deadletters.describe(exc), _now()
    if status.failing_since is None:
        status.failing_since = status.last_error_at
