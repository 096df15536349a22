"""Dead letters: the events a consumer (or the outbox relay) could not handle after bounded retries.

A consumer retries a failing handler a bounded number of times with backoff; then it writes a dead
letter and parks THAT SOURCE for itself: its watermark stops before the event (nothing is skipped
silently), its other sources go on, `/health` answers 503 naming the source, and the metrics count
the open letters. The outbox relay writes one (consumer `outbox-relay`) for an event the broker
refuses for good (e.g. over its message size): that position is parked and the relay publishes the
later ones; consumers still get the event from the source's feed.

An operator resolves a letter with the service's database URL (the service's own role):

    uv run python -m zhicheng_kernel.deadletters --database-url URL list [--all] [--consumer NAME]
    uv run python -m zhicheng_kernel.deadletters --database-url URL retry \
        --consumer NAME --source SERVICE --position N --by WHO [--reason WHY]
    uv run python -m zhicheng_kernel.deadletters --database-url URL skip \
        --consumer NAME --source SERVICE --position N --by WHO --reason WHY

`retry` (after the fix is deployed) un-parks the source: the consumer applies the event again on its
next catch-up (a relay letter is published again); if it fails again, the letter is open again with
its attempts added up. `skip` needs a reason: the consumer records the event as processed without
applying it, and the watermark moves on. Both are recorded (who, why, when) and only resolve an open
letter. The database URL is the access control: only whoever may write the service's database can.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import StringConstraints, TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .database import Database
from .errors import Conflict, DomainError, InvalidInput, not_found
from .inputs import CleanText, MultilineText
from .tables import dead_letters

RELAY = "outbox-relay"  # the `consumer` of the letters the outbox relay writes
OPEN, RETRIED, SKIPPED = "open", "retried", "skipped"
STATUSES = (OPEN, RETRIED, SKIPPED)
MAX_ERROR_CHARS = 4000  # an error is kept to this length (a traceback's last lines say the most)

_Who = TypeAdapter(Annotated[CleanText, StringConstraints(min_length=1, max_length=100)])
_Reason = TypeAdapter(Annotated[MultilineText, StringConstraints(max_length=1000)])


@dataclass(frozen=True)
class DeadLetter:
    consumer: str
    source: str
    position: int
    event_type: str
    event_id: uuid.UUID | None
    error: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    status: str
    resolved_by: str | None
    reason: str | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> DeadLetter:
        return cls(**{c.name: getattr(row, c.name) for c in dead_letters.columns})


def describe(exc: BaseException) -> str:
    """The error as a letter keeps it: its type and message, bounded."""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


async def record_failure(
    conn: AsyncConnection,
    *,
    consumer: str,
    source: str,
    position: int,
    event_type: str,
    event_id: uuid.UUID | None,
    error: str,
    attempts: int,
    now: datetime,
) -> None:
    """Open (or open again, adding the attempts up) the letter of this event for this consumer."""
    stmt = insert(dead_letters).values(
        consumer=consumer,
        source=source,
        position=position,
        event_type=event_type,
        event_id=event_id,
        error=error[:MAX_ERROR_CHARS],
        attempts=attempts,
        first_failed_at=now,
        last_failed_at=now,
        status=OPEN,
    )
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["consumer", "source", "position"],
            set_={
                "error": stmt.excluded.error,
                "attempts": dead_letters.c.attempts + stmt.excluded.attempts,
                "last_failed_at": stmt.excluded.last_failed_at,
                "status": OPEN,
            },
        )
    )


async def parked_at(conn: AsyncConnection, consumer: str, source: str) -> int | None:
    """The position where this consumer's source is parked (its lowest open letter), if it is."""
    position = (
        await conn.execute(
            select(func.min(dead_letters.c.position)).where(
                dead_letters.c.consumer == consumer, dead_letters.c.source == source, dead_letters.c.status == OPEN
            )
        )
    ).scalar_one()
    return None if position is None else int(position)


async def status_of(conn: AsyncConnection, consumer: str, source: str, position: int) -> str | None:
    return (
        await conn.execute(
            select(dead_letters.c.status).where(
                dead_letters.c.consumer == consumer,
                dead_letters.c.source == source,
                dead_letters.c.position == position,
            )
        )
    ).scalar_one_or_none()


async def open_positions(conn: AsyncConnection, consumer: str, source: str | None = None) -> list[int]:
    query = select(dead_letters.c.position).where(dead_letters.c.consumer == consumer, dead_letters.c.status == OPEN)
    if source is not None:
        query = query.where(dead_letters.c.source == source)
    return [int(p) for (p,) in await conn.execute(query.order_by(dead_letters.c.position))]


async def list_dead_letters(
    conn: AsyncConnection, *, consumer: str | None = None, status: str | None = None, limit: int = 500
) -> list[DeadLetter]:
    query = select(dead_letters)
    if consumer is not None:
        query = query.where(dead_letters.c.consumer == consumer)
    if status is not None:
        query = query.where(dead_letters.c.status == status)
    order = (dead_letters.c.consumer, dead_letters.c.source, dead_letters.c.position)
    return [DeadLetter.of(r) for r in await conn.execute(query.order_by(*order).limit(limit))]


async def resolve(
    db: Database, consumer: str, source: str, position: int, *, status: str, by: str, reason: str
) -> DeadLetter:
    """Mark an open letter retried or skipped, recording who, why and when."""
    if status not in (RETRIED, SKIPPED):
        raise InvalidInput("invalid_status", "处理方式只能是重试或跳过。", field="status")
    try:
        who, why = _Who.validate_python(by), _Reason.validate_python(reason)
    except ValidationError as exc:
        raise InvalidInput("invalid_operator_input", f"处理人或原因无效：{exc.errors()[0]['msg']}") from exc
    if status == SKIPPED and not why:
        raise InvalidInput("reason_required", "跳过死信必须填写原因。", field="reason")
    async with db.transaction() as conn:
        row = (
            await conn.execute(
                dead_letters.update()
                .where(
                    dead_letters.c.consumer == consumer,
                    dead_letters.c.source == source,
                    dead_letters.c.position == position,
                    dead_letters.c.status == OPEN,
                )
                .values(status=status, resolved_by=who, reason=why or None, resolved_at=datetime.now(UTC))
                .returning(*dead_letters.columns)
            )
        ).first()
        if row is None:
            known = await status_of(conn, consumer, source, position)
            if known is None:
                raise not_found("死信", "dead_letter_not_found", f"{consumer} {source} #{position}")
            raise Conflict("dead_letter_not_open", f"该死信已处理（{known}），无需再次处理。")
    return DeadLetter.of(row)


async def retry(db: Database, consumer: str, source: str, position: int, *, by: str, reason: str = "") -> DeadLetter:
    return await resolve(db, consumer, source, position, status=RETRIED, by=by, reason=reason)


async def skip(db: Database, consumer: str, source: str, position: int, *, by: str, reason: str) -> DeadLetter:
    return await resolve(db, consumer, source, position, status=SKIPPED, by=by, reason=reason)


# -- the operator's command line ------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m zhicheng_kernel.deadletters", description="死信：列出、重试、跳过")
    parser.add_argument("--database-url", required=True, help="the service's database (postgresql+asyncpg://…)")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="open dead letters (all with --all)")
    listing.add_argument("--all", action="store_true")
    listing.add_argument("--consumer")
    for name in ("retry", "skip"):
        command = commands.add_parser(name)
        command.add_argument("--consumer", required=True)
        command.add_argument("--source", required=True)
        command.add_argument("--position", required=True, type=int)
        command.add_argument("--by", required=True, help="who decides (recorded)")
        command.add_argument("--reason", required=name == "skip", default="", help="why (recorded)")
    return parser


async def _main(args: argparse.Namespace) -> None:
    db = Database(args.database_url, pool_size=1)
    try:
        if args.command == "list":
            async with db.read() as conn:
                letters = await list_dead_letters(
                    conn, consumer=args.consumer, status=None if args.all else OPEN, limit=10_000
                )
            print("consumer\tsource\tposition\tevent_type\tstatus\tattempts\tlast_failed_at\terror")
            for d in letters:
                error = d.error.replace("\n", " ")[:200]
                print(
                    f"{d.consumer}\t{d.source}\t{d.position}\t{d.event_type}\t{d.status}\t{d.attempts}\t"
                    f"{d.last_failed_at.isoformat()}\t{error}"
                )
            return
        action = retry if args.command == "retry" else skip
        letter = await action(db, args.consumer, args.source, args.position, by=args.by, reason=args.reason)
        print(f"{letter.consumer}\t{letter.source}\t{letter.position}\t{letter.status}")
    finally:
        await db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        asyncio.run(_main(args))
    except DomainError as exc:  # a refusal the operator can act on: its message, not a traceback
        print(exc.message, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
