"""What the API shows: committees, sessions (counts and results, never a single ballot), documents."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.errors import not_found
from zhicheng_kernel.roles import Role
from zhicheng_kernel.titles import level_zh

from ..adapters import rate_limit
from ..adapters.tables import candidates, documents
from ..context import ReviewContext
from ..domain.committee import Committee
from ..domain.documents import REVOCATION_CATEGORY_ZH, masked, route_zh
from ..domain.events import CandidateResult, VotesTallied
from ..domain.rules import quorum_met
from ..domain.session import Session
from .committees import committee_view
from .revocations import document_view
from .views import (
    CandidateView,
    CommitteeView,
    ComplaintCounts,
    DocumentPage,
    DocumentRef,
    PublicityView,
    ResultView,
    SessionView,
    VerifiedDocument,
)

# Finding 19: the roles that read the documents and results of their organization's subtree (a unit's
# administrators and reviewers, a department's, a title office's, the auditor); everyone else reads
# only their own.
SUBTREE_READERS = (
    Role.APPLICANT_MANAGEMENT,
    Role.UNIT_REVIEW,
    Role.DEPARTMENT_REVIEW,
    Role.TITLE_OFFICE_REVIEW,
    Role.COMMITTEE_SECRETARY,
    Role.AUDITOR,
)


def _may_follow(principal: Principal, committee: Committee, session: Session) -> bool:
    """Finding 19: the organising office's secretary and services follow a session whole; the
    committee's experts only until it ends (closed or carried over) — after it they see what anyone
    sees."""
    secretary = principal.has(Role.COMMITTEE_SECRETARY) and principal.org_id == committee.organizing_org_id
    sitting = principal.subject in committee.expert_ids and session.status not in ("closed", "carried_over")
    return principal.kind == "service" or secretary or sitting


def _reads_subtree(principal: Principal) -> bool:
    return principal.has(*SUBTREE_READERS) and bool(principal.org_path)


async def committee_of(ctx: ReviewContext, principal: Principal, committee_id: str) -> CommitteeView:
    """NAT-4: the expert list is not published; only the organizing unit's secretary and services see it."""
    async with ctx.db.read() as conn:
        committee = await ctx.committee(conn, committee_id)
    secretary = principal.has(Role.COMMITTEE_SECRETARY) and principal.org_id == committee.organizing_org_id
    return committee_view(committee, with_experts=secretary or principal.kind == "service")


def result_reason(result: CandidateResult, tally: VotesTallied) -> str | None:
    if result.passed:
        return None
    if not tally.quorum_met:
        return "出席专家不足抽取的评审专家人数的三分之二，会议无效（NAT-1）。"
    if result.judges is not None and not quorum_met(tally.committee_size, result.judges):
        return "可评审该候选人的出席专家（回避后）不足法定人数（NAT-1、NAT-4）。"
    if result.judges is not None:
        return "同意票未达到可评审该候选人的出席专家的三分之二（NAT-2、NAT-4）。"
    return "同意票未达到出席专家的三分之二（NAT-2）。"


async def session_view(ctx: ReviewContext, session_id: str, principal: Principal) -> SessionView:
    """Before the results are published a session is the committee's business only (NAT-4). After,
    whoever does not follow it (finding 19) sees the published results — the candidates who passed —
    and, of the others, only their own candidacy or their subtree's; documents and held candidates
    likewise only their own or their subtree's."""
    async with ctx.db.read() as conn:
        s = await ctx.session(conn, session_id)
        committee = await ctx.committee(conn, s.committee_id)
        follows = _may_follow(principal, committee, s)
        if s.publicity is None and not follows:
            raise not_found("评审会议", "session_not_found", session_id)
        docs = (await conn.execute(select(documents).where(documents.c.session_id == session_id))).all()
        rows = (
            await conn.execute(
                select(candidates)
                .where(candidates.c.application_id.in_(s.application_ids))
                .order_by(candidates.c.application_id)
            )
        ).all()
    if follows:
        own: set[str] = set(s.application_ids)
    else:
        own = {c.application_id for c in rows if c.applicant_id == principal.subject}
        if _reads_subtree(principal):
            own |= {c.application_id for c in rows if principal.covers(c.org_path)}
    visible = own | set(s.passed_application_ids)
    shown = [a for a in s.application_ids if a in visible]
    people = [c for c in rows if c.application_id in visible]
    docs = [d for d in docs if d.application_id in own]
    present = len(s.present_expert_ids or [])
    # After the publicity period: documents are issued or held by complaints.
    status = "issuing" if s.status == "publicity" and s.publicity_over(ctx.clock.now()) else s.status
    return SessionView(
        session_id=s.session_id,
        committee_id=s.committee_id,
        workflow_id=s.workflow_id,
        status=status,
        year=s.year,
        series=s.series,
        level=s.level,
        application_ids=shown,
        candidates=[CandidateView.of(c) for c in people],
        committee_size=len(s.expert_ids),
        attendance_recorded=s.present_expert_ids is not None,
        present=present,
        quorum_met=quorum_met(len(s.expert_ids), present, ctx.settings.quorum) if s.present_expert_ids else None,
        ballots_cast=s.ballots_cast,
        results=(
            [
                ResultView(**r.model_dump(), reason=result_reason(r, s.tally))
                for r in s.tally.results
                if r.application_id in visible
            ]
            if s.tally
            else None
        ),
        publicity=(
            PublicityView(
                starts_at=s.publicity.publicity_starts_at,
                ends_at=s.publicity.publicity_ends_at,
                passed_application_ids=s.publicity.passed_application_ids,
            )
            if s.publicity
            else None
        ),
        complaints=ComplaintCounts(open=len(s.held_application_ids()), total=len(s.complaints)),
        held_application_ids=[a for a in s.held_application_ids() if a in own],
        investigation_ends_at=s.investigation_ends_at(),
        documents=sorted(
            (DocumentRef(application_id=d.application_id, number=d.number, document_id=d.document_id) for d in docs),
            key=lambda d: d.number,
        ),
    )


async def documents_of(
    ctx: ReviewContext,
    principal: Principal,
    application_id: str | None,
    *,
    keyword: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> DocumentPage:
    """Finding 19: everyone lists their own documents (an applicant, an expert: theirs only); a unit's
    administrators and reviewers, a department's, a title office's and the auditor also those of their
    organization's subtree (the applicant's employer chain up to the title office); services all. A
    page of them by number, kept to an application, a holder's name or number (`keyword`) and a status."""
    query = select(documents)
    if principal.kind != "service":
        mine = [documents.c.applicant_id == principal.subject]
        if _reads_subtree(principal):
            mine.append(documents.c.org_path.startswith(principal.org_path, autoescape=True))
        query = query.where(or_(*mine))
    if application_id:
        query = query.where(documents.c.application_id == application_id)
    if keyword:
        query = query.where(
            or_(
                documents.c.applicant_name.contains(keyword, autoescape=True),
                documents.c.number.contains(keyword, autoescape=True),
            )
        )
    if status == "valid":
        query = query.where(documents.c.revoked_at.is_(None))
    elif status == "revoked":
        query = query.where(documents.c.revoked_at.is_not(None))
    async with ctx.db.read() as conn:
        total = int((await conn.execute(select(func.count()).select_from(query.subquery()))).scalar_one())
        rows = (await conn.execute(query.order_by(documents.c.number).offset(offset).limit(limit))).all()
    return DocumentPage(items=[document_view(r) for r in rows], total=total, offset=offset, limit=limit)


async def count_public_check(ctx: ReviewContext, client: str) -> None:
    """Finding 20: one client address checks at most `public_verify_per_address` numbers per window
    (counted in PostgreSQL, so every replica counts the same hits); RateLimited beyond."""
    limits = [
        rate_limit.Limit(
            f"verify:{client}", ctx.settings.public_verify_per_address, ctx.settings.public_verify_window_seconds
        )
    ]
    async with ctx.db.transaction() as conn:
        wait = await rate_limit.hit(conn, ctx.clock.now(), limits)
    if wait:
        raise rate_limit.RateLimited("查验过于频繁，请稍后再试。", wait)


async def verify_document(ctx: ReviewContext, number: str) -> VerifiedDocument:
    """NAT-10: anyone may check that a document number was issued, and to whom (name masked); a document
    revoked for fraud answers "revoked" with the day and the reason's category, never the reason."""
    async with ctx.db.read() as conn:
        row = (await conn.execute(select(documents).where(documents.c.number == number.strip()))).first()
    if row is None:
        raise not_found("职称资格文件", "document_not_found", number)
    payload = row.payload
    level = payload.get("level")
    revoked = row.revoked_at is not None
    return VerifiedDocument(
        number=row.number,
        valid=not revoked,
        status="revoked" if revoked else "valid",
        revoked_on=china_today(row.revoked_at) if revoked else None,
        revocation_category=REVOCATION_CATEGORY_ZH if revoked else None,
        holder=masked(row.applicant_name),
        year=payload.get("year"),
        series=payload.get("series"),
        level=level_zh(level) if level else None,
        annotations=payload.get("annotations", []),
        route=payload.get("route", "committee"),
        route_zh=route_zh(payload.get("route", "committee")),
        issued_at=row.issued_at,
    )
