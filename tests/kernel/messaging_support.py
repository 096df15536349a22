"""What the relay, consumer and dead-letter tests share: a database of their own per source, a counter
projection, the source's feed read straight from its store."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from sqlalchemy import Column, Integer, MetaData, Table, Text, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.database import Database
from zhicheng_kernel.envelope import EventEnvelope, Metadata, NewEvent
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.positioner import Positioner
from zhicheng_kernel.tables import kernel_metadata
from zhicheng_kernel.testing import positioning

from tests.harness import Servers

projection_metadata = MetaData()
totals = Table(
    "test_total",
    projection_metadata,
    Column("name", Text, primary_key=True),
    Column("total", Integer, nullable=False),
)

DatabaseFactory = Callable[[], Awaitable[Database]]


async def databases(servers: Servers) -> AsyncIterator[DatabaseFactory]:
    """A factory of fresh databases (kernel tables and the counter), disposed at the end."""
    made: list[Database] = []
    positioners = contextlib.AsyncExitStack()

    async def make() -> Database:
        name = f"zc_km_{uuid.uuid4().hex[:10]}"
        await asyncio.to_thread(servers.postgres.create_database, name)
        database = Database(servers.postgres.url(name))
        async with database.engine.begin() as conn:
            await conn.run_sync(kernel_metadata.create_all)
            await conn.run_sync(projection_metadata.create_all)
        made.append(database)
        await positioners.enter_async_context(positioning(database))
        return database

    async with positioners:
        yield make
    for database in made:
        await database.dispose()


def source_name() -> str:
    return f"src-{uuid.uuid4().hex[:8]}"


async def append(db: Database, store: EventStore, amount: int = 1, **extra: object) -> EventEnvelope:
    """One `Incremented` event on a new stream; returns it as the store keeps it, positioned."""
    stream = f"s-{uuid.uuid4()}"
    async with db.transaction() as conn:
        await store.append(
            conn, "counter", stream, 0, [NewEvent("Incremented", {"by": amount, **extra})], Metadata(actor="test")
        )
    await Positioner(db).position_all()
    async with db.read() as conn:
        (event,) = await store.load(conn, stream)
    return event


class StoreFeed:
    """The source's feed read straight from its store (the HTTP feed is proven in the service tests)."""

    def __init__(self, db: Database, store: EventStore) -> None:
        self.source = store.source
        self.db = db
        self.store = store
        self.last_head = 0

    async def read(self, after: int, limit: int = 500) -> list[EventEnvelope]:
        async with self.db.read() as conn:
            page = await self.store.read_after(conn, after, limit)
            self.last_head = await self.store.head(conn)
        return page


async def add_to_total(_ctx: object, conn: AsyncConnection, event: EventEnvelope) -> None:
    stmt = insert(totals).values(name=event.source, total=event.payload["by"])
    await conn.execute(
        stmt.on_conflict_do_update(index_elements=["name"], set_={"total": totals.c.total + event.payload["by"]})
    )


async def total(db: Database, name: str) -> int:
    async with db.read() as conn:
        row = (await conn.execute(select(totals.c.total).where(totals.c.name == name))).first()
    return int(row.total) if row else 0


async def eventually(check: Callable[[], Awaitable[bool]], within: float, step: float = 0.1) -> None:
    """Wait until `check()` holds (polling), failing after `within` seconds."""
    async with asyncio.timeout(within):
        while not await check():
            await asyncio.sleep(step)


async def advisory_locks(db: Database) -> list[tuple[int, str]]:
    """(pid, state) of every session holding an advisory lock in this database."""
    async with db.read() as conn:
        rows = await conn.execute(
            text(
                "SELECT a.pid, coalesce(a.state, '') AS state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.database ="
                " (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
        return [(int(r.pid), str(r.state)) for r in rows]
