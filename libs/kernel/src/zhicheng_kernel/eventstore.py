"""The event store: streams with optimistic concurrency and a gapless, commit-ordered global position."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from .clock import Clock, SystemClock
from .envelope import NO_UPCASTS, EventEnvelope, Metadata, NewEvent, Upcasters
from .errors import ConcurrencyError, DomainError
from .events import DomainEvent, as_new_events
from .tables import events

# One lock key for all appends of this database: positions are handed out in commit order,
# so a reader tailing the store never skips an event that commits late.
_APPEND_LOCK_KEY = 0x7A43_0001

# The largest payload an event may carry (its UTF-8 JSON). Every event travels whole as one Kafka
# message: the relay's producer sends at most relay.MAX_MESSAGE_BYTES (1 MiB, the broker's default
# `message.max.bytes` is 1 MiB + 12 bytes), and the envelope's other fields and the record batch
# take well under the 124 KiB left.
MAX_EVENT_BYTES = 900 * 1024


def payload_bytes(payload: dict[str, Any]) -> int:
    """The size of a payload as it travels (compact UTF-8 JSON, as the envelope serialises it)."""
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode())


def refuse_oversized(new_events: Sequence[NewEvent]) -> None:
    """An event over MAX_EVENT_BYTES is refused before anything is written (the caller's transaction
    rolls back): it could never be published, and the text that makes it big belongs in a bound of
    the request that carried it."""
    for event in new_events:
        size = payload_bytes(event.payload)
        if size > MAX_EVENT_BYTES:
            raise DomainError(
                "event_too_large",
                f"提交的内容过大（约 {size // 1024} KB，单个事件上限 {MAX_EVENT_BYTES // 1024} KB），"
                "无法保存。请缩短填写的文字或减少附带的内容后重试。",
                status=413,
                extra={"event_type": event.event_type, "bytes": size, "max_bytes": MAX_EVENT_BYTES},
            )


def _row_to_envelope(row: Any, source: str) -> EventEnvelope:
    return EventEnvelope(
        event_id=row.event_id,
        event_type=row.event_type,
        schema_version=row.schema_version,
        source=source,
        stream_id=row.stream_id,
        stream_type=row.stream_type,
        version=row.version,
        position=row.position,
        occurred_at=row.occurred_at,
        actor=row.actor,
        correlation_id=row.correlation_id,
        causation_id=row.causation_id,
        payload=row.payload,
    )


class EventStore:
    def __init__(self, source: str, upcasters: Upcasters = NO_UPCASTS, clock: Clock | None = None) -> None:
        self.source = source
        self.upcasters = upcasters
        # occurred_at of appended events; the service's clock, so a test clock stamps its events too.
        self.clock: Clock = clock or SystemClock()

    async def append(
        self,
        conn: AsyncConnection,
        stream_type: str,
        stream_id: str,
        expected_version: int,
        events_to_append: Sequence[NewEvent | DomainEvent],
        meta: Metadata,
    ) -> list[EventEnvelope]:
        """Append after `expected_version` (0 for a new stream) inside the caller's transaction.

        A second writer at the same version gets ConcurrencyError: appends are serialised by the lock,
        and the (stream_id, version) key guards the invariant in the database as well. An event over
        MAX_EVENT_BYTES is refused (413 event_too_large) and nothing of the batch is written.
        """
        new_events = as_new_events(events_to_append)
        if not new_events:
            return []
        refuse_oversized(new_events)
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _APPEND_LOCK_KEY})
        # Under the lock nobody else appends, so the stream's version read here is the truth: an
        # expected_version ahead of it (a client's made-up or stale-high version) is refused as well.
        current = (
            select(func.coalesce(func.max(events.c.version), 0))
            .where(events.c.stream_id == stream_id)
            .scalar_subquery()
        )
        head, version = (await conn.execute(select(func.coalesce(func.max(events.c.position), 0), current))).one()
        if version != expected_version:
            raise ConcurrencyError(stream_id, expected_version)
        now = self.clock.now()
        rows = [
            {
                "stream_id": stream_id,
                "version": expected_version + i,
                "position": head + i,
                "stream_type": stream_type,
                "event_id": uuid.uuid4(),
                "event_type": e.event_type,
                "schema_version": e.schema_version,
                "occurred_at": now,
                "actor": meta.actor,
                "correlation_id": meta.correlation_id,
                "causation_id": meta.causation_id,
                "payload": e.payload,
            }
            for i, e in enumerate(new_events, start=1)
        ]
        try:
            await conn.execute(events.insert(), rows)
        except IntegrityError as exc:
            if "event_store_stream_version" in str(exc.orig):
                raise ConcurrencyError(stream_id, expected_version) from exc
            raise
        return [_row_to_envelope(_Row(r), self.source) for r in rows]

    async def load(self, conn: AsyncConnection, stream_id: str) -> list[EventEnvelope]:
        result = await conn.execute(select(events).where(events.c.stream_id == stream_id).order_by(events.c.version))
        return [self.upcasters.upcast(_row_to_envelope(r, self.source)) for r in result]

    async def read_after(self, conn: AsyncConnection, position: int, limit: int) -> list[EventEnvelope]:
        result = await conn.execute(
            select(events).where(events.c.position > position).order_by(events.c.position).limit(limit)
        )
        return [self.upcasters.upcast(_row_to_envelope(r, self.source)) for r in result]

    async def head(self, conn: AsyncConnection) -> int:
        return int((await conn.execute(select(func.coalesce(func.max(events.c.position), 0)))).scalar_one())


class _Row:
    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__.update(data)
