"""From what the applicant submitted (ApplicationSubmitted's payload and its `facts`) to the policy
engine's frozen Application — pure, so the report can be recomputed from the stream at any time."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError
from zhicheng_kernel.errors import InvalidInput

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
from .policy.model import AwardKind, AwardLevel, EducationLevel, SkillGrade, TechnicalClass
from .recommendation import without_system_known

# C1: the employer kind the engine reasons about, from org-service's organization kind (and, for a
# state_unit, its unit_type): never from what the applicant typed.
EMPLOYER_KIND_OF_ORG: dict[str, str] = {
    "state_unit": "public_institution",
    "government_department": "government_agency",
    "title_office": "government_agency",
    "hr_department": "government_agency",
    "private_enterprise": "private_enterprise",
    "private_hospital": "private_institution",
    "private_school": "private_institution",
    "private_technical_school": "private_institution",
    "hr_market": "other",
}
# org-service's levels at county level or below (县以下基层单位).
GRASSROOTS_LEVELS = frozenset({"county"})


def employer_kind(org_kind: str, unit_type: str | None) -> str:
    """C1: a state_unit whose unit_type is "enterprise" is a state-owned enterprise, any other a public
    institution; the other org kinds map one to one."""
    if org_kind == "state_unit" and unit_type == "enterprise":
        return "state_owned_enterprise"
    return EMPLOYER_KIND_OF_ORG.get(org_kind, "other")


def default_employer(org_kind: str, org_level: str, org_name: str, unit_type: str | None = None) -> dict[str, Any]:
    """What org-service says about the employer: kind (C1), name, grassroots (county level or below).
    The applicant's `facts.employer` is only what they declared: shown, never decisive."""
    return {
        "kind": employer_kind(org_kind, unit_type),
        "name": org_name,
        "grassroots": org_level in GRASSROOTS_LEVELS,
        "in_city": True,
    }


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _similarity(check: Mapping[str, Any] | None) -> Similarity | None:
    """A recorded plagiarism check (CNKI's ratios as fractions) as the engine's percent."""
    return Similarity.of_check(check)


def _award(a: Mapping[str, Any], ref: str) -> Award:
    """An award as the engine reads it; flags of earlier submissions that no longer decide are ignored."""
    dated = a.get("document_dated")
    return Award(
        title=a["title"],
        year=int(a["year"]),
        programme=a["programme"],
        kind=a["kind"],
        level=a["level"],
        collective=bool(a.get("collective", False)),
        personal_role_stated=bool(a.get("personal_role_stated", False)),
        document_issuer=a.get("document_issuer"),
        document_dated=_date(dated) if dated else None,
        certificate_seal_of=a.get("certificate_seal_of"),
        ref=ref,
    )


# What the engine reads when the applicant declared a recommendation but never requested it in writing.
NO_REQUEST: dict[str, Any] = {
    "applied_in_writing": False,
    "employer_agreed": False,
    "blind_approvals": 0,
    "blind_total": 0,
    "misconduct_found": False,
}


def _expert_recommendation(
    declared: Mapping[str, Any] | None, owned: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """POL-ER-1: the declared circumstances (POL-ER-2) with the facts the system knows in place of the
    declared ones; None when the applicant neither declared nor requested a recommendation."""
    if declared is None and owned is None:
        return None
    return {**without_system_known(declared or {}), **(owned or NO_REQUEST)}


def policy_application(
    submitted: Mapping[str, Any],
    *,
    person_id: str,
    employer: Mapping[str, Any],
    on_staff: bool | None,
    checks: Mapping[str, Mapping[str, Any]] | None = None,
    facts: Mapping[str, Any] | None = None,
    recommendation: Mapping[str, Any] | None = None,
) -> PolicyApplication:
    """The engine's application from the submission; `facts` (default: the declared ones) are those the
    engine evaluates — after an attestation, the attested facts (`attested_facts`). `recommendation`:
    what the system knows of the expert recommendation (recommendation.owned_facts), which replaces
    the declared request, consent, blind-review counts and misconduct (POL-ER-1, POL-ER-3)."""
    if facts is None:
        facts = submitted.get("facts") or {}
    checks = checks or {}
    # Employer facts are org-service's (C1, C5): the declared staff_status / employer never decide.
    staff: Literal["on_staff", "off_staff"] = "off_staff" if on_staff is False else "on_staff"
    emp = Employer(**employer)
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
    expert = _expert_recommendation(facts.get("expert_recommendation"), recommendation)
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
                ref=p.get("paper_id"),
            )
            for p in submitted.get("papers") or ()
        ),
        awards=tuple(_award(a, f"awards.{i}") for i, a in enumerate(facts.get("awards") or ())),
        expert_recommendation=ExpertRecommendation(**expert) if expert is not None else None,
        three_long_two_outstanding=ThreeLongTwoOutstanding(**three) if three else None,
        local_talent_selected=bool(facts.get("local_talent_selected", False)),
        outstanding_since_current_title=facts.get("outstanding_since_current_title"),
    )


# -- the employer's attestation (C3 FactsAttested) ---------------------------------------------------------

_Months = Annotated[int, Field(ge=0, le=100 * 12)]
_Years = Annotated[int, Field(ge=0, le=80)]
_Text = Annotated[str, Field(min_length=1, max_length=200)]
_TitleLevel = Literal["junior", "intermediate", "deputy_senior", "senior"]

# The declared facts the unit's reviewer may correct, by path in `facts` ("*" = the item's index). The
# employer facts (staff_status, employer.*) are not among them: org-service owns those (C1, C5).
ATTESTABLE: dict[str, Any] = {
    "applied_through_employer": bool,
    "household_outside_city": bool,
    "off_staff_stated_by_employer": bool,
    "local_talent_selected": bool,
    "outstanding_since_current_title": bool | None,
    "work.months_in_current_specialty": _Months,
    "work.rural_months": _Months,
    "work.hard_remote_area": bool,
    "work.months_at_next_lower_post": _Months,
    "education.level": EducationLevel | None,
    "education.technical_class": TechnicalClass | None,
    "education.major_matches_work": bool,
    "current_title.level": _TitleLevel,
    "current_title.obtained_on": date,
    "skill_certificates.*.grade": SkillGrade,
    "skill_certificates.*.obtained_on": date,
    "skill_certificates.*.matching_work_months": _Months,
    "bridged_qualifications.*.field": _Text,
    "bridged_qualifications.*.level": _TitleLevel,
    "bridged_qualifications.*.obtained_on": date,
    "front_line.roster_id": Annotated[str, Field(max_length=100)] | None,
    "front_line.missed_2020_promotion": bool,
    "awards.*.year": Annotated[int, Field(ge=1949, le=2100)],
    "awards.*.kind": AwardKind,
    "awards.*.level": AwardLevel,
    "three_long_two_outstanding.grassroots_years": _Years,
    "three_long_two_outstanding.tenure_years": _Years,
    "three_long_two_outstanding.years_at_one_post_level": _Years,
    "three_long_two_outstanding.outstanding_before_current_title": bool,
    "three_long_two_outstanding.outstanding_since_current_title": bool,
}
# Groups whose every field has a default: a correction may state a fact the applicant left out.
_GROUPS_WITH_DEFAULTS = frozenset({"work", "education"})
MAX_CORRECTIONS = 50
MAX_REASON = 500
EMPLOYER_FACTS_ZH = "在编状态和单位性质以组织机构系统（org-service）登记为准，请由单位管理员在组织机构系统中更正"


def _pattern(path: str) -> str:
    return ".".join("*" if part.isdigit() else part for part in path.split("."))


def declared_value(facts: Mapping[str, Any], path: str) -> Any:
    """The declared value at `path` (None when the applicant did not state it)."""
    value: Any = facts
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def validated_corrections(facts: Mapping[str, Any], corrections: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """NAT-7: the unit's reviewer confirms or corrects each declared fact; a correction names a declared
    fact (ATTESTABLE), its attested value and a reason. Answers {path, declared, attested, reason} rows."""
    if len(corrections) > MAX_CORRECTIONS:
        raise InvalidInput("too_many_corrections", f"一次最多更正{MAX_CORRECTIONS}项事实。", field="corrections")
    rows: list[dict[str, Any]] = []
    for i, c in enumerate(corrections):
        path = str(c.get("path") or "").strip()
        at = f"corrections.{i}"
        if path.split(".")[0] in ("staff_status", "employer"):
            raise InvalidInput("employer_fact_not_attested", f"{EMPLOYER_FACTS_ZH}。", field=f"{at}.path")
        kind = ATTESTABLE.get(_pattern(path))
        if kind is None:
            raise InvalidInput("unknown_fact", f"“{path[:100]}”不是可以核实更正的申报事实。", field=f"{at}.path")
        group = path.split(".")[0]
        if "." in path and group not in _GROUPS_WITH_DEFAULTS and declared_value(facts, path.rsplit(".", 1)[0]) is None:
            raise InvalidInput("fact_not_declared", f"申报人未填报“{path}”所在的事项，不能更正。", field=f"{at}.path")
        if any(r["path"] == path for r in rows):
            raise InvalidInput("duplicate_correction", f"“{path}”重复更正。", field=f"{at}.path")
        reason = str(c.get("reason") or "").strip()
        if not reason:
            raise InvalidInput("correction_reason_required", "更正申报事实时必须说明理由。", field=f"{at}.reason")
        if len(reason) > MAX_REASON:
            raise InvalidInput("correction_reason_too_long", f"理由不超过{MAX_REASON}字。", field=f"{at}.reason")
        adapter: TypeAdapter[Any] = TypeAdapter(kind)
        try:
            attested = adapter.dump_python(adapter.validate_python(c.get("attested")), mode="json")
        except ValidationError as exc:
            raise InvalidInput(
                "invalid_attested_value", f"“{path}”的核实值不符合要求。", field=f"{at}.attested"
            ) from exc
        rows.append({"path": path, "declared": declared_value(facts, path), "attested": attested, "reason": reason})
    return rows


def attested_facts(facts: Mapping[str, Any], corrections: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The declared facts with the attested corrections applied: what the engine evaluates once attested."""
    out: dict[str, Any] = copy.deepcopy(dict(facts))
    for c in corrections:
        *parents, last = str(c["path"]).split(".")
        node: Any = out
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            node[int(last)] = c["attested"]
        else:
            node[last] = c["attested"]
    return out


def fact_rows(facts: Mapping[str, Any], corrections: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Declared and attested side by side (the report's `facts`): every declared fact the unit may
    attest, and every correction (a fact the applicant left out included)."""
    corrected = {str(c["path"]): c for c in corrections}
    rows = []
    for path in _declared_paths(facts):
        c = corrected.pop(path, None)
        value = declared_value(facts, path)
        rows.append(
            {
                "path": path,
                "declared": value,
                "attested": c["attested"] if c else value,
                "reason": c["reason"] if c else None,
            }
        )
    rows += [
        {"path": p, "declared": c.get("declared"), "attested": c["attested"], "reason": c["reason"]}
        for p, c in corrected.items()
    ]
    return rows


def _declared_paths(facts: Mapping[str, Any]) -> list[str]:
    def walk(value: Any, prefix: str) -> list[str]:
        if isinstance(value, Mapping):
            return [p for k, v in value.items() for p in walk(v, f"{prefix}{k}.")]
        if isinstance(value, list) and value and isinstance(value[0], Mapping):
            return [p for i, v in enumerate(value) for p in walk(v, f"{prefix}{i}.")]
        path = prefix.rstrip(".")
        return [path] if _pattern(path) in ATTESTABLE else []

    return walk(facts, "")


REGISTERED_REASON = "以组织机构系统登记为准"


def employer_fact_rows(
    facts: Mapping[str, Any], employer: Mapping[str, Any], on_staff: bool | None
) -> list[dict[str, Any]]:
    """The employer facts org-service owns, beside what the applicant declared of them: the registered
    value is the one evaluated (the report's `facts`, `attested` column)."""
    registered = {
        "staff_status": "off_staff" if on_staff is False else "on_staff",
        "employer.kind": employer["kind"],
        "employer.grassroots": employer["grassroots"],
    }
    return [
        {"path": path, "declared": declared_value(facts, path), "attested": value, "reason": REGISTERED_REASON}
        for path, value in registered.items()
    ]
