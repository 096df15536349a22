"""The push schedule of a year (SCHED-1, SCHED-2, SCHED-4), for forms and reminders."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from ..domain.rules import push_deadline
from .deps import ContextDep

router = APIRouter(prefix="/api/v1/schedules", tags=["推送时间安排"])


@router.get("/{year}", summary="某年度各系列（专业）的推送月份")
async def read_schedule(year: Annotated[int, Path(ge=2000, le=2100)], ctx: ContextDep) -> dict[str, Any]:
    schedule = await ctx.schedule(year)
    items = [
        {
            "series": entry.series,
            "push_month": entry.push_month,
            "grassroots": entry.grassroots,
            "push_deadline": push_deadline(year, entry.push_month).isoformat(),
        }
        for entry in schedule.entries()
    ]
    return {"year": year, "series": items}
