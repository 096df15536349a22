"""The lists of committees and sessions the web application pages through (scoped by role and subtree)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.inputs import CleanText, OptionalYearQuery
from zhicheng_kernel.titles import TitleLevel

from ..service_layer import listings
from ..service_layer.listings import CommitteePage, SessionPage
from .deps import ContextDep

router = APIRouter(prefix="/api/v1", tags=["评审委员会"])

Ident = Annotated[CleanText, Field(min_length=1, max_length=100)]
Offset = Annotated[int, Query(ge=0, le=100_000, description="跳过的条数")]
Limit = Annotated[int, Query(ge=1, le=100, description="每页条数（最多 100）")]


@router.get(
    "/committees",
    response_model=CommitteePage,
    summary="评审委员会列表（职改办的评委会秘书与审核人员：本单位及下级单位组建的）",
)
async def list_committees(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    org_id: Annotated[Ident | None, Query(description="组建单位（须在本单位及下级范围内）")] = None,
    series: Annotated[Ident | None, Query(description="系列")] = None,
    level: Annotated[TitleLevel | None, Query(description="级别")] = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> CommitteePage:
    return await listings.list_committees(
        ctx,
        principal,
        org_id=org_id,
        series=series,
        level=level.value if level else None,
        offset=offset,
        limit=limit,
    )


@router.get(
    "/sessions",
    response_model=SessionPage,
    summary="评审会议列表（职改办：本单位及下级单位组建的评委会的会议；专家：本人被抽取且未结束的会议）",
)
async def list_sessions(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    org_id: Annotated[Ident | None, Query(description="组建单位（须在本单位及下级范围内）")] = None,
    committee_id: Annotated[Ident | None, Query(description="评审委员会")] = None,
    year: OptionalYearQuery = None,
    series: Annotated[Ident | None, Query(description="系列")] = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> SessionPage:
    return await listings.list_sessions(
        ctx,
        principal,
        org_id=org_id,
        committee_id=committee_id,
        year=year,
        series=series,
        offset=offset,
        limit=limit,
    )
