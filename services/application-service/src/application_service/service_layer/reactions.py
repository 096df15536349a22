"""What this service does when other services report facts (consumer handlers).

Each runs inside the consumer's transaction, next to its tracking row, so a redelivery is a no-op.
A concurrent HTTP decision may take the version first: the append is retried in a savepoint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import EventEnvelope, Metadata
from zhicheng_kernel.events import DomainEvent
from zhicheng_kernel.unit_of_work import UnitOfWork, within

from ..adapters.repository import ApplicationRepository
from ..context import Context
from ..domain import events as ev
from ..domain.application import Application
from ..projections import orgs
from . import similarity
from .commands import reassess, reassess_open

log = logging.getLogger(__name__)

# Facts another service reports late, and the trigger of the re-assessment each causes.
LATE_FACTS: dict[str, str] = {ev.PaperCheckRecorded.event_type: "paper_checked"}


async def _append_with_retry(
    conn: AsyncConnection,
    ctx: Context,
    application_id: str,
    decide: Callable[[Application], Sequence[DomainEvent]],
    cause: EventEnvelope,
) -> None:
    async def act(uow: UnitOfWork) -> None:
        repo = ApplicationRepository(uow.conn, ctx.store)
        app = await repo.get(application_id)
        if not app.exists:
            log.info("%s names unknown application %s; ignored", cause.event_type, application_id)
            return
        stored = await repo.append(app, decide(app), uow.meta)
        trigger = next((LATE_FACTS[e.event_type] for e in stored if e.event_type in LATE_FACTS), None)
        if trigger is not None:
            await repo.append(app, await reassess(uow.conn, ctx, app, trigger), uow.meta)

    await within(ctx, conn, Metadata.caused_by(cause), act)


def _ratios(payload: Mapping[str, Any]) -> dict[str, float] | None:
    """PaperCheckCompleted's four CNKI ratios by name (C6 keys, with the older key names as fallback)."""
    keys = {
        "total": ("copy_ratio_total", "total_copy_ratio"),
        "excluding_quotes": ("copy_ratio_excluding_quotes",),
        "excluding_own": ("copy_ratio_excluding_own",),
        "largest_source": ("largest_source_ratio", "max_single_source_ratio"),
    }
    ratios = {
        name: float(value)
        for name, candidates in keys.items()
        if (value := next((payload[k] for k in candidates if payload.get(k) is not None), None)) is not None
    }
    return ratios if "excluding_own" in ratios else None


async def record_staff_status_changed(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """org-service's ApplicantStaffStatusChanged (C5): the employer corrected the on-staff status (编制) it
    registered; the applicants projection keeps it and the applicant's open applications are re-assessed."""
    await orgs.on_applicant_staff_status_changed(ctx, conn, event)
    account_id = str(event.payload.get("account_id") or "")
    if account_id:
        await within(
            ctx,
            conn,
            Metadata.caused_by(event),
            lambda uow: reassess_open(uow.conn, ctx, uow.meta, "staff_status_changed", applicant_id=account_id),
        )


async def _record_check(
    ctx: Context,
    conn: AsyncConnection,
    event: EventEnvelope,
    *,
    ratios: dict[str, float] | None,
    reason: str | None,
    code: str | None = None,
    applicant_caused: bool | None = None,
) -> None:
    """PaperCheckRecorded with this service's POL-PA-4 verdict: the year's chosen ratio, the journal's
    level as the registries judge it now."""
    p = event.payload
    if not all(p.get(k) for k in ("application_id", "paper_id", "check_id")):
        return
    application_id, paper_id = str(p["application_id"]), str(p["paper_id"])
    current = await ApplicationRepository(conn, ctx.store).get(application_id)
    if not current.exists:
        log.info("%s names unknown application %s; ignored", event.event_type, application_id)
        return
    paper = next((x for x in current.submitted.get("papers", []) if x.get("paper_id") == paper_id), None)
    ratio, level = await similarity.judging(ctx, conn, int(current.submitted["year"]), paper)
    await _append_with_retry(
        conn,
        ctx,
        application_id,
        lambda app: app.record_check(
            paper_id=paper_id,
            check_id=str(p["check_id"]),
            ratios=ratios,
            ratio=ratio,
            journal_level=level,
            reason=reason,
            code=code,
            applicant_caused=applicant_caused,
        ),
        event,
    )


async def record_paper_check(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """plagiarism-service's PaperCheckCompleted (its four CNKI ratios) → PaperCheckRecorded with this
    service's POL-PA-4 verdict, only for our papers; plagiarism-service measures, this service decides."""
    ratios = _ratios(event.payload)
    if ratios is None:
        return
    await _record_check(ctx, conn, event, ratios=ratios, reason=None)


async def record_paper_check_rejected(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """plagiarism-service's PaperCheckRejected → PaperCheckRecorded with decision "rejected" (POL-PA-4):
    the employer's uploaded report may stand in unless the applicant's input caused it (`code`, and
    `applicant_caused` where plagiarism-service says so)."""
    p = event.payload
    code = str(p["code"])[:100] if p.get("code") else None
    said = p.get("applicant_caused")
    reason = str(p.get("reason") or code or "")[:500]
    await _record_check(
        ctx,
        conn,
        event,
        ratios=None,
        reason=reason,
        code=code,
        applicant_caused=said if isinstance(said, bool) else None,
    )


async def record_document_issued(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """review-service's QualificationDocumentIssued → ApplicationDecided (titled)."""
    p = event.payload
    if not p.get("application_id"):
        return
    number = p.get("number")
    await _append_with_retry(conn, ctx, str(p["application_id"]), lambda app: app.decided("titled", number), event)


async def record_complaint_resolved(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """review-service's ComplaintResolved: an upheld complaint (POL-PB-1) means no title this year."""
    p = event.payload
    if p.get("outcome") == "upheld" and p.get("application_id"):
        await _append_with_retry(
            conn, ctx, str(p["application_id"]), lambda app: app.decided("not_passed", None), event
        )


async def record_session_opened(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """review-service's CommitteeSessionOpened → CommitteeReviewStarted for each application it reviews."""
    session_id = str(event.payload.get("session_id"))
    for application_id in event.payload.get("application_ids", []):
        await _append_with_retry(
            conn, ctx, str(application_id), lambda app: app.committee_review_started(session_id), event
        )


async def record_results_published(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """review-service's ResultsPublished → ResultsPublicityStarted for each application that passed."""
    session_id = str(event.payload.get("session_id"))
    ends_at = event.payload.get("publicity_ends_at")
    for application_id in event.payload.get("passed_application_ids", []):
        await _append_with_retry(
            conn,
            ctx,
            str(application_id),
            lambda app: app.results_publicity_started(session_id, str(ends_at) if ends_at else None),
            event,
        )


async def record_votes_tallied(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """review-service's VotesTallied: every candidate that did not pass → ApplicationDecided (not_passed)."""
    for result in event.payload.get("results", []):
        if result.get("passed") is False and result.get("application_id"):
            await _append_with_retry(
                conn, ctx, str(result["application_id"]), lambda app: app.decided("not_passed", None), event
            )
