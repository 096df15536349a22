"""Activities of the review year: calls to review-service's idempotent internal endpoints (service token)."""

from __future__ import annotations

from typing import Any

from temporalio import activity

from ..committee_session.activities import ReviewActivities
from .models import Overdue, Pending, ReportSummary, Warned, WarningRequest, YearRef


class ReviewYearActivities(ReviewActivities):
    """review-service's /api/v1/internal/review-years/{year}/… through the same authenticated caller."""

    @activity.defn(name="review_year_warn")
    async def warn(self, request: WarningRequest) -> Warned:
        body = await self._call(
            "POST",
            f"/api/v1/internal/review-years/{request.year}/warnings",
            {"remaining_seconds": request.remaining_seconds},
        )
        return Warned(remaining_seconds=body["remaining_seconds"], session_ids=list(body["session_ids"]))

    @activity.defn(name="review_year_mark_overdue")
    async def mark_overdue(self, ref: YearRef) -> Overdue:
        body = await self._call("POST", f"/api/v1/internal/review-years/{ref.year}/overdue")
        return Overdue.model_validate(body)

    @activity.defn(name="review_year_pending")
    async def pending(self, ref: YearRef) -> Pending:
        body = await self._call("GET", f"/api/v1/internal/review-years/{ref.year}/sessions")
        return Pending(pending_session_ids=list(body["pending_session_ids"]))

    @activity.defn(name="review_year_report")
    async def report(self, ref: YearRef) -> ReportSummary:
        body = await self._call("GET", f"/api/v1/internal/review-years/{ref.year}/report")
        total = body["total"]
        return ReportSummary(totals={k: int(v) for k, v in total.items() if k != "series"})

    def all(self) -> list[Any]:
        return [self.warn, self.mark_overdue, self.pending, self.report]
