"""Activities of the provincial filing: every side effect as a call to application-service's
idempotent internal API with the workflow service's token. The service talks to the province and
records the facts; a 503 (the province could not be reached) is retried by Temporal."""

from __future__ import annotations

from typing import Any

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError
from zhicheng_kernel.auth import ServiceCredentials

from .models import Delivery, EscalationRequest, FilingRef, FilingState, StateRequest

_NOT_RETRYABLE = {400, 403, 404, 422}


class FilingActivities:
    def __init__(self, application_url: str, credentials: ServiceCredentials) -> None:
        self.application_url = application_url.rstrip("/")
        self.credentials = credentials

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with httpx.AsyncClient(base_url=self.application_url, timeout=30) as client:
            response = await client.request(method, path, json=body, headers=await self.credentials.headers())
        if response.status_code < 300:
            return response.json()
        if response.status_code == 401:
            self.credentials._token = None  # expired or rotated keys: a new token on the retry
        raise ApplicationError(
            f"application-service {method} {path} → {response.status_code}: {response.text[:500]}",
            type=f"HTTP{response.status_code}",
            non_retryable=response.status_code in _NOT_RETRYABLE,
        )

    @activity.defn(name="deliver_filing")
    async def deliver_filing(self, ref: FilingRef) -> Delivery:
        body = await self._call("POST", f"/api/v1/internal/filings/{ref.push_id}/deliver")
        return Delivery(received_at=body["received_at"], duplicate=body["duplicate"])

    @activity.defn(name="filing_state")
    async def filing_state(self, request: StateRequest) -> FilingState:
        ask = "true" if request.ask_province else "false"
        body = await self._call("GET", f"/api/v1/internal/filings/{request.push_id}?ask_province={ask}")
        return FilingState(
            pending_application_ids=body["pending_application_ids"],
            approved_application_ids=body["approved_application_ids"],
            returned_application_ids=body["returned_application_ids"],
            escalations=[e["reason"] for e in body["escalations"]],
        )

    @activity.defn(name="escalate_filing")
    async def escalate_filing(self, request: EscalationRequest) -> FilingState:
        body = await self._call(
            "POST",
            f"/api/v1/internal/filings/{request.push_id}/escalations",
            {"reason": request.reason, "detail": request.detail},
        )
        return FilingState(
            pending_application_ids=body["pending_application_ids"],
            approved_application_ids=body["approved_application_ids"],
            returned_application_ids=body["returned_application_ids"],
            escalations=[e["reason"] for e in body["escalations"]],
        )

    def all(self) -> list[Any]:
        return [self.deliver_filing, self.filing_state, self.escalate_filing]
