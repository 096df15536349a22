"""Request bodies of the API (pydantic validates shapes; the domain validates rules)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from zhicheng_kernel.inputs import MAX_YEAR, MIN_YEAR, CleanText, MultilineText

from ..domain.paper_bounds import (
    MAX_AUTHOR_CHARS,
    MAX_AUTHORS,
    MAX_JOURNAL_CHARS,
    MAX_PAPER_TEXT_CHARS,
    MAX_PAPER_TITLE_CHARS,
    MAX_PAPERS,
    comparable_text,
)
from ..domain.policy.model import Track
from ..domain.recommendation import without_system_known

Level = Literal["junior", "intermediate", "deputy_senior", "senior"]


# Person-typed text (zhicheng_kernel.inputs): one line (CleanText) or several (MultilineText), bounded.
Line30 = Annotated[CleanText, StringConstraints(max_length=30)]
Line100 = Annotated[CleanText, StringConstraints(max_length=100)]
Line200 = Annotated[CleanText, StringConstraints(max_length=200)]
Line500 = Annotated[CleanText, StringConstraints(max_length=500)]
Filled50 = Annotated[CleanText, StringConstraints(min_length=1, max_length=50)]
Filled64 = Annotated[CleanText, StringConstraints(min_length=1, max_length=64)]
Filled100 = Annotated[CleanText, StringConstraints(min_length=1, max_length=100)]
Filled200 = Annotated[CleanText, StringConstraints(min_length=1, max_length=200)]
Lines500 = Annotated[MultilineText, StringConstraints(max_length=500)]
Lines2000 = Annotated[MultilineText, StringConstraints(max_length=2000)]
PaperTitle = Annotated[CleanText, StringConstraints(min_length=1, max_length=MAX_PAPER_TITLE_CHARS)]
JournalName = Annotated[CleanText, StringConstraints(min_length=1, max_length=MAX_JOURNAL_CHARS)]
AuthorName = Annotated[CleanText, StringConstraints(min_length=1, max_length=MAX_AUTHOR_CHARS)]

# A paper's full text: what plagiarism-service can compare (domain/paper_bounds.py, the one bound).
PaperText = Annotated[
    MultilineText, StringConstraints(min_length=1, max_length=MAX_PAPER_TEXT_CHARS), AfterValidator(comparable_text)
]
Months = Field(default=0, ge=0, le=100 * 12)
Years = Field(ge=0, le=80)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PaperIn(Strict):
    title: PaperTitle
    journal: JournalName
    journal_level: Literal["core", "provincial"]
    published_on: date
    authors: list[AuthorName] = Field(min_length=1, max_length=MAX_AUTHORS)
    text: PaperText
    # What POL-PA-1…3 read; the registry of journals wins where it knows the journal.
    cn_number: Line30 | None = None
    issue_type: Literal[
        "regular", "supplement", "sub_issue", "special_issue", "special_edition", "album", "internal", "proceedings"
    ] = "regular"
    electronic: bool = False
    press_listed: bool | None = None


class EducationIn(Strict):
    level: Literal["secondary_vocational", "junior_college", "bachelor", "master", "doctor"] | None = None
    technical_class: (
        Literal["intermediate_worker_class", "advanced_worker_class", "preparatory_technician_class"] | None
    ) = None
    major_matches_work: bool = True


class WorkIn(Strict):
    months_in_current_specialty: int = Months
    rural_months: int = Months
    hard_remote_area: bool = False
    months_at_next_lower_post: int = Months


class CurrentTitleIn(Strict):
    level: Level
    obtained_on: date


class SkillCertificateIn(Strict):
    grade: Literal["advanced_worker", "technician", "senior_technician"]
    obtained_on: date
    matching_work_months: int = Months


class BridgedQualificationIn(Strict):
    field: Filled50
    level: Level
    obtained_on: date


class FrontLineIn(Strict):
    roster_id: Line100 | None = None
    missed_2020_promotion: bool = False
    epidemic_results: list[Line500] = Field(default_factory=list, max_length=20)


class AwardIn(Strict):
    title: Filled200
    year: int = Field(ge=1949, le=MAX_YEAR)
    programme: Filled200
    kind: Literal["science_technology", "commendation"]
    level: Literal["national", "ministerial", "provincial", "city", "county", "social"]
    collective: bool = False
    personal_role_stated: bool = False
    # "原则上以表彰文件落款、证书印章为准": who signed the commendation document and when, and whose
    # seal the certificate bears, as read off the documents.
    document_issuer: Line100 | None = None
    document_dated: date | None = None
    certificate_seal_of: Line100 | None = None


# POL-ER-1: the request, the consent, the blind-review counts and misconduct are what the system
# recorded (由系统依据书面申请、单位同意和盲审结果认定); values sent for them are accepted and dropped.
_SYSTEM_KNOWN = "由系统依据书面申请、单位同意和盲审结果认定，申报人填写的值不予采用"


class ExpertRecommendationIn(Strict):
    applied_in_writing: bool | None = Field(default=None, description=_SYSTEM_KNOWN)
    employer_agreed: bool | None = Field(default=None, description=_SYSTEM_KNOWN)
    blind_approvals: int | None = Field(default=None, ge=0, le=100, description=_SYSTEM_KNOWN)
    blind_total: int | None = Field(default=None, ge=0, le=100, description=_SYSTEM_KNOWN)
    recommends_established_results: bool = False
    has_benefit: bool = True
    benefit_at_level: bool = True
    applicant_in_good_standing: bool = True
    expert_in_good_standing: bool = True
    applicant_knew_policy: bool = True
    expert_knew_policy: bool = True
    expert_knows_applicant: bool = True
    expert_has_small_scope_senior_title: bool = False
    misconduct_found: bool | None = Field(default=None, description=_SYSTEM_KNOWN)
    recommendation_false: bool = False

    @model_validator(mode="after")
    def _approvals_within_total(self) -> ExpertRecommendationIn:
        if (
            self.blind_approvals is not None
            and self.blind_total is not None
            and self.blind_approvals > self.blind_total
        ):
            raise ValueError("blind_approvals must not exceed blind_total")
        return self


class ThreeLongTwoOutstandingIn(Strict):
    grassroots_years: int = Years
    tenure_years: int = Years
    years_at_one_post_level: int = Years
    outstanding_before_current_title: bool
    outstanding_since_current_title: bool
    years_to_retirement: int | None = Field(default=None, ge=0, le=50)


class EmployerIn(Strict):
    """What the applicant declares about the employer: shown, never decisive — the employer's kind, unit
    type and level are org-service's (C1)."""

    kind: (
        Literal[
            "public_institution",
            "state_owned_enterprise",
            "private_enterprise",
            "private_institution",
            "government_agency",
            "other",
        ]
        | None
    ) = None
    name: Line200 | None = None
    grassroots: bool | None = None
    in_city: bool | None = None


# Fields of the body the policy engine reads; stored together as the submission's `facts`.
FACT_FIELDS = (
    "staff_status",
    "applied_through_employer",
    "household_outside_city",
    "off_staff_stated_by_employer",
    "employer",
    "education",
    "work",
    "current_title",
    "skill_certificates",
    "bridged_qualifications",
    "front_line",
    "awards",
    "expert_recommendation",
    "three_long_two_outstanding",
    "local_talent_selected",
    "outstanding_since_current_title",
)


class ApplicationIn(Strict):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    series: Filled100
    specialty: Filled100
    level: Level
    track: Track = "normal"
    papers: list[PaperIn] = Field(default_factory=list, max_length=MAX_PAPERS)
    # Everything below is optional; the eligibility report says what a missing fact means.
    staff_status: Literal["on_staff", "off_staff"] | None = None  # declared only: org-service's registration decides
    applied_through_employer: bool = True
    household_outside_city: bool = False
    off_staff_stated_by_employer: bool = False
    employer: EmployerIn | None = None
    education: EducationIn | None = None
    work: WorkIn | None = None
    current_title: CurrentTitleIn | None = None
    skill_certificates: list[SkillCertificateIn] = Field(default_factory=list, max_length=10)
    bridged_qualifications: list[BridgedQualificationIn] = Field(default_factory=list, max_length=10)
    front_line: FrontLineIn | None = None
    awards: list[AwardIn] = Field(default_factory=list, max_length=30)
    expert_recommendation: ExpertRecommendationIn | None = None
    three_long_two_outstanding: ThreeLongTwoOutstandingIn | None = None
    local_talent_selected: bool = False
    outstanding_since_current_title: bool | None = None

    def content(self) -> dict[str, Any]:
        """The body as JSON, the engine's facts grouped under `facts` (None values dropped)."""
        data = self.model_dump(mode="json")
        facts = {k: data.pop(k) for k in FACT_FIELDS}
        if facts.get("employer"):
            facts["employer"] = {k: v for k, v in facts["employer"].items() if v is not None}
        if facts.get("expert_recommendation"):
            facts["expert_recommendation"] = without_system_known(facts["expert_recommendation"])
        data["facts"] = {k: v for k, v in facts.items() if v is not None and v != []}
        return data


class NewApplicationIn(ApplicationIn):
    submit: bool = True  # false: a draft the applicant edits (PUT) and submits later (POST …/submit)


class WithdrawIn(Strict):
    reason: Lines2000 = ""


class PublicityIn(Strict):
    starts_on: date | None = None  # default: today (Asia/Shanghai)
    expected_version: int | None = Field(default=None, ge=1)


class DecisionIn(Strict):
    decision: Literal["approve", "return"]
    opinion: Lines2000 = ""
    expected_version: int = Field(ge=1)


class CorrectionIn(Strict):
    path: Filled100 = Field(description="申报事实的路径，如 work.rural_months")
    attested: bool | int | Line200 | None = Field(description="单位核实的值")
    reason: Lines500 = Field(default="", description="更正理由（必填）")


class AttestationIn(Strict):
    corrections: list[CorrectionIn] = Field(default_factory=list, max_length=50)
    expected_version: int | None = Field(default=None, ge=1)


class PushIn(Strict):
    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR)
    series: Filled100
    level: Level
    application_ids: list[Filled64] = Field(min_length=1, max_length=2000)


class ScheduleEntryIn(Strict):
    series: Filled100
    push_month: int = Field(ge=1, le=12)
    grassroots: bool = False


class ScheduleIn(Strict):
    series: list[ScheduleEntryIn] = Field(min_length=1, max_length=200)
