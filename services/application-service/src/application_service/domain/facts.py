"""From what the applicant submitted (ApplicationSubmitted's payload and its `facts`) to the policy
engine's frozen Application — pure, so the report can be recomputed from the stream at any time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from .policy import (
    Applicant,
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
)
from .policy import Application as PolicyApplication

# The employer kind the engine reasons about, from org-service's organization kind.
EMPLOYER_KIND_OF_ORG: dict[str, str] = {
    "state_unit": "public_institution",
    "government_department": "government_agency",
    "title_office": "government_agency",
    "hr_department": "government_agency",
    "private_enterprise": "enterprise",
    "private_hospital": "private_institution",
    "private_school": "private_institution",
    "private_technical_school": "private_institution",
    "hr_market": "other",
}


def default_employer(org_kind: str, org_level: str, org_name: str) -> dict[str, Any]:
    """What the org tree says about the employer; the applicant's `facts.employer` may refine it."""
    return {
        "kind": EMPLOYER_KIND_OF_ORG.get(org_kind, "other"),
        "name": org_name,
        "grassroots": org_level == "county",
        "in_city": True,
    }


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _similarity(check: Mapping[str, Any] | None) -> Similarity | None:
    """A recorded plagiarism check (CNKI's ratios as fractions) as the engine's percent."""
    return Similarity.of_check(check)


def policy_application(
    submitted: Mapping[str, Any],
    *,
    person_id: str,
    employer: Mapping[str, Any],
    on_staff: bool | None,
    checks: Mapping[str, Mapping[str, Any]] | None = None,
) -> PolicyApplication:
    facts: Mapping[str, Any] = submitted.get("facts") or {}
    checks = checks or {}
    staff: Literal["on_staff", "off_staff"] = facts.get("staff_status") or (
        "off_staff" if on_staff is False else "on_staff"
    )
    emp = Employer(**{**employer, **(facts.get("employer") or {})})
    applicant = Applicant(
        person_id=person_id,
        name=str(submitted.get("applicant_name", "")),
        employer=emp,
        staff_status=staff,
        applied_through_employer=bool(facts.get("applied_through_employer", True)),
        household_outside_city=bool(facts.get("household_outside_city", False)),
        off_staff_stated_by_employer=bool(facts.get("off_staff_stated_by_employer", False)),
    )
    title = facts.get("current_title")
    front = facts.get("front_line")
    expert = facts.get("expert_recommendation")
    three = facts.get("three_long_two_outstanding")
    return PolicyApplication(
        applicant=applicant,
        target=Target(
            submitted["series"], submitted["specialty"], submitted["level"], submitted.get("track", "normal")
        ),
        education=Education(**(facts.get("education") or {})),
        work=WorkHistory(**(facts.get("work") or {})),
        current_title=CurrentTitle(title["level"], _date(title["obtained_on"])) if title else None,
        skill_certificates=tuple(
            SkillCertificate(c["grade"], _date(c["obtained_on"]), c["matching_work_months"])
            for c in facts.get("skill_certificates") or ()
        ),
        bridged_qualifications=tuple(
            BridgedQualification(q["field"], q["level"], _date(q["obtained_on"]))
            for q in facts.get("bridged_qualifications") or ()
        ),
        front_line=FrontLine(
            front.get("roster_id"),
            bool(front.get("missed_2020_promotion", False)),
            tuple(front.get("epidemic_results") or ()),
        )
        if front
        else None,
        papers=tuple(
            Paper(
                title=p["title"],
                journal=p["journal"],
                cn_number=p.get("cn_number"),
                claimed_level=p["journal_level"],
                published_on=_date(p["published_on"]),
                issue_type=p.get("issue_type") or "regular",
                electronic=bool(p.get("electronic", False)),
                press_listed=p.get("press_listed"),
                similarity=_similarity(checks.get(p.get("paper_id", ""))),
            )
            for p in submitted.get("papers") or ()
        ),
        awards=tuple(Award(**a) for a in facts.get("awards") or ()),
        expert_recommendation=ExpertRecommendation(**expert) if expert else None,
        three_long_two_outstanding=ThreeLongTwoOutstanding(**three) if three else None,
        local_talent_selected=bool(facts.get("local_talent_selected", False)),
        outstanding_since_current_title=facts.get("outstanding_since_current_title"),
    )
