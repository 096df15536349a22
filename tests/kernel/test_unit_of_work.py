"""The unit of work against the real PostgreSQL: one transaction, retried on conflicts, once per key."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import ClassVar

import pytest
from pydantic import BaseModel
from zhicheng_kernel.calendar import ChinaCalendar
from zhicheng_kernel.clock import SystemClock
from zhicheng_kernel.context import ServiceContext
from zhicheng_kernel.database import Database
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import ConcurrencyError, InvalidInput
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.settings import ServiceSettings
from zhicheng_kernel.tables import kernel_metadata
from zhicheng_kernel.testing import positioning
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute, within

from tests.harness import Servers

pytestmark = pytest.mark.stack


class Incremented(DomainEvent):
    event_type: ClassVar[str] = "Incremented"
    stream_type: ClassVar[str] = "counter"
    by: int


class Total(BaseModel):
    total: int
    version: int


@pytest.fixture
async def ctx(servers: Servers) -> AsyncIterator[ServiceContext]:
    name = f"zc_uow_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    url = servers.postgres.url(name)
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(kernel_metadata.create_all)
    async with positioning(db):
        yield ServiceContext(
            name="test-service",
            settings=ServiceSettings(database_url=url),
            db=db,
            store=EventStore("test-service"),
            clock=SystemClock(),
            calendar=ChinaCalendar(),
            credentials=None,  # type: ignore[arg-type]  # no peer is called
            verifier=None,  # type: ignore[arg-type]
        )
    await db.dispose()


def increment(stream_id: str, by: int, pinned: int | None = None, pause: float = 0.0):  # type: ignore[no-untyped-def]
    async def action(uow: UnitOfWork) -> Total:
        stream = await uow.load(stream_id)
        await asyncio.sleep(pause)
        expected = stream.version if pinned is None else pinned
        await uow.append("counter", stream_id, expected, [Incremented(by=by)])
        total = sum(e.payload["by"] for e in stream.events) + by
        return Total(total=total, version=expected + 1)

    return action


async def test_a_retried_command_with_the_same_key_acts_once_and_answers_the_same(ctx: ServiceContext) -> None:
    stream, meta = str(uuid.uuid4()), Metadata(actor="clerk-1")
    key = Idempotency("retry-0001", "fingerprint-a")
    first = await execute(ctx, meta, increment(stream, 5), answer=Total, idempotent=key)
    again = await execute(ctx, meta, increment(stream, 5), answer=Total, idempotent=key)
    assert first == again == Total(total=5, version=1)
    async with ctx.db.read() as conn:
        assert len(await ctx.store.load(conn, stream)) == 1


async def test_concurrent_retries_with_one_key_append_once(ctx: ServiceContext) -> None:
    stream, meta = str(uuid.uuid4()), Metadata(actor="clerk-1")
    key = Idempotency("retry-0002", "fingerprint-b")
    answers = await asyncio.gather(
        *(execute(ctx, meta, increment(stream, 2, pause=0.05), answer=Total, idempotent=key) for _ in range(4))
    )
    assert {a.version for a in answers} == {1}
    async with ctx.db.read() as conn:
        assert len(await ctx.store.load(conn, stream)) == 1


async def test_the_same_key_with_another_request_is_refused(ctx: ServiceContext) -> None:
    stream, meta = str(uuid.uuid4()), Metadata(actor="clerk-1")
    await execute(ctx, meta, increment(stream, 1), answer=Total, idempotent=Idempotency("retry-0003", "a"))
    with pytest.raises(InvalidInput) as refused:
        await execute(ctx, meta, increment(stream, 9), answer=Total, idempotent=Idempotency("retry-0003", "b"))
    assert refused.value.field == "Idempotency-Key"


async def test_keys_belong_to_their_caller(ctx: ServiceContext) -> None:
    stream = str(uuid.uuid4())
    key = Idempotency("shared-key-1", "same")
    await execute(ctx, Metadata(actor="clerk-1"), increment(stream, 1), answer=Total, idempotent=key)
    other = await execute(ctx, Metadata(actor="clerk-2"), increment(stream, 1), answer=Total, idempotent=key)
    assert other.version == 2


async def test_concurrent_writers_are_retried_from_a_fresh_load_and_none_is_lost(ctx: ServiceContext) -> None:
    stream, meta = str(uuid.uuid4()), Metadata(actor="clerk-1")
    answers = await asyncio.gather(
        *(execute(ctx, meta, increment(stream, 1, pause=0.02), answer=Total) for _ in range(5))
    )
    assert sorted(a.version for a in answers) == [1, 2, 3, 4, 5]


async def test_a_version_pinned_by_the_client_is_a_conflict_not_a_retry(ctx: ServiceContext) -> None:
    stream, meta = str(uuid.uuid4()), Metadata(actor="clerk-1")
    await execute(ctx, meta, increment(stream, 1), answer=Total)
    with pytest.raises(ConcurrencyError):
        await execute(ctx, meta, increment(stream, 1, pinned=0), answer=Total, retry_conflicts=False)


async def test_an_action_that_fails_leaves_nothing_written(ctx: ServiceContext) -> None:
    stream, meta = str(uuid.uuid4()), Metadata(actor="clerk-1")

    async def half(uow: UnitOfWork) -> Total:
        await uow.append("counter", stream, 0, [Incremented(by=1)])
        raise InvalidInput("refused", "拒绝。")

    with pytest.raises(InvalidInput):
        await execute(ctx, meta, half, answer=Total, idempotent=Idempotency("retry-0004", "x"))
    async with ctx.db.read() as conn:
        assert await ctx.store.load(conn, stream) == []
    # the key was rolled back with the events: the retry acts
    again = await execute(ctx, meta, increment(stream, 1), answer=Total, idempotent=Idempotency("retry-0004", "x"))
    assert again.version == 1


async def test_the_command_log_keeps_what_it_is_told_and_a_retry_gets_that(ctx: ServiceContext) -> None:
    """A one-time password is answered once: the log keeps the answer without it."""
    stream, meta = str(uuid.uuid4()), Metadata(actor="clerk-1")
    key = Idempotency("retry-0005", "x")

    def without_total(answer: Total) -> Total:
        return answer.model_copy(update={"total": 0})

    first = await execute(ctx, meta, increment(stream, 7), answer=Total, idempotent=key, recorded=without_total)
    again = await execute(ctx, meta, increment(stream, 7), answer=Total, idempotent=key, recorded=without_total)
    assert (first.total, again.total, again.version) == (7, 0, 1)


async def test_an_action_within_a_handlers_transaction_is_retried_in_a_savepoint(ctx: ServiceContext) -> None:
    """An event handler's decision meets an HTTP command that took the version first: retried, not lost."""
    stream, meta = str(uuid.uuid4()), Metadata(actor="handler")
    attempts = 0

    async def decide(uow: UnitOfWork) -> int:
        nonlocal attempts
        attempts += 1
        loaded = await uow.load(stream)
        if attempts == 1:  # another writer commits while this one decides
            await execute(ctx, Metadata(actor="clerk"), increment(stream, 1), answer=Total)
        await uow.append("counter", stream, loaded.version, [Incremented(by=10)])
        return loaded.version + 1

    async with ctx.db.transaction() as conn:
        version = await within(ctx, conn, meta, decide)
    assert (attempts, version) == (2, 2)
    async with ctx.db.read() as conn:
        assert [e.payload["by"] for e in await ctx.store.load(conn, stream)] == [1, 10]
