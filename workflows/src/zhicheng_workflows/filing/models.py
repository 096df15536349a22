"""Inputs and outputs of the provincial filing workflow and its activities (pydantic, one per call)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class FilingInput(BaseModel):
    """Started by application-service with the push (its start outbox), which owns the durations: they
    arrive as inputs, in seconds, so a test runs the whole filing in seconds; production refuses
    compressed values (ApplicationSettings)."""

    push_id: str
    year: int
    series: str
    level: str
    office_org_id: str
    # Delivery failing this long since the start escalates to the city office ("delivery_failing").
    escalate_delivery_after_seconds: int = 86_400
    # Verdicts still missing this long after delivery escalate ("verdict_overdue").
    verdict_deadline_seconds: int = 15 * 86_400
    # How often the workflow re-reads the service (and through it the province) in case a signal was lost.
    recheck_seconds: int = 3_600
    # Whether the server knows ZcYear/ZcSeries/ZcStatus/ZcOffice (the service found out when starting).
    search_attributes: bool = True


class FilingRef(BaseModel):
    push_id: str


class StateRequest(BaseModel):
    push_id: str
    # Whether the service asks the province for verdicts a lost callback did not bring (on a recheck
    # that no signal preceded; after a signal the callbacks are arriving and the service knows).
    ask_province: bool = False


class Delivery(BaseModel):
    received_at: datetime
    duplicate: bool


class EscalationRequest(BaseModel):
    push_id: str
    reason: str  # "delivery_failing" | "verdict_overdue"
    detail: str = ""


class FilingState(BaseModel):
    """What application-service knows of the batch: the applications still waiting, and the verdicts."""

    pending_application_ids: list[str]
    approved_application_ids: list[str] = Field(default_factory=list)
    returned_application_ids: list[str] = Field(default_factory=list)
    escalations: list[str] = Field(default_factory=list)


class FilingProgress(BaseModel):
    """The `status` query: where this batch is."""

    push_id: str
    stage: str  # delivering | waiting_for_province | escalated | done
    delivered_at: datetime | None = None
    delivery_attempts: int = 0
    pending_application_ids: list[str] = Field(default_factory=list)
    approved_application_ids: list[str] = Field(default_factory=list)
    returned_application_ids: list[str] = Field(default_factory=list)
    escalations: list[str] = Field(default_factory=list)
