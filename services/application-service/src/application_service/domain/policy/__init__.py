"""The eligibility policy engine: one named rule per POL/SCHED ID, an eligibility report listing
every rule with its outcome and a Chinese explanation, and the quota pool an application counts against.

    from application_service.domain.policy import evaluate
    report = evaluate(application, registries, as_of=date(2021, 11, 1), schedule=published_schedule)
"""

from .context import PolicyContext
from .engine import ALL_RULES, APPLICATION_RULES, AWARD_RULES, PAPER_RULES, evaluate
from .model import (
    Applicant,
    Application,
    Award,
    BridgedQualification,
    CurrentTitle,
    Education,
    Employer,
    ExpertRecommendation,
    FrontLine,
    Paper,
    Similarity,
    SkillCertificate,
    Target,
    ThreeLongTwoOutstanding,
    WorkHistory,
    years,
)
from .outcome import EligibilityReport, ExcludedItem, PolicyRule, QuotaDecision, QuotaReason, RuleOutcome
from .parameters import DEFAULT_PARAMETERS, PolicyParameters
from .quota import decide_quota_pool
from .registries import FrontLineRoster, InMemoryRegistries, JournalRecord, LevelRequirement, Registries, normalise_cn

__all__ = [
    "ALL_RULES",
    "APPLICATION_RULES",
    "AWARD_RULES",
    "DEFAULT_PARAMETERS",
    "PAPER_RULES",
    "Applicant",
    "Application",
    "Award",
    "BridgedQualification",
    "CurrentTitle",
    "Education",
    "EligibilityReport",
    "Employer",
    "ExcludedItem",
    "ExpertRecommendation",
    "FrontLine",
    "FrontLineRoster",
    "InMemoryRegistries",
    "JournalRecord",
    "LevelRequirement",
    "Paper",
    "PolicyContext",
    "PolicyParameters",
    "PolicyRule",
    "QuotaDecision",
    "QuotaReason",
    "Registries",
    "RuleOutcome",
    "Similarity",
    "SkillCertificate",
    "Target",
    "ThreeLongTwoOutstanding",
    "WorkHistory",
    "decide_quota_pool",
    "evaluate",
    "normalise_cn",
    "years",
]
