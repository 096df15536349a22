"""Inputs and outputs of the push-window workflow and its activities (pydantic, one per call)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class PushWindowInput(BaseModel):
    """Started by application-service when the city office publishes the year's schedule. The close and
    the reminder offsets are inputs (application-service computes them, compressed outside production);
    the workflow re-reads its window from the service each time it wakes."""

    year: int
    series: str
    closes_at: datetime
    # Seconds before the close at which the offices and the holders are reminded (e.g. 7, 3, 1 days).
    reminder_offsets_seconds: list[int] = Field(default_factory=list)
    # How often a waiting workflow re-reads its window in case a schedule_changed signal was lost.
    recheck_seconds: int = 3600
    # Whether the server knows ZcYear/ZcSeries/ZcStatus/ZcOffice (application-service found out when starting).
    search_attributes: bool = True


class WindowRef(BaseModel):
    year: int
    series: str


class WindowState(BaseModel):
    """The window as application-service holds it."""

    year: int
    series: str
    push_month: int
    closes_at: datetime
    in_schedule: bool
    closed: bool
    reminders_issued: list[int] = Field(default_factory=list)


class ReminderRequest(BaseModel):
    year: int
    series: str
    remaining_seconds: int


class ReminderResult(BaseModel):
    remaining_seconds: int
    issued: bool
    holder_org_ids: list[str] = Field(default_factory=list)
    office_org_ids: list[str] = Field(default_factory=list)
    unfinished_count: int = 0


class CloseResult(BaseModel):
    pushed_count: int
    left_behind_count: int
    left_behind_by_org: dict[str, int] = Field(default_factory=dict)


class PushWindowStatus(BaseModel):
    stage: str  # open | reminding | closed | withdrawn
    closes_at: datetime | None = None
    reminders: list[ReminderResult] = Field(default_factory=list)
    closed: CloseResult | None = None
