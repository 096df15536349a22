"""Inputs and outputs of the committee-session workflow and its activities (pydantic, one per call)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class SessionInput(BaseModel):
    """Started by review-service, which owns the rules' parameters: durations arrive as inputs (so a
    test runs the whole process in seconds) and working days are counted by review-service."""

    session_id: str
    year: int = 0
    series: str = ""
    # NAT-3: the publicity period, in seconds (tests, demos) or Chinese working days (the default).
    publicity_seconds: int | None = None
    publicity_working_days: int
    # While a complaint stays open past that, how often the workflow re-reads the session in case a
    # resolution signal was lost.
    recheck_seconds: int = 3600
    # Whether the server knows ZcYear/ZcSeries/ZcStatus (review-service found out when starting).
    search_attributes: bool = True


class SessionRef(BaseModel):
    session_id: str


class PublishRequest(BaseModel):
    session_id: str
    publicity_seconds: int | None = None
    publicity_working_days: int


class HeldCandidates(BaseModel):
    """Candidates held by an open complaint, and when the earliest open investigation stops holding
    everyone else (POL-PB-1; review-service computes it from each complaint's filing)."""

    application_ids: list[str]
    investigation_ends_at: datetime | None = None


class TallyResult(BaseModel):
    quorum_met: bool
    passed_application_ids: list[str]


class Publicity(BaseModel):
    publicity_starts_at: datetime
    publicity_ends_at: datetime
    passed_application_ids: list[str]


class IssuedDocument(BaseModel):
    application_id: str
    number: str


class IssueResult(BaseModel):
    issued: list[IssuedDocument]
    held: list[str]
    refused: list[str]
    remaining: int = 0  # documents review-service has still to issue (it issues a batch a call)


class ComplaintSignal(BaseModel):
    complaint_id: str
    application_id: str
    outcome: str | None = None


class SessionStatus(BaseModel):
    stage: str
    voting_closed: bool
    open_complaints: list[str] = Field(default_factory=list)
    issued: dict[str, str] = Field(default_factory=dict)
    held: list[str] = Field(default_factory=list)
    refused: list[str] = Field(default_factory=list)
    publicity_ends_at: datetime | None = None


class PanelsStatus(BaseModel):
    """NAT-9 / POL-VD-1: whether every defense is recorded and every candidate has the panel's opinion."""

    complete: bool
    pending_defenses: list[str] = Field(default_factory=list)
    pending_opinions: list[str] = Field(default_factory=list)
