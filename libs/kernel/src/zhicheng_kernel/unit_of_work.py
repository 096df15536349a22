"""The unit of work: load streams, let the domain decide, append — one transaction, once.

`execute` opens a transaction, hands the action a `UnitOfWork`, commits only when the action
returns, and rolls back on any error, so nothing is half-written. When another writer appended to a
loaded stream first it runs the whole action again (a fresh load sees the other's events) — unless
the caller pinned the version itself (an `If-Match` from a client), which is then a 409.

A command sent with an `Idempotency-Key` acts once: the key is recorded in the same transaction as
the events, with the answer; a retry by the same caller gets that answer back, and a concurrent
retry waits on the key's row until the first commits. The same key with a different request is
refused (422).

A service that keeps a business audit (zhicheng_kernel.audit) gets one row per command: written in the
command's transaction when it is done (or replayed), in a transaction of its own when it is refused.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Header, Request
from pydantic import BaseModel
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from . import audit
from .context import ServiceContext
from .envelope import EventEnvelope, Metadata, NewEvent
from .errors import ConcurrencyError, DomainError, InvalidInput
from .events import DomainEvent
from .tables import command_log
from .telemetry import correlation_uuid

R = TypeVar("R", bound=BaseModel)
T = TypeVar("T")

IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:\-]{8,128}$"


@dataclass(frozen=True)
class Stream:
    """A stream as loaded: its events (upcast) and the version the next append must expect."""

    stream_id: str
    events: list[EventEnvelope]

    @property
    def version(self) -> int:
        return self.events[-1].version if self.events else 0


class UnitOfWork:
    def __init__(self, ctx: ServiceContext, conn: AsyncConnection, meta: Metadata) -> None:
        self.ctx = ctx
        self.conn = conn
        self.meta = meta
        self.appended: list[EventEnvelope] = []
        self.loaded: list[str] = []

    async def load(self, stream_id: str) -> Stream:
        self.loaded.append(stream_id)
        return Stream(stream_id, await self.ctx.store.load(self.conn, stream_id))

    async def append(
        self, stream_type: str, stream_id: str, expected_version: int, events: Sequence[NewEvent | DomainEvent]
    ) -> list[EventEnvelope]:
        written = await self.ctx.store.append(self.conn, stream_type, stream_id, expected_version, events, self.meta)
        self.appended += written
        return written


@dataclass(frozen=True)
class Idempotency:
    """A client's Idempotency-Key and the fingerprint of the request it came with."""

    key: str
    fingerprint: str


async def idempotency(
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            pattern=IDEMPOTENCY_KEY_PATTERN,
            description="重试同一命令时携带相同的幂等键，命令只执行一次（8–128 个字母、数字或 ._:-）。",
        ),
    ] = None,
) -> Idempotency | None:
    """A FastAPI dependency: the key, if any, with a hash of the method, path and body."""
    if idempotency_key is None:
        return None
    digest = hashlib.sha256(f"{request.method} {request.url.path}?{request.url.query}\n".encode())
    digest.update(await request.body())
    return Idempotency(idempotency_key, digest.hexdigest())


async def execute(
    ctx: ServiceContext,
    meta: Metadata,
    action: Callable[[UnitOfWork], Awaitable[R]],
    *,
    answer: type[R],
    idempotent: Idempotency | None = None,
    retry_conflicts: bool = True,
    attempts: int = 5,
    recorded: Callable[[R], R] | None = None,
) -> R:
    """Run `action` in one transaction; see the module's docstring.

    `recorded` makes the copy of the answer the command log keeps when it must not hold everything
    the first caller saw (a one-time password is shown once; a retry gets the answer without it).
    """
    audit_log = audit.table_of(ctx)
    trace_correlation = correlation_uuid()
    if meta.causation_id is None and trace_correlation is not None and meta.actor not in audit.SECRET_ACTORS:
        # The request's trace id is the correlation id of the events it causes (see telemetry); never
        # for a secret command (a ballot), whose events must not lead back to the request that cast it.
        meta = dataclasses.replace(meta, correlation_id=trace_correlation)
    try:
        for attempt in range(attempts):
            try:
                async with ctx.db.transaction() as conn:
                    if idempotent is not None:
                        replay = await _claim(conn, meta.actor, idempotent, ctx)
                        if replay is not None:
                            if audit_log is not None:
                                await audit.write(
                                    conn, audit_log, audit.entry_for(meta.actor, "replayed"), ctx.clock.now()
                                )
                            return answer.model_validate(replay)
                    uow = UnitOfWork(ctx, conn, meta)
                    result = await action(uow)
                    if idempotent is not None:
                        await conn.execute(
                            command_log.update()
                            .where(command_log.c.actor == meta.actor, command_log.c.idempotency_key == idempotent.key)
                            .values(response=(recorded(result) if recorded else result).model_dump(mode="json"))
                        )
                    if audit_log is not None:
                        appended = await _appended_here(conn)
                        entry = audit.entry_for(
                            meta.actor,
                            "done",
                            streams=[*uow.loaded, *(stream for stream, _ in appended)],
                            event_types=[event_type for _, event_type in appended],
                        )
                        await audit.write(conn, audit_log, entry, ctx.clock.now())
                ctx.db.changed.fire()
                return result
            except ConcurrencyError:
                if not retry_conflicts or attempt == attempts - 1:
                    raise
                await asyncio.sleep(0.01 * (attempt + 1))
    except DomainError as exc:
        if audit_log is not None:
            refused = audit.entry_for(meta.actor, "refused", exc.status, problem_code=exc.code)
            await audit.write_apart(ctx, audit_log, refused)
        raise
    except Exception:
        if audit_log is not None:
            await audit.write_apart(
                ctx, audit_log, audit.entry_for(meta.actor, "failed", 500, problem_code="internal_error")
            )
        raise
    raise AssertionError("unreachable")


async def within(
    ctx: ServiceContext,
    conn: AsyncConnection,
    meta: Metadata,
    action: Callable[[UnitOfWork], Awaitable[T]],
    *,
    attempts: int = 5,
) -> T:
    """Run `action` inside a transaction someone else owns — an event handler's, next to its tracking
    row —, each attempt in a savepoint, retried from a fresh load when another writer (an HTTP
    command) took the stream's version first."""
    for attempt in range(attempts):
        try:
            async with conn.begin_nested():
                return await action(UnitOfWork(ctx, conn, meta))
        except ConcurrencyError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


async def _appended_here(conn: AsyncConnection) -> list[tuple[str, str]]:
    """(stream id, event type) of the events this transaction appended — through the unit of work or a
    repository writing to the store on its connection alike (rows not positioned yet whose xmin is this
    transaction: nothing is positioned before it commits)."""
    rows = await conn.execute(
        text(
            "SELECT stream_id, event_type FROM event_store WHERE position IS NULL"
            " AND xmin::text::bigint = txid_current() % 4294967296 ORDER BY seq"
        )
    )
    return [(str(r.stream_id), str(r.event_type)) for r in rows]


async def _claim(conn: AsyncConnection, actor: str, idem: Idempotency, ctx: ServiceContext) -> object | None:
    """Record the key; if it was already recorded, the first answer (a concurrent first waits here)."""
    inserted = await conn.execute(
        insert(command_log)
        .values(actor=actor, idempotency_key=idem.key, fingerprint=idem.fingerprint, recorded_at=ctx.clock.now())
        .on_conflict_do_nothing()
        .returning(command_log.c.actor)
    )
    if inserted.first() is not None:
        return None
    row = (
        await conn.execute(
            select(command_log.c.fingerprint, command_log.c.response).where(
                command_log.c.actor == actor, command_log.c.idempotency_key == idem.key
            )
        )
    ).one()
    if row.fingerprint != idem.fingerprint:
        raise InvalidInput(
            "idempotency_key_reused",
            "该幂等键已用于另一项不同的请求，请为新的请求使用新的幂等键。",
            field="Idempotency-Key",
        )
    first_answer: object = row.response
    return first_answer
