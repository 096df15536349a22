"""Forming a committee (NAT-6) and opening its sessions."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import select, update
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.envelope import Metadata, NewEvent
from zhicheng_kernel.errors import Forbidden
from zhicheng_kernel.roles import Role

from ..adapters.tables import candidates, committees, experts, organizations, sessions
from ..domain import events as ev
from ..domain.committee import TITLE_LEVELS, Committee, form_committee
from ..domain.errors import ReviewError
from .context import ReviewContext

log = logging.getLogger(__name__)


def require_secretary_of(principal: Principal, committee: Committee) -> None:
    """The committee's secretary: role committee_secretary in the committee's organizing unit."""
    require_role(principal, Role.COMMITTEE_SECRETARY)
    if principal.org_id != committee.organizing_org_id:
        raise Forbidden("not_organizing_unit", "只有该评审委员会组建单位的评委会秘书可以办理。")


async def form(
    ctx: ReviewContext,
    principal: Principal,
    *,
    name: str,
    series: str,
    level: str,
    expert_ids: list[str],
    specialty: str | None,
) -> Committee:
    require_role(principal, Role.COMMITTEE_SECRETARY)
    if level not in TITLE_LEVELS:
        raise ReviewError("invalid_level", "职称层级不正确。", "level")
    committee_id = str(uuid.uuid4())
    async with ctx.db.transaction() as conn:
        org = (await conn.execute(select(organizations).where(organizations.c.org_id == principal.org_id))).first()
        if org is None or org.kind != "title_office":
            raise Forbidden("not_title_office", "评审委员会只能由职称改革工作办公室（职改办）组建。")
        known = set(
            (await conn.execute(select(experts.c.account_id).where(experts.c.account_id.in_(expert_ids)))).scalars()
        )
        unknown = [e for e in expert_ids if e not in known]
        if unknown:
            raise ReviewError("unknown_experts", f"以下人员不在专家库中：{'、'.join(unknown)}。", "expert_ids")
        event = form_committee(
            committee_id,
            name=name,
            series=series,
            level=level,
            organizing_org_id=str(principal.org_id),
            expert_ids=expert_ids,
            specialty=specialty,
            size_rule=ctx.settings.committee_size_rule,
        )
        await ctx.store.append(conn, ev.COMMITTEE, committee_id, 0, [event], Metadata(actor=principal.subject))
        p = event.payload
        await conn.execute(
            committees.insert().values(
                committee_id=committee_id,
                name=p["name"],
                series=p["series"],
                level=p["level"],
                organizing_org_id=p["organizing_org_id"],
                expert_ids=p["expert_ids"],
            )
        )
        return await ctx.committee(conn, committee_id)


async def open_session(
    ctx: ReviewContext,
    principal: Principal,
    committee_id: str,
    *,
    year: int,
    publicity_seconds: int | None,
    publicity_working_days: int,
    complaint_investigation_seconds: int,
) -> dict[str, Any]:
    """Take every pushed, unassigned candidate of the committee's series, level and year into a new session."""
    if publicity_seconds is not None and ctx.settings.environment == "production":
        raise ReviewError(
            "publicity_seconds_not_allowed", "正式环境的公示期须按工作日计算（NAT-3）。", "publicity_seconds"
        )
    session_id = str(uuid.uuid4())
    workflow_id = f"committee-session-{session_id}"
    async with ctx.db.transaction() as conn:
        committee = await ctx.committee(conn, committee_id)
        require_secretary_of(principal, committee)
        rows = (
            await conn.execute(
                select(candidates.c.application_id)
                .where(
                    candidates.c.status == "pushed",
                    candidates.c.session_id.is_(None),
                    candidates.c.series == committee.series,
                    candidates.c.level == committee.level,
                    candidates.c.year == year,
                )
                .order_by(candidates.c.application_id)
                .with_for_update()
            )
        ).scalars()
        application_ids = list(rows)
        if not application_ids:
            raise ReviewError("no_candidates", "没有待评审的已推送申报，不能召开评审会议。")
        event_payload = {
            "session_id": session_id,
            "committee_id": committee_id,
            "year": year,
            "series": committee.series,
            "level": committee.level,
            "application_ids": application_ids,
            "expert_ids": list(committee.expert_ids),
            "workflow_id": workflow_id,
        }
        await ctx.store.append(
            conn, ev.SESSION, session_id, 0, [NewEvent(ev.SESSION_OPENED, event_payload)], Metadata(principal.subject)
        )
        await conn.execute(
            update(candidates)
            .where(candidates.c.application_id.in_(application_ids))
            .values(status="in_session", session_id=session_id)
        )
        workflow_input = {
            "session_id": session_id,
            "year": year,
            "series": committee.series,
            "publicity_seconds": publicity_seconds,
            "publicity_working_days": publicity_working_days,
            "complaint_investigation_seconds": complaint_investigation_seconds,
        }
        await conn.execute(
            sessions.insert().values(
                session_id=session_id,
                committee_id=committee_id,
                workflow_id=workflow_id,
                year=year,
                series=committee.series,
                workflow_input=workflow_input,
                workflow_started=False,
            )
        )
    await start_workflow(ctx, session_id, workflow_id, workflow_input)
    return {"session_id": session_id, "workflow_id": workflow_id, "application_ids": application_ids}


async def start_workflow(ctx: ReviewContext, session_id: str, workflow_id: str, workflow_input: dict[str, Any]) -> bool:
    """Start the session's workflow; if Temporal is unreachable the background starter tries again."""
    try:
        await ctx.temporal.start_session(workflow_id, workflow_input)
    except Exception as exc:
        log.warning("cannot start workflow %s yet (%s); will retry", workflow_id, exc)
        return False
    async with ctx.db.transaction() as conn:
        await conn.execute(update(sessions).where(sessions.c.session_id == session_id).values(workflow_started=True))
    return True


async def start_pending_workflows(ctx: ReviewContext) -> int:
    async with ctx.db.read() as conn:
        pending = (await conn.execute(select(sessions).where(sessions.c.workflow_started.is_(False)))).all()
    started = 0
    for row in pending:
        started += await start_workflow(ctx, row.session_id, row.workflow_id, dict(row.workflow_input))
    return started
