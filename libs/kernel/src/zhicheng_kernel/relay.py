"""Store-as-outbox: publish each committed event to Kafka, in position order, at least once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from .database import Database
from .eventstore import EventStore
from .health import RelayStatus
from .kafka import topic_for
from .tables import outbox_cursors

log = logging.getLogger(__name__)

_RELAY_LOCK_KEY = 0x7A43_0002


class OutboxRelay:
    """Tails the event store and publishes to the source's topic, keyed by stream id.

    Only committed events are read, so an event is published iff it was committed. The cursor
    moves only after the broker acknowledged (acks=all); a crash in between republishes, and
    consumers drop the duplicate. Among replicas of a service, the one holding a PostgreSQL
    advisory lock publishes, so the order of one stream is kept.
    """

    def __init__(
        self,
        db: Database,
        store: EventStore,
        bootstrap: str,
        *,
        batch: int = 500,
        idle: float = 0.5,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.db = db
        self.store = store
        self.bootstrap = bootstrap
        self.topic = topic_for(store.source)
        self.batch = batch
        self.idle = idle
        self.options = dict(options or {})  # the broker's security settings (kafka.client_options)
        self.status = RelayStatus()

    async def run(self) -> None:
        while True:
            try:
                await self._run_as_leader()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay of %s failed; restarting", self.store.source)
                await asyncio.sleep(1.0)

    async def _run_as_leader(self) -> None:
        async with self.db.engine.connect() as lock_conn:
            while not (
                await lock_conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _RELAY_LOCK_KEY})
            ).scalar_one():
                await lock_conn.commit()
                await asyncio.sleep(2.0)
            await lock_conn.commit()
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap, acks="all", linger_ms=0, request_timeout_ms=10000, **self.options
            )
            await producer.start()
            try:
                await self._publish_loop(producer)
            finally:
                await producer.stop()

    async def _publish_loop(self, producer: AIOKafkaProducer) -> None:
        cursor = await self._load_cursor()
        while True:
            self.db.committed.clear()
            async with self.db.read() as conn:
                pending = await self.store.read_after(conn, cursor, self.batch)
            if pending:
                futures = [
                    await producer.send(
                        self.topic,
                        key=e.stream_id.encode(),
                        value=e.model_dump_json().encode(),
                        headers=[("event_type", e.event_type.encode())],
                    )
                    for e in pending
                ]
                await asyncio.gather(*futures)
                cursor = pending[-1].position
                await self._save_cursor(cursor)
                self.status.published_position = cursor
                continue
            try:
                await asyncio.wait_for(self.db.committed.wait(), timeout=self.idle)
            except TimeoutError:
                pass

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
