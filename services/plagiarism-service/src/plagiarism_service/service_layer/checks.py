"""Use cases of a check: one asked for over the API, one asked for by application-service's event."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import asdict, replace
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.envelope import EventEnvelope, Metadata
from zhicheng_kernel.errors import DomainError, not_found
from zhicheng_kernel.pace import run_paced
from zhicheng_kernel.paper_limits import MAX_COPY_RATIO_PERCENT
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters.tables import application_orgs, checks, corpus_documents
from ..context import PlagiarismContext
from ..domain import CheckInput, CheckResult, CheckStopped, rules
from ..domain.events import CHECK_STREAM, PaperCheckCompleted, PaperCheckRejected
from ..domain.sections import section_figures
from ..settings import check_budget_seconds
from . import corpus

log = logging.getLogger(__name__)

R = TypeVar("R", bound=BaseModel)

# check id = uuid5(namespace, id of the PaperCheckRequested event): a replay finds the same check.
CHECK_ID_NAMESPACE = uuid.UUID("5b0f6a53-4c1e-4d3a-9a8e-7c2f0d9e1a41")
RESULT_FIELDS = (
    "total_copy_ratio",
    "copy_ratio_excluding_quotes",
    "copy_ratio_excluding_own",
    "max_single_source_ratio",
    "checked_chars",
    "matched_chars",
    "counted_chars",
)


def check_id_for_request(request_event_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(CHECK_ID_NAMESPACE, str(request_event_id))


def result_document(result: CheckResult) -> dict[str, Any]:
    doc = {name: getattr(result, name) for name in RESULT_FIELDS}
    doc["passages"] = [asdict(p) for p in result.passages]
    return doc


class CheckUnavailable(DomainError):
    """A check that cannot run; ``caused_by`` says whether the applicant caused it ("applicant": the
    text cannot be checked) or the service did ("service": out of its time budget)."""

    def __init__(self, code: str, message: str, *, caused_by: str, field: str | None = None) -> None:
        super().__init__(code, message, field=field, status=422)
        self.caused_by = caused_by


def unavailable_because_of_input(refusal: DomainError) -> CheckUnavailable:
    return CheckUnavailable(refusal.code, refusal.message, caused_by="applicant", field=refusal.field)


TIMED_OUT = "check_timed_out"


def _error_document(error: DomainError) -> dict[str, Any]:
    caused_by = error.caused_by if isinstance(error, CheckUnavailable) else "applicant"
    return {"code": error.code, "message": error.message, "field": error.field, "caused_by": caused_by}


def sources_until(first_seen: datetime) -> tuple[date, str]:
    """The date after which corpus sources are ignored (issue 12, finding 6): the day the paper first
    entered the system, in Asia/Shanghai — never the publication date the applicant typed, which
    could be backdated to skip every later source. Returns the date and where it came from."""
    return china_today(first_seen), "entered_system"


def _row_values(
    check_id: uuid.UUID,
    query: CheckInput | None,
    *,
    origin: str,
    requested_by: str,
    text: str,
    status: str,
    title: str = "",
    authors: tuple[str, ...] = (),
    error: DomainError | None = None,
    application_id: str | None = None,
    paper_id: str | None = None,
    request_event_id: uuid.UUID | None = None,
    correlation_id: uuid.UUID | None = None,
    owner_id: str | None = None,
    first_seen: datetime,
    now: datetime,
) -> dict[str, Any]:
    until, basis = sources_until(first_seen)
    return {
        "id": check_id,
        "status": status,
        "origin": origin,
        "title": query.title if query else title,
        "authors": list(query.authors if query else authors),
        "journal_level": query.journal_level if query else None,
        "published_on": query.published_on if query else None,
        "text": text,
        "text_chars": len(text),
        "requested_by": requested_by,
        "application_id": application_id,
        "paper_id": paper_id,
        "request_event_id": request_event_id,
        "correlation_id": correlation_id,
        "result": None,
        "error": _error_document(error) if error else None,
        "created_at": now,
        "owner_id": owner_id,
        "sources_until": until,
        "sources_until_basis": basis,
    }


def view(row: Any) -> dict[str, Any]:
    """The API's shape of a check row, with its figures per section as CNKI reports them."""
    result = row.result or {}
    passages = result.get("passages", [])
    return {
        "id": str(row.id),
        "status": row.status,
        "origin": row.origin,
        "title": row.title,
        "authors": list(row.authors or []),
        "journal_level": row.journal_level,
        "published_on": row.published_on,
        "sources_until": row.sources_until,
        "sources_until_basis": row.sources_until_basis,
        "application_id": row.application_id,
        "paper_id": row.paper_id,
        "created_at": row.created_at,
        "text_chars": row.text_chars,
        **{name: result.get(name) for name in RESULT_FIELDS},
        "passages": passages,
        "sections": section_figures(row.text, passages) if row.status == "completed" and row.text else [],
        "error": row.error,
    }


# -- computing a check: outside any transaction, in a worker thread, within a time budget ----------


async def owner_sources(ctx: PlagiarismContext, owner_id: str | None) -> frozenset[str]:
    """The corpus sources registered to the owner's account: what "own work" means (finding 6)."""
    if not owner_id:
        return frozenset()
    c = corpus_documents.c
    async with ctx.db.read() as conn:
        rows = await conn.execute(select(c.external_id).where(~c.removed, c.author_account_ids.contains([owner_id])))
        return frozenset(rows.scalars())


async def compute(ctx: PlagiarismContext, query: CheckInput, owner_id: str | None, until: date | None) -> CheckResult:
    """The check of ``query`` against the corpus as every replica holds it, within the time budget.

    Runs in a worker thread, holding no transaction; raises CheckUnavailable (check_timed_out,
    caused by the service) when the budget runs out. The thread stops at its next stage."""
    await corpus.sync_index(ctx)
    prepared = replace(query, sources_until=until, owner_sources=await owner_sources(ctx, owner_id))
    budget = check_budget_seconds(ctx.settings)
    deadline = time.monotonic() + budget
    try:
        return await asyncio.wait_for(
            ctx.index.check(prepared, lambda: time.monotonic() > deadline), timeout=budget + STOP_GRACE_SECONDS
        )
    except (CheckStopped, TimeoutError) as exc:
        raise CheckUnavailable(
            TIMED_OUT,
            f"查重检测超过 {budget:g} 秒仍未完成，已中止，请稍后重试或由单位上传检测报告。",
            caused_by="service",
        ) from exc


STOP_GRACE_SECONDS = 5.0


# -- a check asked for over the API ------------------------------------------------------------------


async def check_paper(
    ctx: PlagiarismContext,
    query: CheckInput,
    *,
    meta: Metadata,
    org_path: str,
    answer: type[R],
    idempotent: Idempotency | None = None,
) -> R:
    """A check asked for over the API: computed outside any transaction, then stored and announced
    (PaperCheckCompleted, paper_id null) in a short one; a check out of time is stored "unavailable"
    and announced as PaperCheckRejected.

    With an Idempotency-Key a retried request is answered with the first check: the text is matched
    again (before the key is looked at), but nothing is stored or announced a second time."""
    now = ctx.clock.now()
    until, _ = sources_until(now)
    outcome: CheckResult | CheckUnavailable
    try:
        outcome = await compute(ctx, query, meta.actor, until)
    except CheckUnavailable as refusal:
        outcome = refusal

    async def record(uow: UnitOfWork) -> R:
        check_id = uuid.uuid4()
        values = _api_row(check_id, query, meta, org_path, now)
        await uow.conn.execute(insert(checks).values(values))
        row = await _finish(uow, check_id, outcome, application_id=None, paper_id=None)
        return answer.model_validate(view(row))

    return await execute(ctx, meta, record, answer=answer, idempotent=idempotent)


def _api_row(check_id: uuid.UUID, query: CheckInput, meta: Metadata, org_path: str, now: datetime) -> dict[str, Any]:
    """The running row of a check asked for over the API: the requester owns it, in their org subtree."""
    values = _row_values(
        check_id,
        query,
        origin="api",
        requested_by=meta.actor,
        text=query.text,
        status="running",
        owner_id=meta.actor,
        first_seen=now,
        now=now,
    )
    values["org_path"] = org_path or None
    return values


# Texts longer than this are answered 202 at once and checked in the background.
LONG_CHECK_CHARS = 100_000


async def start_long_check(
    ctx: PlagiarismContext,
    query: CheckInput,
    *,
    meta: Metadata,
    org_path: str,
    answer: type[R],
    idempotent: Idempotency | None = None,
) -> R:
    """A long check: stored as running and answered at once; the worker computes it (any replica,
    after a restart too) and the result follows at GET /checks/{id}."""

    async def record(uow: UnitOfWork) -> R:
        now = ctx.clock.now()
        values = _api_row(uuid.uuid4(), query, meta, org_path, now)
        row = (await uow.conn.execute(insert(checks).values(values).returning(*checks.c))).one()
        return answer.model_validate(view(row))

    return await execute(ctx, meta, record, answer=answer, idempotent=idempotent)  # its commit wakes the worker


async def _finish(
    uow: UnitOfWork,
    check_id: uuid.UUID,
    outcome: CheckResult | CheckUnavailable,
    *,
    application_id: str | None,
    paper_id: str | None,
) -> Any:
    """Record the outcome of a running check and announce it; None when it was no longer running
    (another replica, or an earlier delivery, recorded it first): idempotent."""
    c = checks.c
    if isinstance(outcome, CheckUnavailable):
        values: dict[str, Any] = {"status": "unavailable", "error": _error_document(outcome)}
        announced: PaperCheckCompleted | PaperCheckRejected = PaperCheckRejected(
            check_id=str(check_id),
            application_id=application_id,
            paper_id=paper_id,
            code=outcome.code,
            reason=outcome.message,
            caused_by=outcome.caused_by,
        )
    else:
        values = {"status": "completed", "result": result_document(outcome)}
        announced = PaperCheckCompleted.of(str(check_id), outcome, application_id=application_id, paper_id=paper_id)
    row = (
        await uow.conn.execute(
            checks.update().where(c.id == check_id, c.status == "running").values(values).returning(*checks.c)
        )
    ).first()
    if row is not None:
        await uow.append(CHECK_STREAM, str(check_id), 0, [announced])
    return row


class CheckFinished(BaseModel):
    """Whether this run recorded the check (False: another replica or an earlier run did)."""

    completed: bool


async def finish_running_check(ctx: PlagiarismContext, row: Any) -> bool:
    """Compute one running check outside any transaction and record its outcome in a short one."""
    until = row.sources_until
    try:
        query = CheckInput(  # title and names as they were accepted: they decide nothing (finding 6)
            text=rules.clean_text(row.text),
            title=row.title,
            authors=tuple(row.authors or ()),
            journal_level=row.journal_level,
            published_on=row.published_on,
        )
        outcome: CheckResult | CheckUnavailable = await compute(ctx, query, row.owner_id, until)
    except CheckUnavailable as refusal:
        outcome = refusal
    except DomainError as refusal:
        outcome = unavailable_because_of_input(refusal)
    meta = Metadata(actor=row.requested_by, causation_id=row.request_event_id)
    if row.correlation_id is not None:
        meta = Metadata(actor=row.requested_by, correlation_id=row.correlation_id, causation_id=row.request_event_id)

    async def record(uow: UnitOfWork) -> CheckFinished:
        done = await _finish(uow, row.id, outcome, application_id=row.application_id, paper_id=row.paper_id)
        return CheckFinished(completed=done is not None)

    return (await execute(ctx, meta, record, answer=CheckFinished)).completed


PENDING_BATCH = 20


async def finish_pending_checks(ctx: PlagiarismContext) -> int:
    """Compute the checks still running, oldest first (one at a time, so checks never crowd the
    machine); returns how many this call recorded."""
    async with ctx.db.read() as conn:
        rows = (
            await conn.execute(
                select(checks).where(checks.c.status == "running").order_by(checks.c.created_at).limit(PENDING_BATCH)
            )
        ).all()
    recorded = 0
    for row in rows:
        if row.id in ctx.computing:
            continue
        ctx.computing.add(row.id)
        try:
            recorded += await finish_running_check(ctx, row)
        except Exception:
            log.exception("check %s failed; it is tried again", row.id)
        finally:
            ctx.computing.discard(row.id)
    return recorded


async def run_pending_checks(ctx: PlagiarismContext) -> None:
    """The service's check worker (a background job of every replica): checks requested by events and
    long API checks (woken by the commit that recorded them), and checks left running by a stopped
    process (on the quiet heartbeat)."""
    await run_paced(
        "the check worker",
        lambda: finish_pending_checks(ctx),
        heartbeat=ctx.settings.quiet_heartbeat_seconds,
        wake=ctx.db.changed,
    )


async def scope_of(ctx: PlagiarismContext, row: Any) -> str | None:
    """The org subtree a check belongs to: its application's org, or the org of whoever asked for it."""
    if row.application_id is None:
        return row.org_path  # type: ignore[no-any-return]
    async with ctx.db.read() as conn:
        found = (
            await conn.execute(
                select(application_orgs.c.org_path).where(application_orgs.c.application_id == row.application_id)
            )
        ).first()
    return found.org_path if found else None


async def on_application_submitted(ctx: PlagiarismContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    """Remember the application's org (its papers' checks are read within that subtree). Idempotent."""
    application_id, org_path = event.payload.get("application_id"), event.payload.get("org_path")
    if application_id and org_path:
        applicant_id = event.payload.get("applicant_id")
        values = {
            "application_id": str(application_id),
            "org_path": str(org_path),
            # The account whose registered publications are "own work" for the application's papers.
            "applicant_id": str(applicant_id) if applicant_id else None,
        }
        await conn.execute(insert(application_orgs).values(values).on_conflict_do_nothing())


async def get_check(ctx: PlagiarismContext, check_id: uuid.UUID) -> Any:
    async with ctx.db.read() as conn:
        row = (await conn.execute(select(checks).where(checks.c.id == check_id))).first()
    if row is None:
        raise not_found("检测记录", "check_not_found", str(check_id), field="id")
    return row


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _storable(value: str) -> str:
    """What PostgreSQL can store of a name or title as application-service sent it (no NUL, no lone
    surrogate): names and titles decide nothing here, so they are kept, never a reason to refuse."""
    return "".join(ch for ch in value if ch != "\x00" and not 0xD800 <= ord(ch) <= 0xDFFF)


def _request_input(payload: dict[str, Any]) -> CheckInput:
    """What application-service sent: only the text can make a check impossible (caused by the applicant)."""
    raw_authors = payload.get("authors")
    authors = [_storable(a) for a in raw_authors if isinstance(a, str)] if isinstance(raw_authors, list) else []
    published_on: date | None = None
    with contextlib.suppress(ValueError):  # the claimed date decides nothing (finding 6): kept when readable
        published_on = date.fromisoformat(str(payload.get("published_on") or "")[:10])
    level = _text_of(payload.get("journal_level"))
    return CheckInput(
        text=rules.clean_text(_text_of(payload.get("text"))),
        title=_storable(_text_of(payload.get("title"))),
        authors=tuple(a for a in authors if a.strip()),
        journal_level=level if level in MAX_COPY_RATIO_PERCENT else None,  # type: ignore[arg-type]
        published_on=published_on,
    )


async def _applicant_of(conn: AsyncConnection, application_id: str | None) -> str | None:
    if application_id is None:
        return None
    found = (
        await conn.execute(
            select(application_orgs.c.applicant_id).where(application_orgs.c.application_id == application_id)
        )
    ).first()
    return found.applicant_id if found else None


async def _first_seen(conn: AsyncConnection, application_id: str | None, paper_id: str | None) -> datetime | None:
    """When the paper first entered this service (an earlier check of the same paper)."""
    if application_id is None or paper_id is None:
        return None
    c = checks.c
    earliest = await conn.execute(
        select(func.min(c.created_at)).where(c.application_id == application_id, c.paper_id == paper_id)
    )
    value: datetime | None = earliest.scalar_one()
    return value


async def on_paper_check_requested(ctx: PlagiarismContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    """application-service asked for a check: stored as running, computed by the check worker.

    Issue 12, finding 1: nothing is matched here — the consumer's transaction holds its watermark
    row, so it only records the request (a few rows) and wakes the worker, which computes outside
    any transaction and records the outcome in a short one. The check id comes from the request's
    event id, so a redelivery — whatever path it arrives by — finds its check and changes nothing.
    A text that cannot be checked is recorded "unavailable" (caused by the applicant) at once.
    """
    payload = event.payload
    check_id = check_id_for_request(event.event_id)
    if (await conn.execute(select(checks.c.id).where(checks.c.id == check_id))).first() is not None:
        return
    application_id = str(payload["application_id"]) if payload.get("application_id") is not None else None
    paper_id = str(payload["paper_id"]) if payload.get("paper_id") is not None else None
    owner_id = await _applicant_of(conn, application_id) or event.actor
    first_seen = await _first_seen(conn, application_id, paper_id) or event.occurred_at
    common = {
        "origin": "application",
        "requested_by": event.actor,
        "application_id": application_id,
        "paper_id": paper_id,
        "request_event_id": event.event_id,
        "correlation_id": event.correlation_id,
        "owner_id": owner_id,
        "first_seen": first_seen,
        "now": ctx.clock.now(),
    }
    try:
        query = _request_input(payload)
    except DomainError as refusal:
        log.warning("PaperCheckRequested %s cannot be checked: %s", event.event_id, refusal)
        values = _row_values(
            check_id,
            None,
            text="",  # possibly binary or oversized: only its length is kept
            status="running",
            title=_storable(_text_of(payload.get("title"))),
            **common,  # type: ignore[arg-type]
        )
        values["text_chars"] = len(_text_of(payload.get("text")))
        await conn.execute(insert(checks).values(values).on_conflict_do_nothing())
        uow = UnitOfWork(ctx, conn, Metadata.caused_by(event))
        await _finish(
            uow, check_id, unavailable_because_of_input(refusal), application_id=application_id, paper_id=paper_id
        )
        return
    values = _row_values(check_id, query, text=query.text, status="running", **common)  # type: ignore[arg-type]
    await conn.execute(insert(checks).values(values).on_conflict_do_nothing())  # the commit wakes the worker
