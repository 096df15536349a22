"""The event store: streams with optimistic concurrency and a gapless, commit-ordered global position."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from .clock import Clock, SystemClock
from .envelope import NO_UPCASTS, EventEnvelope, Metadata, NewEvent, Upcasters
from .errors import ConcurrencyError
from .events import DomainEvent, as_new_events
from .tables import events

# One lock key for all appends of this database: positions are handed out in commit order,
# so a reader tailing the store never skips an event that commits late.
_APPEND_LOCK_KEY = 0x7A43_0001


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
        and the (stream_id, version) key guards the invariant in the database as well.
        """
        new_events = as_new_events(events_to_append)
        if not new_events:
            return []
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
