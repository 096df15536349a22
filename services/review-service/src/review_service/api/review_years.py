"""评审年度 (SCHED-3): the city office's extension and carry-over of a session not voted by 31 December,
the year's report and archive, and the internal steps the review-year workflow drives."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime, BaseModel, Field
from zhicheng_kernel.auth import CurrentPrincipal, ServicePrincipal, service_principal
from zhicheng_kernel.inputs import MultilineText
from zhicheng_kernel.unit_of_work import Idempotency, idempotency

from ..service_layer import review_years
from ..service_layer.review_years import (
    CarriedOverView,
    ExtensionView,
    OverdueView,
    WarningView,
    YearReport,
    YearSessionsView,
)
from .deps import ContextDep

router = APIRouter(prefix="/api/v1", tags=["评审年度"])
internal_router = APIRouter(
    prefix="/api/v1/internal/review-years", tags=["评审年度（内部）"], dependencies=[Depends(service_principal)]
)

IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]
Year = Annotated[int, Path(ge=2000, le=2100)]
SessionId = Annotated[str, Path(min_length=1, max_length=100)]
ARCHIVE_MEDIA_TYPE = "application/x-ndjson"


class GrantExtension(BaseModel):
    until: AwareDatetime = Field(description="延期截止时间（不含），带时区")
    reason: MultilineText = Field(min_length=1, max_length=500)


class CarryOver(BaseModel):
    reason: MultilineText = Field(min_length=1, max_length=500)


class IssueWarning(BaseModel):
    remaining_seconds: int = Field(ge=1, le=366 * 86_400)


@router.post(
    "/sessions/{session_id}/extension",
    response_model=ExtensionView,
    summary="市职改办批准逾期未完成投票的会议延期（SCHED-3，须说明理由）",
)
async def grant_extension(
    session_id: SessionId, body: GrantExtension, principal: CurrentPrincipal, ctx: ContextDep, idem: IdempotencyDep
) -> ExtensionView:
    return await review_years.grant_extension(ctx, principal, idem, session_id, until=body.until, reason=body.reason)


@router.post(
    "/sessions/{session_id}/carry-over",
    response_model=CarriedOverView,
    summary="市职改办将逾期未投票会议的候选人结转下一年度（SCHED-3，须说明理由）",
)
async def carry_over(
    session_id: SessionId, body: CarryOver, principal: CurrentPrincipal, ctx: ContextDep, idem: IdempotencyDep
) -> CarriedOverView:
    return await review_years.carry_over(ctx, principal, idem, session_id, reason=body.reason)


@router.get("/review-years/{year}/report", response_model=YearReport, summary="评审年度报告（按系列统计）")
async def year_report(year: Year, principal: CurrentPrincipal, ctx: ContextDep) -> YearReport:
    return await review_years.report(ctx, principal, year)


@router.get(
    "/review-years/{year}/archive",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                ARCHIVE_MEDIA_TYPE: {"schema": {"type": "string", "description": "JSON Lines，每行一个 JSON 对象"}}
            },
            "description": "JSON Lines：年度、申报、会议（仅计票）、文件、报告",
        }
    },
    summary="评审年度归档导出（不含任何专家与选票的对应关系）",
)
async def year_archive(year: Year, principal: CurrentPrincipal, ctx: ContextDep) -> StreamingResponse:
    lines = await review_years.archive_of(ctx, principal, year)
    return StreamingResponse(
        lines(),
        media_type=ARCHIVE_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="review-year-{year}.jsonl"'},
    )


@internal_router.get("/{year}/sessions", response_model=YearSessionsView, summary="该年度的评审会议与逾期待处理会议")
async def year_sessions(year: Year, principal: ServicePrincipal, ctx: ContextDep) -> YearSessionsView:
    return await review_years.year_sessions(ctx, year)


@internal_router.post("/{year}/warnings", response_model=WarningView, summary="年度截止前提醒（每个提前量一次）")
async def issue_warning(year: Year, body: IssueWarning, principal: ServicePrincipal, ctx: ContextDep) -> WarningView:
    return await review_years.issue_warning(ctx, year, body.remaining_seconds, principal.subject)


@internal_router.post("/{year}/overdue", response_model=OverdueView, summary="截止时未投票的会议标记逾期（SCHED-3）")
async def mark_overdue(year: Year, principal: ServicePrincipal, ctx: ContextDep) -> OverdueView:
    return await review_years.mark_overdue(ctx, year, principal.subject)


@internal_router.get("/{year}/report", response_model=YearReport, summary="评审年度报告（流程结束时）")
async def internal_report(year: Year, principal: ServicePrincipal, ctx: ContextDep) -> YearReport:
    return await review_years.report(ctx, principal, year)
