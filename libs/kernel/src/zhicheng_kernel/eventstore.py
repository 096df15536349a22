"""The event store: streams with optimistic concurrency and a gapless, commit-ordered global position.

Appends take no lock: a transaction inserts its events with a `seq` (an identity, in the order they
were written) and no position, so concurrent writers run as fast as plain INSERTs. After they commit,
`position_committed` — one positioner at a time per database, under a transaction-scoped advisory lock —
gives every committed event without a position the next positions, in `seq` order. A reader (the feed,
the relay, a consumer) sees only positioned events, so positions are gapless and a reader that has
seen position p never finds an event at p or below later: an event that commits late gets a later
position, never an earlier one. The positioner runs in every service process (positioner.py), woken by
that process's commits.

Optimistic concurrency per stream stays in the database: the append reads the stream's version and
inserts the next ones; the (stream_id, version) key refuses the second of two concurrent writers at the
same version (ConcurrencyError), and an append whose expected version is not the stream's committed
version — stale or made up — is refused before anything is written. Versions cannot gap: a writer
inserts version v+1 only after it saw version v committed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import DateTime, Integer, Text, Uuid, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from .clock import Clock, SystemClock
from .envelope import NO_UPCASTS, EventEnvelope, Metadata, NewEvent, Upcasters
from .errors import ConcurrencyError, DomainError
from .events import DomainEvent, as_new_events
from .tables import events

# One positioner at a time per database hands out positions (see the module's docstring).
_POSITIONER_LOCK_KEY = 0x7A43_0001

# The position of an event just appended, before its transaction commits and the positioner gives it
# its own (real positions start at 1, as consumers' watermarks start at 0).
UNPOSITIONED = 0

# How many events one positioning transaction positions at most.
POSITION_BATCH = 5000

_POSITION_COMMITTED = text(
    """
    WITH head AS (SELECT coalesce(max(position), 0) AS h FROM event_store),
         todo AS (SELECT seq, row_number() OVER (ORDER BY seq) AS n
                  FROM (SELECT seq FROM event_store WHERE position IS NULL ORDER BY seq LIMIT :batch) AS s)
    UPDATE event_store AS e SET position = head.h + todo.n FROM todo, head WHERE e.seq = todo.seq
    """
)

# The one-event append (most commands append one event) as one statement, compiled once: the version
# check and the insert in a single round trip. No row written: the stream is not at `expected`.
_APPEND_ONE = text(
    """
    INSERT INTO event_store (stream_id, version, stream_type, event_id, event_type, schema_version,
                             occurred_at, actor, correlation_id, causation_id, payload)
    SELECT :stream_id, :version, :stream_type, :event_id, :event_type, :schema_version,
           :occurred_at, :actor, :correlation_id, :causation_id, :payload
    WHERE (SELECT coalesce(max(version), 0) FROM event_store WHERE stream_id = :stream_id) = :expected
    """
).bindparams(
    bindparam("stream_id", type_=Text),
    bindparam("version", type_=Integer),
    bindparam("stream_type", type_=Text),
    bindparam("event_id", type_=Uuid),
    bindparam("event_type", type_=Text),
    bindparam("schema_version", type_=Integer),
    bindparam("occurred_at", type_=DateTime(timezone=True)),
    bindparam("actor", type_=Text),
    bindparam("correlation_id", type_=Uuid),
    bindparam("causation_id", type_=Uuid),
    bindparam("payload", type_=JSONB),
    bindparam("expected", type_=Integer),
)

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
        position=row.position if row.position is not None else UNPOSITIONED,
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
        """Append after `expected_version` (0 for a new stream) inside the caller's transaction; the
        envelopes answered carry UNPOSITIONED until the positioner positions them after the commit.

        A second writer at the same version gets ConcurrencyError (the (stream_id, version) key), and so
        does an `expected_version` that is not the stream's committed version. An event over
        MAX_EVENT_BYTES is refused (413 event_too_large) and nothing of the batch is written.
        """
        new_events = as_new_events(events_to_append)
        if not new_events:
            return []
        refuse_oversized(new_events)
        now = self.clock.now()
        rows = [
            {
                "stream_id": stream_id,
                "version": expected_version + i,
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
            if len(rows) == 1:
                written = await conn.execute(_APPEND_ONE, {**rows[0], "expected": expected_version})
                if written.rowcount != 1:
                    raise ConcurrencyError(stream_id, expected_version)
            else:
                version = (
                    await conn.execute(
                        select(func.coalesce(func.max(events.c.version), 0)).where(events.c.stream_id == stream_id)
                    )
                ).scalar_one()
                if version != expected_version:
                    raise ConcurrencyError(stream_id, expected_version)
                await conn.execute(events.insert(), rows)
        except IntegrityError as exc:
            if "event_store_stream_version" in str(exc.orig):
                raise ConcurrencyError(stream_id, expected_version) from exc
            raise
        return [_row_to_envelope(_Row({**r, "position": UNPOSITIONED}), self.source) for r in rows]

    @staticmethod
    async def position_committed(conn: AsyncConnection, batch: int = POSITION_BATCH) -> int:
        """Give the committed events without a position the next positions, in the order they were
        written; how many were positioned. Run in a transaction of its own: it waits for another
        positioner of the same database to commit first, then sees what that one left."""
        await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _POSITIONER_LOCK_KEY})
        return int((await conn.execute(_POSITION_COMMITTED, {"batch": batch})).rowcount or 0)

    async def load(self, conn: AsyncConnection, stream_id: str) -> list[EventEnvelope]:
        result = await conn.execute(select(events).where(events.c.stream_id == stream_id).order_by(events.c.version))
        return [self.upcasters.upcast(_row_to_envelope(r, self.source)) for r in result]

    async def read_after(self, conn: AsyncConnection, position: int, limit: int) -> list[EventEnvelope]:
        """Positioned events after `position`, in position order (an event not positioned yet is not
        read: it will be positioned after every event read here)."""
        result = await conn.execute(
            select(events).where(events.c.position > position).order_by(events.c.position).limit(limit)
        )
        return [self.upcasters.upcast(_row_to_envelope(r, self.source)) for r in result]

    async def head(self, conn: AsyncConnection) -> int:
        return int((await conn.execute(select(func.coalesce(func.max(events.c.position), 0)))).scalar_one())


class _Row:
    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__.update(data)
