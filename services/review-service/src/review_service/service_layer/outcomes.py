"""The steps the session workflow drives: tally, publish, issue documents, close. Each is idempotent:
a step already done answers with what it did, and a concurrent second call loses on expected_version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import Metadata, NewEvent
from zhicheng_kernel.errors import ConcurrencyError

from ..adapters.tables import candidates, document_sequences, documents
from ..domain import events as ev
from ..domain.documents import document_id_for, document_number
from ..domain.errors import ReviewConflict
from ..domain.rules import publicity_end
from ..domain.session import Session
from .context import ReviewContext

SERVICE_ACTOR = "review-service"


def _meta(actor: str) -> Metadata:
    return Metadata(actor=actor or SERVICE_ACTOR)


async def tally(ctx: ReviewContext, session_id: str, actor: str) -> dict[str, Any]:
    async with ctx.db.transaction() as conn:
        session = await ctx.session(conn, session_id)
        event = session.tally_votes(ctx.settings.quorum, ctx.settings.pass_threshold)
        if event is not None:
            await ctx.store.append(conn, ev.SESSION, session_id, session.version, [event], _meta(actor))
            session.apply(event.event_type, event.payload)
    assert session.tally is not None
    return session.tally


async def publish(
    ctx: ReviewContext, session_id: str, actor: str, *, publicity_seconds: int | None, publicity_working_days: int
) -> dict[str, Any]:
    """NAT-3: the publicity period is fixed when the results go public, in Chinese working days
    (or in seconds for tests and demonstrations)."""
    now = datetime.now(UTC)
    if publicity_seconds is not None:
        ends_at = now + timedelta(seconds=publicity_seconds)
    else:
        ends_at = publicity_end(now, publicity_working_days).astimezone(UTC)
    async with ctx.db.transaction() as conn:
        session = await ctx.session(conn, session_id)
        event = session.publish_results(now, ends_at)
        if event is not None:
            await ctx.store.append(conn, ev.SESSION, session_id, session.version, [event], _meta(actor))
            session.apply(event.event_type, event.payload)
    assert session.publicity is not None
    return session.publicity


async def issue_documents(ctx: ReviewContext, session_id: str, actor: str) -> dict[str, Any]:
    """Issue a qualification document to every passed candidate whose publicity is over and who is
    not held by a complaint under investigation (POL-PB-1); report who is held and who is refused."""
    now = datetime.now(UTC)
    async with ctx.db.read() as conn:
        session = await ctx.session(conn, session_id)
    if session.publicity is None:
        raise ReviewConflict("not_published", "评审结果尚未公示，不能发文（NAT-3）。")
    if not session.publicity_over(now):
        raise ReviewConflict("publicity_not_over", "公示期未满，不能发文（NAT-3）。")
    issuable, held, upheld = session.issuable(now)
    for application_id in issuable:
        await _issue_one(ctx, session, application_id, actor)
    async with ctx.db.read() as conn:
        rows = (await conn.execute(select(documents).where(documents.c.session_id == session_id))).all()
    return {
        "session_id": session_id,
        "issued": [
            {"application_id": r.application_id, "number": r.number, "document_id": r.document_id} for r in rows
        ],
        "held": held,
        "refused": upheld,
    }


async def _issue_one(ctx: ReviewContext, session: Session, application_id: str, actor: str) -> None:
    document_id = document_id_for(application_id)
    try:
        async with ctx.db.transaction() as conn:
            if await ctx.store.load(conn, document_id):
                return
            candidate = (
                await conn.execute(select(candidates).where(candidates.c.application_id == application_id))
            ).one()
            sequence = await _next_number(conn, session.year)
            payload = {
                "document_id": document_id,
                "number": document_number(ctx.settings.document_number_prefix, session.year, sequence),
                "session_id": session.session_id,
                "application_id": application_id,
                "applicant_id": candidate.applicant_id,
                "applicant_name": candidate.applicant_name,
                "year": session.year,
                "series": session.series,
                "level": session.level,
                # POL-GR-2 and the like: the words the document must carry come with the candidate.
                "annotations": list(candidate.annotations),
            }
            # Version 0: a second issuer of the same document collides here and rolls back its number.
            await ctx.store.append(
                conn, ev.DOCUMENT, document_id, 0, [NewEvent(ev.DOCUMENT_ISSUED, payload)], _meta(actor)
            )
            await conn.execute(
                documents.insert().values(
                    document_id=document_id,
                    number=payload["number"],
                    session_id=session.session_id,
                    application_id=application_id,
                    applicant_name=candidate.applicant_name,
                    issued_at=datetime.now(UTC),
                    payload=payload,
                )
            )
    except ConcurrencyError:
        return  # issued by a concurrent call: already done


async def _next_number(conn: AsyncConnection, year: int) -> int:
    result = await conn.execute(
        insert(document_sequences)
        .values(year=year, last=1)
        .on_conflict_do_update(index_elements=["year"], set_={"last": document_sequences.c.last + 1})
        .returning(document_sequences.c.last)
    )
    return int(result.scalar_one())


async def close(ctx: ReviewContext, session_id: str, actor: str) -> dict[str, Any]:
    async with ctx.db.transaction() as conn:
        session = await ctx.session(conn, session_id)
        event = session.close()
        if event is not None:
            await ctx.store.append(conn, ev.SESSION, session_id, session.version, [event], _meta(actor))
    return {"session_id": session_id, "status": "closed"}
