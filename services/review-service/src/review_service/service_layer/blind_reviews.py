"""Blind reviews of expert recommendations (POL-ER-1, POL-ER-3): started by the employer's consent
(application-service's ExpertRecommendationConsented), reviewers drawn from the pool (NAT-4), their
opinions recorded anonymously, and the city office's decision on a reported misconduct."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.envelope import EventEnvelope, Metadata
from zhicheng_kernel.errors import Conflict, Forbidden, not_found
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute, within

from ..adapters.tables import blind_review_reviewers, blind_reviews, experts, organizations
from ..context import ReviewContext
from ..domain.blind_review import BlindReview, reviewer_view
from ..domain.draw import new_seed
from ..domain.events import BLIND_REVIEW, BLIND_REVIEW_ACTOR, ExpertRecommendationReceived, MisconductKind
from .pool_queries import pool_experts

log = logging.getLogger(__name__)
br, rv = blind_reviews, blind_review_reviewers


# -- views: counts only, reviewers only for the city office ------------------------------------------------


class AssignedReviewView(BaseModel):
    """One of the calling expert's own assignments: no applicant, no employer, no other reviewer."""

    review_id: str
    series: str
    specialty: str
    level: str
    recommendation_text: str
    answered: bool


class OpinionAccepted(BaseModel):
    """The answer to an opinion: how many of the drawn reviewers have answered, nothing about whom."""

    review_id: str
    answered: int
    total: int
    concluded: bool


class MisconductReport(BaseModel):
    kind: str
    detail: str


class OfficeBlindReviewView(BaseModel):
    """The city office's view of a blind review: the reviewers drawn (never who said what), counts, the
    misconduct reports without their reviewers."""

    review_id: str
    application_id: str
    year: int
    series: str
    specialty: str
    level: str
    status: str
    recommending_expert_id: str
    recommending_expert_registered: bool = Field(description="举荐专家是否为组织机构系统登记的专家")
    # The draw, for the office's audit (NAT-4: reproducible from the seed and the candidates).
    seed: str | None
    candidates: list[str]
    excluded: dict[str, str]
    reviewer_ids: list[str]
    answered: int
    total: int
    approvals: int | None = Field(default=None, description="只在盲审结束后给出")
    misconduct_reports: list[MisconductReport] = Field(default_factory=list)
    version: int


class BlindReviewList(BaseModel):
    """A page of the city office's blind reviews and how many match."""

    items: list[OfficeBlindReviewView]
    total: int = Field(default=0, ge=0)
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=20, ge=1)


async def office_view(conn: AsyncConnection, review: BlindReview) -> OfficeBlindReviewView:
    """The office's view; whether the recommending expert is one org-service registered (the request
    names an account id application-service does not check)."""
    registered = (
        await conn.execute(select(experts.c.account_id).where(experts.c.account_id == review.recommending_expert_id))
    ).first() is not None
    return OfficeBlindReviewView(
        review_id=review.review_id,
        application_id=review.application_id,
        year=review.year,
        series=review.series,
        specialty=review.specialty,
        level=review.level,
        status=review.status,
        recommending_expert_id=review.recommending_expert_id,
        recommending_expert_registered=registered,
        seed=review.seed,
        candidates=list(review.candidates),
        excluded=review.excluded,
        reviewer_ids=list(review.reviewer_ids),
        answered=review.opinions,
        total=review.total,
        approvals=review.approvals if review.concluded else None,
        misconduct_reports=[MisconductReport(**r) for r in review.reports],
        version=review.version,
    )


# -- the stream and its read model --------------------------------------------------------------------------


async def _review(ctx: ReviewContext, conn: AsyncConnection, review_id: str) -> BlindReview | None:
    return BlindReview.from_events(await ctx.store.load(conn, review_id))


async def _existing(ctx: ReviewContext, conn: AsyncConnection, review_id: str) -> BlindReview:
    review = await _review(ctx, conn, review_id)
    if review is None:
        raise not_found("盲审", "blind_review_not_found", review_id)
    return review


async def _append(uow: UnitOfWork, review: BlindReview, new_events: Sequence[DomainEvent]) -> None:
    """Append at the version the review was loaded at, apply, and bring the read model and the private
    reviewer ledger up to date in the same transaction."""
    if not new_events:
        return
    stored = await uow.append(BLIND_REVIEW, review.review_id, review.version, list(new_events))
    for event in new_events:
        review.apply(event)
    review.version = stored[-1].version
    values: dict[str, Any] = {
        "status": review.status,
        "total": review.total,
        "opinions": review.opinions,
        "updated_at": stored[-1].occurred_at,
    }
    stmt = insert(br).values(
        review_id=review.review_id,
        application_id=review.application_id,
        year=review.year,
        series=review.series,
        specialty=review.specialty,
        level=review.level,
        recommendation_text=review.recommendation_text,
        **values,
    )
    await uow.conn.execute(stmt.on_conflict_do_update(index_elements=[br.c.review_id], set_=values))
    if review.reviewer_ids:
        rows = [{"review_id": review.review_id, "expert_id": e} for e in review.reviewer_ids]
        await uow.conn.execute(insert(rv).values(rows).on_conflict_do_nothing())


async def _draw(ctx: ReviewContext, uow: UnitOfWork, review: BlindReview) -> None:
    """POL-ER-1 / NAT-4: draw the reviewers from the pool's experts of the series whose term runs today."""
    today = china_today(ctx.clock.now())
    pool = {e.account_id: e.employer_org_id for e in await pool_experts(uow.conn, on=today, series=review.series)}
    await _append(uow, review, review.drawn(new_seed(), pool, ctx.settings.blind_reviewers))


async def on_recommendation_consented(ctx: ReviewContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    """application-service's ExpertRecommendationConsented: on agreement a blind review begins
    (ExpertRecommendationReceived, its id the recommendation's) and its reviewers are drawn, or the review
    stalls until the city office redraws. A refusal starts nothing; a redelivery is a no-op."""
    p = event.payload
    if not p.get("agreed") or not p.get("recommendation_id"):
        return
    review_id = str(p["recommendation_id"])

    async def act(uow: UnitOfWork) -> None:
        if await _review(ctx, uow.conn, review_id) is not None:
            return
        review = BlindReview(review_id)
        received = ExpertRecommendationReceived(
            review_id=review_id,
            application_id=str(p["application_id"]),
            year=int(p["year"]),
            series=str(p["series"]),
            level=str(p["level"]),
            specialty=str(p.get("specialty") or ""),
            applicant_id=str(p.get("applicant_id") or ""),
            org_id=str(p.get("org_id") or ""),
            recommending_expert_id=str(p.get("recommending_expert_id") or ""),
            recommendation_text=str(p.get("recommendation_text") or ""),
        )
        await _append(uow, review, [received])
        await _draw(ctx, uow, review)

    await within(ctx, conn, Metadata.caused_by(event), act)


# -- the city office ----------------------------------------------------------------------------------------


async def require_city_office(conn: AsyncConnection, principal: Principal, rule: str) -> None:
    """POL-ER-1 / POL-ER-3: the blind reviews are the city office's — title_office_review at a title office
    of city level."""
    require_role(principal, Role.TITLE_OFFICE_REVIEW)
    org = (await conn.execute(select(organizations).where(organizations.c.org_id == (principal.org_id or "")))).first()
    if org is None or org.kind != "title_office" or org.level != "city":
        raise Forbidden(
            "not_city_title_office", "专家举荐的盲审由市职称改革工作办公室组织和认定。", field="org_id", rule=rule
        )


async def list_reviews(
    ctx: ReviewContext, principal: Principal, status: str | None, *, offset: int = 0, limit: int = 20
) -> BlindReviewList:
    """A page of the city office's blind reviews, the latest changed first, of a status when asked."""
    async with ctx.db.read() as conn:
        await require_city_office(conn, principal, "POL-ER-1")
        query = select(br.c.review_id)
        if status:
            query = query.where(br.c.status == status)
        total = int((await conn.execute(select(func.count()).select_from(query.subquery()))).scalar_one())
        page = query.order_by(br.c.updated_at.desc(), br.c.review_id).offset(offset).limit(limit)
        ids = (await conn.execute(page)).scalars().all()
        items = [await office_view(conn, await _existing(ctx, conn, review_id)) for review_id in ids]
    return BlindReviewList(items=items, total=total, offset=offset, limit=limit)


async def redraw(
    ctx: ReviewContext, principal: Principal, review_id: str, idempotent: Idempotency | None = None
) -> OfficeBlindReviewView:
    """The city office draws a stalled review's reviewers again (a fresh seed, today's pool)."""

    async def act(uow: UnitOfWork) -> OfficeBlindReviewView:
        await require_city_office(uow.conn, principal, "POL-ER-1")
        review = await _existing(ctx, uow.conn, review_id)
        await _draw(ctx, uow, review)
        return await office_view(uow.conn, review)

    meta = Metadata(actor=principal.subject)
    return await execute(ctx, meta, act, answer=OfficeBlindReviewView, idempotent=idempotent)


async def decide_misconduct(
    ctx: ReviewContext,
    principal: Principal,
    review_id: str,
    *,
    confirm: bool,
    reason: str,
    kind: MisconductKind | None = None,
    idempotent: Idempotency | None = None,
) -> OfficeBlindReviewView:
    """POL-ER-3: the city office confirms a reported misconduct (RecommendationMisconductConfirmed: the
    application loses the year's eligibility) or dismisses it."""

    async def act(uow: UnitOfWork) -> OfficeBlindReviewView:
        await require_city_office(uow.conn, principal, "POL-ER-3")
        review = await _existing(ctx, uow.conn, review_id)
        if confirm:
            new_events = review.confirm_misconduct(reason, principal.subject, kind)
        else:
            new_events = review.dismiss_misconduct(reason, principal.subject)
        await _append(uow, review, new_events)
        return await office_view(uow.conn, review)

    meta = Metadata(actor=principal.subject)
    return await execute(ctx, meta, act, answer=OfficeBlindReviewView, idempotent=idempotent)


# -- the reviewers ------------------------------------------------------------------------------------------


async def assigned(
    ctx: ReviewContext, principal: Principal, *, offset: int = 0, limit: int = 500
) -> list[AssignedReviewView]:
    """The calling expert's own assignments, anonymised (domain.blind_review.reviewer_view), a window."""
    require_role(principal, Role.EXPERT)
    async with ctx.db.read() as conn:
        rows = (
            await conn.execute(
                select(rv.c.review_id, rv.c.answered)
                .where(rv.c.expert_id == principal.subject)
                .order_by(rv.c.review_id)
                .offset(offset)
                .limit(limit)
            )
        ).all()
        views = []
        for row in rows:
            review = await _existing(ctx, conn, row.review_id)
            views.append(AssignedReviewView(**vars(reviewer_view(review, row.answered))))
    return views


async def record_opinion(
    ctx: ReviewContext,
    principal: Principal,
    review_id: str,
    *,
    approve: bool,
    comment: str,
    misconduct_kind: MisconductKind | None,
    misconduct_detail: str | None,
) -> OpinionAccepted:
    """POL-ER-1: a drawn reviewer's one opinion. The stream gets it without the reviewer (an anonymous
    actor); the private ledger, in the same transaction, only says that this reviewer has answered."""
    require_role(principal, Role.EXPERT)

    async def act(uow: UnitOfWork) -> OpinionAccepted:
        review = await _existing(ctx, uow.conn, review_id)
        ledger = (
            await uow.conn.execute(
                select(rv.c.answered).where(rv.c.review_id == review_id, rv.c.expert_id == principal.subject)
            )
        ).first()
        if ledger is None:
            raise Forbidden("not_drawn_reviewer", "您不是该举荐的盲审专家，不能提交意见。", rule="POL-ER-1")
        if ledger.answered:
            raise Conflict("opinion_already_given", "您已对该举荐提交过盲审意见，不能重复提交。", rule="POL-ER-1")
        new_events = review.opinion(
            approve=approve, comment=comment, misconduct_kind=misconduct_kind, misconduct_detail=misconduct_detail
        )
        await uow.conn.execute(
            update(rv).where(rv.c.review_id == review_id, rv.c.expert_id == principal.subject).values(answered=True)
        )
        await _append(uow, review, new_events)
        return OpinionAccepted(
            review_id=review_id, answered=review.opinions, total=review.total, concluded=review.concluded
        )

    return await execute(ctx, Metadata(actor=BLIND_REVIEW_ACTOR), act, answer=OpinionAccepted)
