"""Issuing qualification documents: one per application, ever, each with a number nobody can guess
(domain.documents.new_document_number) — whether a committee passed the candidate or the title was
reached on a route without one."""

from __future__ import annotations

import logging
from collections.abc import Callable

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.envelope import EventEnvelope, Metadata
from zhicheng_kernel.unit_of_work import UnitOfWork, within

from ..adapters.tables import candidates, documents
from ..context import ReviewContext
from ..domain.documents import ConcludedWithoutCommittee, document_id_for, new_document_number
from ..domain.events import QualificationDocumentIssued
from ..domain.session import Session
from .views import DocumentRef

log = logging.getLogger(__name__)

# Builds the event once the document's id and number are known.
Draft = Callable[[str, str], QualificationDocumentIssued]


async def issue(
    ctx: ReviewContext, uow: UnitOfWork, application_id: str, year: int, org_path: str, draft: Draft
) -> DocumentRef:
    """Issue the application's document unless it has one: its stream id is derived from the
    application, so a second issuer (another route, a redelivery, a concurrent step) collides at
    version 0, is retried from a fresh load, and finds it issued."""
    document_id = document_id_for(application_id)
    if (await uow.load(document_id)).events:
        row = (await uow.conn.execute(select(documents).where(documents.c.document_id == document_id))).one()
        return DocumentRef(application_id=application_id, number=row.number, document_id=document_id)
    number = await _unused_number(uow.conn, ctx.settings.document_number_prefix, year)
    issued = draft(document_id, number)
    await uow.append(issued.stream_type, document_id, 0, [issued])
    await uow.conn.execute(
        documents.insert().values(
            document_id=document_id,
            number=number,
            session_id=issued.session_id,
            application_id=application_id,
            applicant_id=issued.applicant_id,
            org_path=org_path,
            applicant_name=issued.applicant_name,
            issued_at=ctx.clock.now(),
            payload=issued.model_dump(mode="json"),
        )
    )
    return DocumentRef(application_id=application_id, number=number, document_id=document_id)


async def issue_to_candidate(ctx: ReviewContext, uow: UnitOfWork, session: Session, application_id: str) -> DocumentRef:
    """The document of a session's candidate who passed (after the vote, or after a changed review): the
    session's year, series and level, the candidate's name and the annotations it must carry (POL-GR-2
    and the like, with the candidate)."""
    candidate = (await uow.conn.execute(select(candidates).where(candidates.c.application_id == application_id))).one()

    def draft(document_id: str, number: str) -> QualificationDocumentIssued:
        return QualificationDocumentIssued(
            document_id=document_id,
            number=number,
            session_id=session.session_id,
            application_id=application_id,
            applicant_id=candidate.applicant_id,
            applicant_name=candidate.applicant_name,
            year=session.year,
            series=session.series,
            level=session.level,
            annotations=list(candidate.annotations),
        )

    return await issue(ctx, uow, application_id, session.year, candidate.org_path, draft)


async def _unused_number(conn: AsyncConnection, prefix: str, year: int) -> str:
    """A random document number no document has yet (55 random bits: a clash is all but impossible,
    and the number's unique index would refuse one the check missed)."""
    while True:
        number = new_document_number(prefix, year)
        taken = await conn.execute(select(documents.c.document_id).where(documents.c.number == number))
        if taken.first() is None:
            return number


async def issue_without_committee(ctx: ReviewContext, conn: AsyncConnection, event: EventEnvelope) -> None:
    """application-service's ApplicationConcludedWithoutCommittee → QualificationDocumentIssued with no
    session and no ballot: POL-SK-3's junior title by the employer's assessment (用人单位考核认定) and
    POL-GR-4's direct appointment (直接认定, e.g. a local talent's 农民高级技师). The document carries the
    level and the annotations of the application as the title office approved it."""
    try:
        concluded = ConcludedWithoutCommittee.model_validate(event.payload)
    except ValidationError as invalid:
        log.error("%s at %s cannot be issued: %s", event.event_type, event.position, invalid)
        return

    def draft(document_id: str, number: str) -> QualificationDocumentIssued:
        return QualificationDocumentIssued(
            document_id=document_id,
            number=number,
            session_id=None,
            application_id=concluded.application_id,
            applicant_id=concluded.applicant_id,
            applicant_name=concluded.applicant_name,
            year=concluded.year,
            series=concluded.series,
            level=concluded.level,
            annotations=list(concluded.annotations),
            route=concluded.route,
        )

    async def act(uow: UnitOfWork) -> DocumentRef:
        return await issue(ctx, uow, concluded.application_id, concluded.year, concluded.org_path, draft)

    await within(ctx, conn, Metadata.caused_by(event), act)
