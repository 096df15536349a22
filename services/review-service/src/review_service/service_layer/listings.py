"""The lists the web application pages through: committees and sessions, each scoped by the caller's
role and organization subtree (a title office's secretary and reviewers see what offices of their
subtree organise; an expert sees the sessions they sit in while they run; services see everything)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal, require_role, require_scope
from zhicheng_kernel.errors import not_found
from zhicheng_kernel.roles import Role

from ..adapters.tables import committees, organizations, session_sittings, session_voters, sessions
from ..context import ReviewContext
from .committees import committee_view
from .views import CommitteeView

# The offices' roles that list what their subtree organises.
OFFICE_READERS = (Role.COMMITTEE_SECRETARY, Role.TITLE_OFFICE_REVIEW)


class CommitteePage(BaseModel):
    items: list[CommitteeView]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


class SessionSummary(BaseModel):
    """One line of the sessions list: counts and stage, never a ballot or an expert's name."""

    session_id: str
    committee_id: str
    committee_name: str
    organizing_org_id: str
    year: int
    series: str
    level: str
    status: Literal["opened", "voting", "tallied", "publicity", "issuing", "closed", "carried_over"]
    candidates: int = Field(ge=0, description="本次评审的申报数")
    committee_size: int = Field(ge=0, description="抽取的评审专家人数")
    present: int = Field(ge=0, description="登记出席的专家人数")
    ballots_cast: int = Field(ge=0)
    voting_closed: bool
    opened_at: datetime | None
    meeting_starts_at: datetime | None
    meeting_ends_at: datetime | None
    # Only for the calling expert: whether they were drawn to sit (not in reserve) and whether they voted.
    drawn: bool | None = Field(default=None, description="本人是否为抽中的评审专家（仅专家本人）")
    voted: bool | None = Field(default=None, description="本人是否已投票（仅专家本人；不含投票内容，NAT-2）")


class SessionPage(BaseModel):
    items: list[SessionSummary]
    total: int = Field(ge=0)
    offset: int = Field(ge=0)
    limit: int = Field(ge=1)


async def _scope_path(ctx: ReviewContext, principal: Principal, org_id: str | None) -> str | None:
    """The organization path the list keeps to: the caller's subtree, narrowed to `org_id` when asked
    (403 outside the subtree, 404 unknown); None for services without `org_id` (everything)."""
    if org_id is None:
        return None if principal.kind == "service" else principal.org_path
    async with ctx.db.read() as conn:
        row = (await conn.execute(select(organizations.c.path).where(organizations.c.org_id == org_id))).first()
    if row is None:
        raise not_found("组织机构", "org_not_found", org_id, field="org_id")
    if principal.kind != "service":
        require_scope(principal, row.path)
    return str(row.path)


def _office_only(principal: Principal) -> None:
    if principal.kind != "service":
        require_role(principal, *OFFICE_READERS)


async def list_committees(
    ctx: ReviewContext,
    principal: Principal,
    *,
    org_id: str | None,
    series: str | None,
    level: str | None,
    offset: int,
    limit: int,
) -> CommitteePage:
    """The committees organised in the caller's subtree (a title office's secretary or reviewers);
    the expert list only to the organising office's secretary (NAT-4), as `GET /committees/{id}`."""
    _office_only(principal)
    path = await _scope_path(ctx, principal, org_id)
    query = select(committees.c.committee_id).join(
        organizations, organizations.c.org_id == committees.c.organizing_org_id
    )
    if path is not None:
        query = query.where(organizations.c.path.startswith(path, autoescape=True))
    if series:
        query = query.where(committees.c.series == series)
    if level:
        query = query.where(committees.c.level == level)
    async with ctx.db.read() as conn:
        total = await _count(conn, query)
        ids = (await conn.execute(query.order_by(committees.c.committee_id).offset(offset).limit(limit))).scalars()
        loaded = [await ctx.committee(conn, committee_id) for committee_id in ids]
    items = [
        committee_view(
            c,
            with_experts=principal.kind == "service"
            or (principal.has(Role.COMMITTEE_SECRETARY) and principal.org_id == c.organizing_org_id),
        )
        for c in loaded
    ]
    return CommitteePage(items=items, total=total, offset=offset, limit=limit)


async def list_sessions(
    ctx: ReviewContext,
    principal: Principal,
    *,
    org_id: str | None,
    committee_id: str | None,
    year: int | None,
    series: str | None,
    offset: int,
    limit: int,
) -> SessionPage:
    """A title office's secretary and reviewers: the sessions of the committees organised in their
    subtree. An expert: the sessions they are drawn for (sitting or in reserve) until the session
    closes — their own worklist, with whether they voted but never how (NAT-2). Anyone else: 403."""
    expert = principal.kind != "service" and not principal.has(*OFFICE_READERS) and principal.has(Role.EXPERT)
    if not expert:
        _office_only(principal)
    query = select(sessions.c.session_id).join(committees, committees.c.committee_id == sessions.c.committee_id)
    # An expert's list keeps to their own sittings; `org_id` narrows either list to an office's subtree.
    path = await _scope_path(ctx, principal, org_id) if org_id is not None or not expert else None
    if expert:
        query = query.join(
            session_sittings,
            and_(
                session_sittings.c.session_id == sessions.c.session_id,
                session_sittings.c.expert_id == principal.subject,
            ),
        )
    if path is not None:
        query = query.join(organizations, organizations.c.org_id == committees.c.organizing_org_id).where(
            organizations.c.path.startswith(path, autoescape=True)
        )
    if committee_id:
        query = query.where(sessions.c.committee_id == committee_id)
    if year is not None:
        query = query.where(sessions.c.year == year)
    if series:
        query = query.where(sessions.c.series == series)
    now = ctx.clock.now()
    items: list[SessionSummary] = []
    async with ctx.db.read() as conn:
        total = await _count(conn, query)
        page = (
            await conn.execute(
                query.order_by(sessions.c.year.desc(), sessions.c.session_id.desc()).offset(offset).limit(limit)
            )
        ).scalars()
        for session_id in list(page):
            s = await ctx.session(conn, session_id)
            committee = await ctx.committee(conn, s.committee_id)
            voted = None
            if expert:
                voted = (
                    await conn.execute(
                        select(session_voters.c.expert_id).where(
                            session_voters.c.session_id == session_id,
                            session_voters.c.expert_id == principal.subject,
                        )
                    )
                ).first() is not None
            status = "issuing" if s.status == "publicity" and s.publicity_over(now) else s.status
            items.append(
                SessionSummary(
                    session_id=s.session_id,
                    committee_id=s.committee_id,
                    committee_name=committee.name,
                    organizing_org_id=committee.organizing_org_id,
                    year=s.year,
                    series=s.series,
                    level=s.level,
                    status=status,
                    candidates=len(s.application_ids),
                    committee_size=len(s.expert_ids),
                    present=len(s.present_expert_ids or []),
                    ballots_cast=s.ballots_cast,
                    voting_closed=s.voting_closed,
                    opened_at=s.opened_at,
                    meeting_starts_at=s.draw.meeting_starts_at if s.draw else None,
                    meeting_ends_at=s.draw.meeting_ends_at if s.draw else None,
                    drawn=principal.subject in s.expert_ids if expert else None,
                    voted=voted,
                )
            )
    return SessionPage(items=items, total=total, offset=offset, limit=limit)


async def _count(conn: AsyncConnection, query: Select[tuple[str]]) -> int:
    return int((await conn.execute(select(func.count()).select_from(query.subquery()))).scalar_one())
