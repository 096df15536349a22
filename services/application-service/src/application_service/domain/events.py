"""Facts of this service, in past tense: one class per event type, its fields the payload.

plagiarism-service consumes PaperCheckRequested and review-service ApplicationPushed: their payload
keys are a contract (docs/EVENTS.md). A changed shape is a new schema version with an upcaster.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import ConfigDict, Field
from zhicheng_kernel.calendar import HolidayYear
from zhicheng_kernel.events import DomainEvent, EventCatalogue

APPLICATION_STREAM = "application"
PUSH_STREAM = "push"
# A unit's quota plans of a year (QuotaPlanRecorded): one stream per unit and year.
QUOTA_STREAM = "quota_plan"
# Registries the city office maintains, and the yearly schedules: one stream per registry or year.
REGISTRY_STREAM = "registry"
# The official holiday calendars the city office publishes: one stream per year.
CALENDAR_STREAM = "calendar"
# The CNKI ratio POL-PA-4 decides on, chosen by the city office: one stream per year.
SIMILARITY_SETTING_STREAM = "similarity_setting"
# A series' push window of a year (SCHED-1): one stream per year and series, id f"{year}:{series}".
PUSH_WINDOW_STREAM = "push_window"


class ApplicationEvent(DomainEvent):
    stream_type: ClassVar[str] = APPLICATION_STREAM

    application_id: str


# -- the applicant's application -------------------------------------------------------------------


class ApplicationDrafted(ApplicationEvent):
    """An applicant saved a draft that only they see; nothing is checked before it is submitted."""

    event_type: ClassVar[str] = "ApplicationDrafted"

    applicant_id: str
    applicant_name: str
    org_id: str
    org_path: str
    content: dict[str, Any]


class ApplicationEdited(ApplicationEvent):
    """The applicant edited a draft, or an application returned for correction."""

    event_type: ClassVar[str] = "ApplicationEdited"

    content: dict[str, Any]


class ApplicationSubmitted(ApplicationEvent):
    """An application was submitted, with its papers, facts and the review chain it goes up (NAT-7)."""

    event_type: ClassVar[str] = "ApplicationSubmitted"

    applicant_id: str
    applicant_name: str
    org_id: str
    org_path: str
    county_code: str
    year: int
    series: str
    specialty: str
    level: str
    track: str
    papers: list[dict[str, Any]]
    chain: list[dict[str, str]]
    facts: dict[str, Any]


class ApplicationResubmitted(ApplicationEvent):
    """A returned application was corrected and resubmitted; it starts again at `resume_step`. When
    papers were edited the corrected fields (year … facts) travel along and `papers_replaced` is true."""

    event_type: ClassVar[str] = "ApplicationResubmitted"

    returned_step: str | None
    resume_step: str
    papers_replaced: bool
    year: int | None = None
    series: str | None = None
    specialty: str | None = None
    level: str | None = None
    track: str | None = None
    papers: list[dict[str, Any]] | None = None
    facts: dict[str, Any] | None = None


class ApplicationWithdrawn(ApplicationEvent):
    """The applicant withdrew the application before the title office approved it."""

    event_type: ClassVar[str] = "ApplicationWithdrawn"

    reason: str


class EligibilityAssessed(ApplicationEvent):
    """The policy engine's eligibility report on what was submitted: every rule, its outcome and why."""

    model_config = ConfigDict(frozen=True, extra="ignore", serialize_by_alias=True, validate_by_name=True)
    event_type: ClassVar[str] = "EligibilityAssessed"

    report_schema_version: int = Field(alias="schema_version")
    as_of: str
    eligible: bool
    committee_required: bool
    quota_pool: dict[str, Any]
    annotations: list[str]
    outcomes: list[dict[str, Any]]
    # Issue 9 (C2, C3); the defaults read reports assessed before them. `basis`: the facts evaluated,
    # "declared" or "attested" (the unit's corrections applied); `trigger`: what made the engine assess
    # again; `changes`: the outcomes that changed since the previous report ({rule_id, before, after});
    # `facts`: declared and attested side by side ({path, declared, attested, reason}).
    basis: str = "declared"
    trigger: str = "submitted"
    changes: list[dict[str, Any]] = Field(default_factory=list)
    facts: list[dict[str, Any]] = Field(default_factory=list)
    blocking: list[dict[str, Any]] | None = None  # None: assessed before bindings (application.blocking_of)
    excluded_items: list[dict[str, Any]] = Field(default_factory=list)
    route: str | None = None
    remarks: list[str] = Field(default_factory=list)
    # The registries the rules read that hold no entry (a production start is empty): the report says so.
    empty_registries: list[dict[str, str]] = Field(default_factory=list)


class FactsAttested(ApplicationEvent):
    """The unit's reviewer (NAT-7, first step) confirmed the declared facts or corrected some, each with a
    reason; the engine then evaluates the attested facts. Approving at the unit confirms what was declared."""

    event_type: ClassVar[str] = "FactsAttested"

    step: str
    reviewer_id: str
    reviewer_org_id: str | None
    confirmed: bool
    corrections: list[dict[str, Any]]


class CandidateEvent(ApplicationEvent):
    """What a committee, or review-service for a route without one, knows of a candidate; `annotations`
    are printed on the qualification document and come from a report on attested facts (C2)."""

    year: int
    series: str
    specialty: str
    level: str
    applicant_id: str
    applicant_name: str
    org_id: str
    org_path: str
    county_code: str
    annotations: list[str]


class ApplicationConcludedWithoutCommittee(CandidateEvent):
    """The title office approved an application whose route has no committee (POL-SK-3 employer assessment,
    POL-GR-4 direct appointment): review-service issues its document; it is never pushed."""

    event_type: ClassVar[str] = "ApplicationConcludedWithoutCommittee"

    route: str


class AttachmentAdded(ApplicationEvent):
    """A file (PDF, JPEG or PNG) was attached to the application; it is kept under its SHA-256."""

    event_type: ClassVar[str] = "AttachmentAdded"

    attachment_id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str


class AttachmentRemoved(ApplicationEvent):
    """The applicant removed a file they had attached while the application was still theirs to change
    (the stored file is kept: files are kept under their SHA-256 and may be shared)."""

    event_type: ClassVar[str] = "AttachmentRemoved"

    attachment_id: str
    removed_by: str


# -- checks and the review chain -----------------------------------------------------------------------


class PaperCheckRequested(ApplicationEvent):
    """A paper of the application is to be checked for plagiarism (POL-PA-4); plagiarism-service answers."""

    event_type: ClassVar[str] = "PaperCheckRequested"

    paper_id: str
    title: str
    text: str
    authors: list[str]
    journal_level: str
    published_on: str


class ExternalReportUploaded(ApplicationEvent):
    """The employer uploaded a sealed check report for a paper the automatic check could not cover."""

    event_type: ClassVar[str] = "ExternalReportUploaded"

    paper_id: str
    report_id: str
    provider: str
    report_number: str
    copy_ratio: float
    attested: bool
    sha256: str
    size: int
    uploaded_by: str


class PaperCheckRecorded(ApplicationEvent):
    """A paper's check was recorded — plagiarism-service's ratios, or the employer's report (`source`
    "external_report") — with this service's POL-PA-4 verdict when it was recorded: `ratio` is the
    year's chosen ratio and `copy_ratio` its value, `threshold` the limit of the journal's level as the
    registries judged it (null: unknown), `decision` pass / fail / pending / rejected."""

    event_type: ClassVar[str] = "PaperCheckRecorded"

    paper_id: str
    check_id: str
    copy_ratio: float | None
    threshold: float | None
    decision: str
    reason: str | None = None
    source: str | None = None
    ratios: dict[str, float] | None = None  # total, excluding_quotes, excluding_own, largest_source (0..1)
    ratio: str | None = None
    journal_level: str | None = None
    # A check that could not run (decision "rejected"): plagiarism-service's code, and whether the
    # applicant's input caused it (None: not said; the code decides, domain/paper_bounds.py).
    code: str | None = None
    applicant_caused: bool | None = None


class PublicityStarted(ApplicationEvent):
    """The unit began its internal publicity of the application (NAT-5)."""

    event_type: ClassVar[str] = "PublicityStarted"

    starts_on: str
    org_id: str | None
    recorded_by: str
    # The instant it was recorded (ISO 8601): a compressed NAT-5 period (outside production) runs from it.
    started_at: str | None = None


class StepApproved(ApplicationEvent):
    reviewer_id: str
    reviewer_org_id: str | None
    opinion: str


class UnitApproved(StepApproved):
    """The applicant's unit approved the application (NAT-7, first step)."""

    event_type: ClassVar[str] = "UnitApproved"


class DepartmentApproved(StepApproved):
    """The competent department approved the application (NAT-7)."""

    event_type: ClassVar[str] = "DepartmentApproved"


class TitleOfficeApproved(StepApproved):
    """The title office approved the application (NAT-7, last step; POL-PA-4 checks passed)."""

    event_type: ClassVar[str] = "TitleOfficeApproved"


class ApplicationReturned(ApplicationEvent):
    """A step of the review chain returned the application to the applicant for correction."""

    event_type: ClassVar[str] = "ApplicationReturned"

    step: str
    reviewer_id: str
    reasons: list[str]


# -- the expert recommendation (POL-ER-1) ------------------------------------------------------------------


class ExpertRecommendationRequested(ApplicationEvent):
    """POL-ER-1: the applicant asked the employer in writing to use an expert's recommendation (专家举荐)."""

    event_type: ClassVar[str] = "ExpertRecommendationRequested"

    recommendation_id: str
    recommending_expert_id: str
    request_text: str
    recommendation_text: str


class ExpertRecommendationConsented(ApplicationEvent):
    """POL-ER-1 / POL-ER-2 (1): the employer agreed (or refused) the applicant's written request. On
    agreement review-service starts the blind review; the texts travel without the applicant's name."""

    event_type: ClassVar[str] = "ExpertRecommendationConsented"

    recommendation_id: str
    agreed: bool
    reason: str
    decided_by: str
    year: int
    series: str
    specialty: str
    level: str
    applicant_id: str
    org_id: str
    org_path: str
    recommending_expert_id: str
    recommendation_text: str


# -- the push and the committee's outcome ----------------------------------------------------------------


class ApplicationPushed(CandidateEvent):
    """The title office pushed the application to its series' committee (SCHED-1), with its annotations."""

    event_type: ClassVar[str] = "ApplicationPushed"

    push_id: str
    # Stated at recommendation and publicity, noted with the materials, never printed (C2 remarks).
    remarks: list[str] = Field(default_factory=list)
    # POL-VD-1: every intermediate and senior candidate defends by video unless a rule replaces the
    # defense — the rule's id (POL-FL-3: front-line epidemic results), None when they defend.
    defense_replaced_by: str | None = None


class CommitteeReviewStarted(ApplicationEvent):
    """review-service opened the committee session that reviews the application."""

    event_type: ClassVar[str] = "CommitteeReviewStarted"

    session_id: str


class ResultsPublicityStarted(ApplicationEvent):
    """The committee passed the application and its result is in publicity until `publicity_ends_at`."""

    event_type: ClassVar[str] = "ResultsPublicityStarted"

    session_id: str
    publicity_ends_at: str | None


class ApplicationDecided(ApplicationEvent):
    """The committee's outcome reached the application: titled (with the document's number) or not."""

    event_type: ClassVar[str] = "ApplicationDecided"

    outcome: str
    document_number: str | None


class PushBatchEvent(DomainEvent):
    """What happened to one push batch (its stream): the batch, its year, series, level and pushing office."""

    stream_type: ClassVar[str] = PUSH_STREAM

    push_id: str
    year: int
    series: str
    level: str
    office_org_id: str


class PushBatchCreated(PushBatchEvent):
    """The title office pushed a batch of applications of one year, series and level (SCHED-1)."""

    event_type: ClassVar[str] = "PushBatchCreated"

    application_ids: list[str]


# -- the provincial pre-review filing (POL-FI-1) ------------------------------------------------------


class ProvincialFilingSubmitted(PushBatchEvent):
    """A push batch's key information reached the provincial title office (POL-FI-1); `duplicate`: the
    province had received it before and saw one filing."""

    event_type: ClassVar[str] = "ProvincialFilingSubmitted"

    application_ids: list[str]
    received_at: datetime
    duplicate: bool


class ProvincialFilingEscalated(PushBatchEvent):
    """A filing went to the city office: its delivery keeps failing, or the province's verdicts are overdue."""

    event_type: ClassVar[str] = "ProvincialFilingEscalated"

    reason: str  # "delivery_failing" | "verdict_overdue"
    detail: str
    pending_application_ids: list[str]


class ProvincialVerdictRecorded(ApplicationEvent):
    """The provincial title office approved a filed application, or returned it with reasons (POL-FI-1)."""

    event_type: ClassVar[str] = "ProvincialVerdictRecorded"

    push_id: str
    year: int
    series: str
    level: str
    org_id: str  # the employer
    applicant_id: str
    verdict: str  # "approved" | "returned"
    reasons: list[str]
    decided_at: datetime
    delivery_id: str
    reviewer: str


class QuotaPlanRecorded(DomainEvent):
    """A title office recorded a unit's quota of one year, series, level and pool (a repeat replaces it)."""

    event_type: ClassVar[str] = "QuotaPlanRecorded"
    stream_type: ClassVar[str] = QUOTA_STREAM

    year: int
    org_id: str
    series: str
    level: str
    quota: int
    recorded_by: str
    # "structure_ratio" (the post structure ratio) or "grassroots_separate" (POL-GR-1's separate total).
    pool: str = "structure_ratio"


# -- registries and schedules ---------------------------------------------------------------------------


class RegistryEvent(DomainEvent):
    stream_type: ClassVar[str] = REGISTRY_STREAM


class RegistryEntriesImported(RegistryEvent):
    """The city office imported a registry file (replace: the whole registry; merge: by key)."""

    event_type: ClassVar[str] = "RegistryEntriesImported"

    registry: str
    mode: str
    source: str
    count: int
    entries: list[dict[str, Any]]


class RegistryEntryRecorded(RegistryEvent):
    """The city office added or changed one registry entry."""

    event_type: ClassVar[str] = "RegistryEntryRecorded"

    registry: str
    key: str
    entry: dict[str, Any]


class RegistryEntryRemoved(RegistryEvent):
    """The city office removed one registry entry."""

    event_type: ClassVar[str] = "RegistryEntryRemoved"

    registry: str
    key: str


class SchedulePublished(RegistryEvent):
    """The city office published a year's push schedule (SCHED-4); it governs that year from now on."""

    event_type: ClassVar[str] = "SchedulePublished"

    year: int
    series: list[dict[str, Any]]


class HolidayCalendarPublished(DomainEvent):
    """The city office published a year's official holidays and adjusted working days (a re-publication corrects it)."""

    event_type: ClassVar[str] = "HolidayCalendarPublished"
    stream_type: ClassVar[str] = CALENDAR_STREAM

    year: int
    holidays: list[date]
    working_weekends: list[date]

    def holiday_year(self) -> HolidayYear:
        return HolidayYear(self.year, frozenset(self.holidays), frozenset(self.working_weekends))


class SimilarityRatioChosen(DomainEvent):
    """The city office chose the CNKI ratio POL-PA-4 decides on for a year (the latest choice holds)."""

    event_type: ClassVar[str] = "SimilarityRatioChosen"
    stream_type: ClassVar[str] = SIMILARITY_SETTING_STREAM

    year: int
    ratio: str  # "total" | "excluding_quotes" | "excluding_own"
    chosen_by: str


# -- push windows (SCHED-1) -------------------------------------------------------------------------------


class PushWindowReminderIssued(DomainEvent):
    """A push window closes in `remaining_seconds`: its offices and holders of unfinished applications reminded."""

    event_type: ClassVar[str] = "PushWindowReminderIssued"
    stream_type: ClassVar[str] = PUSH_WINDOW_STREAM

    year: int
    series: str
    push_month: int
    closes_at: datetime
    remaining_seconds: int
    office_org_ids: list[str]
    # Units and departments still holding unfinished applications of the series and year.
    holder_org_ids: list[str]
    unfinished_count: int


class PushWindowClosed(DomainEvent):
    """A series' push window closed (SCHED-1): what was pushed, and what was left behind, by the org holding it."""

    event_type: ClassVar[str] = "PushWindowClosed"
    stream_type: ClassVar[str] = PUSH_WINDOW_STREAM

    year: int
    series: str
    push_month: int
    closes_at: datetime
    pushed_count: int
    left_behind_count: int
    left_behind_by_org: dict[str, int]
    office_org_ids: list[str]


# -- issue 11: the blind review's consequences (POL-ER-3) --------------------------------------------------


class EligibilityCancelled(ApplicationEvent):
    """POL-ER-3: the city office confirmed misconduct in the applicant's expert recommendation; the
    application loses this year's eligibility and ends here, the rule named."""

    event_type: ClassVar[str] = "EligibilityCancelled"

    rule: str
    reason: str
    year: int
    review_id: str
    kind: str
    confirmed_by: str


# The approval event of each step of the chain (NAT-7).
APPROVED_EVENT_OF_STEP: dict[str, type[StepApproved]] = {
    "unit": UnitApproved,
    "department": DepartmentApproved,
    "title_office": TitleOfficeApproved,
}

CATALOGUE = EventCatalogue(
    "application-service",
    [
        ExpertRecommendationRequested,
        ExpertRecommendationConsented,
        ApplicationDrafted,
        ApplicationEdited,
        ApplicationSubmitted,
        ApplicationResubmitted,
        ApplicationWithdrawn,
        EligibilityAssessed,
        FactsAttested,
        ApplicationConcludedWithoutCommittee,
        AttachmentAdded,
        AttachmentRemoved,
        PaperCheckRequested,
        ExternalReportUploaded,
        PaperCheckRecorded,
        PublicityStarted,
        UnitApproved,
        DepartmentApproved,
        TitleOfficeApproved,
        ApplicationReturned,
        ApplicationPushed,
        CommitteeReviewStarted,
        ResultsPublicityStarted,
        ApplicationDecided,
        PushBatchCreated,
        ProvincialFilingSubmitted,
        ProvincialFilingEscalated,
        ProvincialVerdictRecorded,
        QuotaPlanRecorded,
        RegistryEntriesImported,
        RegistryEntryRecorded,
        RegistryEntryRemoved,
        SchedulePublished,
        HolidayCalendarPublished,
        SimilarityRatioChosen,
        PushWindowReminderIssued,
        PushWindowClosed,
        EligibilityCancelled,
    ],
)
