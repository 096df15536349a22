"""The list of push batches (SCHED-1): the batches pushed within the caller's organization subtree, by
year, series, level and pushing office, paged on the server, each with where its provincial filing is
(POL-FI-1). The offices' page of batches downloads each one's 花名册 and 综合情况一览表 from it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from zhicheng_kernel.auth import CurrentPrincipal, require_role
from zhicheng_kernel.errors import Forbidden
from zhicheng_kernel.inputs import LimitQuery, OffsetQuery, OptionalYearQuery

from ..adapters import tables
from ..domain.filing import pending
from ..domain.schedule import normalise_series
from .deps import ContextDep
from .office import STATS_READERS, LevelQuery, SeriesQuery, UnitQuery

router = APIRouter(prefix="/api/v1/pushes", tags=["推送"])


class PushBatch(BaseModel):
    """One push batch as a row of the list shows it."""

    id: str
    year: int
    series: str
    level: str
    office_org_id: str
    office_name: str = Field(description="推送单位（县区职改办或市直有关部门）")
    application_count: int
    pushed_by: str
    created_at: str
    filing_status: str | None = Field(description="报省审核：delivering、waiting_for_province、done；尚未开始时为空")
    filing_pending: int = Field(description="待省职改办审核的申报数")
    filing_returned: int = Field(description="省职改办退回的申报数")


class PushPage(BaseModel):
    items: list[PushBatch]
    total: int
    limit: int
    offset: int


@router.get(
    "",
    response_model=PushPage,
    summary="本单位及下级单位的推送批次：按年度、系列、级别、推送单位筛选，服务器分页，新推送的在前",
)
async def list_pushes(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    year: OptionalYearQuery = None,
    series: SeriesQuery = None,
    level: LevelQuery = None,
    org: UnitQuery = None,
    limit: LimitQuery = 20,
    offset: OffsetQuery = 0,
) -> PushPage:
    """The title offices, the departments that push and the auditors; only batches whose pushing office
    lies in the caller's subtree (`org` narrows to one office and those under it)."""
    require_role(principal, *STATS_READERS)
    if not principal.org_path:
        raise Forbidden("outside_scope", "当前账号未关联单位，无权查看推送批次。")
    p, o, f = tables.pushes, tables.orgs, tables.filings
    conditions: list[Any] = [o.c.path.startswith(principal.org_path, autoescape=True)]
    if year:
        conditions.append(p.c.year == year)
    if series:
        conditions.append(p.c.series == normalise_series(series))
    if level:
        conditions.append(p.c.level == level)
    if org:
        conditions.append(o.c.path.contains(f"/{org}/", autoescape=True))
    joined = p.join(o, o.c.id == p.c.office_org_id)
    query = (
        select(
            p,
            o.c.name.label("office_name"),
            f.c.status.label("filing_status"),
            f.c.verdicts.label("verdicts"),
        )
        .select_from(joined.outerjoin(f, f.c.push_id == p.c.id))
        .where(*conditions)
        .order_by(p.c.created_at.desc(), p.c.id)
        .limit(limit)
        .offset(offset)
    )
    async with ctx.db.read() as conn:
        total = (await conn.execute(select(func.count()).select_from(joined).where(*conditions))).scalar_one()
        rows = (await conn.execute(query)).all()
    items = []
    for r in rows:
        ids = list(r.application_ids)
        verdicts: dict[str, Any] = r.verdicts or {}
        returned = sum(1 for a in ids if (verdicts.get(a) or {}).get("verdict") == "returned")
        items.append(
            PushBatch(
                id=r.id,
                year=r.year,
                series=r.series,
                level=r.level,
                office_org_id=r.office_org_id,
                office_name=r.office_name,
                application_count=len(ids),
                pushed_by=r.pushed_by,
                created_at=r.created_at.isoformat(),
                filing_status=r.filing_status,
                filing_pending=len(pending(ids, verdicts)) if r.filing_status else 0,
                filing_returned=returned,
            )
        )
    return PushPage(items=items, total=total, limit=limit, offset=offset)
