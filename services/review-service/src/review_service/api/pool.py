"""专家库: title offices appoint experts for terms (NAT-6) and see who expires when."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.titles import TitleLevel
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..service_layer import pool
from ..service_layer.views import PoolExpertView, PoolPage
from .deps import ContextDep
from .listings import Ident, Limit, Offset
from .schemas import AppointExpert

router = APIRouter(prefix="/api/v1/expert-pool", tags=["专家库"])

IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]


@router.post("", status_code=201, response_model=PoolExpertView, summary="专家入库（聘期最长 3 年，NAT-6）")
async def appoint_expert(
    body: AppointExpert, principal: CurrentPrincipal, ctx: ContextDep, idem: IdempotencyDep
) -> PoolExpertView:
    return await pool.appoint_expert(
        ctx,
        principal,
        idem,
        account_id=body.account_id,
        specialty=body.specialty,
        employer_org_id=body.employer_org_id,
        term_starts_on=body.term_starts_on,
        term_ends_on=body.term_ends_on,
    )


@router.get("", response_model=PoolPage, summary="专家库（按聘期届满先后分页，仅职改办可见）")
async def list_pool(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    expiring_within_days: Annotated[int | None, Query(ge=0, le=3660)] = None,
    series: Annotated[Ident | None, Query(description="系列")] = None,
    level: Annotated[TitleLevel | None, Query(description="专家职称级别")] = None,
    specialty: Annotated[Ident | None, Query(description="专业")] = None,
    status: Annotated[
        Literal["running", "upcoming"] | None, Query(description="running：聘期中；upcoming：聘期未开始")
    ] = None,
    account_id: Annotated[list[Ident] | None, Query(max_length=100, description="只看这些专家（最多 100 个）")] = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> PoolPage:
    return await pool.pool_of(
        ctx,
        principal,
        expiring_within_days=expiring_within_days,
        series=series,
        level=level.value if level else None,
        specialty=specialty,
        status=status,
        account_ids=account_id,
        offset=offset,
        limit=limit,
    )


@router.get("/me", response_model=PoolExpertView, summary="本人的专家库聘期")
async def my_term(principal: CurrentPrincipal, ctx: ContextDep) -> PoolExpertView:
    return await pool.my_term(ctx, principal)
