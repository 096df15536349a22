"""A session's meeting: attendance, secret ballots, closing the vote, complaints."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Conflict, DomainError, Forbidden, InvalidInput, not_found
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import UnitOfWork, execute

from ..adapters import ballot_box
from ..adapters.tables import candidates, complaints, session_voters
from ..context import ReviewContext
from ..domain.events import BALLOT_BOX_ACTOR, SESSION, ComplaintOutcome
from ..domain.rules import check_review_year_open
from ..domain.session import workflow_id_for
from . import panels
from .committees import require_secretary_of
from .views import (
    AttendanceView,
    BallotAccepted,
    BallotFormView,
    CandidateView,
    ComplaintResolvedView,
    ComplaintView,
    ConflictView,
    DrawView,
    VotingClosedView,
)

log = logging.getLogger(__name__)


async def record_attendance(
    ctx: ReviewContext, principal: Principal, session_id: str, present_expert_ids: list[str]
) -> AttendanceView:
    async def action(uow: UnitOfWork) -> AttendanceView:
        session = await ctx.session(uow.conn, session_id)
        require_secretary_of(principal, await ctx.committee(uow.conn, session.committee_id))
        await panels.check_panel_review_done(uow.conn, session)  # NAT-9, POL-VD-1: panels and defenses first
        recorded = session.record_attendance(present_expert_ids)
        # (issue 11, panels: the panels' gate before the vote goes here.)
        await uow.append(SESSION, session_id, session.version, [recorded])
        return AttendanceView(session_id=session_id, present=len(recorded.present_expert_ids))

    return await execute(ctx, Metadata(principal.subject), action, answer=AttendanceView)


async def cast_ballot(
    ctx: ReviewContext, principal: Principal, session_id: str, votes: dict[str, str]
) -> BallotAccepted:
    """NAT-2: the ballot is sealed (adapters.ballot_seal) and dropped into the session's private box
    (adapters.ballot_box: one row, every box re-sealed and shuffled at each cast), never into the
    stream; the private session_voter row only says that this expert has voted (one ballot each, the
    quorum). Whoever reads the database or the broker can tell who voted, never which box is whose:
    the boxes reach the stream together when the vote closes, and open only with the ballot key."""
    require_role(principal, Role.EXPERT)

    async def action(uow: UnitOfWork) -> BallotAccepted:
        await ballot_box.lock(uow.conn, session_id)  # serialised with the close of the vote
        session = await ctx.session(uow.conn, session_id)
        if principal.subject not in session.expert_ids and principal.subject not in session.reserve_expert_ids:
            raise Forbidden("not_committee_member", "您不是本次会议抽取的评审专家，不能投票。", rule="NAT-2")
        check_review_year_open(
            session.year,
            session.level,
            ctx.clock.now(),
            "在该年度的评审会议中投票",
            deadline=ctx.settings.review_year_deadline_override,
            extended_until=session.extended_until,
        )
        ballot = session.cast_ballot(principal.subject, votes, ctx.settings.quorum)
        voted = await uow.conn.execute(
            insert(session_voters)
            .values(session_id=session_id, expert_id=principal.subject)
            .on_conflict_do_nothing()
            .returning(session_voters.c.expert_id)
        )
        if voted.first() is None:
            raise Conflict("already_voted", "您已在本次会议投票，不能重复投票。", rule="NAT-2")
        await ballot_box.drop_in(uow.conn, ctx.ballots, session_id, ctx.ballots.seal(session_id, ballot))
        return BallotAccepted(session_id=session_id, accepted=True)

    return await execute(ctx, Metadata(actor=BALLOT_BOX_ACTOR), action, answer=BallotAccepted)


async def close_voting(ctx: ReviewContext, principal: Principal, session_id: str) -> VotingClosedView:
    """NAT-2: the secretary closes the vote (VotingClosed, once), the private box's ballots go into the
    stream in one BallotsCollected event (re-sealed, shuffled) and the workflow is told to count."""

    async def action(uow: UnitOfWork) -> VotingClosedView:
        await ballot_box.lock(uow.conn, session_id)  # no ballot slips in after the collection
        session = await ctx.session(uow.conn, session_id)
        require_secretary_of(principal, await ctx.committee(uow.conn, session.committee_id))
        if session.tally is not None:
            raise Conflict("voting_closed", "本次会议已计票。")
        closed = session.close_voting()
        if closed is not None:
            collected = session.collect_ballots(await ballot_box.empty(uow.conn, ctx.ballots, session_id))
            await uow.append(SESSION, session_id, session.version, [closed, *([collected] if collected else [])])
        return VotingClosedView(session_id=session_id, workflow_id=session.workflow_id, voting_closed=True)

    answer = await execute(ctx, Metadata(principal.subject), action, answer=VotingClosedView)
    try:
        await ctx.temporal.signal(answer.workflow_id, "voting_closed")
    except Exception as exc:
        log.warning("cannot signal %s: %s", answer.workflow_id, exc)
        raise DomainError("workflow_unavailable", "流程服务暂时不可用，请稍后重试。", status=503) from exc
    return answer


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


# -- issue 11: the draw, conflicts of interest and the ballot form (NAT-4) --------------------------------


def _office_of_session(principal: Principal, organizing_org_id: str) -> bool:
    """The organising office's secretary or reviewer."""
    return principal.has(Role.COMMITTEE_SECRETARY, Role.TITLE_OFFICE_REVIEW) and principal.org_id == organizing_org_id


async def draw_of(ctx: ReviewContext, principal: Principal, session_id: str) -> DrawView:
    """NAT-4: the draw (seed, candidates, excluded, sitting, reserves, recusals) only for the organising
    office's secretary and reviewer; experts and applicants are refused (403), and a session opened
    before draws existed has none (404)."""
    if not principal.has(Role.COMMITTEE_SECRETARY, Role.TITLE_OFFICE_REVIEW):
        raise Forbidden("draw_not_visible", "专家抽取结果仅组建单位可见（NAT-4）。", rule="NAT-4")
    async with ctx.db.read() as conn:
        session = await ctx.session(conn, session_id)
        committee = await ctx.committee(conn, session.committee_id)
    if not _office_of_session(principal, committee.organizing_org_id):
        raise Forbidden("draw_not_visible", "专家抽取结果仅组建单位可见（NAT-4）。", rule="NAT-4")
    if session.draw is None:
        raise not_found("专家抽取记录", "draw_not_found", session_id)
    d = session.draw
    return DrawView(
        session_id=session_id,
        seed=d.seed,
        candidates=d.candidates,
        excluded=d.excluded,
        sitting_expert_ids=d.sitting_expert_ids,
        reserve_expert_ids=d.reserve_expert_ids,
        recusals=d.recusals,
        conflicts={a: sorted(e) for a, e in sorted(session.conflicts.items())},
        meeting_starts_at=d.meeting_starts_at,
        meeting_ends_at=d.meeting_ends_at,
    )


async def declare_conflict(
    ctx: ReviewContext,
    principal: Principal,
    session_id: str,
    *,
    application_id: str,
    reason: str,
    expert_id: str | None,
) -> ConflictView:
    """NAT-4: a drawn expert declares a conflict with a candidate (or the secretary on their behalf,
    naming `expert_id`); the candidate leaves the expert's ballot form."""

    async def action(uow: UnitOfWork) -> ConflictView:
        await ballot_box.lock(uow.conn, session_id)  # NAT-4: no ballot is cast on the form it changes
        session = await ctx.session(uow.conn, session_id)
        if principal.has(Role.EXPERT) and expert_id in (None, principal.subject):
            declarer = principal.subject
            if declarer not in session.expert_ids and declarer not in session.reserve_expert_ids:
                raise Forbidden("not_drawn_expert", "您不是本次会议抽取的评审专家。", rule="NAT-4")
        else:
            require_secretary_of(principal, await ctx.committee(uow.conn, session.committee_id))
            if expert_id is None:
                raise InvalidInput("expert_required", "代专家申报回避时须填写专家。", field="expert_id")
            declarer = expert_id
        declared = session.declare_conflict(declarer, application_id, reason)
        await uow.append(SESSION, session_id, session.version, [declared])
        return ConflictView(session_id=session_id, application_id=application_id, declared=True)

    return await execute(ctx, Metadata(principal.subject), action, answer=ConflictView)


async def ballot_form(ctx: ReviewContext, principal: Principal, session_id: str) -> BallotFormView:
    """The calling expert's ballot form: only the candidates they judge (NAT-4); anyone else 403."""
    require_role(principal, Role.EXPERT)
    async with ctx.db.read() as conn:
        session = await ctx.session(conn, session_id)
        if principal.subject not in session.expert_ids and principal.subject not in session.reserve_expert_ids:
            raise Forbidden("not_drawn_expert", "您不是本次会议抽取的评审专家。", rule="NAT-4")
        form = session.ballot_form(principal.subject, ctx.settings.quorum)
        voted = (
            await conn.execute(
                select(session_voters.c.expert_id).where(
                    session_voters.c.session_id == session_id, session_voters.c.expert_id == principal.subject
                )
            )
        ).first() is not None
        rows = (
            await conn.execute(
                select(candidates).where(candidates.c.application_id.in_(form)).order_by(candidates.c.application_id)
            )
        ).all()
    return BallotFormView(
        session_id=session_id,
        application_ids=form,
        candidates=[CandidateView.of(c) for c in rows],
        voted=voted,
    )
