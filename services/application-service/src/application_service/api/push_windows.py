"""Push windows (SCHED-1): the internal steps the PushWindowWorkflow drives (service tokens only, each
idempotent) and the title offices' view of a year's windows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field
from zhicheng_kernel.auth import CurrentPrincipal, ServicePrincipal, require_role, service_principal
from zhicheng_kernel.roles import Role

from ..service_layer import push_windows as use
from ..service_layer.push_windows import ReminderIssued, WindowClosed, WindowState, YearWindows
from .deps import ContextDep

Year = Annotated[int, Path(ge=2000, le=2100)]
Series = Annotated[str, Path(min_length=1, max_length=64)]

internal = APIRouter(
    prefix="/api/v1/internal/push-windows", tags=["推送期（内部）"], dependencies=[Depends(service_principal)]
)
public = APIRouter(prefix="/api/v1/push-windows", tags=["推送期"])

# The title offices (their reviewers and pushers) and the city departments that push.
READERS = (Role.TITLE_OFFICE_REVIEW, Role.PUSH)


class ReminderIn(BaseModel):
    # One of the workflow's reminder offsets: seconds before the window closes (up to a year).
    remaining_seconds: int = Field(ge=1, le=366 * 86_400)


@internal.get("/{year}/{series}", response_model=WindowState, summary="推送期的截止时间及是否仍在安排中")
async def read_window(year: Year, series: Series, ctx: ContextDep) -> WindowState:
    return await use.read_window(ctx, year, series)


@internal.post("/{year}/{series}/reminders", response_model=ReminderIssued, summary="推送期截止前提醒（SCHED-1）")
async def remind(
    year: Year, series: Series, body: ReminderIn, principal: ServicePrincipal, ctx: ContextDep
) -> ReminderIssued:
    return await use.issue_reminder(ctx, year, series, body.remaining_seconds, principal.subject)


@internal.post("/{year}/{series}/close", response_model=WindowClosed, summary="推送期截止（SCHED-1）")
async def close(year: Year, series: Series, principal: ServicePrincipal, ctx: ContextDep) -> WindowClosed:
    return await use.close_window(ctx, year, series, principal.subject)


@public.get("/{year}", response_model=YearWindows, summary="某年度各系列（专业）的推送期：提醒、已推送与逾期未推送")
async def year_windows(year: Year, principal: CurrentPrincipal, ctx: ContextDep) -> YearWindows:
    """For the title offices and the departments that push; what was left behind only within the
    caller's subtree."""
    require_role(principal, *READERS)
    return await use.year_windows(ctx, year, principal)


router = APIRouter()
router.include_router(internal)
router.include_router(public)
