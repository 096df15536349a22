"""Activities: every side effect of a committee session, as calls to review-service's internal API.

Each endpoint is idempotent, so Temporal may retry freely; a 409 (another call appended first, or
the publicity is not over by the service's clock) is retried and then answers with what was done.
"""

from __future__ import annotations

from typing import Any

from temporalio import activity

from ..service_calls import ServiceActivities
from .models import HeldCandidates, IssueResult, PanelsStatus, Publicity, PublishRequest, SessionRef, TallyResult


class ReviewActivities(ServiceActivities):
    service = "review-service"
    timeout = 20.0

    @activity.defn(name="panels_status")
    async def panels_status(self, ref: SessionRef) -> PanelsStatus:
        """NAT-9 / POL-VD-1: the panels' progress as review-service counts it."""
        body = await self._call("GET", f"/api/v1/internal/sessions/{ref.session_id}/panels")
        return PanelsStatus.model_validate(body)

    @activity.defn(name="tally_votes")
    async def tally_votes(self, ref: SessionRef) -> TallyResult:
        body = await self._call("POST", f"/api/v1/internal/sessions/{ref.session_id}/tally")
        return TallyResult(
            quorum_met=body["quorum_met"],
            passed_application_ids=[r["application_id"] for r in body["results"] if r["passed"]],
        )

    @activity.defn(name="publish_results")
    async def publish_results(self, request: PublishRequest) -> Publicity:
        body = await self._call(
            "POST",
            f"/api/v1/internal/sessions/{request.session_id}/publish",
            {
                "publicity_seconds": request.publicity_seconds,
                "publicity_working_days": request.publicity_working_days,
            },
        )
        return Publicity.model_validate(body)

    @activity.defn(name="held_candidates")
    async def held_candidates(self, ref: SessionRef) -> HeldCandidates:
        body = await self._call("GET", f"/api/v1/sessions/{ref.session_id}")
        return HeldCandidates(
            application_ids=list(body["held_application_ids"]),
            investigation_ends_at=body.get("investigation_ends_at"),
        )

    @activity.defn(name="issue_documents")
    async def issue_documents(self, ref: SessionRef) -> IssueResult:
        body = await self._call("POST", f"/api/v1/internal/sessions/{ref.session_id}/documents")
        return IssueResult.model_validate(body)

    @activity.defn(name="close_session")
    async def close_session(self, ref: SessionRef) -> None:
        await self._call("POST", f"/api/v1/internal/sessions/{ref.session_id}/close")

    def all(self) -> list[Any]:
        return [
            self.tally_votes,
            self.publish_results,
            self.held_candidates,
            self.issue_documents,
            self.close_session,
            self.panels_status,
        ]
