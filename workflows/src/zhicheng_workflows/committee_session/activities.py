"""Activities: every side effect of a committee session, as calls to review-service's internal API.

Each endpoint is idempotent, so Temporal may retry freely; a 409 (another call appended first, or
the publicity is not over by the service's clock) is retried and then answers with what was done.
"""

from __future__ import annotations

from typing import Any

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError
from zhicheng_kernel.auth import ServiceCredentials

from .models import HeldCandidates, IssueResult, Publicity, PublishRequest, SessionRef, TallyResult

_NOT_RETRYABLE = {400, 403, 404, 422}


class ReviewActivities:
    def __init__(self, review_url: str, credentials: ServiceCredentials) -> None:
        self.review_url = review_url.rstrip("/")
        self.credentials = credentials

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with httpx.AsyncClient(base_url=self.review_url, timeout=20) as client:
            response = await client.request(method, path, json=body, headers=await self.credentials.headers())
        if response.status_code < 300:
            return response.json()
        problem = response.text[:500]
        if response.status_code == 401:
            self.credentials._token = None  # expired or rotated keys: fetch a new token on the retry
        raise ApplicationError(
            f"review-service {method} {path} → {response.status_code}: {problem}",
            type=f"HTTP{response.status_code}",
            non_retryable=response.status_code in _NOT_RETRYABLE,
        )

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
        return [self.tally_votes, self.publish_results, self.held_candidates, self.issue_documents, self.close_session]
