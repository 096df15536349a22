"""The integrity file (科研诚信档案): review-service's revocations (NAT-8) and confirmed recommendation
misconduct (POL-ER-3) recorded as entries, and the file as the offices read it.

The handlers run in the integrity consumer's transaction next to its tracking row; each entry's id is
derived from the event, so a redelivery inserts nothing.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.errors import Forbidden
from zhicheng_kernel.roles import Role

from ..adapters import tables
from ..context import Context
from ..domain.integrity import SOURCE_NAMES_ZH, IntegrityEntry, from_misconduct, from_revocation, in_force

log = logging.getLogger(__name__)

MAX_PAGE = 500


class DocumentRevoked(BaseModel):
    """review-service's QualificationDocumentRevoked as this service reads it (the contract's keys)."""

    document_id: str
    number: str
    application_id: str
    applicant_id: str
    applicant_name: str
    reason: str
    revoked_on: date


class MisconductConfirmed(BaseModel):
    """review-service's RecommendationMisconductConfirmed as this service reads it."""

    review_id: str
    application_id: str
    applicant_id: str
    recommending_expert_id: str
    reason: str


async def _person_key(conn: AsyncConnection, account_id: str) -> str:
    """The ID-card number org-service registered for the account, else the account id itself."""
    a = tables.applicants
    number = (await conn.execute(select(a.c.id_card_number).where(a.c.account_id == account_id))).scalar()
    return str(number).strip().upper() if number else account_id


async def _application_facts(conn: AsyncConnection, application_id: str, account_id: str) -> tuple[str | None, str]:
    """The org path the entry belongs to (the application's employer, else the applicant's) and the name."""
    apps, people = tables.applications, tables.applicants
    row = (
        await conn.execute(select(apps.c.org_path, apps.c.applicant_name).where(apps.c.id == application_id))
    ).first()
    if row is not None:
        return row.org_path, row.applicant_name
    person = (
        await conn.execute(select(people.c.org_path, people.c.display_name).where(people.c.account_id == account_id))
    ).first()
    return (person.org_path, person.display_name) if person else (None, "")


async def _record(ctx: Context, conn: AsyncConnection, entry: IntegrityEntry) -> None:
    row = {**asdict(entry), "recorded_at": ctx.clock.now()}
    await conn.execute(insert(tables.integrity_entries).values(row).on_conflict_do_nothing())


async def on_document_revoked(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """review-service's QualificationDocumentRevoked → the holder (the application's applicant) in the
    file from the day of the revocation for NAT-8's 3 years."""
    try:
        revoked = DocumentRevoked.model_validate(event.payload)
    except ValidationError as invalid:
        log.error("%s at %s cannot be recorded: %s", event.event_type, event.position, invalid)
        return
    org_path, _ = await _application_facts(conn, revoked.application_id, revoked.applicant_id)
    entry = from_revocation(
        **revoked.model_dump(),
        person_key=await _person_key(conn, revoked.applicant_id),
        org_path=org_path,
    )
    await _record(ctx, conn, entry)


async def on_misconduct_confirmed(ctx: Context, conn: AsyncConnection, event: EventEnvelope) -> None:
    """review-service's RecommendationMisconductConfirmed → the applicant and the recommending expert in
    the file from the day of the confirmation (POL-ER-3)."""
    try:
        confirmed = MisconductConfirmed.model_validate(event.payload)
    except ValidationError as invalid:
        log.error("%s at %s cannot be recorded: %s", event.event_type, event.position, invalid)
        return
    org_path, name = await _application_facts(conn, confirmed.application_id, confirmed.applicant_id)
    for entry in from_misconduct(
        **confirmed.model_dump(),
        applicant_key=await _person_key(conn, confirmed.applicant_id),
        applicant_name=name,
        confirmed_on=china_today(event.occurred_at),
        org_path=org_path,
    ):
        await _record(ctx, conn, entry)


# -- reading the file ------------------------------------------------------------------------------------


class IntegrityEntryView(BaseModel):
    entry_id: str
    person_key: str = Field(description="身份证号码；未登记身份证号码时为账号")
    name: str
    reason: str
    source: Literal["registry", "revocation", "recommendation_misconduct"]
    source_zh: str
    rule: str = Field(description="依据的规则：NAT-8（弄虚作假撤销职称）或 POL-ER-3（专家举荐学术不端）")
    listed_on: date
    expires_on: date | None = Field(description="最后一天；为空表示直至移出")
    in_force: bool
    document_number: str | None
    application_id: str | None


class IntegrityFileView(BaseModel):
    items: list[IntegrityEntryView]
    total: int = Field(0, description="符合筛选条件的条目数（分页前）")


def require_reader(principal: Principal) -> None:
    """The file is the offices': a title office's reviewer (title_office_review) or an auditor; nobody else."""
    office = principal.has(Role.TITLE_OFFICE_REVIEW) and principal.org_kind == "title_office"
    if principal.kind != "user" or not (office or principal.has(Role.AUDITOR)):
        raise Forbidden("integrity_file_offices_only", "科研诚信档案仅职改办审核人员和审计人员可以查看。")


async def integrity_file(
    ctx: Context, principal: Principal, *, person: str | None, in_force_only: bool, limit: int, offset: int = 0
) -> IntegrityFileView:
    """The entries of the caller's subtree (where the entry belongs to an employer) and, for a title
    office's staff, the city office's own list; the newest first."""
    require_reader(principal)
    f = tables.integrity_file
    city_list = true() if principal.org_kind == "title_office" else false()
    in_subtree = f.c.org_path.startswith(principal.org_path, autoescape=True) if principal.org_path else false()
    query = select(f).where(or_(in_subtree, and_(f.c.org_path.is_(None), city_list)))
    if person:
        query = query.where(or_(f.c.person_key == person.strip().upper(), f.c.account_id == person.strip()))
    today = china_today(ctx.clock.now())
    if in_force_only:
        query = query.where(f.c.listed_on <= today, or_(f.c.expires_on.is_(None), f.c.expires_on >= today))
    counted = select(func.count()).select_from(query.subquery())
    query = query.order_by(f.c.listed_on.desc(), f.c.entry_id).limit(min(limit, MAX_PAGE)).offset(offset)
    async with ctx.db.read() as conn:
        total = (await conn.execute(counted)).scalar_one()
        rows = (await conn.execute(query)).all()
    return IntegrityFileView(
        items=[
            IntegrityEntryView(
                entry_id=r.entry_id,
                person_key=r.person_key,
                name=r.name,
                reason=r.reason,
                source=r.source,
                source_zh=SOURCE_NAMES_ZH.get(r.source, r.source),
                rule=r.rule,
                listed_on=r.listed_on,
                expires_on=r.expires_on,
                in_force=in_force(r.listed_on, r.expires_on, today),
                document_number=r.document_number,
                application_id=r.application_id,
            )
            for r in rows
        ],
        total=total,
    )
