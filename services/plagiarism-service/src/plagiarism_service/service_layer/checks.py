"""Use cases of a check: one asked for over the API, one asked for by application-service's event."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import EventEnvelope, Metadata
from zhicheng_kernel.errors import DomainError, InvalidInput, not_found
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters.tables import application_orgs, checks
from ..context import PlagiarismContext
from ..domain import CheckInput, CheckResult, rules
from ..domain.events import CHECK_STREAM, PaperCheckCompleted, PaperCheckRejected
from ..domain.sections import section_figures

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


def _row_values(
    check_id: uuid.UUID,
    query: CheckInput | None,
    *,
    origin: str,
    requested_by: str,
    text: str,
    title: str = "",
    authors: tuple[str, ...] = (),
    result: CheckResult | None = None,
    error: DomainError | None = None,
    application_id: str | None = None,
    paper_id: str | None = None,
    request_event_id: uuid.UUID | None = None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": check_id,
        "status": "completed" if result is not None else "rejected",
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
        "result": result_document(result) if result is not None else None,
        "error": {"code": error.code, "message": error.message, "field": error.field} if error else None,
        "created_at": now,
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
        "application_id": row.application_id,
        "paper_id": row.paper_id,
        "created_at": row.created_at,
        "text_chars": row.text_chars,
        **{name: result.get(name) for name in RESULT_FIELDS},
        "passages": passages,
        "sections": section_figures(row.text, passages) if row.status == "completed" and row.text else [],
        "error": row.error,
    }


async def check_paper(
    ctx: PlagiarismContext,
    query: CheckInput,
    *,
    meta: Metadata,
    org_path: str,
    answer: type[R],
    idempotent: Idempotency | None = None,
) -> R:
    """A check asked for over the API: stored, and announced as PaperCheckCompleted (paper_id null).

    With an Idempotency-Key a retried request is answered with the first check: the text is matched
    again (before the key is looked at), but nothing is stored or announced a second time."""
    result = await ctx.index.check(query)

    async def record(uow: UnitOfWork) -> R:
        check_id = uuid.uuid4()
        values = _row_values(
            check_id, query, origin="api", requested_by=meta.actor, text=query.text, result=result, now=ctx.clock.now()
        )
        values["org_path"] = org_path or None
        row = (await uow.conn.execute(insert(checks).values(values).returning(*checks.c))).one()
        completed = PaperCheckCompleted.of(str(check_id), result, application_id=None, paper_id=None)
        await uow.append(CHECK_STREAM, str(check_id), 0, [completed])
        return answer.model_validate(view(row))

    return await execute(ctx, meta, record, answer=answer, idempotent=idempotent)


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
    """A long check: stored as running and answered at once; the result follows at GET /checks/{id}."""
    created: list[tuple[uuid.UUID, R]] = []

    async def record(uow: UnitOfWork) -> R:
        check_id = uuid.uuid4()
        values = _row_values(
            check_id, query, origin="api", requested_by=meta.actor, text=query.text, now=ctx.clock.now()
        )
        values.update(status="running", error=None, org_path=org_path or None)
        row = (await uow.conn.execute(insert(checks).values(values).returning(*checks.c))).one()
        created.append((check_id, answer.model_validate(view(row))))
        return created[-1][1]

    accepted = await execute(ctx, meta, record, answer=answer, idempotent=idempotent)
    if created and created[-1][1] is accepted:  # not for a retry answered with the first check's answer
        _finish_in_background(ctx, created[-1][0], query, meta)
    return accepted


def _finish_in_background(ctx: PlagiarismContext, check_id: uuid.UUID, query: CheckInput, meta: Metadata) -> None:
    task = asyncio.create_task(finish_long_check(ctx, check_id, query, meta), name=f"check-{check_id}")
    ctx.running.add(task)
    task.add_done_callback(ctx.running.discard)


class LongCheckFinished(BaseModel):
    """Whether this run completed the check (False: another replica or an earlier run did)."""

    completed: bool


async def finish_long_check(ctx: PlagiarismContext, check_id: uuid.UUID, query: CheckInput, meta: Metadata) -> None:
    try:
        result = await ctx.index.check(query)
    except Exception:
        log.exception("long check %s failed; it will be retried at the next start", check_id)
        return

    async def complete(uow: UnitOfWork) -> LongCheckFinished:
        updated = (
            await uow.conn.execute(
                checks.update()
                .where(checks.c.id == check_id, checks.c.status == "running")
                .values(status="completed", result=result_document(result))
                .returning(checks.c.id)
            )
        ).first()
        if updated is None:
            return LongCheckFinished(completed=False)
        completed = PaperCheckCompleted.of(str(check_id), result, application_id=None, paper_id=None)
        await uow.append(CHECK_STREAM, str(check_id), 0, [completed])
        return LongCheckFinished(completed=True)

    await execute(ctx, meta, complete, answer=LongCheckFinished)


async def resume_long_checks(ctx: PlagiarismContext) -> int:
    """At start-up: long checks left running by a process that stopped are run again."""
    async with ctx.db.read() as conn:
        rows = (await conn.execute(select(checks).where(checks.c.status == "running"))).all()
    for row in rows:
        query = rules.check_input(row.text, row.title, list(row.authors or []), row.journal_level, row.published_on)
        _finish_in_background(ctx, row.id, query, Metadata(actor=row.requested_by))
    return len(rows)


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
        values = {"application_id": str(application_id), "org_path": str(org_path)}
        await conn.execute(insert(application_orgs).values(values).on_conflict_do_nothing())


async def get_check(ctx: PlagiarismContext, check_id: uuid.UUID) -> Any:
    async with ctx.db.read() as conn:
        row = (await conn.execute(select(checks).where(checks.c.id == check_id))).first()
    if row is None:
        raise not_found("检测记录", "check_not_found", str(check_id), field="id")
    return row


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _request_input(payload: dict[str, Any]) -> CheckInput:
    raw_authors = payload.get("authors")
    authors = [a for a in raw_authors if isinstance(a, str)] if isinstance(raw_authors, list) else []
    published_on: date | None = None
    if payload.get("published_on"):
        try:
            published_on = date.fromisoformat(str(payload["published_on"])[:10])
        except ValueError as exc:
            raise InvalidInput("published_on_invalid", "发表日期格式不正确。", field="published_on") from exc
    return rules.check_input(
        _text_of(payload.get("text")),
        _text_of(payload.get("title")),
        authors,
        _text_of(payload.get("journal_level")) or None,
        published_on,
    )


async def on_paper_check_requested(ctx: PlagiarismContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    """application-service asked for a check: run it, store it, append PaperCheckCompleted.

    Runs inside the consumer's transaction (with its tracking row), so the check row and the event
    commit together or not at all.  The check id comes from the request's event id, so a replay of
    the request — whatever path it arrives by — finds its check and changes nothing.
    """
    payload = event.payload
    check_id = check_id_for_request(event.event_id)
    if (await conn.execute(select(checks.c.id).where(checks.c.id == check_id))).first() is not None:
        return
    uow = UnitOfWork(ctx, conn, Metadata.caused_by(event))
    application_id = str(payload["application_id"]) if payload.get("application_id") is not None else None
    paper_id = str(payload["paper_id"]) if payload.get("paper_id") is not None else None
    request = _RequestedCheck(
        check_id=check_id,
        requested_by=event.actor,
        text=_text_of(payload.get("text")),
        application_id=application_id,
        paper_id=paper_id,
        request_event_id=event.event_id,
        now=ctx.clock.now(),
    )
    try:
        query = _request_input(payload)
    except DomainError as refusal:
        # Nothing to match against: the refusal is stored (status "rejected") and told to the requester.
        log.warning("PaperCheckRequested %s refused: %s", event.event_id, refusal)
        title = "".join(ch for ch in _text_of(payload.get("title")) if ch.isprintable())
        values = request.row(None, error=refusal, title=title)
        values["text"] = ""  # possibly binary or oversized: only its length (text_chars) is kept
        rejected = PaperCheckRejected(
            check_id=str(check_id),
            application_id=application_id,
            paper_id=paper_id,
            code=refusal.code,
            reason=refusal.message,
        )
        await _record_requested(uow, values, rejected)
        return
    result = await ctx.index.check(query)
    completed = PaperCheckCompleted.of(str(check_id), result, application_id=application_id, paper_id=paper_id)
    await _record_requested(uow, request.row(query, result=result), completed)


@dataclass(frozen=True, slots=True)
class _RequestedCheck:
    check_id: uuid.UUID
    requested_by: str
    text: str
    application_id: str | None
    paper_id: str | None
    request_event_id: uuid.UUID
    now: datetime

    def row(
        self,
        query: CheckInput | None,
        *,
        result: CheckResult | None = None,
        error: DomainError | None = None,
        title: str = "",
    ) -> dict[str, Any]:
        return _row_values(
            self.check_id,
            query,
            origin="application",
            requested_by=self.requested_by,
            text=self.text,
            title=title,
            result=result,
            error=error,
            application_id=self.application_id,
            paper_id=self.paper_id,
            request_event_id=self.request_event_id,
            now=self.now,
        )


async def _record_requested(
    uow: UnitOfWork, values: dict[str, Any], announced: PaperCheckCompleted | PaperCheckRejected
) -> None:
    """The check row and its event, unless a concurrent delivery of the same request stored it first."""
    inserted = (
        await uow.conn.execute(insert(checks).values(values).on_conflict_do_nothing().returning(checks.c.id))
    ).first()
    if inserted is not None:
        await uow.append(CHECK_STREAM, announced.check_id, 0, [announced])
