"""The endpoints provincial systems call with their external client token (issue 10 item 4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, StringConstraints
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.inputs import CleanText

from ..service_layer import external
from ..service_layer.views import BulkVerification, DocumentView, ExternalSessionResults
from .deps import ContextDep

router = APIRouter(prefix="/api/v1/external", tags=["省级系统接口"])

Year = Annotated[int, Query(ge=2000, le=2100, description="评审年度")]
Series = Annotated[Annotated[CleanText, Field(max_length=50)] | None, Query(description="系列（专业）")]
Number = Annotated[CleanText, StringConstraints(min_length=4, max_length=64)]


class VerifyNumbersIn(BaseModel):
    numbers: list[Number] = Field(min_length=1, max_length=500, description="资格文件号，每次至多 500 个")


@router.get("/results", response_model=list[ExternalSessionResults], summary="已公示的评审结果（省级备案）")
async def results(
    principal: CurrentPrincipal, ctx: ContextDep, year: Year, series: Series = None
) -> list[ExternalSessionResults]:
    return await external.published_results(ctx, principal, year, series)


@router.get("/documents", response_model=list[DocumentView], summary="已印发的职称资格文件（省级备案）")
async def documents(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    year: Year,
    series: Series = None,
    after: Annotated[Annotated[CleanText, Field(max_length=64)] | None, Query(description="上一页最后一个文号")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DocumentView]:
    return await external.issued_documents(ctx, principal, year, series, after, limit)


@router.post("/documents/verify", response_model=BulkVerification, summary="批量核验职称资格文件文号")
async def verify(body: VerifyNumbersIn, principal: CurrentPrincipal, ctx: ContextDep) -> BulkVerification:
    return await external.verify_numbers(ctx, principal, body.numbers)
