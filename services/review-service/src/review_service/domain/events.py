"""The events review-service appends (docs/EVENTS.md), past tense, one class each.

application-service consumes CommitteeSessionOpened, VotesTallied, ResultsPublished,
ComplaintResolved and QualificationDocumentIssued: their payload keys are a contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer, model_validator
from zhicheng_kernel.envelope import NewEvent
from zhicheng_kernel.events import DomainEvent, EventCatalogue, PayloadStep

COMMITTEE = "committee"
SESSION = "session"
DOCUMENT = "document"
REVIEW_YEAR = "review_year"
# An expert's place in a title office's pool (专家库): one stream per expert account.
POOL_EXPERT = "pool_expert"
# A review panel (评议组) of a session: one stream per panel.
PANEL = "panel"
# The blind review of one application's expert recommendation (POL-ER-1): one stream per review.
BLIND_REVIEW = "blind_review"
# An applicant's request for a review (复查) of a result (NAT-11): one stream per request.
REEXAMINATION = "reexamination"

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
    # NAT-6: the committee's filing (备案) and the day it lapses, at most 3 years later (None: formed
    # before issue 11, read as filed when formed and lapsing 3 years later).
    filed_on: date | None = None
    filing_expires_on: date | None = None


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


def _ballot_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """A ballot cast before issue 12 (numbered, its votes in the clear) as a box of schema 2 whose
    content is already open: its id from its number, `sealed` empty, `votes` kept."""
    return {
        "session_id": payload["session_id"],
        "box_id": f"plain-{payload.get('ballot_no', 0)}",
        "sealed": None,
        "votes": payload.get("votes", {}),
    }


class BallotCast(DomainEvent):
    """A secret ballot went into the box, sealed (NAT-2); no longer written (the boxes stay private until
    the vote closes, then BallotsCollected), still read in the streams of schema 1 and 2."""

    event_type: ClassVar[str] = "BallotCast"
    stream_type: ClassVar[str] = SESSION
    schema_version: ClassVar[int] = 2
    upcasts: ClassVar[Mapping[int, PayloadStep]] = {1: _ballot_v1_to_v2}
    session_id: str
    # Random (uuid4 hex): says nothing of when or by whom the ballot was cast.
    box_id: str
    # base64 of AES-GCM's nonce and ciphertext under the ballot key (adapters.ballot_seal); None only in
    # ballots of schema 1, cast before issue 12 with their votes in the clear.
    sealed: str | None = None
    votes: dict[str, Vote] | None = None

    def to_new_event(self) -> NewEvent:
        """A new box carries no `votes` key at all (only ballots of schema 1 had them)."""
        return NewEvent(self.event_type, self.model_dump(mode="json", exclude_none=True), self.schema_version)

    @model_validator(mode="before")
    @classmethod
    def _schema_1(cls, data: Any) -> Any:
        """A ballot built in the shape of schema 1 (ballot_no, votes) reads as its upcast."""
        if isinstance(data, dict) and "box_id" not in data and "ballot_no" in data:
            return _ballot_v1_to_v2(data)
        return data


class CandidateResult(BaseModel):
    """One candidate's count in a tally."""

    model_config = ConfigDict(frozen=True)

    application_id: str
    yes: int
    no: int
    abstain: int
    passed: bool
    # NAT-2 with NAT-4: the experts who could judge this candidate (present, not recused; reserves who
    # stepped in). None in tallies from before issue 11, when every expert present judged everyone.
    judges: int | None = None


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
    # NAT-11 / POL-PB-1: "account" (a signed-in user) or "public" (the public publicity page, without
    # an account; the complainant's contact details and attachments stay in a private table).
    channel: Literal["account", "public"] = "account"


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


# -- issue 11: the expert pool, draws, panels and defenses, blind reviews, revocation, reviews (复查) --------


class ExpertAppointed(DomainEvent):
    """A title office put a registered expert into its pool (专家库) for a term (NAT-6: at most 3 years).
    Series and title level are org-service's (ExpertRegistered); the employer is an organization
    org-service knows (NAT-4 compares it with each candidate's)."""

    event_type: ClassVar[str] = "ExpertAppointed"
    stream_type: ClassVar[str] = POOL_EXPERT
    account_id: str
    organizing_org_id: str
    series: list[str]
    specialty: str
    title_level: str
    employer_org_id: str
    term_starts_on: date
    term_ends_on: date


class ExpertsDrawn(DomainEvent):
    """NAT-4: the session's sitting experts and reserves, drawn at random from the committee's members
    who may sit (term running, not sitting elsewhere at the same time), reproducibly from `seed`.
    Readable only by the organising office: no endpoint shows it to an expert or an applicant."""

    event_type: ClassVar[str] = "ExpertsDrawn"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    seed: str
    candidates: list[str]  # the experts the draw chose from, sorted
    excluded: dict[str, str]  # expert id → why they were not among the candidates
    sitting_expert_ids: list[str]
    reserve_expert_ids: list[str]
    # Experts who may not judge a candidate (same employer, NAT-4), by application id.
    recusals: dict[str, list[str]]
    meeting_starts_at: Instant
    meeting_ends_at: Instant


class ConflictDeclared(DomainEvent):
    """NAT-4: an expert declared a conflict of interest with a candidate and does not judge them."""

    event_type: ClassVar[str] = "ConflictDeclared"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    expert_id: str
    application_id: str
    reason: str


class DefenseScheduled(DomainEvent):
    """POL-VD-1: a candidate's online video defense (答辩) before a review panel, in a room the video
    provider issued. org-service notifies the candidate and the panel's experts."""

    event_type: ClassVar[str] = "DefenseScheduled"
    stream_type: ClassVar[str] = PANEL
    panel_id: str
    session_id: str
    application_id: str
    applicant_id: str
    expert_ids: list[str]
    starts_at: Instant
    ends_at: Instant
    provider: str
    room_id: str
    join_url: str


class ExpertRecommendationReceived(DomainEvent):
    """POL-ER-1: the employer agreed to an applicant's written request for an expert recommendation;
    its blind review begins (reviewers are drawn next, BlindReviewersDrawn)."""

    event_type: ClassVar[str] = "ExpertRecommendationReceived"
    stream_type: ClassVar[str] = BLIND_REVIEW
    review_id: str
    application_id: str
    year: int
    series: str
    level: str
    # What the blind review needs beyond the contract: shown to reviewers (specialty, text) or used by
    # the draw (NAT-4: the applicant's employer, the recommending expert), never the applicant's name.
    specialty: str = ""
    applicant_id: str = ""
    org_id: str = ""
    recommending_expert_id: str = ""
    recommendation_text: str = ""


class BlindReviewConcluded(DomainEvent):
    """POL-ER-1: every drawn blind reviewer gave an opinion; the recommendation counts as a performance
    condition only with approvals ≥ 2/3 of the reviewers. application-service's policy engine reads this,
    never a declared count. No reviewer is named."""

    event_type: ClassVar[str] = "BlindReviewConcluded"
    stream_type: ClassVar[str] = BLIND_REVIEW
    review_id: str
    application_id: str
    approvals: int
    total: int
    counts: bool
    misconduct_reported: bool


class RecommendationMisconductConfirmed(DomainEvent):
    """POL-ER-3: the city office confirmed a blind reviewer's report of plagiarism, fabrication or invented
    facts in a recommendation: the applicant loses this year's eligibility and both the applicant and
    the recommending expert go to the integrity file (application-service)."""

    event_type: ClassVar[str] = "RecommendationMisconductConfirmed"
    stream_type: ClassVar[str] = BLIND_REVIEW
    review_id: str
    application_id: str
    applicant_id: str
    recommending_expert_id: str
    year: int
    kind: Literal["plagiarism", "fabrication", "invented_facts"]
    reason: str
    confirmed_by: str


class QualificationDocumentRevoked(DomainEvent):
    """NAT-8: the city office revoked a document for fraud; public verification shows it revoked and
    application-service records the holder in the integrity file for 3 years."""

    event_type: ClassVar[str] = "QualificationDocumentRevoked"
    stream_type: ClassVar[str] = DOCUMENT
    document_id: str
    number: str
    application_id: str
    applicant_id: str
    applicant_name: str
    reason: str
    revoked_on: date
    revoked_by: str


class ReviewRequested(DomainEvent):
    """NAT-11: an applicant whose candidate did not pass asked the organising unit for a review (复查) in time."""

    event_type: ClassVar[str] = "ReviewRequested"
    stream_type: ClassVar[str] = REEXAMINATION
    request_id: str
    application_id: str
    session_id: str
    applicant_id: str
    organizing_org_id: str
    reason: str
    requested_at: Instant
    deadline: Instant


class ReviewAnswered(DomainEvent):
    """NAT-11: the organising unit answered a review request in writing: the result stands or the candidate passes."""

    event_type: ClassVar[str] = "ReviewAnswered"
    stream_type: ClassVar[str] = REEXAMINATION
    request_id: str
    application_id: str
    session_id: str
    applicant_id: str
    outcome: Literal["upheld", "changed"]
    answer: str
    answered_by: str
    answered_at: Instant


# -- issue 11: the blind review's own events (POL-ER-1, POL-ER-3) -----------------------------------------

# The envelope's actor of a BlindReviewOpinionRecorded: never the reviewer (who said what stays hidden).
BLIND_REVIEW_ACTOR = "blind-review"
MisconductKind = Literal["plagiarism", "fabrication", "invented_facts"]


class BlindReviewersDrawn(DomainEvent):
    """POL-ER-1 / NAT-4: the blind reviewers drawn reproducibly from `seed` among the pool's experts of the
    series, the recommending expert and the applicant's employer's experts excluded. Only the city
    office reads it; no endpoint shows it to a reviewer or the applicant."""

    event_type: ClassVar[str] = "BlindReviewersDrawn"
    stream_type: ClassVar[str] = BLIND_REVIEW
    review_id: str
    seed: str
    candidates: list[str]
    excluded: dict[str, str]
    reviewer_ids: list[str]


class BlindReviewStalled(DomainEvent):
    """POL-ER-1: too few experts in the pool to draw the blind reviewers; the city office redraws later."""

    event_type: ClassVar[str] = "BlindReviewStalled"
    stream_type: ClassVar[str] = BLIND_REVIEW
    review_id: str
    available: int
    needed: int


class BlindReviewOpinionRecorded(DomainEvent):
    """POL-ER-1 / POL-ER-3: one drawn reviewer's opinion, with no reviewer id and an anonymous actor (a
    private table only says who has answered); a report of misconduct names its kind."""

    event_type: ClassVar[str] = "BlindReviewOpinionRecorded"
    stream_type: ClassVar[str] = BLIND_REVIEW
    review_id: str
    approve: bool
    comment: str
    misconduct_kind: MisconductKind | None = None
    misconduct_detail: str | None = None


class RecommendationMisconductDismissed(DomainEvent):
    """POL-ER-3: the city office found a reviewer's report of misconduct unfounded."""

    event_type: ClassVar[str] = "RecommendationMisconductDismissed"
    stream_type: ClassVar[str] = BLIND_REVIEW
    review_id: str
    reason: str
    dismissed_by: str


# -- issue 11: review panels (评议组, NAT-9) and their video defenses (POL-VD-1) ---------------------------

PanelOpinion = Literal["recommend", "not_recommend"]


class PanelFormed(DomainEvent):
    """NAT-9: the organising office formed a review panel (评议组) of an odd number (≥ 3) of pool experts of
    one specialty, drawn reproducibly from `seed`, to examine some of a session's candidates before the
    committee. Readable only by the organising office."""

    event_type: ClassVar[str] = "PanelFormed"
    stream_type: ClassVar[str] = PANEL
    panel_id: str
    session_id: str
    organizing_org_id: str
    specialty: str
    seed: str
    candidates: list[str]  # the pool experts the draw chose from, sorted
    expert_ids: list[str]
    application_ids: list[str]
    # NAT-4: experts of a candidate's employer do not score that candidate, by application id.
    recusals: dict[str, list[str]]
    # POL-VD-1: the candidates who defend by video (intermediate and senior, no rule replacing it).
    defense_application_ids: list[str]
    # The candidates whose defense a rule replaced, application id → rule (POL-FL-3).
    defense_replaced: dict[str, str]


class DefenseScore(BaseModel):
    """One panel expert's score (0–100) and opinion in a defense."""

    model_config = ConfigDict(frozen=True)

    expert_id: str
    score: int
    opinion: str


class DefenseRecorded(DomainEvent):
    """POL-VD-1: the panel's secretary recorded a video defense: whether the candidate attended, each
    panel expert's score and opinion (recused experts absent), and the recording's reference."""

    event_type: ClassVar[str] = "DefenseRecorded"
    stream_type: ClassVar[str] = PANEL
    panel_id: str
    session_id: str
    application_id: str
    attended: bool
    recording_ref: str | None
    scores: list[DefenseScore]


class PanelOpinionRecorded(DomainEvent):
    """NAT-9: the panel's opinion on one candidate (recommend / not recommend, with a summary), which
    the committee reads before it votes."""

    event_type: ClassVar[str] = "PanelOpinionRecorded"
    stream_type: ClassVar[str] = PANEL
    panel_id: str
    session_id: str
    application_id: str
    opinion: PanelOpinion
    summary: str


# -- issue 12: the vote is closed before it is counted (NAT-2) --------------------------------------


class VotingClosed(DomainEvent):
    """The secretary closed the vote (NAT-2): no ballot is cast after it, and only now are the ballots counted."""

    event_type: ClassVar[str] = "VotingClosed"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    ballots_cast: int


class BallotsCollected(DomainEvent):
    """The vote closed: every sealed ballot of the session, re-sealed and in a random order, in one event (NAT-2)."""

    event_type: ClassVar[str] = "BallotsCollected"
    stream_type: ClassVar[str] = SESSION
    session_id: str
    # base64 boxes under the ballot key (adapters.ballot_seal); none was ever written next to a voter.
    boxes: list[str]


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
    | ExpertsDrawn
    | ConflictDeclared
    | VotingClosed
    | BallotsCollected
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
        ExpertAppointed,
        ExpertsDrawn,
        ConflictDeclared,
        DefenseScheduled,
        ExpertRecommendationReceived,
        BlindReviewConcluded,
        RecommendationMisconductConfirmed,
        QualificationDocumentRevoked,
        ReviewRequested,
        ReviewAnswered,
        BlindReviewersDrawn,
        BlindReviewStalled,
        BlindReviewOpinionRecorded,
        RecommendationMisconductDismissed,
        PanelFormed,
        DefenseRecorded,
        PanelOpinionRecorded,
        VotingClosed,
        BallotsCollected,
    ],
)
