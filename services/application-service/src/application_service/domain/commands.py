"""What callers ask this service to do (imperative names); validated shapes, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Level = Literal["junior", "intermediate", "deputy_senior", "senior"]
Track = Literal["normal", "grassroots"]
JournalLevel = Literal["core", "provincial"]


@dataclass(frozen=True)
class PaperInput:
    title: str
    journal: str
    journal_level: JournalLevel
    published_on: date
    authors: list[str]
    text: str


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
