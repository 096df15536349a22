"""Quota plans: a title office records each unit's quota by year, series, level and pool; a push counts
the applications it adds against them (domain.push.within_quota)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_kernel.auth import Principal
from zhicheng_kernel.envelope import EventEnvelope, Metadata
from zhicheng_kernel.errors import Forbidden, InvalidInput, not_found
from zhicheng_kernel.unit_of_work import UnitOfWork, execute

from ..adapters import tables
from ..adapters.registries import stream_version
from ..context import Context
from ..domain import events as ev
from ..domain.push import COUNTED_POOLS, DEFAULT_POOL, QuotaStanding
from ..domain.rules import series_in_schedule


class QuotaPlan(BaseModel):
    """A unit's quota of one year, series, level and pool, and the pushed applications counted against it."""

    year: int
    org_id: str
    org_name: str
    series: str
    level: str
    pool: str
    quota: int
    used: int
    recorded_by: str
    recorded_at: datetime


class QuotaPlans(BaseModel):
    items: list[QuotaPlan]


def quota_stream(year: int, org_id: str) -> str:
    return f"quota-plan-{year}-{org_id}"


async def _office_over(ctx: Context, conn: AsyncConnection, principal: Principal, org_id: str) -> tuple[str, str]:
    """The unit (its name and path), when the caller's org is a title office whose subtree holds it."""
    o = tables.orgs
    office = (await conn.execute(select(o).where(o.c.id == (principal.org_id or "")))).first()
    if office is None or office.kind != "title_office":
        raise Forbidden("not_title_office", "单位的职称指标由其所在地的职称改革办公室录入。", field="org_id")
    unit = (await conn.execute(select(o).where(o.c.id == org_id))).first()
    if unit is None:
        raise not_found("单位", "org_not_found", org_id, field="org_id")
    if unit.id == office.id or not unit.path.startswith(office.path):
        raise Forbidden("outside_scope", "该单位不在本职改办的管辖范围内，不能录入其职称指标。", field="org_id")
    return unit.name, unit.path


async def record_quota_plan(
    ctx: Context, principal: Principal, year: int, org_id: str, series: str, level: str, pool: str, quota: int
) -> QuotaPlan:
    """QuotaPlanRecorded by the title office over the unit (who may, before anything else); the series
    must be in the year's schedule (SCHED-4)."""
    if pool not in COUNTED_POOLS:
        raise InvalidInput("unknown_quota_pool", "指标类别只能是岗位结构比例或基层单列。", field="pool")
    schedule = await ctx.schedule(year)

    async def act(uow: UnitOfWork) -> QuotaPlan:
        name, _ = await _office_over(ctx, uow.conn, principal, org_id)
        entry = series_in_schedule(schedule, series)
        stream_id = quota_stream(year, org_id)
        event = ev.QuotaPlanRecorded(
            year=year,
            org_id=org_id,
            series=entry.series,
            level=level,
            quota=quota,
            recorded_by=principal.subject,
            pool=pool,
        )
        (stored,) = await uow.append(ev.QUOTA_STREAM, stream_id, await stream_version(uow.conn, stream_id), [event])
        await project(uow.conn, stored)
        used = await _used(uow.conn, year, org_id, entry.series, level, pool)
        return QuotaPlan(**event.model_dump(), org_name=name, used=used, recorded_at=stored.occurred_at)

    return await execute(ctx, Metadata(actor=principal.subject), act, answer=QuotaPlan)


async def project(conn: AsyncConnection, stored: EventEnvelope) -> None:
    p = stored.payload
    values = {
        "year": p["year"],
        "org_id": p["org_id"],
        "series": p["series"],
        "level": p["level"],
        "pool": p.get("pool") or DEFAULT_POOL,
        "quota": p["quota"],
        "recorded_by": p["recorded_by"],
        "recorded_at": stored.occurred_at,
    }
    statement = insert(tables.quota_plans).values(**values)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=["year", "org_id", "series", "level", "pool"],
            set_={k: statement.excluded[k] for k in ("quota", "recorded_by", "recorded_at")},
        )
    )


def _pool_of_application() -> ColumnElement[str]:
    a = tables.applications
    return func.coalesce(a.c.eligibility["quota_pool"]["pool"].astext, DEFAULT_POOL)


async def _used(conn: AsyncConnection, year: int, org_id: str, series: str, level: str, pool: str) -> int:
    """The unit's pushed applications of that year, series and level in that pool."""
    a = tables.applications
    query = select(func.count()).where(
        a.c.org_id == org_id,
        a.c.year == year,
        a.c.series == series,
        a.c.level == level,
        a.c.push_id.is_not(None),
        _pool_of_application() == pool,
    )
    return int((await conn.execute(query)).scalar_one())


async def standings(
    conn: AsyncConnection, year: int, series: str, level: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], QuotaStanding]:
    """The recorded quotas of the (unit, pool) pairs a push touches, locked until the push commits (two
    pushes for one unit count one after the other), with what earlier pushes already used."""
    counted = {(org_id, pool) for org_id, pool in keys if pool in COUNTED_POOLS}
    if not counted:
        return {}
    q = tables.quota_plans
    rows = await conn.execute(
        select(q)
        .where(q.c.year == year, q.c.series == series, q.c.level == level, q.c.org_id.in_({o for o, _ in counted}))
        .order_by(q.c.org_id, q.c.pool)
        .with_for_update()
    )
    out: dict[tuple[str, str], QuotaStanding] = {}
    for row in rows:
        if (row.org_id, row.pool) in counted:
            used = await _used(conn, year, row.org_id, series, level, row.pool)
            out[(row.org_id, row.pool)] = QuotaStanding(row.quota, used)
    return out


async def quota_plans(ctx: Context, principal: Principal, year: int) -> QuotaPlans:
    """The year's plans of the units in the caller's subtree, with what pushes used of each."""
    q, o, a = tables.quota_plans, tables.orgs, tables.applications
    used = (
        select(func.count())
        .where(
            a.c.org_id == q.c.org_id,
            a.c.year == q.c.year,
            a.c.series == q.c.series,
            a.c.level == q.c.level,
            a.c.push_id.is_not(None),
            _pool_of_application() == q.c.pool,
        )
        .scalar_subquery()
    )
    query = (
        select(q, o.c.name.label("org_name"), used.label("used"))
        .join(o, and_(o.c.id == q.c.org_id))
        .where(q.c.year == year, o.c.path.startswith(principal.org_path or "\x00"))
        .order_by(o.c.path, q.c.series, q.c.level, q.c.pool)
    )
    async with ctx.db.read() as conn:
        rows = (await conn.execute(query)).all()
    return QuotaPlans(items=[QuotaPlan(**r._mapping) for r in rows])
