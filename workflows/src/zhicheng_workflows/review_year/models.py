"""Inputs and outputs of the review-year workflow and its activities (pydantic, one per call)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ReviewYearInput(BaseModel):
    """Started by review-service, which owns SCHED-3's parameters: the deadline (24:00 of 31 December,
    Asia/Shanghai, or a compressed instant outside production) and the warning offsets are inputs."""

    year: int
    deadline: datetime
    # Warnings this many seconds before the deadline (review-service turns the configured days into seconds).
    warning_offsets_seconds: list[int] = Field(default_factory=list)
    # While overdue sessions wait for the city office, how often the workflow re-reads them (a signal
    # only wakes it sooner).
    recheck_seconds: int = 3600
    # Whether the server knows ZcYear/ZcStatus/ZcOffice (review-service found out when starting).
    search_attributes: bool = True


class YearRef(BaseModel):
    year: int


class WarningRequest(BaseModel):
    year: int
    remaining_seconds: int


class Warned(BaseModel):
    remaining_seconds: int
    session_ids: list[str]


class Overdue(BaseModel):
    overdue_session_ids: list[str]
    pending_session_ids: list[str]


class Pending(BaseModel):
    """Overdue sessions not yet voted nor carried over."""

    pending_session_ids: list[str]


class ReportSummary(BaseModel):
    """The year's report totals as the workflow ends with them (review-service keeps the full report)."""

    totals: dict[str, int]


class ReviewYearStatus(BaseModel):
    stage: str
    year: int = 0
    deadline: datetime | None = None
    warnings: list[Warned] = Field(default_factory=list)
    overdue_session_ids: list[str] = Field(default_factory=list)
    pending_session_ids: list[str] = Field(default_factory=list)
    report: ReportSummary | None = None
