"""A session's meeting: attendance, secret ballots (NAT-2), closing the vote, complaints (POL-PB-1)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import DomainError, Forbidden
from zhicheng_kernel.roles import Role

from ..adapters.tables import complaints, session_voters
from ..domain import events as ev
from ..domain.errors import ReviewConflict, not_found
from .committees import require_secretary_of
from .context import ReviewContext, retry_on_conflict

log = logging.getLogger(__name__)


class WorkflowUnavailable(DomainError):
    status = 503


async def record_attendance(
    ctx: ReviewContext, principal: Principal, session_id: str, present_expert_ids: list[str]
) -> dict[str, Any]:
    async with ctx.db.transaction() as conn:
        session = await ctx.session(conn, session_id)
        require_secretary_of(principal, await ctx.committee(conn, session.committee_id))
        event = session.record_attendance(present_expert_ids)
        await ctx.store.append(conn, ev.SESSION, session_id, session.version, [event], Metadata(principal.subject))
    return {"session_id": session_id, "present": len(event.payload["present_expert_ids"])}


async def cast_ballot(ctx: ReviewContext, principal: Principal, session_id: str, votes: dict[str, str]) -> None:
    """NAT-2 secret ballot: the ballot goes into the stream with no expert id and an anonymous actor;
    the private session_voter row (same transaction) only says that this expert has voted."""
    require_role(principal, Role.EXPERT)

    async def attempt() -> None:
        async with ctx.db.transaction() as conn:
            session = await ctx.session(conn, session_id)
            if principal.subject not in (await ctx.committee(conn, session.committee_id)).expert_ids:
                raise Forbidden("not_committee_member", "您不是本评审委员会的专家，不能投票。")
            event = session.cast_ballot(principal.subject, votes)
            voted = await conn.execute(
                insert(session_voters)
                .values(session_id=session_id, expert_id=principal.subject)
                .on_conflict_do_nothing()
                .returning(session_voters.c.expert_id)
            )
            if voted.first() is None:
                raise ReviewConflict("already_voted", "您已在本次会议投票，不能重复投票。")
            await ctx.store.append(
                conn, ev.SESSION, session_id, session.version, [event], Metadata(actor=ev.BALLOT_BOX_ACTOR)
            )

    await retry_on_conflict(attempt)


async def close_voting(ctx: ReviewContext, principal: Principal, session_id: str) -> dict[str, Any]:
    async with ctx.db.read() as conn:
        session = await ctx.session(conn, session_id)
        require_secretary_of(principal, await ctx.committee(conn, session.committee_id))
    if session.tally is not None:
        raise ReviewConflict("voting_closed", "本次会议已计票。")
    try:
        await ctx.temporal.signal(session.workflow_id, "voting_closed")
    except Exception as exc:
        log.warning("cannot signal %s: %s", session.workflow_id, exc)
        raise WorkflowUnavailable("workflow_unavailable", "流程服务暂时不可用，请稍后重试。") from exc
    return {"session_id": session_id, "workflow_id": session.workflow_id, "voting_closed": True}


async def file_complaint(
    ctx: ReviewContext, principal: Principal, session_id: str, application_id: str, content: str
) -> dict[str, Any]:
    complaint_id = str(uuid.uuid4())

    async def attempt() -> str:
        async with ctx.db.transaction() as conn:
            session = await ctx.session(conn, session_id)
            event = session.file_complaint(complaint_id, application_id, content, datetime.now(UTC))
            await ctx.store.append(conn, ev.SESSION, session_id, session.version, [event], Metadata(principal.subject))
            await conn.execute(
                complaints.insert().values(
                    complaint_id=complaint_id, session_id=session_id, application_id=application_id, outcome=None
                )
            )
            return session.workflow_id

    workflow_id = await retry_on_conflict(attempt)
    # The workflow re-reads the session before issuing, so a lost signal only delays, never loses.
    await _signal_quietly(
        ctx, workflow_id, "complaint_filed", {"complaint_id": complaint_id, "application_id": application_id}
    )
    return {"complaint_id": complaint_id, "session_id": session_id, "application_id": application_id}


async def resolve_complaint(
    ctx: ReviewContext, principal: Principal, complaint_id: str, outcome: str
) -> dict[str, Any]:
    """POL-PB-1: the committee's organizing unit ends the investigation."""
    async with ctx.db.read() as conn:
        row = (await conn.execute(select(complaints).where(complaints.c.complaint_id == complaint_id))).first()
    if row is None:
        raise not_found("complaint", complaint_id)

    async def attempt() -> str:
        async with ctx.db.transaction() as conn:
            session = await ctx.session(conn, row.session_id)
            require_secretary_of(principal, await ctx.committee(conn, session.committee_id))
            event = session.resolve_complaint(complaint_id, outcome)
            await ctx.store.append(
                conn, ev.SESSION, session.session_id, session.version, [event], Metadata(principal.subject)
            )
            await conn.execute(
                update(complaints).where(complaints.c.complaint_id == complaint_id).values(outcome=outcome)
            )
            return session.workflow_id

    workflow_id = await retry_on_conflict(attempt)
    await _signal_quietly(
        ctx,
        workflow_id,
        "complaint_resolved",
        {"complaint_id": complaint_id, "application_id": row.application_id, "outcome": outcome},
    )
    return {"complaint_id": complaint_id, "application_id": row.application_id, "outcome": outcome}


async def _signal_quietly(ctx: ReviewContext, workflow_id: str, signal: str, arg: dict[str, Any]) -> None:
    try:
        await ctx.temporal.signal(workflow_id, signal, arg)
    except Exception as exc:
        log.warning("cannot signal %s to %s (the workflow re-checks later): %s", signal, workflow_id, exc)
