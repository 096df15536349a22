"""The results publicity (公示) as the public sees it, without an account (NAT-3), and the complaints
anyone may file there (POL-PB-1, channel "public"), which the organising unit reads and resolves.

What the public sees of a session is the notice's list: the organising unit, the series and level,
the period, and per passed candidate the name, employer, series, level, specialty and what the
employer must state in publicity (POL-EN-4's off-staff note). Never a vote, an expert or a candidate
who did not pass. The complainant's name, contact details and attachments stay in private tables.
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import DateTime, Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.calendar import CHINA_TZ, china_today
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import InvalidInput, not_found
from zhicheng_kernel.inputs import CleanText
from zhicheng_kernel.tables import events
from zhicheng_kernel.titles import level_zh
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters import rate_limit
from ..adapters.tables import (
    candidates,
    complaints,
    organizations,
    public_complaint_attachments,
    public_complaints,
    sessions,
)
from ..context import ReviewContext
from ..domain.events import CATALOGUE, SESSION, ComplaintFiled
from ..domain.session import Session, workflow_id_for
from .committees import require_secretary_of

log = logging.getLogger(__name__)

# The envelope's actor of a complaint filed without an account: never the complainant's name or address.
PUBLIC_ACTOR = "public"
MAX_PAGE_SIZE = 50
MAX_COMPLAINTS_LISTED = 500
MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
# Magic bytes → media type: what a complaint may attach (the declared name and type are not trusted).
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


# -- what the public sees ---------------------------------------------------------------------------


class PublicCandidate(BaseModel):
    """A passed candidate as the 公示 lists them."""

    application_id: str = Field(description="投诉时填写的公示对象编号")
    name: str
    employer: str = Field(description="工作单位")
    series: str
    level: str
    level_zh: str
    specialty: str | None
    remarks: list[str] = Field(description="推荐、公示时须说明的情况（如编外聘用人员，POL-EN-4）")


class PublicPublicity(BaseModel):
    """One session's results publicity (公示) in the notice's format."""

    session_id: str
    title: str
    organizing_unit: str = Field(description="评委会组建单位")
    committee_name: str
    year: int
    series: str
    level: str
    level_zh: str
    starts_at: datetime = Field(description="公示开始（北京时间）")
    ends_at: datetime = Field(description="公示结束（北京时间）")
    period_zh: str
    notice: str
    candidates: list[PublicCandidate]
    complaint_channel: str = Field(description="反映问题的渠道")


class PublicPublicityPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[PublicPublicity]


class PublicComplaintFiled(BaseModel):
    """What the complainant is told: the complaint's number, nothing of the investigation."""

    complaint_id: str
    session_id: str
    application_id: str
    attachments: int
    message: str


class AttachmentInput(BaseModel):
    filename: CleanText = Field(min_length=1, max_length=100)
    content_base64: str = Field(
        min_length=4,
        max_length=(MAX_ATTACHMENT_BYTES + 64 * 1024) * 4 // 3,
        description="文件内容的 Base64 编码（PDF、JPEG 或 PNG，不超过 2 MB）",
    )


class AttachmentMeta(BaseModel):
    n: int
    filename: str
    media_type: str
    size: int


class SessionComplaint(BaseModel):
    """A complaint as the organising unit reads it: with the public complainant's contact details."""

    complaint_id: str
    application_id: str
    applicant_name: str | None
    channel: str
    content: str
    outcome: str | None
    investigation_ends_at: datetime | None
    complainant_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    filed_at: datetime | None = None
    attachments: list[AttachmentMeta] = []


class Attachment(BaseModel):
    filename: str
    media_type: str
    content: bytes


def _period_zh(starts_at: datetime, ends_at: datetime) -> str:
    first, last = china_today(starts_at), china_today(ends_at - timedelta(microseconds=1))
    return f"{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日"


async def _in_publicity_ids(conn: AsyncConnection, now: datetime, offset: int, limit: int) -> tuple[int, list[str]]:
    """The sessions whose results are public at `now` (ResultsPublished, before its end), newest first.
    Read through the small `session` table and the event store's primary key (stream, version), so a
    public request never scans the event store."""
    starts = events.c.payload["publicity_starts_at"].astext.cast(DateTime(timezone=True))
    ends = events.c.payload["publicity_ends_at"].astext.cast(DateTime(timezone=True))
    published = sessions.join(events, events.c.stream_id == sessions.c.session_id)
    where = (events.c.event_type == "ResultsPublished", starts <= now, ends > now)
    total = int((await conn.execute(select(func.count()).select_from(published).where(*where))).scalar_one())
    rows = await conn.execute(
        select(events.c.stream_id)
        .select_from(published)
        .where(*where)
        .order_by(starts.desc(), events.c.stream_id)
        .offset(offset)
        .limit(limit)
    )
    return total, [str(r.stream_id) for r in rows]


async def _publicity_of(ctx: ReviewContext, conn: AsyncConnection, session: Session) -> PublicPublicity:
    assert session.publicity is not None
    committee = await ctx.committee(conn, session.committee_id)
    passed = list(session.publicity.passed_application_ids)
    people = (
        await conn.execute(
            select(candidates).where(candidates.c.application_id.in_(passed)).order_by(candidates.c.application_id)
        )
    ).all()
    org_ids = {committee.organizing_org_id, *(p.org_id for p in people)}
    names = {
        r.org_id: r.name
        for r in await conn.execute(
            select(organizations.c.org_id, organizations.c.name).where(organizations.c.org_id.in_(org_ids))
        )
    }
    unit = names.get(committee.organizing_org_id, "评委会组建单位")
    level = level_zh(session.level)
    starts_at = session.publicity.publicity_starts_at.astimezone(CHINA_TZ)
    ends_at = session.publicity.publicity_ends_at.astimezone(CHINA_TZ)
    period = _period_zh(starts_at, ends_at)
    return PublicPublicity(
        session_id=session.session_id,
        title=f"关于{session.year}年度{session.series}{level}职称评审结果的公示",
        organizing_unit=unit,
        committee_name=committee.name,
        year=session.year,
        series=session.series,
        level=session.level,
        level_zh=level,
        starts_at=starts_at,
        ends_at=ends_at,
        period_zh=period,
        notice=(
            f"经{committee.name}评审，下列{len(people)}名同志通过{session.series}{level}职称评审，现予以公示。"
            f"公示期为{period}（至{ends_at:%H:%M}，北京时间）。公示期间，对公示对象有异议的，请向{unit}实名反映。"
        ),
        candidates=[
            PublicCandidate(
                application_id=p.application_id,
                name=p.applicant_name,
                employer=names.get(p.org_id, ""),
                series=p.series,
                level=p.level,
                level_zh=level_zh(p.level),
                specialty=p.specialty,
                remarks=list(p.remarks),
            )
            for p in people
        ],
        complaint_channel=(
            f"公示期内，任何单位和个人均可在本页对公示对象提出投诉，无需注册账号：请填写真实姓名、联系电话或电子邮箱"
            f"（至少一项），说明具体问题（10至2000字），可附不超过3个证明材料（PDF、JPG或PNG，每个不超过2MB）。"
            f"投诉由评委会组建单位{unit}调查处理，联系方式仅供调查核实使用，不予公开。"
        ),
    )


async def publicities(ctx: ReviewContext, offset: int, limit: int) -> PublicPublicityPage:
    """NAT-3: every session whose results are in publicity now, newest first, a bounded page."""
    limit = min(limit, MAX_PAGE_SIZE)
    async with ctx.db.read() as conn:
        total, ids = await _in_publicity_ids(conn, ctx.clock.now(), offset, limit)
        items = [await _publicity_of(ctx, conn, await ctx.session(conn, sid)) for sid in ids]
    return PublicPublicityPage(total=total, offset=offset, limit=limit, items=items)


async def publicity(ctx: ReviewContext, session_id: str) -> PublicPublicity:
    """One session's publicity while it runs; before and after it the public sees nothing (404)."""
    async with ctx.db.read() as conn:
        session = await _public_session(conn, ctx, session_id)
        if session is None or not _in_publicity(session, ctx.clock.now()):
            raise not_found("评审结果公示", "publicity_not_found", session_id)
        return await _publicity_of(ctx, conn, session)


async def _public_session(conn: AsyncConnection, ctx: ReviewContext, session_id: str) -> Session | None:
    """A session by an id the public typed: None unless it names a session (not another stream)."""
    known = await conn.execute(select(sessions.c.session_id).where(sessions.c.session_id == session_id))
    if known.first() is None:
        return None
    return await ctx.session(conn, session_id)


def _in_publicity(session: Session, now: datetime) -> bool:
    p = session.publicity
    return p is not None and p.publicity_starts_at <= now < p.publicity_ends_at


# -- complaints without an account --------------------------------------------------------------------


def sniff(content: bytes) -> str | None:
    """The media type the content's magic bytes say: PDF, JPEG or PNG; None for anything else."""
    return next((media for magic, media in MAGIC if content.startswith(magic)), None)


def decode_attachments(attachments: list[AttachmentInput]) -> list[tuple[str, str, bytes]]:
    """POL-PB-1's evidence as (filename, media type, bytes): at most 3, each at most 2 MB, PDF, JPEG
    or PNG by their magic bytes, whatever the name says."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput("too_many_attachments", "最多上传 3 个证明材料。", field="attachments")
    decoded = []
    for i, a in enumerate(attachments):
        field = f"attachments.{i}.content_base64"
        try:
            content = base64.b64decode(a.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("attachment_not_base64", "证明材料须为 Base64 编码的文件内容。", field=field) from None
        if not content:
            raise InvalidInput("attachment_empty", "证明材料为空文件。", field=field)
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput("attachment_too_large", "每个证明材料不得超过 2 MB。", field=field)
        media = sniff(content)
        if media is None:
            raise InvalidInput("attachment_type_not_allowed", "证明材料只能是 PDF、JPG 或 PNG 文件。", field=field)
        decoded.append((a.filename, media, content))
    return decoded


async def file_public_complaint(
    ctx: ReviewContext,
    idempotent: Idempotency | None,
    session_id: str,
    *,
    client: str,
    application_id: str,
    content: str,
    complainant_name: str,
    contact_phone: str | None,
    contact_email: str | None,
    attachments: list[AttachmentInput],
) -> PublicComplaintFiled:
    """POL-PB-1 without an account: the complaint goes through Session.file_complaint (the publicity's
    period) as ComplaintFiled with channel "public"; who filed it and how to reach them are written
    only to the private tables. Rate-limited per client address and per session (settings), every
    attempt counted, before anything else is looked at."""
    settings = ctx.settings
    async with ctx.db.transaction() as conn:
        wait = await rate_limit.hit(
            conn,
            ctx.clock.now(),
            [
                rate_limit.Limit(
                    f"public-complaint:ip:{client}",
                    settings.public_complaints_per_ip,
                    settings.public_complaints_ip_window_seconds,
                ),
                rate_limit.Limit(
                    f"public-complaint:session:{session_id}",
                    settings.public_complaints_per_session,
                    settings.public_complaints_session_window_seconds,
                ),
            ],
        )
    if wait:
        raise rate_limit.RateLimited("提交投诉过于频繁，请稍后再试。", wait)
    files = decode_attachments(attachments)
    complaint_id = str(uuid.uuid4())

    async def action(uow: UnitOfWork) -> PublicComplaintFiled:
        session = await _public_session(uow.conn, ctx, session_id)
        if session is None or session.publicity is None:
            raise not_found("评审结果公示", "publicity_not_found", session_id)
        if application_id not in session.publicity.passed_application_ids:
            raise InvalidInput(
                "not_a_published_candidate", "被投诉人不在本次公示名单中。", field="application_id", rule="POL-PB-1"
            )
        now = ctx.clock.now()
        filed = session.file_complaint(complaint_id, application_id, content, now, channel="public")
        assert isinstance(filed, ComplaintFiled)
        await uow.append(SESSION, session_id, session.version, [filed])
        conn = uow.conn
        await conn.execute(
            complaints.insert().values(
                complaint_id=complaint_id, session_id=session_id, application_id=application_id, outcome=None
            )
        )
        await conn.execute(
            public_complaints.insert().values(
                complaint_id=complaint_id,
                session_id=session_id,
                application_id=application_id,
                complainant_name=complainant_name,
                contact_phone=contact_phone,
                contact_email=contact_email,
                filed_at=now,
            )
        )
        for n, (filename, media, data) in enumerate(files, 1):
            await conn.execute(
                public_complaint_attachments.insert().values(
                    complaint_id=complaint_id, n=n, filename=filename, media_type=media, size=len(data), content=data
                )
            )
        return PublicComplaintFiled(
            complaint_id=complaint_id,
            session_id=session_id,
            application_id=application_id,
            attachments=len(files),
            message="投诉已受理，将由评委会组建单位调查处理。",
        )

    filed = await execute(ctx, Metadata(actor=PUBLIC_ACTOR), action, answer=PublicComplaintFiled, idempotent=idempotent)
    # The workflow re-reads the session before issuing: a lost signal only delays, never loses.
    try:
        signal = {"complaint_id": filed.complaint_id, "application_id": application_id}
        await ctx.temporal.signal(workflow_id_for(session_id), "complaint_filed", signal)
    except Exception as exc:
        log.warning("cannot signal complaint_filed to session %s (the workflow re-checks later): %s", session_id, exc)
    return filed


# -- the organising unit reads them --------------------------------------------------------------------


async def session_complaints(
    ctx: ReviewContext, principal: Principal, session_id: str, offset: int = 0, limit: int = MAX_COMPLAINTS_LISTED
) -> list[SessionComplaint]:
    """A session's complaints in filing order (a bounded page), both channels, with the public
    complainant's contact details and the attachments' list: the organising unit's committee
    secretary only (POL-PB-1 investigates)."""
    async with ctx.db.read() as conn:
        history = await ctx.store.load(conn, session_id)
        session = Session.from_events(history)
        if session is None:
            raise not_found("评审会议", "session_not_found", session_id)
        require_secretary_of(principal, await ctx.committee(conn, session.committee_id))
        filed = [e for e in map(CATALOGUE.parse, history) if isinstance(e, ComplaintFiled)]
        filed = filed[offset : offset + min(limit, MAX_COMPLAINTS_LISTED)]
        ids = [f.complaint_id for f in filed]
        private: dict[str, Row[Any]] = {
            r.complaint_id: r
            for r in await conn.execute(select(public_complaints).where(public_complaints.c.complaint_id.in_(ids)))
        }
        files: dict[str, list[AttachmentMeta]] = {}
        listed = select(
            public_complaint_attachments.c.complaint_id,
            public_complaint_attachments.c.n,
            public_complaint_attachments.c.filename,
            public_complaint_attachments.c.media_type,
            public_complaint_attachments.c.size,
        ).where(public_complaint_attachments.c.complaint_id.in_(ids))
        for a in await conn.execute(listed.order_by(public_complaint_attachments.c.n)):
            files.setdefault(a.complaint_id, []).append(
                AttachmentMeta(n=a.n, filename=a.filename, media_type=a.media_type, size=a.size)
            )
        names = {
            r.application_id: r.applicant_name
            for r in await conn.execute(
                select(candidates.c.application_id, candidates.c.applicant_name).where(
                    candidates.c.application_id.in_({f.application_id for f in filed})
                )
            )
        }
    views = []
    for f in filed:
        p = private.get(f.complaint_id)
        views.append(
            SessionComplaint(
                complaint_id=f.complaint_id,
                application_id=f.application_id,
                applicant_name=names.get(f.application_id),
                channel=f.channel,
                content=f.content,
                outcome=session.complaints[f.complaint_id].outcome,
                investigation_ends_at=f.investigation_ends_at,
                complainant_name=p.complainant_name if p else None,
                contact_phone=p.contact_phone if p else None,
                contact_email=p.contact_email if p else None,
                filed_at=p.filed_at if p else None,
                attachments=files.get(f.complaint_id, []),
            )
        )
    return views


async def attachment(ctx: ReviewContext, principal: Principal, complaint_id: str, n: int) -> Attachment:
    """One attachment of a public complaint: the organising unit's committee secretary only."""
    async with ctx.db.read() as conn:
        row = (
            await conn.execute(select(complaints.c.session_id).where(complaints.c.complaint_id == complaint_id))
        ).first()
        if row is None:
            raise not_found("投诉", "complaint_not_found", complaint_id)
        session = await ctx.session(conn, row.session_id)
        require_secretary_of(principal, await ctx.committee(conn, session.committee_id))
        found = (
            await conn.execute(
                select(public_complaint_attachments).where(
                    public_complaint_attachments.c.complaint_id == complaint_id, public_complaint_attachments.c.n == n
                )
            )
        ).first()
    if found is None:
        raise not_found("证明材料", "attachment_not_found", f"{complaint_id}/{n}")
    stem = found.filename.rsplit(".", 1)[0] or "attachment"
    return Attachment(
        filename=f"{stem}{EXTENSIONS.get(found.media_type, '')}", media_type=found.media_type, content=found.content
    )
