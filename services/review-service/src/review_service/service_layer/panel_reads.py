"""A session's review panels as people read them (NAT-9, POL-VD-1): the organising office and the title
offices above it see every panel whole — its experts, who scores whom, each defense's slot, record and
the panel's opinion — so they can schedule and record; a panel's expert sees only their own panels and,
in them, only the candidates they judge, without the other experts' names (NAT-4)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.errors import not_found
from zhicheng_kernel.roles import Role

from ..adapters.tables import candidates, organizations, panel_candidates, review_panels
from ..context import ReviewContext

OFFICE_READERS = (Role.COMMITTEE_SECRETARY, Role.TITLE_OFFICE_REVIEW)


class PanelCandidateView(BaseModel):
    """One candidate of a panel: their defense (POL-VD-1) and the panel's opinion (NAT-9)."""

    application_id: str
    applicant_name: str
    defense_required: bool = Field(description="须参加网络视频答辩（POL-VD-1）")
    defense_replaced_by: str | None = Field(description="代替答辩的政策（如 POL-FL-3）")
    starts_at: datetime | None = Field(description="答辩开始时间（未安排为空）")
    ends_at: datetime | None
    join_url: str | None = Field(description="网络视频答辩室链接")
    defense_recorded: bool
    attended: bool | None
    opinion: Literal["recommend", "not_recommend"] | None
    summary: str | None
    judge_ids: list[str] | None = Field(
        description="为该候选人评分的专家（回避后，NAT-4）；仅职改办可见，专家本人看到的为空"
    )


class SessionPanelView(BaseModel):
    """A panel of a session; `expert_ids` only for the offices (NAT-4: never shown to an expert)."""

    panel_id: str
    session_id: str
    specialty: str
    expert_ids: list[str] | None = Field(description="评议组专家；仅职改办可见")
    candidates: list[PanelCandidateView]


async def session_panels(ctx: ReviewContext, principal: Principal, session_id: str) -> list[SessionPanelView]:
    """The offices reading the session's organising office's subtree (its secretary, a title office above
    it) and services: every panel. An expert: only the panels they sit on, and in them only the
    candidates they score. Anyone else: 403; an office outside the subtree or an expert on no panel of
    the session: 404, as if there were no such session."""
    office = principal.kind != "service" and principal.has(*OFFICE_READERS)
    if principal.kind != "service" and not office:
        require_role(principal, *OFFICE_READERS, Role.EXPERT)
    async with ctx.db.read() as conn:
        session = await ctx.session(conn, session_id)
        committee = await ctx.committee(conn, session.committee_id)
        org_path = (
            await conn.execute(
                select(organizations.c.path).where(organizations.c.org_id == committee.organizing_org_id)
            )
        ).scalar_one_or_none()
        whole = principal.kind == "service" or (office and org_path is not None and principal.covers(org_path))
        panels = (
            await conn.execute(
                select(review_panels).where(review_panels.c.session_id == session_id).order_by(review_panels.c.panel_id)
            )
        ).all()
        if not whole:
            panels = [p for p in panels if principal.has(Role.EXPERT) and principal.subject in p.expert_ids]
            if not panels:
                raise not_found("评审会议", "session_not_found", session_id)
        rows = (
            await conn.execute(
                select(panel_candidates, candidates.c.applicant_name)
                .join(candidates, candidates.c.application_id == panel_candidates.c.application_id)
                .where(panel_candidates.c.session_id == session_id)
                .order_by(panel_candidates.c.starts_at.nulls_last(), panel_candidates.c.application_id)
            )
        ).all()
    return [
        SessionPanelView(
            panel_id=p.panel_id,
            session_id=session_id,
            specialty=p.specialty,
            expert_ids=list(p.expert_ids) if whole else None,
            candidates=[
                PanelCandidateView(
                    application_id=r.application_id,
                    applicant_name=r.applicant_name,
                    defense_required=r.defense_required,
                    defense_replaced_by=r.defense_replaced_by,
                    starts_at=r.starts_at,
                    ends_at=r.ends_at,
                    join_url=r.join_url,
                    defense_recorded=r.defense_recorded,
                    attended=r.attended,
                    opinion=r.opinion,
                    summary=r.summary,
                    judge_ids=list(r.judge_ids) if whole else None,
                )
                for r in rows
                if r.panel_id == p.panel_id and (whole or principal.subject in r.judge_ids)
            ],
        )
        for p in panels
    ]
