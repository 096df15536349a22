"""What an application carries for the eligibility check: frozen facts, no I/O, no clock.

Durations that decide a boundary ("满2年", "满1年以上") are whole months, so 2 years 11 months is 35,
not 2.9; `years(y, m)` writes them readably.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

Level = Literal["junior", "intermediate", "deputy_senior", "senior"]
Track = Literal[
    "normal",
    "grassroots",
    "exceptional_single",
    "exceptional_double",
    "skills_bridge",
    "farmer",
    "local_talent_direct",
    "direct_application",  # 直接申报 (POL-EX-1): the conditions are the series' own
]
StaffStatus = Literal["on_staff", "off_staff"]
# The employer's kind as org-service registers it (never as the applicant types it):
# public_institution      事业单位 (org kind state_unit, unit_type other than "enterprise")
# state_owned_enterprise  国有企业 (state_unit with unit_type "enterprise")
# private_enterprise      民营企业
# private_institution     民办机构 (private hospitals, schools, technical schools)
# government_agency       机关 (government departments, title offices, HR departments)
# other                   e.g. the HR market holding files of people without an employer
EmployerKind = Literal[
    "public_institution",
    "state_owned_enterprise",
    "private_enterprise",
    "private_institution",
    "government_agency",
    "other",
]
EducationLevel = Literal["secondary_vocational", "junior_college", "bachelor", "master", "doctor"]
TechnicalClass = Literal["intermediate_worker_class", "advanced_worker_class", "preparatory_technician_class"]
SkillGrade = Literal["advanced_worker", "technician", "senior_technician"]
JournalLevel = Literal["core", "provincial"]
IssueType = Literal[
    "regular", "supplement", "sub_issue", "special_issue", "special_edition", "album", "internal", "proceedings"
]
SimilaritySource = Literal["cnki_auto", "employer_report"]
# The CNKI ratios POL-PA-4 may decide on (the city office chooses one per year): 总文字复制比,
# 去除引用文献复制比 (cited quotations left out), 去除本人已发表文献复制比 (own publications left out,
# quotations still counted).
SimilarityRatio = Literal["total", "excluding_quotes", "excluding_own"]
SIMILARITY_RATIOS: tuple[SimilarityRatio, ...] = ("total", "excluding_quotes", "excluding_own")
DEFAULT_SIMILARITY_RATIO: SimilarityRatio = "excluding_own"
AwardKind = Literal["science_technology", "commendation"]
AwardLevel = Literal["national", "ministerial", "provincial", "city", "county", "social"]
EpidemicResultKind = Literal[
    "clinical_treatment",
    "case_records",
    "treatment_plan",
    "key_technology",
    "epidemiological_report",
    "pathology_report",
    "drug_vaccine",
    "reagent_equipment",
    "work_summary",
    "psychological_counselling",
]

LEVEL_ORDER: tuple[Level, ...] = ("junior", "intermediate", "deputy_senior", "senior")
EDUCATION_ORDER: tuple[EducationLevel, ...] = (
    "secondary_vocational",
    "junior_college",
    "bachelor",
    "master",
    "doctor",
)
SKILL_ORDER: tuple[SkillGrade, ...] = ("advanced_worker", "technician", "senior_technician")
# "市内各类企业": state-owned and private enterprises alike.
ENTERPRISE_KINDS: frozenset[EmployerKind] = frozenset({"state_owned_enterprise", "private_enterprise"})


def years(whole_years: int, months: int = 0) -> int:
    """A duration in whole months: years(2, 11) == 35."""
    return whole_years * 12 + months


def next_lower_level(level: Level) -> Level | None:
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index - 1] if index > 0 else None


@dataclass(frozen=True)
class Employer:
    kind: EmployerKind
    name: str = ""
    grassroots: bool = False  # a unit at county level or below (县以下基层单位)
    in_city: bool = True

    @property
    def is_enterprise(self) -> bool:
        return self.kind in ENTERPRISE_KINDS


@dataclass(frozen=True)
class Applicant:
    person_id: str
    name: str
    employer: Employer
    staff_status: StaffStatus = "on_staff"
    applied_through_employer: bool = True
    household_outside_city: bool = False
    # POL-EN-4 asks the employer to state the off-staff status when recommending and in publicity.
    off_staff_stated_by_employer: bool = False


@dataclass(frozen=True)
class Target:
    series: str
    specialty: str
    level: Level
    track: Track = "normal"


@dataclass(frozen=True)
class Education:
    level: EducationLevel | None = None
    technical_class: TechnicalClass | None = None
    major_matches_work: bool = True


@dataclass(frozen=True)
class WorkHistory:
    months_in_current_specialty: int = 0
    rural_months: int = 0
    hard_remote_area: bool = False  # 艰苦边远地区
    months_at_next_lower_post: int = 0

    def __post_init__(self) -> None:
        for name in ("months_in_current_specialty", "rural_months", "months_at_next_lower_post"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True)
class CurrentTitle:
    level: Level
    obtained_on: date


@dataclass(frozen=True)
class SkillCertificate:
    grade: SkillGrade
    obtained_on: date
    matching_work_months: int  # matching technical work since the certificate


@dataclass(frozen=True)
class BridgedQualification:
    field: str  # e.g. "会计"
    level: Level
    obtained_on: date


@dataclass(frozen=True)
class FrontLine:
    roster_id: str | None
    missed_2020_promotion: bool = False
    epidemic_results: tuple[str, ...] = ()  # EpidemicResultKind values; others are reported, not dropped


def _as_percent(fraction: Any) -> Decimal:
    return Decimal(str(fraction)) * 100


@dataclass(frozen=True)
class Similarity:
    """A paper's check in percent: CNKI's ratios by name (``ratios``: total, excluding_quotes,
    excluding_own, largest_source) where the check measured them; ``percent`` is the figure used for a
    ratio it did not measure (an employer's report states one figure, 去除本人已发表文献复制比)."""

    percent: Decimal
    source: SimilaritySource = "cnki_auto"
    sealed: bool = True  # an employer's report must carry the employer's seal
    ratios: Mapping[str, Decimal] = field(default_factory=dict, hash=False)  # hashable like the other facts

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", Decimal(str(self.percent)))
        object.__setattr__(self, "ratios", {k: Decimal(str(v)) for k, v in self.ratios.items()})

    def percent_of(self, ratio: SimilarityRatio) -> Decimal:
        return self.ratios.get(ratio, self.percent)

    @classmethod
    def of_check(cls, check: Mapping[str, Any] | None) -> Similarity | None:
        """A recorded check (PaperCheckRecorded's payload: fractions 0..1) in percent; None without figures."""
        if not check:
            return None
        ratios = {k: _as_percent(v) for k, v in (check.get("ratios") or {}).items() if v is not None}
        if check.get("copy_ratio") is not None:
            percent = _as_percent(check["copy_ratio"])
        elif DEFAULT_SIMILARITY_RATIO in ratios:
            percent = ratios[DEFAULT_SIMILARITY_RATIO]
        else:
            return None
        source: SimilaritySource = "employer_report" if check.get("source") == "external_report" else "cnki_auto"
        return cls(percent, source, ratios=ratios)


@dataclass(frozen=True)
class Paper:
    title: str
    journal: str
    cn_number: str | None
    claimed_level: JournalLevel
    published_on: date
    issue_type: IssueType = "regular"
    electronic: bool = False  # as declared by the applicant; the registry wins when it knows the journal
    press_listed: bool | None = None  # as declared; None when not stated
    similarity: Similarity | None = None
    ref: str | None = None  # the paper's id in the application, to name it in exclusions


@dataclass(frozen=True)
class Award:
    title: str
    year: int
    programme: str
    kind: AwardKind
    level: AwardLevel
    collective: bool = False
    personal_role_stated: bool = False
    # "原则上以表彰文件落款、证书印章为准": the commendation document's signature (who issued it, on which
    # date) and the certificate's seal (whose seal it bears), as the reviewer reads them off the documents.
    document_issuer: str | None = None
    document_dated: date | None = None
    certificate_seal_of: str | None = None
    ref: str | None = None  # the award's position in the application, to name it in exclusions


@dataclass(frozen=True)
class ExpertRecommendation:
    applied_in_writing: bool
    employer_agreed: bool
    blind_approvals: int
    blind_total: int
    recommends_established_results: bool = False
    has_benefit: bool = True
    benefit_at_level: bool = True
    applicant_in_good_standing: bool = True
    expert_in_good_standing: bool = True
    applicant_knew_policy: bool = True
    expert_knew_policy: bool = True
    expert_knows_applicant: bool = True
    expert_has_small_scope_senior_title: bool = False
    misconduct_found: bool = False
    recommendation_false: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.blind_approvals <= self.blind_total:
            raise ValueError("blind_approvals must be between 0 and blind_total")


@dataclass(frozen=True)
class ThreeLongTwoOutstanding:
    """The facts behind 三长两突出; years are whole years as the employer certifies them."""

    grassroots_years: int
    tenure_years: int
    years_at_one_post_level: int
    outstanding_before_current_title: bool
    outstanding_since_current_title: bool
    years_to_retirement: int | None = None


@dataclass(frozen=True)
class Application:
    applicant: Applicant
    target: Target
    education: Education = field(default_factory=Education)
    work: WorkHistory = field(default_factory=WorkHistory)
    current_title: CurrentTitle | None = None
    skill_certificates: tuple[SkillCertificate, ...] = ()
    bridged_qualifications: tuple[BridgedQualification, ...] = ()
    front_line: FrontLine | None = None
    papers: tuple[Paper, ...] = ()
    awards: tuple[Award, ...] = ()
    expert_recommendation: ExpertRecommendation | None = None
    three_long_two_outstanding: ThreeLongTwoOutstanding | None = None
    local_talent_selected: bool = False  # 平凉市乡土人才
    outstanding_since_current_title: bool | None = None  # 破格: 任现职后业绩突出
