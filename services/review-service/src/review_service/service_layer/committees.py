"""Forming a committee and opening its sessions (each session runs as a Temporal workflow)."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import select, update
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Forbidden, InvalidInput
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute
from zhicheng_kernel.workflow_starts import request_start, start_pending

from ..adapters.tables import candidates, committees, experts, organizations, sessions, workflow_starts
from ..context import ReviewContext
from ..domain.committee import Committee, form_committee
from ..domain.events import CommitteeSessionOpened
from ..domain.rules import check_publicity_length, check_review_year_open, filing_approved_candidates
from ..domain.session import workflow_id_for
from ..domain.year import is_bound
from .review_years import request_review_year
from .views import CommitteeView, SessionOpenedView

log = logging.getLogger(__name__)

# The committee session's workflow, started by name (zhicheng_workflows.committee_session).
SESSION_WORKFLOW = "CommitteeSessionWorkflow"


def require_secretary_of(principal: Principal, committee: Committee) -> None:
    """The committee's secretary: role committee_secretary in the committee's organizing unit."""
    require_role(principal, Role.COMMITTEE_SECRETARY)
    if principal.org_id != committee.organizing_org_id:
        raise Forbidden("not_organizing_unit", "只有该评审委员会组建单位的评委会秘书可以办理。")


def committee_view(committee: Committee, *, with_experts: bool) -> CommitteeView:
    view = CommitteeView(
        committee_id=committee.committee_id,
        name=committee.name,
        series=committee.series,
        level=committee.level,
        organizing_org_id=committee.organizing_org_id,
        size=len(committee.expert_ids),
    )
    if with_experts:
        view.expert_ids = list(committee.expert_ids)
    return view


async def form(
    ctx: ReviewContext,
    principal: Principal,
    idempotent: Idempotency | None,
    *,
    name: str,
    series: str,
    level: str,
    expert_ids: list[str],
    specialty: str | None,
) -> CommitteeView:
    require_role(principal, Role.COMMITTEE_SECRETARY)
    committee_id = str(uuid.uuid4())

    async def action(uow: UnitOfWork) -> CommitteeView:
        conn = uow.conn
        org = (await conn.execute(select(organizations).where(organizations.c.org_id == principal.org_id))).first()
        if org is None or org.kind != "title_office":
            raise Forbidden("not_title_office", "评审委员会只能由职称改革工作办公室（职改办）组建。")
        known = set(
            (await conn.execute(select(experts.c.account_id).where(experts.c.account_id.in_(expert_ids)))).scalars()
        )
        unknown = [e for e in expert_ids if e not in known]
        if unknown:
            raise InvalidInput("unknown_experts", f"以下人员不在专家库中：{'、'.join(unknown)}。", field="expert_ids")
        formed = form_committee(
            committee_id,
            name=name,
            series=series,
            level=level,
            organizing_org_id=str(principal.org_id),
            expert_ids=expert_ids,
            specialty=specialty,
            size_rule=ctx.settings.committee_size_rule,
        )
        written = await uow.append(formed.stream_type, committee_id, 0, [formed])
        await conn.execute(
            committees.insert().values(
                committee_id=committee_id,
                name=formed.name,
                series=formed.series,
                level=formed.level,
                organizing_org_id=formed.organizing_org_id,
                expert_ids=formed.expert_ids,
            )
        )
        committee = Committee.from_events(written)
        assert committee is not None
        return committee_view(committee, with_experts=True)

    return await execute(ctx, Metadata(principal.subject), action, answer=CommitteeView, idempotent=idempotent)


async def open_session(
    ctx: ReviewContext,
    principal: Principal,
    idempotent: Idempotency | None,
    committee_id: str,
    *,
    year: int,
    publicity_seconds: int | None,
    publicity_working_days: int,
    complaint_investigation_seconds: int | None,
    application_ids: list[str] | None = None,
) -> SessionOpenedView:
    """Take the pushed, unassigned candidates of the committee's series, level and year that the
    province approved (POL-FI-1; all of them, or those the secretary names) into a new session, then
    start its workflow (or leave it to the background starter)."""
    if publicity_seconds is not None and ctx.settings.environment == "production":
        raise InvalidInput(
            "publicity_seconds_not_allowed",
            "正式环境的公示期须按工作日计算。",
            field="publicity_seconds",
            rule="NAT-3",
        )
    if publicity_seconds is None:
        check_publicity_length(publicity_working_days)
    if complaint_investigation_seconds is not None and ctx.settings.environment == "production":
        raise InvalidInput(
            "investigation_period_not_allowed",
            "正式环境的投诉调查期限固定为自投诉受理之日起 1 个月，不能按会议设置。",
            field="complaint_investigation_seconds",
            rule="POL-PB-1",
        )
    session_id = str(uuid.uuid4())
    workflow_id = workflow_id_for(session_id)

    async def action(uow: UnitOfWork) -> SessionOpenedView:
        conn = uow.conn
        committee = await ctx.committee(conn, committee_id)
        require_secretary_of(principal, committee)
        check_review_year_open(
            year,
            committee.level,
            ctx.clock.now(),
            "召开该年度的评审会议",
            deadline=ctx.settings.review_year_deadline_override,
        )
        rows = await conn.execute(
            select(candidates.c.application_id, candidates.c.filing)
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
        taken = filing_approved_candidates({r.application_id: r.filing for r in rows}, application_ids)
        opened = CommitteeSessionOpened(
            session_id=session_id,
            committee_id=committee_id,
            year=year,
            series=committee.series,
            level=committee.level,
            application_ids=taken,
            expert_ids=list(committee.expert_ids),
            workflow_id=workflow_id,
            complaint_investigation_seconds=complaint_investigation_seconds,
        )
        await uow.append(opened.stream_type, session_id, 0, [opened])
        await conn.execute(
            update(candidates)
            .where(candidates.c.application_id.in_(taken))
            .values(status="in_session", session_id=session_id)
        )
        workflow_input = {
            "session_id": session_id,
            "year": year,
            "series": committee.series,
            "publicity_seconds": publicity_seconds,
            "publicity_working_days": publicity_working_days,
        }
        await conn.execute(
            sessions.insert().values(
                session_id=session_id,
                committee_id=committee_id,
                workflow_id=workflow_id,
                year=year,
                series=committee.series,
            )
        )
        attributes: dict[str, int | str] = {
            "ZcYear": year,
            "ZcSeries": committee.series,
            "ZcStatus": "voting",
            "ZcOffice": committee.organizing_org_id,
        }
        await request_start(conn, workflow_starts, SESSION_WORKFLOW, workflow_id, workflow_input, attributes)
        if is_bound(committee.level):  # SCHED-3: the year's workflow follows its intermediate and senior sessions
            await request_review_year(conn, ctx, year)
        return SessionOpenedView(session_id=session_id, workflow_id=workflow_id, application_ids=taken)

    opened = await execute(ctx, Metadata(principal.subject), action, answer=SessionOpenedView, idempotent=idempotent)
    # A retried command gets the first answer: its workflow may still need starting (else the background starter).
    await start_pending(ctx.db, workflow_starts, ctx.temporal, opened.workflow_id)
    return opened
