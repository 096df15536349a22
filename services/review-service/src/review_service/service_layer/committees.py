"""Forming a committee and opening its sessions (each session runs as a Temporal workflow)."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.calendar import CHINA_TZ, china_today, end_of_day
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Forbidden, InvalidInput
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute
from zhicheng_kernel.workflow_starts import request_start, start_pending

from ..adapters.tables import (
    candidates,
    committees,
    experts,
    organizations,
    session_sittings,
    sessions,
    workflow_starts,
)
from ..context import ReviewContext
from ..domain.committee import Committee, form_committee
from ..domain.draw import Draw, draw, new_seed, same_employer_recusals
from ..domain.events import CommitteeSessionOpened, ExpertsDrawn
from ..domain.rules import (
    check_publicity_length,
    check_review_year_open,
    check_sitting_size,
    filing_approved_candidates,
)
from ..domain.session import workflow_id_for
from ..domain.year import is_bound
from .pool_queries import pool_experts
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
        filed_on=committee.filed_on,
        filing_expires_on=committee.filing_expires_on,
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
    filing_expires_on: date | None = None,
) -> CommitteeView:
    """NAT-6: every member is in the expert pool with a term running today; the committee is filed
    today (Asia/Shanghai) until `filing_expires_on` (at most 3 years less a day, the default)."""
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
        today = china_today(ctx.clock.now())
        in_term = {e.account_id for e in await pool_experts(conn, on=today, account_ids=list(expert_ids))}
        outside = list(dict.fromkeys(e for e in expert_ids if e not in in_term))
        if outside:
            raise InvalidInput(
                "not_in_pool_term",
                f"以下专家不在专家库或聘期未在进行中（NAT-6）：{'、'.join(outside)}。",
                field="expert_ids",
                rule="NAT-6",
                extra={"expert_ids": outside},
            )
        formed = form_committee(
            committee_id,
            name=name,
            series=series,
            level=level,
            organizing_org_id=str(principal.org_id),
            expert_ids=expert_ids,
            specialty=specialty,
            size_rule=ctx.settings.committee_size_rule,
            filed_on=today,
            filing_expires_on=filing_expires_on,
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
    sitting: int | None = None,
    reserves: int = 0,
    meeting_starts_at: datetime | None = None,
    meeting_ends_at: datetime | None = None,
) -> SessionOpenedView:
    """Take the pushed, unassigned candidates of the committee's series, level and year that the
    province approved (POL-FI-1; all of them, or those the secretary names) into a new session whose
    sitting experts and reserves are drawn from the committee's members (NAT-4, `draw_experts`), then
    start its workflow (or leave it to the background starter). A committee whose filing lapsed opens
    none (NAT-6)."""
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
    starts_at, ends_at = meeting_window(ctx.clock.now(), meeting_starts_at, meeting_ends_at)

    async def action(uow: UnitOfWork) -> SessionOpenedView:
        conn = uow.conn
        committee = await ctx.committee(conn, committee_id)
        require_secretary_of(principal, committee)
        committee.check_may_open(china_today(ctx.clock.now()))
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
        drawn = await draw_experts(
            conn, session_id, committee, taken, sitting=sitting, reserves=reserves, starts_at=starts_at, ends_at=ends_at
        )
        opened = CommitteeSessionOpened(
            session_id=session_id,
            committee_id=committee_id,
            year=year,
            series=committee.series,
            level=committee.level,
            application_ids=taken,
            expert_ids=list(drawn.sitting_expert_ids),
            workflow_id=workflow_id,
            complaint_investigation_seconds=complaint_investigation_seconds,
        )
        await uow.append(opened.stream_type, session_id, 0, [opened, drawn])
        await conn.execute(
            session_sittings.insert(),
            [
                {"session_id": session_id, "expert_id": e, "meeting_starts_at": starts_at, "meeting_ends_at": ends_at}
                for e in [*drawn.sitting_expert_ids, *drawn.reserve_expert_ids]
            ],
        )
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
        return SessionOpenedView(
            session_id=session_id,
            workflow_id=workflow_id,
            application_ids=taken,
            sitting=len(drawn.sitting_expert_ids),
            reserves=len(drawn.reserve_expert_ids),
        )

    opened = await execute(ctx, Metadata(principal.subject), action, answer=SessionOpenedView, idempotent=idempotent)
    # A retried command gets the first answer: its workflow may still need starting (else the background starter).
    await start_pending(ctx.db, workflow_starts, ctx.temporal, opened.workflow_id)
    return opened


MAX_MEETING = timedelta(days=7)


def meeting_window(now: datetime, starts_at: datetime | None, ends_at: datetime | None) -> tuple[datetime, datetime]:
    """When the session meets: by default the opening day, 00:00 to 24:00 Asia/Shanghai; at most 7 days."""
    day = china_today(starts_at or now)
    starts = starts_at or datetime.combine(day, time(0), tzinfo=CHINA_TZ)
    ends = ends_at or end_of_day(day)
    if ends <= starts or ends - starts > MAX_MEETING:
        raise InvalidInput(
            "invalid_meeting_window",
            "会议结束时间须晚于开始时间，且会期不超过 7 天。",
            field="meeting_ends_at",
        )
    return starts, ends


async def draw_experts(
    conn: AsyncConnection,
    session_id: str,
    committee: Committee,
    application_ids: list[str],
    *,
    sitting: int | None,
    reserves: int,
    starts_at: datetime,
    ends_at: datetime,
) -> ExpertsDrawn:
    """NAT-4: the candidates are the committee's members whose NAT-6 term runs on every meeting day
    and who sit in no other open session meeting at an overlapping time; `sitting` (odd; default every
    candidate, less one when even, after the reserves) and `reserves` are drawn from a fresh seed, and
    the drawn experts of a candidate's employer are recused from that candidate."""
    members = list(committee.expert_ids)
    # Two sessions opening at once must not both draw one expert: lock each member until commit.
    for expert_id in sorted(members):
        await conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"sitting:{expert_id}"))))
    first_day, last_day = china_today(starts_at), china_today(ends_at - timedelta(microseconds=1))
    on_first = {e.account_id: e for e in await pool_experts(conn, on=first_day, account_ids=members)}
    on_last = {e.account_id for e in await pool_experts(conn, on=last_day, account_ids=members)}
    busy = set(
        (
            await conn.execute(
                select(session_sittings.c.expert_id).where(
                    session_sittings.c.expert_id.in_(members),
                    session_sittings.c.session_id != session_id,
                    session_sittings.c.meeting_starts_at < ends_at,
                    session_sittings.c.meeting_ends_at > starts_at,
                )
            )
        ).scalars()
    )
    excluded: dict[str, str] = {}
    for expert_id in members:
        if expert_id not in on_first or expert_id not in on_last:
            excluded[expert_id] = "专家库聘期未覆盖会议日期（NAT-6）"
        elif expert_id in busy:
            excluded[expert_id] = "同一时间已在其他评审会议（NAT-4）"
    available = [e for e in members if e not in excluded]
    if sitting is None:
        most = max(len(available) - reserves, 1)
        sitting = most if most % 2 else most - 1
    check_sitting_size(sitting, reserves)
    result: Draw = draw(new_seed(), available, sitting, reserves)
    rows = await conn.execute(
        select(candidates.c.application_id, candidates.c.org_id).where(candidates.c.application_id.in_(application_ids))
    )
    employers = {r.application_id: r.org_id for r in rows}
    drawn = [*result.sitting, *result.reserves]
    recusals = same_employer_recusals({e: on_first[e].employer_org_id for e in drawn}, employers)
    return ExpertsDrawn(
        session_id=session_id,
        seed=result.seed,
        candidates=list(result.candidates),
        excluded=excluded,
        sitting_expert_ids=list(result.sitting),
        reserve_expert_ids=list(result.reserves),
        recusals=recusals,
        meeting_starts_at=starts_at,
        meeting_ends_at=ends_at,
    )
