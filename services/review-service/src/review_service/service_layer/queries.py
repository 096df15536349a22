"""What the API shows: committees, sessions (counts and results, never a single ballot), documents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.roles import Role

from ..adapters.tables import candidates, documents
from ..domain.committee import Committee
from ..domain.errors import not_found
from ..domain.rules import quorum_met
from .context import ReviewContext


async def committee_view(ctx: ReviewContext, committee_id: str) -> dict[str, Any]:
    async with ctx.db.read() as conn:
        c = await ctx.committee(conn, committee_id)
    return {
        "committee_id": c.committee_id,
        "name": c.name,
        "series": c.series,
        "level": c.level,
        "organizing_org_id": c.organizing_org_id,
        "expert_ids": list(c.expert_ids),
        "size": len(c.expert_ids),
    }


def _reason(result: dict[str, Any], tally: dict[str, Any]) -> str | None:
    if result["passed"]:
        return None
    if not tally["quorum_met"]:
        return "出席专家不足委员会专家总数的三分之二，会议无效（NAT-1）。"
    return "同意票未达到出席专家的三分之二（NAT-2）。"


def _may_follow(principal: Principal, committee: Committee) -> bool:
    """The committee's secretary and experts follow a session; services too."""
    secretary = principal.has(Role.COMMITTEE_SECRETARY) and principal.org_id == committee.organizing_org_id
    return principal.kind == "service" or secretary or principal.subject in committee.expert_ids


async def session_view(ctx: ReviewContext, session_id: str, principal: Principal) -> dict[str, Any]:
    """Before the results are published (NAT-3) a session is the committee's business only."""
    async with ctx.db.read() as conn:
        s = await ctx.session(conn, session_id)
        committee = await ctx.committee(conn, s.committee_id)
        if s.publicity is None and not _may_follow(principal, committee):
            raise not_found("session", session_id)
        docs = (await conn.execute(select(documents).where(documents.c.session_id == session_id))).all()
    present = len(s.present_expert_ids or [])
    view: dict[str, Any] = {
        "session_id": s.session_id,
        "committee_id": s.committee_id,
        "workflow_id": s.workflow_id,
        # After the publicity period: documents are issued or held by complaints (POL-PB-1).
        "status": "issuing" if s.status == "publicity" and s.publicity_over(datetime.now(UTC)) else s.status,
        "year": s.year,
        "series": s.series,
        "level": s.level,
        "application_ids": s.application_ids,
        "committee_size": len(s.expert_ids),
        "attendance_recorded": s.present_expert_ids is not None,
        "present": present,
        "quorum_met": quorum_met(len(s.expert_ids), present, ctx.settings.quorum) if s.present_expert_ids else None,
        "ballots_cast": len(s.ballots),
        "results": None,
        "publicity": None,
        "complaints": {"open": len(s.held_application_ids()), "total": len(s.complaints)},
        "held_application_ids": s.held_application_ids(),
        "documents": sorted(
            ({"application_id": d.application_id, "number": d.number, "document_id": d.document_id} for d in docs),
            key=lambda d: d["number"],
        ),
    }
    if s.tally is not None:
        view["results"] = [{**r, "reason": _reason(r, s.tally)} for r in s.tally["results"]]
    if s.publicity is not None:
        view["publicity"] = {
            "starts_at": s.publicity["publicity_starts_at"],
            "ends_at": s.publicity["publicity_ends_at"],
            "passed_application_ids": s.publicity["passed_application_ids"],
        }
    return view


async def documents_of(ctx: ReviewContext, principal: Principal, application_id: str | None) -> list[dict[str, Any]]:
    """Documents of the caller's subtree (the applicant's employer chain up to the title office) and the
    applicant's own; services see all."""
    query = select(documents).order_by(documents.c.number)
    if principal.kind != "service":
        mine = [candidates.c.applicant_id == principal.subject]
        if principal.org_path:
            mine.append(candidates.c.org_path.startswith(principal.org_path, autoescape=True))
        visible = select(candidates.c.application_id).where(or_(*mine))
        query = query.where(documents.c.application_id.in_(visible))
    if application_id:
        query = query.where(documents.c.application_id == application_id)
    async with ctx.db.read() as conn:
        rows = (await conn.execute(query.limit(500))).all()
    return [{**r.payload, "issued_at": r.issued_at.isoformat()} for r in rows]
