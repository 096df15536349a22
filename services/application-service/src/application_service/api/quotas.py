"""Quota plans (POL-EX-1's post structure ratio, POL-GR-1's grassroots separate total): the title office
records each unit's quota by year, series and level; pushes respect it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import Field
from zhicheng_kernel.auth import CurrentPrincipal, require_role
from zhicheng_kernel.roles import Role

from ..service_layer import quotas as use
from ..service_layer.quotas import QuotaPlan, QuotaPlans
from .applications import REVIEWING_ROLES
from .deps import ContextDep, Ident
from .schemas import Level, Strict

router = APIRouter(prefix="/api/v1/quota-plans", tags=["职称指标"])
Year = Annotated[int, Path(ge=2000, le=2100)]


class QuotaPlanIn(Strict):
    quota: int = Field(ge=0, le=100_000, description="该单位该年度该系列、级别的指标数")
    pool: Literal["structure_ratio", "grassroots_separate"] = Field(
        default="structure_ratio", description="岗位结构比例指标，或基层高级岗位单列指标（POL-GR-1）"
    )


@router.put(
    "/{year}/{org_id}/{series}/{level}",
    response_model=QuotaPlan,
    summary="职改办录入所辖单位某年度某系列、级别的职称指标（重复录入即修改）",
)
async def record(
    year: Year,
    org_id: Ident,
    series: Annotated[str, Path(min_length=1, max_length=100)],
    level: Level,
    body: QuotaPlanIn,
    principal: CurrentPrincipal,
    ctx: ContextDep,
) -> QuotaPlan:
    """By `title_office_review` at a title office whose subtree holds the unit; 403 for anyone else."""
    require_role(principal, Role.TITLE_OFFICE_REVIEW)
    return await use.record_quota_plan(ctx, principal, year, org_id, series, level, body.pool, body.quota)


@router.get("/{year}", response_model=QuotaPlans, summary="某年度所辖单位的职称指标及已推送占用数")
async def read(year: Year, principal: CurrentPrincipal, ctx: ContextDep) -> QuotaPlans:
    require_role(principal, *REVIEWING_ROLES)
    return await use.quota_plans(ctx, principal, year)
