"""The applicant's review (复查) of a result that did not pass (NAT-11): requested in time by the
applicant, answered in writing by the committee's organising unit; a changed result is issued a
document in the year's one sequence (service_layer.documents.issue), never before the results
publicity ended (NAT-3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Row, func, select, update
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Conflict, Forbidden, not_found
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters.tables import candidates, review_requests
from ..context import ReviewContext
from ..domain.events import REEXAMINATION
from ..domain.reexamination import ReviewOutcome, ReviewRequest, decide_request, request_id_for
from .committees import require_secretary_of
from .documents import issue_to_candidate


class ReviewRequestView(BaseModel):
    request_id: str
    application_id: str
    session_id: str
    applicant_name: str | None
    reason: str
    requested_at: datetime
    deadline: datetime = Field(description="申请复查的截止时间（NAT-11）")
    status: Literal["pending", "answered"]
    outcome: ReviewOutcome | None = Field(description="upheld：维持原评审结果；changed：改为通过")
    answer: str | None = Field(description="组建单位的书面答复")
    answered_at: datetime | None
    document_number: str | None = Field(description="改为通过后印发的职称资格文件号")


class ReviewRequestPage(BaseModel):
    """A page of review requests and how many match."""

    items: list[ReviewRequestView]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


def _view(r: Row[Any], applicant_name: str | None) -> ReviewRequestView:
    return ReviewRequestView(
        request_id=r.request_id,
        application_id=r.application_id,
        session_id=r.session_id,
        applicant_name=applicant_name,
        reason=r.reason,
        requested_at=r.requested_at,
        deadline=r.deadline,
        status="pending" if r.outcome is None else "answered",
        outcome=r.outcome,
        answer=r.answer,
        answered_at=r.answered_at,
        document_number=r.document_number,
    )


async def request_review(
    ctx: ReviewContext, principal: Principal, idempotent: Idempotency | None, application_id: str, reason: str
) -> ReviewRequestView:
    """NAT-11: the applicant of the application, and nobody else, requests a review once, in time."""
    require_role(principal, Role.APPLICANT)

    async def action(uow: UnitOfWork) -> ReviewRequestView:
        conn = uow.conn
        candidate = (
            await conn.execute(select(candidates).where(candidates.c.application_id == application_id))
        ).first()
        if candidate is None:
            raise not_found("申报", "application_not_found", application_id, field="application_id")
        if candidate.applicant_id != principal.subject:
            raise Forbidden("not_applicant", "只有申报人本人可以对本人的评审结果申请复查。", rule="NAT-11")
        if candidate.session_id is None:
            raise Conflict("not_reviewed", "该申报尚未经评审委员会评审，不能申请复查。", rule="NAT-11")
        request_id = request_id_for(application_id)
        if (await uow.load(request_id)).events:
            raise Conflict("review_already_requested", "该申报已申请过复查，不能重复申请。", rule="NAT-11")
        session = await ctx.session(conn, candidate.session_id)
        committee = await ctx.committee(conn, session.committee_id)
        requested = decide_request(
            session,
            application_id=application_id,
            applicant_id=principal.subject,
            organizing_org_id=committee.organizing_org_id,
            reason=reason,
            now=ctx.clock.now(),
            days=ctx.settings.review_request_days,
            compressed_seconds=ctx.settings.review_request_seconds,
        )
        await uow.append(REEXAMINATION, request_id, 0, [requested])
        await conn.execute(
            review_requests.insert().values(
                request_id=request_id,
                application_id=application_id,
                session_id=session.session_id,
                applicant_id=principal.subject,
                organizing_org_id=committee.organizing_org_id,
                reason=reason,
                requested_at=requested.requested_at,
                deadline=requested.deadline,
            )
        )
        row = (await conn.execute(select(review_requests).where(review_requests.c.request_id == request_id))).one()
        return _view(row, candidate.applicant_name)

    return await execute(ctx, Metadata(principal.subject), action, answer=ReviewRequestView, idempotent=idempotent)


async def answer_review(
    ctx: ReviewContext,
    principal: Principal,
    idempotent: Idempotency | None,
    request_id: str,
    outcome: ReviewOutcome,
    answer: str,
) -> ReviewRequestView:
    """NAT-11: the committee's organising unit (its committee secretary) answers in writing, once.
    "changed": the candidate passes and is issued a document — NAT-3: only after the results
    publicity ended (409 publicity_not_over before)."""

    async def action(uow: UnitOfWork) -> ReviewRequestView:
        conn = uow.conn
        stream = await uow.load(request_id)
        request = ReviewRequest.from_events(stream.events)
        if request is None:
            raise not_found("复查申请", "review_request_not_found", request_id)
        session = await ctx.session(conn, request.requested.session_id)
        require_secretary_of(principal, await ctx.committee(conn, session.committee_id))
        now = ctx.clock.now()
        answered = request.answer(outcome, answer, principal.subject, now)
        application_id = request.requested.application_id
        candidate = (await conn.execute(select(candidates).where(candidates.c.application_id == application_id))).one()
        number = None
        if outcome == "changed":
            if session.publicity is None or not session.publicity_over(now):
                raise Conflict(
                    "publicity_not_over", "评审结果公示期未满，不能印发职称资格文件，请于公示期满后答复。", rule="NAT-3"
                )

            number = (await issue_to_candidate(ctx, uow, session, application_id)).number
        await uow.append(REEXAMINATION, request_id, request.version, [answered])
        await conn.execute(
            update(review_requests)
            .where(review_requests.c.request_id == request_id)
            .values(outcome=outcome, answer=answer, answered_at=now, document_number=number)
        )
        row = (await conn.execute(select(review_requests).where(review_requests.c.request_id == request_id))).one()
        return _view(row, candidate.applicant_name)

    return await execute(ctx, Metadata(principal.subject), action, answer=ReviewRequestView, idempotent=idempotent)


async def list_requests(
    ctx: ReviewContext,
    principal: Principal,
    application_id: str | None,
    *,
    status: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> ReviewRequestPage:
    """The applicant sees their own requests; the organising unit (its committee secretary or title
    office reviewer) the requests addressed to it; nobody else. A page of them, the latest first, pending
    or answered when asked."""
    query = select(review_requests, candidates.c.applicant_name).join(
        candidates, candidates.c.application_id == review_requests.c.application_id, isouter=True
    )
    if principal.has(Role.COMMITTEE_SECRETARY, Role.TITLE_OFFICE_REVIEW) and principal.org_id:
        query = query.where(review_requests.c.organizing_org_id == principal.org_id)
    elif principal.has(Role.APPLICANT):
        query = query.where(review_requests.c.applicant_id == principal.subject)
    else:
        raise Forbidden("role_required", "只有申请人本人或评委会组建单位可以查看复查申请。")
    if application_id:
        query = query.where(review_requests.c.application_id == application_id)
    if status == "pending":
        query = query.where(review_requests.c.outcome.is_(None))
    elif status == "answered":
        query = query.where(review_requests.c.outcome.is_not(None))
    async with ctx.db.read() as conn:
        total = int((await conn.execute(select(func.count()).select_from(query.subquery()))).scalar_one())
        page = query.order_by(review_requests.c.requested_at.desc(), review_requests.c.request_id)
        rows = (await conn.execute(page.offset(offset).limit(limit))).all()
    items = [_view(r, r.applicant_name) for r in rows]
    return ReviewRequestPage(items=items, total=total, offset=offset, limit=limit)
