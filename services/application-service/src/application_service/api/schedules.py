"""The push schedule of a year (SCHED-1, SCHED-2, SCHED-4): read for forms and reminders; published by
the city 职改办 (title_office_review at the city-level title office) as JSON or a CSV/Excel file."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, UploadFile
from fastapi.responses import Response
from zhicheng_kernel.auth import CurrentPrincipal
from zhicheng_kernel.errors import InvalidInput

from ..adapters.spreadsheets import XLSX_MEDIA_TYPE
from ..domain.push_window import window_closes_at
from ..domain.registry_specs import SCHEDULE
from ..service_layer import registries as use
from .deps import ContextDep
from .registries import MAX_FILE_BYTES, attachment, maintainer
from .responses import PublishedScheduleOut, ScheduleOut, file_download
from .schemas import ScheduleIn

router = APIRouter(prefix="/api/v1/schedules", tags=["推送时间安排"])
Year = Annotated[int, Path(ge=2000, le=2100)]


@router.get("/{year}", response_model=ScheduleOut, summary="某年度各系列（专业）的推送月份")
async def read_schedule(year: Year, ctx: ContextDep) -> dict[str, Any]:
    schedule = await ctx.schedule(year)
    items = [
        {
            "series": entry.series,
            "push_month": entry.push_month,
            "grassroots": entry.grassroots,
            "push_deadline": window_closes_at(year, entry.push_month).isoformat(),
        }
        for entry in schedule.entries()
    ]
    return {"year": year, "series": items}


@router.put("/{year}", response_model=PublishedScheduleOut, summary="发布某年度的推送时间安排（整体替换该年度）")
async def publish(year: Year, body: ScheduleIn, principal: CurrentPrincipal, ctx: ContextDep) -> dict[str, Any]:
    """SCHED-4: the city office publishes each year's schedule (by body or, below, by file); no one else."""
    await maintainer(principal, ctx, rule="SCHED-4")
    entries = use.parse_schedule_entries([e.model_dump() for e in body.series])
    return await use.publish_schedule(ctx, year, entries, principal.subject)


@router.post("/{year}/import", response_model=PublishedScheduleOut, summary="从 CSV 或 Excel 发布某年度的推送时间安排")
async def publish_file(year: Year, file: UploadFile, principal: CurrentPrincipal, ctx: ContextDep) -> dict[str, Any]:
    await maintainer(principal, ctx, rule="SCHED-4")
    content = await file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput("registry_file_too_large", "导入文件不能超过 5 MB。", field="file", status=413)
    entries = use.parse_file(SCHEDULE, content, file.filename or "")
    return await use.publish_schedule(ctx, year, entries, principal.subject)


@router.get(
    "/{year}/export",
    summary="导出某年度的推送时间安排",
    response_class=Response,
    responses=file_download(XLSX_MEDIA_TYPE, "text/csv"),
)
async def export(
    year: Year,
    principal: CurrentPrincipal,
    ctx: ContextDep,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "xlsx",
) -> Response:
    schedule = await ctx.schedule(year)
    rows = [{"series": e.series, "push_month": e.push_month, "grassroots": e.grassroots} for e in schedule.entries()]
    content = use.export(SCHEDULE, rows, format)
    media = XLSX_MEDIA_TYPE if format == "xlsx" else "text/csv; charset=utf-8"
    return attachment(content, media, f"schedule-{year}.{format}")
