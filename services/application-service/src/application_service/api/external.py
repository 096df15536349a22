"""What provincial systems read here with their external client token (issue 10 item 4): the city's
provincial filings and their verdicts, within the client's `filings:read` scope and its series. Every
call is recorded by the kernel's access audit (tables.external_access)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from zhicheng_kernel.auth import CurrentPrincipal, require_client_scope

from ..service_layer import filings
from ..service_layer.filings import FilingView
from .deps import ContextDep

router = APIRouter(prefix="/api/v1/external", tags=["省级系统接口"])

# A year's filings of the city, at most (a batch per series, level and pushing office: far fewer).
EXTERNAL_FILINGS_MAX = 500


@router.get("/filings", response_model=list[FilingView], summary="本市报省审核的推送批次及审核结果（省级备案）")
async def external_filings(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    year: Annotated[int, Query(ge=2000, le=2100, description="评审年度")],
    series: Annotated[str | None, Query(max_length=50, description="系列（专业）")] = None,
) -> list[FilingView]:
    require_client_scope(principal, "filings:read")
    found = await filings.list_filings(ctx, year, series, "", limit=EXTERNAL_FILINGS_MAX, offset=0)
    return [f for f in found.items if principal.sees_series(f.series)]
