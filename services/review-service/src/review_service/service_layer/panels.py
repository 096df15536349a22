"""Review panels (评议组) and their online video defenses: forming a panel from the pool, scheduling
each defense into a video room, recording it, the panel's opinion per candidate, and the gate that
keeps the committee's vote waiting until all of that is done."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Conflict, Forbidden, InvalidInput, not_found
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters.tables import candidates, panel_candidates, review_panels
from ..context import ReviewContext
from ..domain.draw import new_seed
from ..domain.events import PANEL, DefenseScore, PanelOpinion
from ..domain.panel import Panel, PanelCandidate, check_video_mode, form_panel
from ..domain.session import Session
from .committees import require_secretary_of
from .pool_queries import pool_experts
from .views import (
    DefenseRecordView,
    DefenseSlotView,
    DefenseView,
    PanelOpinionView,
    PanelsStatusView,
    PanelView,
)

log = logging.getLogger(__name__)


# -- the gate before the committee's vote ------------------------------------------------------------


async def panels_status(conn: AsyncConnection, session: Session) -> PanelsStatusView:
    """Which of the session's candidates still wait for their defense or their panel's opinion."""
    rows = {
        r.application_id: r
        for r in (
            await conn.execute(select(panel_candidates).where(panel_candidates.c.session_id == session.session_id))
        ).all()
    }
    pending_defenses = [
        a for a in session.application_ids if a in rows and rows[a].defense_required and not rows[a].defense_recorded
    ]
    pending_opinions = [a for a in session.application_ids if a not in rows or rows[a].opinion is None]
    return PanelsStatusView(
        session_id=session.session_id,
        complete=not pending_defenses and not pending_opinions,
        pending_defenses=pending_defenses,
        pending_opinions=pending_opinions,
    )


async def check_panel_review_done(conn: AsyncConnection, session: Session) -> None:
    """NAT-9 with POL-VD-1: the committee votes only after its panels examined every candidate — every
    candidate who defends has a recorded defense and every candidate has the panel's opinion. Until
    then recording attendance is refused (409 panel_review_pending)."""
    status = await panels_status(conn, session)
    if status.complete:
        return
    raise Conflict(
        "panel_review_pending",
        f"评议组尚未完成评议：{len(status.pending_defenses)} 名候选人的网络视频答辩未登记，"
        f"{len(status.pending_opinions)} 名候选人尚无评议组意见，评委会暂不能开会表决。",
        rule="POL-VD-1" if status.pending_defenses else "NAT-9",
        extra={"pending_defenses": status.pending_defenses, "pending_opinions": status.pending_opinions},
    )


async def session_panels_status(ctx: ReviewContext, session_id: str) -> PanelsStatusView:
    async with ctx.db.read() as conn:
        return await panels_status(conn, await ctx.session(conn, session_id))


# -- forming a panel -----------------------------------------------------------------------------------


async def form(
    ctx: ReviewContext,
    principal: Principal,
    idempotent: Idempotency | None,
    session_id: str,
    *,
    specialty: str,
    size: int,
    application_ids: list[str] | None,
    meeting_on: date | None,
) -> PanelView:
    """The organising office's secretary draws a panel from the pool experts of the session's series and
    the specialty whose term runs on the meeting day (NAT-6), for candidates not yet in a panel."""
    panel_id = str(uuid.uuid4())
    seed = new_seed()

    async def action(uow: UnitOfWork) -> PanelView:
        conn = uow.conn
        session = await ctx.session(conn, session_id)
        committee = await ctx.committee(conn, session.committee_id)
        require_secretary_of(principal, committee)
        if session.present_expert_ids is not None or session.tally is not None:
            raise Conflict("committee_already_meeting", "评委会已开会表决，不能再组建评议组。", rule="NAT-9")
        rows = (
            await conn.execute(select(candidates).where(candidates.c.application_id.in_(session.application_ids)))
        ).all()
        if application_ids is None:
            chosen = [r for r in rows if r.specialty == specialty]
        else:
            by_id = {r.application_id: r for r in rows}
            strangers = [a for a in application_ids if a not in by_id]
            if strangers:
                raise InvalidInput(
                    "not_session_candidates",
                    f"以下申报不在本次评审会议中：{'、'.join(strangers)}。",
                    field="application_ids",
                )
            chosen = [by_id[a] for a in dict.fromkeys(application_ids)]
        taken = set(
            (
                await conn.execute(
                    select(panel_candidates.c.application_id).where(
                        panel_candidates.c.session_id == session_id,
                        panel_candidates.c.application_id.in_([r.application_id for r in chosen]),
                    )
                )
            ).scalars()
        )
        if taken:
            raise Conflict("already_in_panel", f"以下候选人已分入评议组：{'、'.join(sorted(taken))}。", rule="NAT-9")
        day = meeting_on or china_today(ctx.clock.now())
        pool = [
            e
            for e in await pool_experts(conn, on=day, series=session.series, specialty=specialty)
            if e.organizing_org_id == committee.organizing_org_id
        ]
        formed = form_panel(
            panel_id,
            session_id=session_id,
            organizing_org_id=committee.organizing_org_id,
            specialty=specialty,
            size=size,
            seed=seed,
            expert_employers={e.account_id: e.employer_org_id for e in pool},
            candidates=[
                PanelCandidate(
                    application_id=r.application_id,
                    applicant_id=r.applicant_id,
                    employer_org_id=r.org_id,
                    level=r.level,
                    defense_replaced_by=r.defense_replaced_by,
                )
                for r in chosen
            ],
        )
        await uow.append(PANEL, panel_id, 0, [formed])
        await conn.execute(
            review_panels.insert().values(
                panel_id=panel_id,
                session_id=session_id,
                organizing_org_id=formed.organizing_org_id,
                specialty=specialty,
                expert_ids=formed.expert_ids,
            )
        )
        recused = formed.recusals
        await conn.execute(
            panel_candidates.insert(),
            [
                {
                    "session_id": session_id,
                    "application_id": r.application_id,
                    "panel_id": panel_id,
                    "applicant_id": r.applicant_id,
                    "defense_required": r.application_id in formed.defense_application_ids,
                    "defense_replaced_by": formed.defense_replaced.get(r.application_id),
                    "judge_ids": [e for e in formed.expert_ids if e not in recused.get(r.application_id, [])],
                }
                for r in chosen
            ],
        )
        return PanelView(
            panel_id=panel_id,
            session_id=session_id,
            specialty=specialty,
            seed=formed.seed,
            expert_ids=formed.expert_ids,
            application_ids=formed.application_ids,
            recusals=formed.recusals,
            defense_application_ids=formed.defense_application_ids,
        )

    return await execute(ctx, Metadata(principal.subject), action, answer=PanelView, idempotent=idempotent)


# -- defenses ------------------------------------------------------------------------------------------


def require_panel_secretary(principal: Principal, panel: Panel) -> None:
    """The panel's secretary: role committee_secretary in the organising office."""
    require_role(principal, Role.COMMITTEE_SECRETARY)
    if principal.org_id != panel.organizing_org_id:
        raise Forbidden("not_organizing_unit", "只有组建该评议组的职改办评委会秘书可以办理。")


async def _panel(uow: UnitOfWork, panel_id: str) -> Panel:
    panel = Panel.from_events((await uow.load(panel_id)).events)
    if panel is None:
        raise not_found("评议组", "panel_not_found", panel_id)
    return panel


async def schedule_defense(
    ctx: ReviewContext,
    principal: Principal,
    idempotent: Idempotency | None,
    panel_id: str,
    *,
    application_id: str,
    starts_at: datetime,
    minutes: int,
    mode: str,
) -> DefenseView:
    """An online slot for a candidate who defends, in a room the video provider issues."""
    check_video_mode(mode)
    ends_at = starts_at + timedelta(minutes=minutes)

    async def action(uow: UnitOfWork) -> DefenseView:
        panel = await _panel(uow, panel_id)
        require_panel_secretary(principal, panel)
        row = (
            await uow.conn.execute(
                select(panel_candidates).where(
                    panel_candidates.c.panel_id == panel_id, panel_candidates.c.application_id == application_id
                )
            )
        ).first()
        applicant_id = row.applicant_id if row is not None else ""
        room = await ctx.video_rooms.create_room(f"职称评审网络视频答辩 {application_id}", starts_at, ends_at)
        scheduled = panel.schedule_defense(
            application_id,
            applicant_id,
            starts_at=starts_at,
            ends_at=ends_at,
            provider=room.provider,
            room_id=room.room_id,
            join_url=room.join_url,
        )
        await uow.append(PANEL, panel_id, panel.version, [scheduled])
        await uow.conn.execute(
            update(panel_candidates)
            .where(panel_candidates.c.panel_id == panel_id, panel_candidates.c.application_id == application_id)
            .values(
                starts_at=starts_at,
                ends_at=ends_at,
                provider=room.provider,
                room_id=room.room_id,
                join_url=room.join_url,
            )
        )
        return DefenseView(
            panel_id=panel_id,
            application_id=application_id,
            starts_at=starts_at,
            ends_at=ends_at,
            provider=room.provider,
            room_id=room.room_id,
            join_url=room.join_url,
            expert_ids=scheduled.expert_ids,
        )

    return await execute(ctx, Metadata(principal.subject), action, answer=DefenseView, idempotent=idempotent)


async def record_defense(
    ctx: ReviewContext,
    principal: Principal,
    panel_id: str,
    application_id: str,
    *,
    attended: bool,
    recording_ref: str | None,
    scores: list[DefenseScore],
) -> DefenseRecordView:
    async def action(uow: UnitOfWork) -> DefenseRecordView:
        panel = await _panel(uow, panel_id)
        require_panel_secretary(principal, panel)
        recorded = panel.record_defense(application_id, attended=attended, recording_ref=recording_ref, scores=scores)
        await uow.append(PANEL, panel_id, panel.version, [recorded])
        await uow.conn.execute(
            update(panel_candidates)
            .where(panel_candidates.c.panel_id == panel_id, panel_candidates.c.application_id == application_id)
            .values(defense_recorded=True, attended=attended)
        )
        return DefenseRecordView(
            panel_id=panel_id, application_id=application_id, attended=attended, scores=len(recorded.scores)
        )

    return await execute(ctx, Metadata(principal.subject), action, answer=DefenseRecordView)


async def record_opinion(
    ctx: ReviewContext,
    principal: Principal,
    panel_id: str,
    *,
    application_id: str,
    opinion: PanelOpinion,
    summary: str,
) -> PanelOpinionView:
    """The panel's opinion on one candidate; the last one of the session wakes the session's workflow
    (signal panels_completed; the workflow also re-reads the status, so a lost signal only delays)."""

    async def action(uow: UnitOfWork) -> PanelOpinionView:
        panel = await _panel(uow, panel_id)
        require_panel_secretary(principal, panel)
        recorded = panel.record_opinion(application_id, opinion, summary)
        await uow.append(PANEL, panel_id, panel.version, [recorded])
        await uow.conn.execute(
            update(panel_candidates)
            .where(panel_candidates.c.panel_id == panel_id, panel_candidates.c.application_id == application_id)
            .values(opinion=opinion, summary=summary)
        )
        return (await _opinions(uow.conn, panel.session_id, application_id))[0]

    answer = await execute(ctx, Metadata(principal.subject), action, answer=PanelOpinionView)
    async with ctx.db.read() as conn:
        session_id = (
            await conn.execute(select(review_panels.c.session_id).where(review_panels.c.panel_id == panel_id))
        ).scalar_one()
        session = await ctx.session(conn, session_id)
        status = await panels_status(conn, session)
    if status.complete:
        try:
            await ctx.temporal.signal(session.workflow_id, "panels_completed")
        except Exception as exc:
            log.warning("cannot signal panels_completed to %s (the workflow re-checks): %s", session.workflow_id, exc)
    return answer


# -- reading -------------------------------------------------------------------------------------------


async def _opinions(
    conn: AsyncConnection, session_id: str, application_id: str | None = None
) -> list[PanelOpinionView]:
    query = (
        select(panel_candidates, candidates.c.applicant_name)
        .join(candidates, candidates.c.application_id == panel_candidates.c.application_id)
        .where(panel_candidates.c.session_id == session_id)
        .order_by(panel_candidates.c.application_id)
    )
    if application_id is not None:
        query = query.where(panel_candidates.c.application_id == application_id)
    return [
        PanelOpinionView(
            panel_id=r.panel_id,
            application_id=r.application_id,
            applicant_name=r.applicant_name,
            defense_required=r.defense_required,
            defense_replaced_by=r.defense_replaced_by,
            attended=r.attended,
            opinion=r.opinion,
            summary=r.summary,
        )
        for r in (await conn.execute(query)).all()
    ]


async def panel_opinions(ctx: ReviewContext, principal: Principal, session_id: str) -> list[PanelOpinionView]:
    """NAT-9's opinions as the committee reads them before it votes: the organising office's secretary
    and the session's experts only (and services)."""
    async with ctx.db.read() as conn:
        session = await ctx.session(conn, session_id)
        committee = await ctx.committee(conn, session.committee_id)
        secretary = principal.has(Role.COMMITTEE_SECRETARY) and principal.org_id == committee.organizing_org_id
        if not (secretary or principal.kind == "service" or principal.subject in session.expert_ids):
            raise not_found("评审会议", "session_not_found", session_id)
        return await _opinions(conn, session_id)


def _slot(row: object) -> DefenseSlotView:
    return DefenseSlotView.model_validate(row, from_attributes=True)


async def my_defenses(
    ctx: ReviewContext, principal: Principal, *, offset: int = 0, limit: int = 500
) -> list[DefenseSlotView]:
    """A panel expert's own schedule: the defenses they judge (not those they are recused from), a
    window of it in time order."""
    require_role(principal, Role.EXPERT)
    query = (
        select(panel_candidates, candidates.c.applicant_name)
        .join(candidates, candidates.c.application_id == panel_candidates.c.application_id)
        .where(
            panel_candidates.c.starts_at.is_not(None),
            panel_candidates.c.judge_ids.contains([principal.subject]),
        )
        .order_by(panel_candidates.c.starts_at, panel_candidates.c.application_id)
        .offset(offset)
        .limit(limit)
    )
    async with ctx.db.read() as conn:
        return [_slot(r) for r in (await conn.execute(query)).all()]


async def defenses_of(ctx: ReviewContext, principal: Principal, application_id: str) -> list[DefenseSlotView]:
    """A candidate's slot: only the applicant of that application or the organising office read it."""
    async with ctx.db.read() as conn:
        candidate = (
            await conn.execute(select(candidates).where(candidates.c.application_id == application_id))
        ).first()
        rows = (
            await conn.execute(
                select(panel_candidates, candidates.c.applicant_name, review_panels.c.organizing_org_id)
                .join(candidates, candidates.c.application_id == panel_candidates.c.application_id)
                .join(review_panels, review_panels.c.panel_id == panel_candidates.c.panel_id)
                .where(panel_candidates.c.application_id == application_id)
                .order_by(panel_candidates.c.starts_at)
            )
        ).all()
    applicant = candidate is not None and principal.subject == candidate.applicant_id
    office = principal.has(Role.COMMITTEE_SECRETARY, Role.TITLE_OFFICE_REVIEW) and any(
        r.organizing_org_id == principal.org_id for r in rows
    )
    if not (applicant or office or principal.kind == "service"):
        raise Forbidden("not_your_defense", "只有申报人本人和组织评审的职改办可以查看该答辩安排。", rule="POL-VD-1")
    return [_slot(r) for r in rows if r.starts_at is not None]
