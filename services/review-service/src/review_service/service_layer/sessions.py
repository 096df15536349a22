"""A session's meeting: attendance, secret ballots, closing the vote, complaints."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Conflict, DomainError, Forbidden, not_found
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import UnitOfWork, execute

from ..adapters.tables import complaints, session_voters
from ..context import ReviewContext
from ..domain.events import BALLOT_BOX_ACTOR, SESSION, ComplaintOutcome
from ..domain.rules import check_review_year_open
from ..domain.session import workflow_id_for
from . import panels
from .committees import require_secretary_of
from .views import AttendanceView, BallotAccepted, ComplaintResolvedView, ComplaintView, VotingClosedView

log = logging.getLogger(__name__)


async def record_attendance(
    ctx: ReviewContext, principal: Principal, session_id: str, present_expert_ids: list[str]
) -> AttendanceView:
    async def action(uow: UnitOfWork) -> AttendanceView:
        session = await ctx.session(uow.conn, session_id)
        require_secretary_of(principal, await ctx.committee(uow.conn, session.committee_id))
        await panels.check_panel_review_done(uow.conn, session)  # NAT-9, POL-VD-1: panels and defenses first
        recorded = session.record_attendance(present_expert_ids)
        await uow.append(SESSION, session_id, session.version, [recorded])
        return AttendanceView(session_id=session_id, present=len(recorded.present_expert_ids))

    return await execute(ctx, Metadata(principal.subject), action, answer=AttendanceView)


async def cast_ballot(
    ctx: ReviewContext, principal: Principal, session_id: str, votes: dict[str, str]
) -> BallotAccepted:
    """The ballot goes into the stream with no expert id and an anonymous actor; the private
    session_voter row (same transaction) only says that this expert has voted."""
    require_role(principal, Role.EXPERT)

    async def action(uow: UnitOfWork) -> BallotAccepted:
        session = await ctx.session(uow.conn, session_id)
        if principal.subject not in (await ctx.committee(uow.conn, session.committee_id)).expert_ids:
            raise Forbidden("not_committee_member", "您不是本评审委员会的专家，不能投票。", rule="NAT-2")
        check_review_year_open(
            session.year,
            session.level,
            ctx.clock.now(),
            "在该年度的评审会议中投票",
            deadline=ctx.settings.review_year_deadline_override,
            extended_until=session.extended_until,
        )
        ballot = session.cast_ballot(principal.subject, votes)
        voted = await uow.conn.execute(
            insert(session_voters)
            .values(session_id=session_id, expert_id=principal.subject)
            .on_conflict_do_nothing()
            .returning(session_voters.c.expert_id)
        )
        if voted.first() is None:
            raise Conflict("already_voted", "您已在本次会议投票，不能重复投票。", rule="NAT-2")
        await uow.append(SESSION, session_id, session.version, [ballot])
        return BallotAccepted(session_id=session_id, accepted=True)

    return await execute(ctx, Metadata(actor=BALLOT_BOX_ACTOR), action, answer=BallotAccepted)


async def close_voting(ctx: ReviewContext, principal: Principal, session_id: str) -> VotingClosedView:
    async with ctx.db.read() as conn:
        session = await ctx.session(conn, session_id)
        require_secretary_of(principal, await ctx.committee(conn, session.committee_id))
    if session.tally is not None:
        raise Conflict("voting_closed", "本次会议已计票。")
    try:
        await ctx.temporal.signal(session.workflow_id, "voting_closed")
    except Exception as exc:
        log.warning("cannot signal %s: %s", session.workflow_id, exc)
        raise DomainError("workflow_unavailable", "流程服务暂时不可用，请稍后重试。", status=503) from exc
    return VotingClosedView(session_id=session_id, workflow_id=session.workflow_id, voting_closed=True)


async def file_complaint(
    ctx: ReviewContext, principal: Principal, session_id: str, application_id: str, content: str
) -> ComplaintView:
    complaint_id = str(uuid.uuid4())

    async def action(uow: UnitOfWork) -> ComplaintView:
        session = await ctx.session(uow.conn, session_id)
        filed = session.file_complaint(complaint_id, application_id, content, ctx.clock.now())
        await uow.append(SESSION, session_id, session.version, [filed])
        await uow.conn.execute(
            complaints.insert().values(
                complaint_id=complaint_id, session_id=session_id, application_id=application_id, outcome=None
            )
        )
        return ComplaintView(complaint_id=complaint_id, session_id=session_id, application_id=application_id)

    filed = await execute(ctx, Metadata(principal.subject), action, answer=ComplaintView)
    # The workflow re-reads the session before issuing, so a lost signal only delays, never loses.
    signal = {"complaint_id": complaint_id, "application_id": application_id}
    await _signal_quietly(ctx, workflow_id_for(session_id), "complaint_filed", signal)
    return filed


async def resolve_complaint(
    ctx: ReviewContext, principal: Principal, complaint_id: str, outcome: ComplaintOutcome
) -> ComplaintResolvedView:
    """The committee's organizing unit ends the investigation."""
    async with ctx.db.read() as conn:
        row = (await conn.execute(select(complaints).where(complaints.c.complaint_id == complaint_id))).first()
    if row is None:
        raise not_found("投诉", "complaint_not_found", complaint_id)

    async def action(uow: UnitOfWork) -> ComplaintResolvedView:
        session = await ctx.session(uow.conn, row.session_id)
        require_secretary_of(principal, await ctx.committee(uow.conn, session.committee_id))
        resolved = session.resolve_complaint(complaint_id, outcome)
        await uow.append(SESSION, session.session_id, session.version, [resolved])
        await uow.conn.execute(
            update(complaints).where(complaints.c.complaint_id == complaint_id).values(outcome=outcome)
        )
        return ComplaintResolvedView(complaint_id=complaint_id, application_id=row.application_id, outcome=outcome)

    resolved = await execute(ctx, Metadata(principal.subject), action, answer=ComplaintResolvedView)
    await _signal_quietly(
        ctx,
        workflow_id_for(row.session_id),
        "complaint_resolved",
        {"complaint_id": complaint_id, "application_id": row.application_id, "outcome": outcome},
    )
    return resolved


async def _signal_quietly(ctx: ReviewContext, workflow_id: str, signal: str, arg: dict[str, Any]) -> None:
    try:
        await ctx.temporal.signal(workflow_id, signal, arg)
    except Exception as exc:
        log.warning("cannot signal %s to %s (the workflow re-checks later): %s", signal, workflow_id, exc)
