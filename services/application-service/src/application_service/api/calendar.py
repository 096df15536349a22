"""The official holiday calendar: published by the city 职改办 (title_office_review at the city-level
title office, as the registries), read by everyone signed in — people need to know the working days
NAT-3 and NAT-5 count."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, UploadFile
from pydantic import BaseModel, Field
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.errors import InvalidInput

from ..adapters.spreadsheets import read_rows
from ..domain.holiday_calendar import MAX_DAYS, days_from_rows
from ..service_layer import calendar as use
from ..service_layer.calendar import CalendarYear, CalendarYears, WorkingDayPeriod
from .deps import ContextDep, IdempotencyDep
from .registries import MAX_FILE_BYTES, maintainer

router = APIRouter(prefix="/api/v1/calendar", tags=["节假日安排"])
Year = Annotated[int, Path(ge=2000, le=2100)]


class CalendarYearIn(BaseModel):
    holidays: list[date] = Field(default_factory=list, max_length=MAX_DAYS, description="放假日期（含调休放假的周末）")
    working_weekends: list[date] = Field(
        default_factory=list, max_length=MAX_DAYS, description="调休上班的星期六、星期日"
    )


@router.get("/years", response_model=CalendarYears, summary="已发布的各年度节假日安排")
async def list_years(principal: CurrentPrincipal, ctx: ContextDep) -> CalendarYears:
    return await use.list_years(ctx)


@router.get("/years/{year}", response_model=CalendarYear, summary="某年度的节假日安排")
async def read_year(year: Year, principal: CurrentPrincipal, ctx: ContextDep) -> CalendarYear:
    return await use.read_year(ctx, year)


@router.put(
    "/years/{year}", response_model=CalendarYear, summary="发布某年度的节假日安排（再次发布即更正，以最新为准）"
)
async def publish_year(
    year: Year, body: CalendarYearIn, principal: CurrentPrincipal, ctx: ContextDep, idempotent: IdempotencyDep
) -> CalendarYear:
    await maintainer(principal, ctx)
    return await use.publish_year(ctx, year, body.holidays, body.working_weekends, principal.subject, idempotent)


@router.post(
    "/years/{year}/import",
    response_model=CalendarYear,
    summary="从 CSV 或 Excel 发布某年度的节假日安排（两列：日期, 类型“放假”或“上班”）",
)
async def publish_file(year: Year, file: UploadFile, principal: CurrentPrincipal, ctx: ContextDep) -> CalendarYear:
    await maintainer(principal, ctx)
    content = await file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput("registry_file_too_large", "导入文件不能超过 5 MB。", field="file", status=413)
    holidays, working_weekends = days_from_rows(read_rows(content, file.filename or ""))
    return await use.publish_year(ctx, year, holidays, working_weekends, principal.subject)


@router.get(
    "/working-days",
    response_model=WorkingDayPeriod,
    summary="按现行节假日安排计算工作日期间（首日为工作日时计入，至第 N 个工作日 24 时止）",
)
async def working_days(
    principal: CurrentPrincipal,
    ctx: ContextDep,
    starts_on: Annotated[date | None, Query(description="期间的第一天（默认今天）")] = None,
    working_days: Annotated[int, Query(ge=1, le=60, description="工作日数")] = 5,
) -> WorkingDayPeriod:
    return use.period(ctx, starts_on or china_today(ctx.clock.now()), working_days)
