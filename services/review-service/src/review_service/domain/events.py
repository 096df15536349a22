"""The events review-service appends (docs/EVENTS.md), past tense, one class each.

application-service consumes CommitteeSessionOpened, VotesTallied, ResultsPublished,
ComplaintResolved and QualificationDocumentIssued: their payload keys are a contract.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer
from zhicheng_kernel.events import DomainEvent, EventCatalogue

COMMITTEE = "committee"
SESSION = "session"
DOCUMENT = "document"
REVIEW_YEAR = "review_year"

# The envelope's actor of a BallotCast: never the expert (NAT-2, secret ballot).
BALLOT_BOX_ACTOR = "ballot-box"

Vote = Literal["yes", "no", "abstain"]
# POL-PB-1: no problem, a problem that does not affect the title (有问题但不影响获得职称资格; both are
# issued, separately when the others went first), or upheld (the candidate does not pass).
ComplaintOutcome = Literal["no_problem", "problem_not_affecting", "upheld"]
# How a title was reached: a committee's ballot, or a route without one (domain.documents.route_zh).
Route = Literal["committee", "employer_assessment", "direct_appointment"]
# Instants as ISO 8601 with their offset ("+00:00"), the form consumers have always stored.
Instant = Annotated[AwareDatetime, PlainSerializer(datetime.isoformat, return_type=str)]


class CommitteeFormed(DomainEvent):
    """A title office formed a committee of experts for one series and level."""

    event_type: ClassVar[str] = "CommitteeFormed"
    stream_type: ClassVar[str] = COMMITTEE
    committee_id: str
    name: str
    series: str
    level: str
    specialty: str | None
    organizing_org_id: str
    expert_ids: list[str]


class CommitteeSessionOpened(DomainEvent):
    """A committee opened a session that reviews every pushed candidate of its series, level and year."""

    event_type: ClassVar[str] = "CommitteeSessionOpened"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    committee_id: str
    year: int
    series: str
    level: str
    application_ids: list[str]
    expert_ids: list[str]
    workflow_id: str
    # POL-PB-1: a compressed investigation period in seconds (tests and demonstrations; never in
    # production); None means the one calendar month of the rule.
    complaint_investigation_seconds: int | None = None


class AttendanceRecorded(DomainEvent):
    """The secretary recorded which of the committee's experts are present at the session."""

    event_type: ClassVar[str] = "AttendanceRecorded"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    present_expert_ids: list[str]


class BallotCast(DomainEvent):
    """A secret ballot went into the box: numbered, with no expert id (the envelope's actor is the box)."""

    event_type: ClassVar[str] = "BallotCast"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    ballot_no: int
    votes: dict[str, Vote]


class CandidateResult(BaseModel):
    """One candidate's count in a tally."""

    model_config = ConfigDict(frozen=True)

    application_id: str
    yes: int
    no: int
    abstain: int
    passed: bool


class VotesTallied(DomainEvent):
    """The ballots were counted: the quorum, and per candidate the votes and whether they passed."""

    event_type: ClassVar[str] = "VotesTallied"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    committee_size: int
    present: int
    quorum_met: bool
    results: list[CandidateResult]


class ResultsPublished(DomainEvent):
    """The results went public for the publicity period; no document is issued before it ends."""

    event_type: ClassVar[str] = "ResultsPublished"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    publicity_starts_at: Instant
    publicity_ends_at: Instant
    passed_application_ids: list[str]


class ComplaintFiled(DomainEvent):
    """Someone complained about a candidate during the publicity of the results."""

    event_type: ClassVar[str] = "ComplaintFiled"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    complaint_id: str
    application_id: str
    content: str
    # POL-PB-1: when the investigation stops holding everyone else's documents (None: filed before
    # the period was recorded with the complaint).
    investigation_ends_at: Instant | None = None


class ComplaintResolved(DomainEvent):
    """The organizing unit ended an investigation: no problem, a problem not affecting the title, or upheld."""

    event_type: ClassVar[str] = "ComplaintResolved"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    complaint_id: str
    application_id: str
    outcome: ComplaintOutcome


class SessionClosed(DomainEvent):
    """Every passed candidate was issued a document or refused; the session is over."""

    event_type: ClassVar[str] = "SessionClosed"
    stream_type: ClassVar[str] = SESSION
    session_id: str


class QualificationDocumentIssued(DomainEvent):
    """A qualification document was issued and numbered: after a committee's session, or on a route without one."""

    event_type: ClassVar[str] = "QualificationDocumentIssued"
    stream_type: ClassVar[str] = DOCUMENT
    document_id: str
    number: str
    session_id: str | None = None
    application_id: str
    applicant_id: str
    applicant_name: str
    year: int
    series: str
    level: str
    annotations: list[str]
    route: Route = "committee"


class ReviewYearWarningIssued(DomainEvent):
    """The review year's deadline (SCHED-3) is near: the unvoted sessions' offices and the city office are warned."""

    event_type: ClassVar[str] = "ReviewYearWarningIssued"
    stream_type: ClassVar[str] = REVIEW_YEAR
    year: int
    deadline: Instant
    remaining_seconds: int
    session_ids: list[str]
    organizing_org_ids: list[str]
    office_org_ids: list[str]


class SessionOverdue(DomainEvent):
    """An intermediate or senior session was not voted by its year's deadline (SCHED-3); the city office decides."""

    event_type: ClassVar[str] = "SessionOverdue"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    year: int
    series: str
    level: str
    deadline: Instant
    organizing_org_id: str
    application_ids: list[str]


class SessionExtensionGranted(DomainEvent):
    """The city office let a session not voted by the deadline record its ballots until `until`, with a reason."""

    event_type: ClassVar[str] = "SessionExtensionGranted"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    year: int
    until: Instant
    reason: str
    granted_by: str
    organizing_org_id: str


class CandidatesCarriedOver(DomainEvent):
    """The city office carried an unvoted session's candidates to the next year's pool; no vote will come."""

    event_type: ClassVar[str] = "CandidatesCarriedOver"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    year: int
    to_year: int
    application_ids: list[str]
    reason: str
    organizing_org_id: str
    carried_by: str


SessionEvent = (
    CommitteeSessionOpened
    | AttendanceRecorded
    | BallotCast
    | VotesTallied
    | ResultsPublished
    | ComplaintFiled
    | ComplaintResolved
    | SessionClosed
    | SessionOverdue
    | SessionExtensionGranted
    | CandidatesCarriedOver
)

CATALOGUE = EventCatalogue(
    "review-service",
    [
        CommitteeFormed,
        CommitteeSessionOpened,
        AttendanceRecorded,
        BallotCast,
        VotesTallied,
        ResultsPublished,
        ComplaintFiled,
        ComplaintResolved,
        SessionClosed,
        QualificationDocumentIssued,
        ReviewYearWarningIssued,
        SessionOverdue,
        SessionExtensionGranted,
        CandidatesCarriedOver,
    ],
)
