"""The expert recommendation's use cases (POL-ER-1, POL-ER-3): the applicant's written request, the
employer's consent, and what review-service reports of the blind review — its result (a late fact that
re-assesses the application) and confirmed misconduct (the year's eligibility cancelled)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.envelope import EventEnvelope, Metadata
from zhicheng_kernel.errors import Forbidden, not_found
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute, within

from ..adapters import tables
from ..adapters.repository import ApplicationRepository
from ..context import Context
from ..domain import recommendation as rec
from ..domain.application import Application
from . import commands  # re-assessment; commands reads `owned` from here (resolved at call time)

log = logging.getLogger(__name__)
r = tables.expert_recommendation_reviews

# The employer's roles that answer an applicant's written request (POL-ER-1).
EMPLOYER_ROLES = (Role.UNIT_REVIEW, Role.APPLICANT_MANAGEMENT)


class RecommendationView(BaseModel):
    """An application's expert recommendation as its applicant and employer see it: the request and the
    employer's answer, and the blind review's counts once concluded (never who reviewed)."""

    application_id: str
    recommendation_id: str
    recommending_expert_id: str
    status: str = Field(description="requested / agreed / refused")
    reason: str | None = None
    blind_review: dict[str, Any] | None = Field(default=None, description="{approvals, total, counts}")
    version: int


async def blind_result(conn: AsyncConnection, application_id: str) -> rec.BlindResult | None:
    row = (await conn.execute(select(r).where(r.c.application_id == application_id))).first()
    if row is None:
        return None
    return rec.BlindResult(row.review_id, row.approvals, row.total, row.counts, row.misconduct_reported)


async def owned(conn: AsyncConnection, app: Application) -> dict[str, Any] | None:
    """POL-ER-1: what the engine reads of the application's expert recommendation (recommendation.owned_facts)."""
    result = await blind_result(conn, app.id)
    return rec.owned_facts(app.recommendation, result, misconduct=app.cancelled is not None)


async def _view(conn: AsyncConnection, app: Application) -> RecommendationView:
    current = app.recommendation
    assert current is not None
    result = await blind_result(conn, app.id)
    counted = result if result is not None and result.review_id == current.recommendation_id else None
    return RecommendationView(
        application_id=app.id,
        recommendation_id=current.recommendation_id,
        recommending_expert_id=current.recommending_expert_id,
        status=current.status,
        reason=current.reason,
        blind_review={"approvals": counted.approvals, "total": counted.total, "counts": counted.counts}
        if counted
        else None,
        version=app.version,
    )


async def _load(repo: ApplicationRepository, application_id: str) -> Application:
    app = await repo.get(application_id)
    if not app.exists:
        raise not_found("申报", "application_not_found", application_id)
    return app


async def request(
    ctx: Context,
    application_id: str,
    applicant_id: str,
    *,
    recommending_expert_id: str,
    request_text: str,
    recommendation_text: str,
    idempotent: Idempotency | None = None,
) -> RecommendationView:
    """POL-ER-1: the applicant's written request to the employer (ExpertRecommendationRequested); an open
    application is re-assessed on it."""

    async def act(uow: UnitOfWork) -> RecommendationView:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await _load(repo, application_id)
        rec.eligibility_cancelled(app.cancelled, action_zh="提出专家举荐申请")
        new_events = rec.request(
            application_id=app.id,
            status=app.status,
            decided=app.outcome is not None,
            owner_id=str(app.submitted.get("applicant_id")),
            applicant_id=applicant_id,
            current=app.recommendation,
            recommendation_id=str(uuid.uuid4()),
            recommending_expert_id=recommending_expert_id,
            request_text=request_text,
            recommendation_text=recommendation_text,
        )
        await repo.append(app, new_events, uow.meta)
        await repo.append(app, await commands.reassess(uow.conn, ctx, app, "expert_recommendation_requested"), uow.meta)
        return await _view(uow.conn, app)

    meta = Metadata(actor=applicant_id)
    return await execute(ctx, meta, act, answer=RecommendationView, idempotent=idempotent)


def require_employer(principal: Principal, org_path: str) -> None:
    """POL-ER-1: the applicant's employer answers the request — unit_review or applicant_management of an
    org whose subtree holds the application's org."""
    if not principal.has(*EMPLOYER_ROLES) or not principal.covers(org_path):
        raise Forbidden(
            "not_employer",
            "只有申报人所在单位的审核人员或申报管理员可以对专家举荐申请表态。",
            rule="POL-ER-1",
        )


async def consent(
    ctx: Context,
    application_id: str,
    principal: Principal,
    *,
    agreed: bool,
    reason: str,
    idempotent: Idempotency | None = None,
) -> RecommendationView:
    """POL-ER-1: the employer's answer (ExpertRecommendationConsented); review-service starts the blind
    review on agreement; an open application is re-assessed."""

    async def act(uow: UnitOfWork) -> RecommendationView:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await repo.get(application_id)
        if not app.exists or app.status == "draft":  # a draft is its applicant's alone
            raise not_found("申报", "application_not_found", application_id)
        require_employer(principal, str(app.submitted.get("org_path") or "\x00"))
        rec.eligibility_cancelled(app.cancelled, action_zh="对专家举荐表态")
        new_events = rec.consent(
            application_id=app.id,
            submitted=app.submitted,
            status=app.status,
            decided=app.outcome is not None,
            current=app.recommendation,
            agreed=agreed,
            reason=reason,
            decided_by=principal.subject,
        )
        await repo.append(app, new_events, uow.meta)
        await repo.append(app, await commands.reassess(uow.conn, ctx, app, "expert_recommendation_consented"), uow.meta)
        return await _view(uow.conn, app)

    return await execute(ctx, Metadata(actor=principal.subject), act, answer=RecommendationView, idempotent=idempotent)


async def read(ctx: Context, application_id: str, principal: Principal) -> RecommendationView:
    """The applicant's or their employer's view of the recommendation (counts only, never reviewers)."""
    async with ctx.db.read() as conn:
        app = await ApplicationRepository(conn, ctx.store).get(application_id)
        org_path = str(app.submitted.get("org_path") or "\x00")
        if not app.exists or (app.status == "draft" and principal.subject != app.submitted.get("applicant_id")):
            raise not_found("申报", "application_not_found", application_id)
        if principal.subject != app.submitted.get("applicant_id"):
            require_employer(principal, org_path)
        if app.recommendation is None:
            raise not_found("专家举荐", "recommendation_not_found", application_id)
        return await _view(conn, app)


# -- review-service's facts -------------------------------------------------------------------------


async def _on_application(
    ctx: Context,
    conn: AsyncConnection,
    cause: EventEnvelope,
    application_id: str,
    decide: Callable[[Application], Sequence[DomainEvent]],
    trigger: str | None,
) -> None:
    async def act(uow: UnitOfWork) -> None:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await repo.get(application_id)
        if not app.exists:
            log.info("%s names unknown application %s; ignored", cause.event_type, application_id)
            return
        await repo.append(app, decide(app), uow.meta)
        if trigger is not None:
            await repo.append(app, await commands.reassess(uow.conn, ctx, app, trigger), uow.meta)

    await within(ctx, conn, Metadata.caused_by(cause), act)


async def record_blind_review_concluded(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """review-service's BlindReviewConcluded (POL-ER-1): kept as the application's blind-review result
    (the latest review wins), then the application is re-assessed on it, as other late facts are."""
    p = event.payload
    if not p.get("application_id") or not p.get("review_id"):
        return
    values = {
        "review_id": str(p["review_id"]),
        "approvals": int(p["approvals"]),
        "total": int(p["total"]),
        "counts": bool(p["counts"]),
        "misconduct_reported": bool(p.get("misconduct_reported", False)),
        "concluded_at": event.occurred_at,
    }
    stmt = insert(r).values(application_id=str(p["application_id"]), **values)
    await conn.execute(stmt.on_conflict_do_update(index_elements=[r.c.application_id], set_=values))
    await _on_application(ctx, conn, event, str(p["application_id"]), lambda app: [], "blind_review_concluded")


async def record_misconduct_confirmed(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """review-service's RecommendationMisconductConfirmed (POL-ER-3): the application loses this year's
    eligibility (EligibilityCancelled, terminal). The integrity-file entries are recorded elsewhere."""
    p = event.payload
    if not p.get("application_id"):
        return

    def decide(app: Application) -> Sequence[DomainEvent]:
        return rec.cancel_for_misconduct(
            application_id=app.id,
            year=int(p.get("year") or app.submitted.get("year") or 0),
            review_id=str(p.get("review_id") or ""),
            kind=str(p.get("kind") or ""),
            reason=str(p.get("reason") or ""),
            confirmed_by=str(p.get("confirmed_by") or ""),
            already=app.cancelled is not None,
        )

    await _on_application(ctx, conn, event, str(p["application_id"]), decide, None)
