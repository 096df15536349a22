"""Activities of the provincial filing: every side effect as a call to application-service's
idempotent internal API with the workflow service's token. The service talks to the province and
records the facts; a 503 (the province could not be reached) is retried by Temporal."""

from __future__ import annotations

from typing import Any

from temporalio import activity

from ..service_calls import ServiceActivities
from .models import Delivery, EscalationRequest, FilingRef, FilingState, StateRequest


class FilingActivities(ServiceActivities):
    service = "application-service"
    timeout = 30.0

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
