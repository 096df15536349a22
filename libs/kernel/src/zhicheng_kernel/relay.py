"""Store-as-outbox: publish each committed event to Kafka, in position order, at least once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    CorruptRecordException,
    InvalidMessageError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
)
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from . import deadletters
from .database import Database
from .envelope import EventEnvelope
from .eventstore import EventStore
from .health import RelayStatus
from .kafka import topic_for
from .tables import outbox_cursors

log = logging.getLogger(__name__)

_RELAY_LOCK_KEY = 0x7A43_0002

# The producer's largest request; the event store bounds payloads under it (eventstore.MAX_EVENT_BYTES).
MAX_MESSAGE_BYTES = 1024 * 1024

# What the broker (or the producer) says of ONE message that no retry can change: that position is
# parked with a dead letter and the later ones are published. Anything else (the broker away, a
# timeout) stops the leader, which releases its lock and starts again.
PERMANENT_ERRORS: tuple[type[Exception], ...] = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    InvalidMessageError,
    CorruptRecordException,
)


def _now() -> datetime:
    return datetime.now(UTC)


class OutboxRelay:
    """Tails the event store and publishes to the source's topic, keyed by stream id.

    Only committed events are read, so an event is published iff it was committed. The cursor
    moves only after the broker acknowledged (acks=all); a crash in between republishes, and
    consumers drop the duplicate. Among replicas of a service, the one holding a PostgreSQL
    advisory lock publishes, so the order of one stream is kept.

    The lock lives on a connection of its own for the leader's whole life and is released (or the
    connection thrown away) whenever the leader stops, however it stops: a pooled connection never
    goes back to the pool holding it (finding 3 of issue 12). An event the broker refuses for good is
    parked (a dead letter, `status.parked_positions`) instead of blocking every later one (finding 2).
    """

    def __init__(
        self,
        db: Database,
        store: EventStore,
        bootstrap: str,
        *,
        batch: int = 500,
        idle: float = 0.5,
        quiet_idle: float = 5.0,
        options: Mapping[str, Any] | None = None,
        request_timeout_ms: int = 10000,
        review_interval: float = 5.0,
    ) -> None:
        self.db = db
        self.store = store
        self.bootstrap = bootstrap
        self.topic = topic_for(store.source)
        self.batch = batch
        self.idle = idle  # a commit of this process wakes the relay; this bounds the wait for other replicas'
        self.quiet_idle = quiet_idle  # … doubling while nothing comes, up to this (quiet when idle, issue 14)
        self.options = dict(options or {})  # the broker's security settings (kafka.client_options)
        self.request_timeout_ms = request_timeout_ms
        self.review_interval = review_interval  # how often the leader checks its lock and parked letters
        self.status = RelayStatus()

    async def run(self) -> None:
        while True:
            try:
                await self._run_as_leader()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.status.last_error, self.status.last_error_at = deadletters.describe(exc), _now()
                if self.status.failing_since is None:
                    self.status.failing_since = self.status.last_error_at
                log.exception("outbox relay of %s failed; restarting", self.store.source)
                await asyncio.sleep(1.0)

    async def _run_as_leader(self) -> None:
        lock_conn = await self.db.engine.connect()
        locked = False
        try:
            while not (locked := await self._try_lock(lock_conn)):
                await asyncio.sleep(2.0)
            self.status.leader = True
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap,
                acks="all",
                linger_ms=0,
                request_timeout_ms=self.request_timeout_ms,
                max_request_size=MAX_MESSAGE_BYTES,
                **self.options,
            )
            try:
                await producer.start()
                await self._publish_loop(producer, lock_conn)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(producer.stop(), timeout=5)
        finally:
            self.status.leader = False
            await _release(lock_conn, locked)

    @staticmethod
    async def _try_lock(conn: AsyncConnection) -> bool:
        got = bool((await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _RELAY_LOCK_KEY})).scalar_one())
        await conn.commit()
        return got

    async def _publish_loop(self, producer: AIOKafkaProducer, lock_conn: AsyncConnection) -> None:
        cursor = await self._load_cursor()
        async with self.db.read() as conn:
            self.status.parked_positions = await deadletters.open_positions(conn, deadletters.RELAY, self.store.source)
        self.status.published_position = cursor
        reviewed = time.monotonic()
        idle = self.idle
        while True:
            self.db.positioned.clear()
            async with self.db.read() as conn:
                pending = await self.store.read_after(conn, cursor, self.batch)
                self.status.head_position = pending[-1].position if pending else await self.store.head(conn)
            if pending:
                await self._publish(producer, pending)
                cursor = pending[-1].position
                await self._save_cursor(cursor)
                self.status.published_position = cursor
                self.status.last_progress_at, self.status.failing_since = _now(), None
                idle = self.idle
                continue
            if time.monotonic() - reviewed >= self.review_interval:
                await _still_holds_lock(lock_conn)
                await self._review_parked(producer)
                reviewed = time.monotonic()
            try:
                await asyncio.wait_for(self.db.positioned.wait(), timeout=idle)
            except TimeoutError:
                idle = min(idle * 2, self.quiet_idle)

    async def _publish(self, producer: AIOKafkaProducer, pending: list[EventEnvelope]) -> None:
        """Send a batch; a message refused for good is parked, any other failure stops the leader."""
        futures: list[tuple[EventEnvelope, asyncio.Future[Any] | BaseException]] = []
        for event in pending:
            try:
                futures.append((event, await self._send(producer, event)))
            except PERMANENT_ERRORS as exc:
                futures.append((event, exc))
        for event, outcome in futures:
            if isinstance(outcome, BaseException):
                await self._park(event, outcome)
                continue
            try:
                await outcome
            except PERMANENT_ERRORS as exc:
                await self._park(event, exc)

    async def _send(self, producer: AIOKafkaProducer, event: EventEnvelope) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = await producer.send(
            self.topic,
            key=event.stream_id.encode(),
            value=event.model_dump_json().encode(),
            headers=[("event_type", event.event_type.encode())],
        )
        return future

    async def _park(self, event: EventEnvelope, exc: BaseException) -> None:
        log.error("outbox relay of %s parked #%d (%s): %s", self.store.source, event.position, event.event_type, exc)
        async with self.db.transaction() as conn:
            await deadletters.record_failure(
                conn,
                consumer=deadletters.RELAY,
                source=self.store.source,
                position=event.position,
                event_type=event.event_type,
                event_id=event.event_id,
                error=deadletters.describe(exc),
                attempts=1,
                now=_now(),
            )
        if event.position not in self.status.parked_positions:
            self.status.parked_positions = sorted([*self.status.parked_positions, event.position])

    async def _review_parked(self, producer: AIOKafkaProducer) -> None:
        """Letters an operator resolved: a skipped one is let go, a retried one is published again."""
        if not self.status.parked_positions:
            return
        still: list[int] = []
        for position in self.status.parked_positions:
            async with self.db.read() as conn:
                state = await deadletters.status_of(conn, deadletters.RELAY, self.store.source, position)
                found = await self.store.read_after(conn, position - 1, 1) if state == deadletters.RETRIED else []
            if state == deadletters.OPEN:
                still.append(position)
            elif found and found[0].position == position:
                try:
                    await (await self._send(producer, found[0]))
                except PERMANENT_ERRORS as exc:
                    await self._park(found[0], exc)
                    still.append(position)
        self.status.parked_positions = still

    @property
    def published_position(self) -> int:
        return self.status.published_position

    async def _load_cursor(self) -> int:
        async with self.db.read() as conn:
            row = (
                await conn.execute(select(outbox_cursors.c.position).where(outbox_cursors.c.name == self.topic))
            ).first()
        return int(row.position) if row else 0

    async def _save_cursor(self, position: int) -> None:
        stmt = insert(outbox_cursors).values(name=self.topic, position=position)
        stmt = stmt.on_conflict_do_update(index_elements=["name"], set_={"position": position})
        async with self.db.engine.begin() as conn:
            await conn.execute(stmt)


async def _still_holds_lock(conn: AsyncConnection) -> None:
    """The session holding the lock is alive (a lost session lost the lock: stop leading)."""
    await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=10)
    await conn.commit()


async def _release(conn: AsyncConnection, locked: bool) -> None:
    """Unlock and close the leader's connection; one that cannot be unlocked is thrown away, never
    pooled (closing its session releases the lock)."""
    try:
        if locked:
            await asyncio.wait_for(conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _RELAY_LOCK_KEY}), 5)
            await conn.commit()
        await conn.close()
    except BaseException as exc:  # the database went away, or a second cancellation: never pool it
        log.warning("outbox relay could not release its lock (%s); discarding its connection", exc)
        with contextlib.suppress(BaseException):
            await conn.invalidate()
        with contextlib.suppress(BaseException):
            await conn.close()
