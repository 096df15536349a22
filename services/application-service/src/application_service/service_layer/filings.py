"""POL-FI-1's use cases: a push requests its filing workflow; the workflow delivers the batch to the
province, asks what still waits, escalates to the city office; the province's signed callbacks record
each verdict once. Every one of them is idempotent, so the workflow's activities may retry freely."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import DomainError, InvalidInput, not_found
from zhicheng_kernel.inputs import MultilineText
from zhicheng_kernel.provincial import FilingSubmission, ProvincialError, VerdictCallback
from zhicheng_kernel.unit_of_work import UnitOfWork, execute
from zhicheng_kernel.workflow_starts import request_start

from ..adapters import tables
from ..adapters.repository import ApplicationRepository
from ..context import Context
from ..domain import events as ev
from ..domain.filing import REASONS, Batch, Employer, filing_item, filing_stage, filing_submission, pending
from ..domain.publicity import unit_publicity_ends_at

log = logging.getLogger(__name__)

WORKFLOW = "ProvincialFilingWorkflow"
PROVINCE_ACTOR = "province"


def workflow_id(year: int, series: str, push_id: str) -> str:
    return f"filing-{year}-{series}-{push_id}"


class FilingVerdictOut(BaseModel):
    application_id: str
    verdict: str
    reasons: list[str]
    decided_at: str
    reviewer: str


class FilingEscalationOut(BaseModel):
    reason: str
    detail: str
    pending_application_ids: list[str]
    at: str


class FilingView(BaseModel):
    """Where a push batch's provincial filing is (POL-FI-1): delivered or not, each application's
    verdict and reasons, the escalations to the city office."""

    push_id: str
    year: int
    series: str
    level: str
    office_org_id: str
    status: str  # delivering | waiting_for_province | done
    application_ids: list[str]
    received_at: str | None
    duplicate: bool
    pending_application_ids: list[str]
    approved_application_ids: list[str]
    returned_application_ids: list[str]
    verdicts: list[FilingVerdictOut]
    escalations: list[FilingEscalationOut]
    workflow_id: str


class FilingDelivered(BaseModel):
    push_id: str
    received_at: datetime
    duplicate: bool
    application_ids: list[str]


class CallbackApplied(BaseModel):
    delivery_id: str
    application_id: str
    applied: bool  # False: this delivery had been applied before; nothing changed


# -- the push requests the workflow ------------------------------------------------------------------


async def request_filing(ctx: Context, conn: AsyncConnection, batch: ev.PushBatchCreated, office_path: str) -> None:
    """In the push's transaction: the filings row and the start of ProvincialFilingWorkflow."""
    now = ctx.clock.now()
    await conn.execute(
        insert(tables.filings)
        .values(
            push_id=batch.push_id,
            year=batch.year,
            series=batch.series,
            level=batch.level,
            office_org_id=batch.office_org_id,
            office_path=office_path,
            application_ids=list(batch.application_ids),
            status="delivering",
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["push_id"])
    )
    await request_start(
        conn,
        tables.workflow_starts,
        WORKFLOW,
        workflow_id(batch.year, batch.series, batch.push_id),
        {
            "push_id": batch.push_id,
            "year": batch.year,
            "series": batch.series,
            "level": batch.level,
            "office_org_id": batch.office_org_id,
            "escalate_delivery_after_seconds": ctx.filing_escalate_delivery_after_seconds,
            "verdict_deadline_seconds": ctx.filing_verdict_deadline_seconds,
            "recheck_seconds": ctx.filing_recheck_seconds,
        },
        {"ZcYear": batch.year, "ZcSeries": batch.series, "ZcOffice": batch.office_org_id, "ZcStatus": "delivering"},
    )


# -- reading -----------------------------------------------------------------------------------------


async def _row(conn: AsyncConnection, push_id: str, *, for_update: bool = False) -> Any:
    """The batch's filings row; `for_update` when the transaction rewrites it from what it read (verdicts
    delivered in parallel would otherwise overwrite each other's)."""
    query = select(tables.filings).where(tables.filings.c.push_id == push_id)
    row = (await conn.execute(query.with_for_update() if for_update else query)).first()
    if row is None:
        raise not_found("报省备案批次", "filing_not_found", push_id)
    return row


def filing_view(row: Any) -> FilingView:
    verdicts: Mapping[str, Any] = row.verdicts or {}
    ids = list(row.application_ids)
    return FilingView(
        push_id=row.push_id,
        year=row.year,
        series=row.series,
        level=row.level,
        office_org_id=row.office_org_id,
        status=row.status,
        application_ids=ids,
        received_at=row.received_at.isoformat() if row.received_at else None,
        duplicate=row.duplicate,
        pending_application_ids=pending(ids, verdicts),
        approved_application_ids=[a for a in ids if (verdicts.get(a) or {}).get("verdict") == "approved"],
        returned_application_ids=[a for a in ids if (verdicts.get(a) or {}).get("verdict") == "returned"],
        verdicts=[FilingVerdictOut(application_id=a, **verdicts[a]) for a in ids if a in verdicts],
        escalations=[FilingEscalationOut(**e) for e in row.escalations or []],
        workflow_id=workflow_id(row.year, row.series, row.push_id),
    )


async def read_filing(ctx: Context, push_id: str) -> tuple[FilingView, str]:
    """The filing and the pushing office's path (the caller checks its scope)."""
    async with ctx.db.read() as conn:
        row = await _row(conn, push_id)
    return filing_view(row), row.office_path


class FilingTotals(BaseModel):
    """Over every filing the query matches, not only the page's."""

    batches: int
    pending: int = Field(description="待省职改办审核的申报")
    approved: int = Field(description="备案通过的申报")
    returned: int = Field(description="省职改办退回的申报")
    escalations: int = Field(description="督办")


class FilingPage(BaseModel):
    items: list[FilingView]
    total: int
    limit: int
    offset: int
    totals: FilingTotals


async def list_filings(
    ctx: Context, year: int, series: str | None, scope_path: str, *, limit: int, offset: int
) -> FilingPage:
    """A page of the year's filings pushed within `scope_path`, in the order they were pushed."""
    f = tables.filings
    conditions = [f.c.year == year, f.c.office_path.startswith(scope_path, autoescape=True)]
    if series:
        conditions.append(f.c.series == series)
    async with ctx.db.read() as conn:
        # A year's filings are a batch per series, level and pushing office: the totals read them all.
        rows = (await conn.execute(select(f).where(*conditions).order_by(f.c.created_at, f.c.push_id))).all()
    views = [filing_view(r) for r in rows]
    totals = FilingTotals(
        batches=len(views),
        pending=sum(len(v.pending_application_ids) for v in views),
        approved=sum(len(v.approved_application_ids) for v in views),
        returned=sum(len(v.returned_application_ids) for v in views),
        escalations=sum(len(v.escalations) for v in views),
    )
    return FilingPage(items=views[offset : offset + limit], total=len(views), limit=limit, offset=offset, totals=totals)


# -- delivery ----------------------------------------------------------------------------------------


def _unavailable(message: str, detail: str) -> DomainError:
    return DomainError("province_unavailable", message, status=503, rule="POL-FI-1", extra={"why": detail[:500]})


async def _submission(ctx: Context, push_id: str) -> tuple[FilingSubmission, Any]:
    province = ctx.province
    if province.client is None or not province.callback_url:
        raise _unavailable("尚未配置省职改办系统的接入信息，暂不能报省审核。", "province not configured")
    async with ctx.db.read() as conn:
        row = await _row(conn, push_id)
        repo = ApplicationRepository(conn, ctx.store)
        apps = [await repo.get(a) for a in row.application_ids]
        org_ids = {a.submitted["org_id"] for a in apps} | {row.office_org_id}
        orgs = {o.id: o for o in (await conn.execute(select(tables.orgs).where(tables.orgs.c.id.in_(org_ids)))).all()}
    items = []
    for app in apps:
        org = orgs.get(app.submitted["org_id"])
        employer = Employer(
            org_id=app.submitted["org_id"],
            name=org.name if org else "",
            org_kind=org.kind if org else "",
            unit_type=org.unit_type if org else None,
        )
        ends_at = None
        if app.publicity_starts_on:
            started_at = datetime.fromisoformat(app.publicity_started_at) if app.publicity_started_at else None
            ends_at = unit_publicity_ends_at(
                ctx.calendar,
                date.fromisoformat(app.publicity_starts_on),
                started_at=started_at,
                compressed_seconds=ctx.nat5_publicity_seconds,
            )
        items.append(filing_item(app, employer, ends_at))
    office = orgs.get(row.office_org_id)
    batch = Batch(
        push_id=row.push_id,
        year=row.year,
        series=row.series,
        level=row.level,
        office_org_id=row.office_org_id,
        office_name=office.name if office else "",
        application_ids=list(row.application_ids),
    )
    return filing_submission(batch, items, province.callback_url), row


async def deliver(ctx: Context, push_id: str, actor: str) -> FilingDelivered:
    """POL-FI-1: the batch's key information to the province, under the push id as its filing id (the
    province sees one filing however often this runs); ProvincialFilingSubmitted is recorded once. A
    province that cannot be reached, or answers 5xx/429, is 503 (the workflow retries); a refusal 422."""
    async with ctx.db.read() as conn:
        row = await _row(conn, push_id)
    if row.received_at is not None:
        return FilingDelivered(
            push_id=push_id, received_at=row.received_at, duplicate=True, application_ids=list(row.application_ids)
        )
    submission, row = await _submission(ctx, push_id)
    assert ctx.province.client is not None
    try:
        receipt = await ctx.province.client.submit(submission)
    except ProvincialError as exc:
        if exc.retryable:
            raise _unavailable("省职改办系统暂时无法接收，稍后自动重试。", str(exc)) from exc
        raise InvalidInput(
            "filing_refused", "省职改办系统拒绝了本批次报送。", rule="POL-FI-1", extra={"why": str(exc)[:500]}
        ) from exc

    async def act(uow: UnitOfWork) -> FilingDelivered:
        stream = await uow.load(push_id)
        done = [e for e in stream.events if e.event_type == ev.ProvincialFilingSubmitted.event_type]
        if done:
            first = done[0].payload
            return FilingDelivered(
                push_id=push_id,
                received_at=datetime.fromisoformat(first["received_at"]),
                duplicate=True,
                application_ids=list(row.application_ids),
            )
        submitted = ev.ProvincialFilingSubmitted(
            push_id=push_id,
            year=row.year,
            series=row.series,
            level=row.level,
            office_org_id=row.office_org_id,
            application_ids=list(row.application_ids),
            received_at=receipt.received_at,
            duplicate=receipt.duplicate,
        )
        await uow.append(ev.PUSH_STREAM, push_id, stream.version, [submitted])
        current = await _row(uow.conn, push_id, for_update=True)
        await uow.conn.execute(
            update(tables.filings)
            .where(tables.filings.c.push_id == push_id)
            .values(
                received_at=receipt.received_at,
                duplicate=receipt.duplicate,
                status=filing_stage(True, list(current.application_ids), current.verdicts or {}),
                updated_at=ctx.clock.now(),
            )
        )
        return FilingDelivered(
            push_id=push_id,
            received_at=receipt.received_at,
            duplicate=receipt.duplicate,
            application_ids=list(row.application_ids),
        )

    return await execute(ctx, Metadata(actor=actor), act, answer=FilingDelivered)


# -- verdicts ----------------------------------------------------------------------------------------


async def _record_verdict(
    uow: UnitOfWork,
    ctx: Context,
    push_id: str,
    application_id: str,
    verdict: str,
    reasons: list[str],
    decided_at: datetime,
    delivery_id: str,
    reviewer: str,
) -> bool:
    """POL-FI-1: one verdict on one filed application, on its stream and in the filings row."""
    row = await _row(uow.conn, push_id, for_update=True)
    if application_id not in row.application_ids:
        raise InvalidInput(
            "not_filed",
            "省职改办的审核结果与本批次报送的申报不符。",
            field="application_id",
            rule="POL-FI-1",
            extra={"application_id": application_id, "push_id": push_id},
        )
    repo = ApplicationRepository(uow.conn, ctx.store)
    app = await repo.get(application_id)
    new_events = app.province_verdict(push_id, verdict, reasons, decided_at, delivery_id, reviewer)
    if not new_events:
        return False
    await repo.append(app, new_events, uow.meta)
    verdicts = dict(row.verdicts or {})
    verdicts[application_id] = {
        "verdict": verdict,
        "reasons": list(reasons),
        "decided_at": decided_at.isoformat(),
        "reviewer": reviewer,
    }
    await uow.conn.execute(
        update(tables.filings)
        .where(tables.filings.c.push_id == push_id)
        .values(
            verdicts=verdicts,
            status=filing_stage(row.received_at is not None, list(row.application_ids), verdicts),
            updated_at=ctx.clock.now(),
        )
    )
    return True


async def apply_callback(ctx: Context, delivery_id: str, callback: VerdictCallback) -> CallbackApplied:
    """POL-FI-1: a signed verdict webhook, applied once per webhook-id (recorded in the same transaction
    as ProvincialVerdictRecorded; a replayed delivery changes nothing); then the filing workflow is
    woken (best effort: it re-reads the service on its recheck timer anyway)."""
    data = callback.data

    async def act(uow: UnitOfWork) -> CallbackApplied:
        claimed = await uow.conn.execute(
            insert(tables.provincial_webhooks)
            .values(
                webhook_id=delivery_id,
                push_id=data.filing_id,
                application_id=data.application_id,
                received_at=ctx.clock.now(),
            )
            .on_conflict_do_nothing(index_elements=["webhook_id"])
        )
        if not claimed.rowcount:
            return CallbackApplied(delivery_id=delivery_id, application_id=data.application_id, applied=False)
        applied = await _record_verdict(
            uow,
            ctx,
            data.filing_id,
            data.application_id,
            data.verdict,
            list(data.reasons),
            data.decided_at,
            delivery_id,
            data.reviewer,
        )
        return CallbackApplied(delivery_id=delivery_id, application_id=data.application_id, applied=applied)

    result = await execute(ctx, Metadata(actor=PROVINCE_ACTOR), act, answer=CallbackApplied)
    if result.applied:
        await _wake(ctx, data.filing_id, data.application_id)
    return result


async def _wake(ctx: Context, push_id: str, application_id: str) -> None:
    if ctx.temporal is None:
        return
    async with ctx.db.read() as conn:
        row = await _row(conn, push_id)
    try:
        await ctx.temporal.signal(workflow_id(row.year, row.series, push_id), "verdict_recorded", application_id)
    except Exception as exc:  # the recheck timer reads the service anyway
        log.warning("could not signal the filing workflow of %s: %s", push_id, exc)


async def filing_state(ctx: Context, push_id: str, actor: str, ask_province: bool) -> FilingView:
    """Which applications still wait for a verdict. With `ask_province`, a delivered filing with
    pending applications asks the province's status and records the verdicts a lost callback did not
    bring (a province that cannot be reached leaves them pending)."""
    view, _ = await read_filing(ctx, push_id)
    client = ctx.province.client
    if not ask_province or client is None or view.received_at is None or not view.pending_application_ids:
        return view
    try:
        status = await client.status(push_id)
    except ProvincialError as exc:
        log.info("province status of %s not available: %s", push_id, exc)
        return view
    decided = [i for i in status.items if i.verdict is not None and i.application_id in view.pending_application_ids]
    if not decided:
        return view

    async def act(uow: UnitOfWork) -> FilingView:
        for item in decided:
            assert item.verdict is not None
            await _record_verdict(
                uow,
                ctx,
                push_id,
                item.application_id,
                item.verdict,
                list(item.reasons),
                item.decided_at or ctx.clock.now(),
                f"status:{push_id}:{item.application_id}",
                "省职改办",
            )
        return filing_view(await _row(uow.conn, push_id))

    return await execute(ctx, Metadata(actor=actor), act, answer=FilingView)


# -- escalation --------------------------------------------------------------------------------------


class EscalationIn(BaseModel):
    reason: str = Field(pattern="^(delivery_failing|verdict_overdue)$")
    detail: MultilineText = Field(default="", max_length=2000)


async def escalate(ctx: Context, push_id: str, body: EscalationIn, actor: str) -> FilingView:
    """POL-FI-1: the filing goes to the city office — its delivery keeps failing, or the province's
    verdicts are overdue; recorded once per reason (ProvincialFilingEscalated)."""
    assert body.reason in REASONS

    async def act(uow: UnitOfWork) -> FilingView:
        row = await _row(uow.conn, push_id, for_update=True)
        stream = await uow.load(push_id)
        seen = {e.payload["reason"] for e in stream.events if e.event_type == ev.ProvincialFilingEscalated.event_type}
        if body.reason in seen:
            return filing_view(row)
        waiting = pending(row.application_ids, row.verdicts or {})
        (stored,) = await uow.append(
            ev.PUSH_STREAM,
            push_id,
            stream.version,
            [
                ev.ProvincialFilingEscalated(
                    push_id=push_id,
                    year=row.year,
                    series=row.series,
                    level=row.level,
                    office_org_id=row.office_org_id,
                    reason=body.reason,
                    detail=body.detail,
                    pending_application_ids=waiting,
                )
            ],
        )
        escalations = [
            *(row.escalations or []),
            {
                "reason": body.reason,
                "detail": body.detail,
                "pending_application_ids": waiting,
                "at": stored.occurred_at.isoformat(),
            },
        ]
        await uow.conn.execute(
            update(tables.filings)
            .where(tables.filings.c.push_id == push_id)
            .values(escalations=escalations, updated_at=ctx.clock.now())
        )
        return filing_view(await _row(uow.conn, push_id))

    return await execute(ctx, Metadata(actor=actor), act, answer=FilingView)
