"""POL-ER-1 / POL-ER-3: the expert recommendation's request, consent and blind-review counts are facts the
system knows (the application's stream, review-service's BlindReviewConcluded), never what the applicant
declared. Pure: no servers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from application_service.domain import events as ev
from application_service.domain.application import Application
from application_service.domain.facts import ATTESTABLE, policy_application
from application_service.domain.policy import ExpertRecommendation, evaluate
from application_service.domain.policy.expert import pol_er_1_expert_recommendation_counts
from application_service.domain.recommendation import (
    SOURCE_ZH,
    BlindResult,
    Recommendation,
    cancel_for_misconduct,
    consent,
    owned_facts,
    request,
)
from zhicheng_kernel.errors import Conflict, Forbidden

from tests.application.policy.builders import AS_OF, REGISTRIES, SCHEDULE, ctx, teacher

SUBMITTED: dict[str, Any] = {
    "applicant_id": "applicant-1",
    "applicant_name": "张老师",
    "org_id": "org-1",
    "org_path": "/city/org-1/",
    "year": 2021,
    "series": "中小学教师系列",
    "specialty": "小学语文",
    "level": "intermediate",
    "track": "normal",
    "papers": [],
}
SCHOOL = {"kind": "public_institution", "name": "静宁县某乡中心小学", "grassroots": True, "in_city": True}
# What an applicant of the old form declared: a recommendation that "counts" by their own word.
DECLARED = {
    "expert_recommendation": {
        "applied_in_writing": True,
        "employer_agreed": True,
        "blind_approvals": 3,
        "blind_total": 3,
        "misconduct_found": False,
    }
}


def agreed(approvals: int, total: int) -> dict[str, Any] | None:
    current = Recommendation("rec-1", "expert-9", "申请", "举荐意见", agreed=True)
    return owned_facts(
        current, BlindResult("rec-1", approvals, total, approvals * 3 >= total * 2, False), misconduct=False
    )


def counts(owned: dict[str, Any] | None, declared: dict[str, Any] | None = None) -> str:
    app = policy_application(
        {**SUBMITTED, "facts": declared or {}},
        person_id="620823198002020012",
        employer=SCHOOL,
        on_staff=True,
        recommendation=owned,
    )
    return pol_er_1_expert_recommendation_counts(ctx(app)).outcome


def test_POL_ER_1_two_of_three_blind_reviewers_count_one_of_two_and_one_of_three_do_not() -> None:
    assert counts(agreed(2, 3)) == "pass"
    assert counts(agreed(3, 3)) == "pass"
    assert counts(agreed(1, 2)) == "excluded"
    assert counts(agreed(1, 3)) == "excluded"
    assert counts(agreed(0, 3)) == "excluded"


def test_POL_ER_1_declared_request_consent_and_counts_no_longer_decide() -> None:
    # The applicant declares a unanimous blind review, but never requested one: excluded.
    assert counts(None, DECLARED) == "excluded"
    # What the system knows wins over what was declared (1 of 3 against a declared 3 of 3).
    assert counts(agreed(1, 3), DECLARED) == "excluded"
    for name in ("applied_in_writing", "employer_agreed", "blind_approvals", "blind_total"):
        assert f"expert_recommendation.{name}" not in ATTESTABLE


def test_POL_ER_1_the_report_says_the_system_decided_and_what_is_missing() -> None:
    requested = owned_facts(Recommendation("rec-1", "expert-9", "申请", "举荐"), None, misconduct=False)
    app = policy_application(
        {**SUBMITTED, "facts": {}}, person_id="x", employer=SCHOOL, on_staff=True, recommendation=requested
    )
    o = pol_er_1_expert_recommendation_counts(ctx(app))
    assert o.outcome == "excluded" and "用人单位未同意" in o.explanation_zh and "盲审尚未完成" in o.explanation_zh
    assert SOURCE_ZH in o.explanation_zh and o.details["source"] == SOURCE_ZH
    passed = policy_application(
        {**SUBMITTED, "facts": {}}, person_id="x", employer=SCHOOL, on_staff=True, recommendation=agreed(2, 3)
    )
    o = pol_er_1_expert_recommendation_counts(ctx(passed))
    assert o.outcome == "pass" and SOURCE_ZH in o.explanation_zh
    assert (o.details["blind_approvals"], o.details["blind_total"]) == (2, 3)


def test_POL_ER_1_a_result_of_an_earlier_refused_request_is_not_counted() -> None:
    current = Recommendation("rec-2", "expert-9", "申请", "举荐", agreed=True)
    owned = owned_facts(current, BlindResult("rec-1", 3, 3, True, False), misconduct=False)
    assert owned is not None and (owned["blind_approvals"], owned["blind_total"]) == (0, 0)
    refused = Recommendation("rec-1", "expert-9", "申请", "举荐", agreed=False)
    owned = owned_facts(refused, BlindResult("rec-1", 3, 3, True, False), misconduct=False)
    assert owned is not None and owned["employer_agreed"] is False and owned["blind_total"] == 0


def _requested(status: str = "submitted", current: Recommendation | None = None) -> list[Any]:
    return request(
        application_id="app-1",
        status=status,
        decided=False,
        owner_id="applicant-1",
        applicant_id="applicant-1",
        current=current,
        recommendation_id="rec-1",
        recommending_expert_id="expert-9",
        request_text="申请",
        recommendation_text="举荐",
    )


def test_POL_ER_1_one_open_request_per_application_and_only_by_its_applicant() -> None:
    (event,) = _requested()
    assert isinstance(event, ev.ExpertRecommendationRequested)
    with pytest.raises(Conflict) as second:
        _requested(current=Recommendation("rec-0", "e", "a", "b"))
    assert second.value.code == "recommendation_already_requested" and second.value.rule == "POL-ER-1"
    # After the employer refused, the applicant may ask again.
    assert _requested(current=Recommendation("rec-0", "e", "a", "b", agreed=False))
    with pytest.raises(Conflict):
        _requested(status="office_approved")
    with pytest.raises(Forbidden):
        request(
            application_id="app-1",
            status="submitted",
            decided=False,
            owner_id="applicant-1",
            applicant_id="someone-else",
            current=None,
            recommendation_id="rec-1",
            recommending_expert_id="expert-9",
            request_text="申请",
            recommendation_text="举荐",
        )


def test_POL_ER_1_consent_needs_a_request_and_is_given_once() -> None:
    args: dict[str, Any] = {
        "application_id": "app-1",
        "submitted": SUBMITTED,
        "status": "submitted",
        "decided": False,
        "agreed": True,
        "reason": "同意",
        "decided_by": "clerk",
    }
    with pytest.raises(Conflict) as none:
        consent(current=None, **args)
    assert none.value.code == "no_recommendation_request"
    (event,) = consent(current=Recommendation("rec-1", "expert-9", "申请", "举荐"), **args)
    assert isinstance(event, ev.ExpertRecommendationConsented)
    assert (event.org_id, event.recommending_expert_id, event.recommendation_text) == ("org-1", "expert-9", "举荐")
    with pytest.raises(Conflict) as twice:
        consent(current=Recommendation("rec-1", "expert-9", "申请", "举荐", agreed=True), **args)
    assert twice.value.code == "recommendation_already_decided"


def test_POL_ER_3_confirmed_misconduct_ends_the_application_and_later_commands_name_the_rule() -> None:
    app = Application.rebuild(
        "app-1",
        [
            ev.ApplicationSubmitted(
                application_id="app-1",
                county_code="620821",
                chain=[{"step": "unit", "org_id": "org-1"}],
                facts={},
                **SUBMITTED,
            ),
            *_requested(),
        ],
    )
    assert app.recommendation is not None and app.recommendation.status == "requested"
    (cancelled,) = cancel_for_misconduct(
        application_id="app-1",
        year=2021,
        review_id="rec-1",
        kind="plagiarism",
        reason="举荐材料抄袭",
        confirmed_by="office",
        already=False,
    )
    app.apply(cancelled)
    assert app.status == "eligibility_cancelled" and not app.is_open
    with pytest.raises(Conflict) as refused:
        app.withdraw("applicant-1", "")
    assert refused.value.rule == "POL-ER-3" and refused.value.code == "eligibility_cancelled"
    assert (
        cancel_for_misconduct(
            application_id="app-1",
            year=2021,
            review_id="rec-1",
            kind="plagiarism",
            reason="again",
            confirmed_by="office",
            already=True,
        )
        == []
    )
    owned = owned_facts(app.recommendation, None, misconduct=True)
    assert owned is not None and owned["misconduct_found"] is True
    recommended = replace(teacher(), expert_recommendation=ExpertRecommendation(**owned))
    report = evaluate(recommended, REGISTRIES, AS_OF, schedule=SCHEDULE)
    assert "POL-ER-3" in [o.rule_id for o in report.blocking]
