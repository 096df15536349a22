"""What callers ask this service to do (imperative names); validated shapes, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from .policy.model import Track

Level = Literal["junior", "intermediate", "deputy_senior", "senior"]
JournalLevel = Literal["core", "provincial"]


@dataclass(frozen=True)
class PaperInput:
    title: str
    journal: str
    journal_level: JournalLevel
    published_on: date
    authors: list[str]
    text: str
    cn_number: str | None = None
    issue_type: str = "regular"
    electronic: bool = False
    press_listed: bool | None = None


@dataclass(frozen=True)
class SubmitApplication:
    applicant_id: str
    applicant_name: str
    org_id: str
    year: int
    series: str
    specialty: str
    level: Level
    track: Track
    papers: list[PaperInput] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # what the policy engine reads (schemas.ApplicationIn)


@dataclass(frozen=True)
class Reviewer:
    account_id: str
    org_id: str | None
    roles: frozenset[str]


@dataclass(frozen=True)
class DecideApplication:
    application_id: str
    decision: Literal["approve", "return"]
    opinion: str
    expected_version: int
    reviewer: Reviewer


@dataclass(frozen=True)
class CreatePush:
    year: int
    series: str
    level: Level
    application_ids: list[str]
    pusher_id: str
    office_org_id: str
    office_org_path: str


@dataclass(frozen=True)
class AttestFacts:
    """The unit's reviewer confirms the declared facts (no corrections) or corrects some: each correction
    {path, attested, reason}; every attestation states the whole set and replaces an earlier one."""

    application_id: str
    corrections: list[dict[str, Any]]
    reviewer: Reviewer
    expected_version: int | None = None
