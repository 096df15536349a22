"""The expert pool (专家库): title offices appoint registered experts for terms (NAT-6) and see who
expires when; an expert sees their own term."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal, require_role
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.errors import Forbidden, InvalidInput, not_found
from zhicheng_kernel.roles import Role
from zhicheng_kernel.unit_of_work import Idempotency, UnitOfWork, execute

from ..adapters.tables import expert_pool, experts, organizations
from ..context import ReviewContext
from ..domain.events import ExpertAppointed
from ..domain.pool import PoolMember, appoint
from .views import PoolExpertView, PoolPage

OFFICE_ROLES = (Role.COMMITTEE_SECRETARY, Role.TITLE_OFFICE_REVIEW)


async def _office_of(conn: AsyncConnection, principal: Principal) -> Row[tuple[object, ...]]:
    """The caller's title office: a secretary or reviewer of an organization whose kind is title_office."""
    require_role(principal, *OFFICE_ROLES)
    org = (await conn.execute(select(organizations).where(organizations.c.org_id == principal.org_id))).first()
    if org is None or org.kind != "title_office":
        raise Forbidden("not_title_office", "专家库只能由职称改革工作办公室（职改办）管理和查看。")
    return org


async def appoint_expert(
    ctx: ReviewContext,
    principal: Principal,
    idempotent: Idempotency | None,
    *,
    account_id: str,
    specialty: str,
    employer_org_id: str,
    term_starts_on: date,
    term_ends_on: date,
) -> PoolExpertView:
    """ExpertAppointed for a registered expert (series and level: org-service's) with an employer
    review-service knows that is not a title office; the term is NAT-6's (domain.pool.appoint)."""

    async def action(uow: UnitOfWork) -> PoolExpertView:
        conn = uow.conn
        office = await _office_of(conn, principal)
        expert = (await conn.execute(select(experts).where(experts.c.account_id == account_id))).first()
        if expert is None:
            raise InvalidInput("not_registered_expert", "该账号不是已注册的评审专家，不能入库。", field="account_id")
        employer = (await conn.execute(select(organizations).where(organizations.c.org_id == employer_org_id))).first()
        if employer is None:
            raise InvalidInput("unknown_employer", "工作单位不存在。", field="employer_org_id")
        if employer.kind == "title_office":
            raise InvalidInput(
                "employer_is_title_office", "专家的工作单位不能是职称改革工作办公室。", field="employer_org_id"
            )
        stream = await uow.load(account_id)
        member = PoolMember.from_events(account_id, stream.events)
        appointed = appoint(
            member,
            organizing_org_id=str(office.org_id),
            series=list(expert.series),
            specialty=specialty,
            title_level=expert.title_level,
            employer_org_id=employer_org_id,
            term_starts_on=term_starts_on,
            term_ends_on=term_ends_on,
        )
        await uow.append(appointed.stream_type, account_id, stream.version, [appointed])
        await conn.execute(expert_pool.insert().values(**_row(appointed)))
        today = china_today(ctx.clock.now())
        return _view(appointed, expert.display_name, employer.name, today)

    return await execute(ctx, Metadata(principal.subject), action, answer=PoolExpertView, idempotent=idempotent)


def _row(appointed: ExpertAppointed) -> dict[str, object]:
    return appointed.model_dump(mode="python")


def _view(appointed: ExpertAppointed, display_name: str, employer_name: str, today: date) -> PoolExpertView:
    return PoolExpertView(
        **appointed.model_dump(mode="python"),
        display_name=display_name,
        employer_name=employer_name,
        days_left=(appointed.term_ends_on - today).days + 1,
    )


def _query() -> Select[Any]:
    employer = organizations.alias("employer")
    return (
        select(expert_pool, experts.c.display_name, employer.c.name.label("employer_name"))
        .join(experts, experts.c.account_id == expert_pool.c.account_id, isouter=True)
        .join(employer, employer.c.org_id == expert_pool.c.employer_org_id, isouter=True)
    )


def _views(rows: list[Row[tuple[object, ...]]], today: date) -> list[PoolExpertView]:
    return [
        PoolExpertView(
            account_id=r.account_id,
            display_name=r.display_name or "",
            organizing_org_id=r.organizing_org_id,
            series=list(r.series),
            specialty=r.specialty,
            title_level=r.title_level,
            employer_org_id=r.employer_org_id,
            employer_name=r.employer_name or "",
            term_starts_on=r.term_starts_on,
            term_ends_on=r.term_ends_on,
            days_left=(r.term_ends_on - today).days + 1,
        )
        for r in rows
    ]


async def pool_of(
    ctx: ReviewContext,
    principal: Principal,
    *,
    expiring_within_days: int | None,
    series: str | None,
    level: str | None = None,
    specialty: str | None = None,
    status: str | None = None,
    account_ids: list[str] | None = None,
    offset: int = 0,
    limit: int = 20,
) -> PoolPage:
    """NAT-6: the office's experts whose term has not ended, expiring soonest first (the city office
    sees every office's), a page of them; `expiring_within_days` keeps those whose term ends within
    that many days, `status` those whose term runs today (`running`) or has not begun (`upcoming`),
    `account_ids` the experts named (a page's names)."""
    today = china_today(ctx.clock.now())
    async with ctx.db.read() as conn:
        office = await _office_of(conn, principal)
        query = _query().where(expert_pool.c.term_ends_on >= today)
        if office.level != "city":
            query = query.where(expert_pool.c.organizing_org_id == office.org_id)
        if expiring_within_days is not None:
            query = query.where(expert_pool.c.term_ends_on <= today + timedelta(days=expiring_within_days))
        if series:
            query = query.where(expert_pool.c.series.contains([series]))
        if level:
            query = query.where(expert_pool.c.title_level == level)
        if specialty:
            query = query.where(expert_pool.c.specialty == specialty)
        if status == "running":
            query = query.where(expert_pool.c.term_starts_on <= today)
        elif status == "upcoming":
            query = query.where(expert_pool.c.term_starts_on > today)
        if account_ids:
            query = query.where(expert_pool.c.account_id.in_(account_ids))
        total = int((await conn.execute(select(func.count()).select_from(query.subquery()))).scalar_one())
        rows = (
            await conn.execute(
                query.order_by(expert_pool.c.term_ends_on, expert_pool.c.account_id, expert_pool.c.term_starts_on)
                .offset(offset)
                .limit(limit)
            )
        ).all()
    return PoolPage(items=_views(list(rows), today), total=total, offset=offset, limit=limit)


async def my_term(ctx: ReviewContext, principal: Principal) -> PoolExpertView:
    """The calling expert's own term: the one running today, else the next, else the last one."""
    require_role(principal, Role.EXPERT)
    today = china_today(ctx.clock.now())
    async with ctx.db.read() as conn:
        rows = (
            await conn.execute(
                _query().where(expert_pool.c.account_id == principal.subject).order_by(expert_pool.c.term_starts_on)
            )
        ).all()
    terms = _views(list(rows), today)
    if not terms:
        raise not_found("专家库聘期", "not_in_pool", principal.subject)
    running = [t for t in terms if t.term_starts_on <= today <= t.term_ends_on]
    upcoming = [t for t in terms if t.term_starts_on > today]
    return (running or upcoming or terms[-1:])[0]
