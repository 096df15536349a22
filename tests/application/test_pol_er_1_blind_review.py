"""POL-ER-1 / POL-ER-3 / NAT-4 through the real services over Kafka: the applicant's written request and
the employer's consent at application-service, the blind review at review-service (reviewers drawn
without the recommending expert and the applicant's employer's experts, anonymous opinions, 2/3), the
result read back by the policy engine, and confirmed misconduct ending the application naming POL-ER-3.

The experts come into the pool (专家库) through review-service's API, each with an employer org-service
knows and a term (NAT-6), as a title office appoints them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.api_client import Api
from tests.harness import Stack, wait_for
from tests.org_tree import Account, Org, OrgTree
from tests.review.scenario import Scenario, _retry, appoint_to_pool

pytestmark = pytest.mark.stack

REVIEWS = "/api/v1/blind-reviews"


@dataclass
class Flow:
    stack: Stack
    tree: OrgTree
    scenario: Scenario
    api: Api
    applicant: Account
    application_id: str
    recommender: Account
    same_employer: Account
    reviewers: dict[str, Account]  # the experts who may be drawn, by account id
    expired: Account  # in the pool with a term that ended yesterday (NAT-6)
    other_employer: Account  # unit_review and applicant_management of another hospital
    third_unit: Org  # where two of the reviewers work


def _application(api: Api, scenario: Scenario, token: str) -> dict[str, Any]:
    body = {
        "year": scenario.year,
        "series": scenario.series,
        "specialty": "临床医学",
        "level": "intermediate",
        "papers": [],
        # The old form's declared counts: accepted and dropped, the system decides (POL-ER-1).
        "expert_recommendation": {
            "applied_in_writing": True,
            "employer_agreed": True,
            "blind_approvals": 3,
            "blind_total": 3,
        },
    }
    return _retry(lambda: api.post("application-service", "/api/v1/applications", token, body))


@pytest.fixture(scope="module")
def flow(stack: Stack) -> Iterator[Flow]:
    api = Api(stack)
    scenario = Scenario.build(api)
    tree = OrgTree(api)
    tag = secrets.token_hex(2)
    recommender = tree.expert(f"举荐专家{tag}", [scenario.series])
    same_employer = tree.expert(f"同单位专家{tag}", [scenario.series])
    first, second, third = (tree.expert(f"盲审专家{tag}{i}", [scenario.series]) for i in range(3))
    expired = tree.expert(f"届满专家{tag}", [scenario.series])
    other_unit = tree.hospital("平凉市第二人民医院")
    third_unit = tree.hospital("平凉市第三人民医院")
    other_employer = other_unit.clerk("赵敏", ["applicant_management", "unit_review"])
    applicant = scenario.clerk.register_applicant(f"李{tag}")
    submitted = _application(api, scenario, applicant.token)
    # The recommender and `second` work at the second hospital, `first` and `third` at the third; one
    # expert at the applicant's own hospital (NAT-4), and one whose term ended yesterday (NAT-6).
    appoint_to_pool(api, [recommender.account_id, second.account_id], other_unit.id)
    appoint_to_pool(api, [first.account_id, third.account_id], third_unit.id)
    appoint_to_pool(api, [same_employer.account_id], str(submitted["org_id"]))
    yesterday = date.today() - timedelta(days=1)
    appoint_to_pool(
        api, [expired.account_id], third_unit.id, starts_on=yesterday - timedelta(days=300), ends_on=yesterday
    )
    yield Flow(
        stack=stack,
        tree=tree,
        scenario=scenario,
        api=api,
        applicant=applicant,
        application_id=submitted["id"],
        recommender=recommender,
        same_employer=same_employer,
        reviewers={e.account_id: e for e in (first, second, third)},
        expired=expired,
        other_employer=other_employer,
        third_unit=third_unit,
    )


def _app(flow: Flow, path: str = "", token: str | None = None) -> httpx.Response:
    return flow.api.get(
        "application-service", f"/api/v1/applications/{flow.application_id}{path}", token or flow.applicant.token
    )


def _report(flow: Flow) -> dict[str, Any]:
    r = _app(flow, "/eligibility")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _outcome(flow: Flow, rule: str) -> dict[str, Any]:
    report = _report(flow)
    return next(o for o in report["outcomes"] if o["rule_id"] == rule)


def _office(flow: Flow, review_id: str) -> dict[str, Any]:
    r = flow.scenario.review("GET", REVIEWS, flow.api.operator_token())
    assert r.status_code == 200, r.text
    return next((i for i in r.json()["items"] if i["review_id"] == review_id), {})


def _opinion(flow: Flow, review_id: str, expert: Account, body: dict[str, Any]) -> httpx.Response:
    return flow.scenario.review("POST", f"{REVIEWS}/{review_id}/opinion", expert.token, body)


def test_pol_er_1_declared_counts_do_not_count_before_the_system_knows(flow: Flow) -> None:
    outcome = _outcome(flow, "POL-ER-1")
    assert outcome["outcome"] == "excluded", outcome
    assert "由系统依据书面申请、单位同意和盲审结果认定" in outcome["explanation_zh"]


def test_pol_er_1_blind_review_across_the_services(flow: Flow) -> None:
    api, path = flow.api, f"/api/v1/applications/{flow.application_id}/expert-recommendation"
    request = {
        "recommending_expert_id": flow.recommender.account_id,
        "request_text": "本人申请以专家举荐作为业绩条件。",
        "recommendation_text": "该同志长期在基层开展临床工作，成绩突出，特此举荐。",
    }
    # Another applicant may not ask for this application.
    stranger = flow.scenario.clerk.register_applicant(f"王{secrets.token_hex(2)}")
    r = api.post("application-service", path, stranger.token, request)
    assert r.status_code == 403 and r.json()["code"] == "not_applicant", r.text
    r = api.post("application-service", path, flow.applicant.token, request)
    assert r.status_code == 201, r.text
    recommendation_id = r.json()["recommendation_id"]
    assert r.json()["status"] == "requested"
    second = api.post("application-service", path, flow.applicant.token, request)
    assert second.status_code == 409 and second.json()["code"] == "recommendation_already_requested"
    # Only the employer answers: not the applicant, not another unit's reviewer.
    consent = {"agreed": True, "reason": "经单位研究同意"}
    assert api.post("application-service", f"{path}/consent", flow.applicant.token, consent).status_code == 403
    other = api.post("application-service", f"{path}/consent", flow.other_employer.token, consent)
    assert other.status_code == 403 and other.json()["rule"] == "POL-ER-1"
    r = api.post("application-service", f"{path}/consent", flow.scenario.unit_token, consent)
    assert r.status_code == 200 and r.json()["status"] == "agreed", r.text
    twice = api.post("application-service", f"{path}/consent", flow.scenario.unit_token, consent)
    assert twice.status_code == 409 and twice.json()["code"] == "recommendation_already_decided"

    # review-service drew three reviewers: never the recommender, never the applicant's employer's expert (NAT-4).
    review = wait_for(
        lambda: (v := _office(flow, recommendation_id)) and v["status"] == "in_review" and v, timeout=60, what="draw"
    )
    assert sorted(review["reviewer_ids"]) == sorted(flow.reviewers)
    assert flow.recommender.account_id not in review["reviewer_ids"]
    assert flow.same_employer.account_id not in review["reviewer_ids"]
    assert review["excluded"] == {
        flow.recommender.account_id: "recommending_expert",
        flow.same_employer.account_id: "same_employer",
    }
    assert review["seed"] and sorted(review["candidates"]) == sorted(flow.reviewers)
    assert flow.expired.account_id not in review["candidates"]  # NAT-6: a term that ended yesterday
    assert review["recommending_expert_registered"] is True
    # Only the city office lists reviews and their reviewers.
    listed = flow.scenario.review("GET", REVIEWS, next(iter(flow.reviewers.values())).token)
    assert listed.status_code == 403

    # A reviewer sees the recommendation, not the applicant, the employer or the other reviewers.
    first, second_reviewer, third = flow.reviewers.values()
    r = flow.scenario.review("GET", f"{REVIEWS}/assigned", first.token)
    assert r.status_code == 200, r.text
    (assignment,) = [a for a in r.json() if a["review_id"] == recommendation_id]
    assert assignment["recommendation_text"] == request["recommendation_text"]
    shown = str(r.json())
    for hidden in (flow.applicant.account_id, flow.application_id, second_reviewer.account_id, third.account_id):
        assert hidden not in shown
    # An expert who was not drawn may not give an opinion; a drawn one gives exactly one.
    approve = {"approve": True, "comment": "举荐属实"}
    assert _opinion(flow, recommendation_id, flow.same_employer, approve).status_code == 403
    r = _opinion(flow, recommendation_id, first, approve)
    assert r.status_code == 201 and r.json() == {
        "review_id": recommendation_id,
        "answered": 1,
        "total": 3,
        "concluded": False,
    }
    again = _opinion(flow, recommendation_id, first, approve)
    assert again.status_code == 409 and again.json()["code"] == "opinion_already_given"
    assert _opinion(flow, recommendation_id, second_reviewer, approve).status_code == 201
    plagiarism = {
        "approve": False,
        "comment": "不同意",
        "misconduct": {"kind": "plagiarism", "detail": "举荐意见第二段与他人材料雷同"},
    }
    r = _opinion(flow, recommendation_id, third, plagiarism)
    assert r.status_code == 201 and r.json()["concluded"] is True

    # application-service reads the result: 2 of 3 counts (POL-ER-1); the applicant sees counts only.
    def counted() -> dict[str, Any] | None:
        seen = _app(flow, "/expert-recommendation").json()
        return seen if seen.get("blind_review") else None

    seen = wait_for(counted, timeout=60, what="BlindReviewConcluded at application-service")
    assert seen["blind_review"] == {"approvals": 2, "total": 3, "counts": True}
    assert set(seen) == {
        "application_id",
        "recommendation_id",
        "recommending_expert_id",
        "status",
        "reason",
        "blind_review",
        "version",
    }
    outcome = wait_for(
        lambda: (o := _outcome(flow, "POL-ER-1"))["outcome"] == "pass" and o, timeout=30, what="re-assessment"
    )
    assert "3人中2人同意" in outcome["explanation_zh"]

    # POL-ER-3: the city office confirms the reported plagiarism; the application ends naming the rule.
    office = flow.api.operator_token()
    not_office = flow.scenario.review(
        "POST", f"{REVIEWS}/{recommendation_id}/misconduct/confirm", first.token, {"reason": "属实"}
    )
    assert not_office.status_code == 403
    r = flow.scenario.review(
        "POST", f"{REVIEWS}/{recommendation_id}/misconduct/confirm", office, {"reason": "经核实举荐材料抄袭"}
    )
    assert r.status_code == 200 and r.json()["status"] == "misconduct_confirmed", r.text
    assert r.json()["misconduct_reports"] == [{"kind": "plagiarism", "detail": "举荐意见第二段与他人材料雷同"}]

    def cancelled() -> dict[str, Any] | None:
        application = _app(flow).json()
        return application if application["status"] == "eligibility_cancelled" else None

    application = wait_for(cancelled, timeout=60, what="EligibilityCancelled")
    assert application["outcome"] == "eligibility_cancelled"
    assert any(h.get("rule") == "POL-ER-3" for h in application["history"])
    withdrawn = api.post(
        "application-service",
        f"/api/v1/applications/{flow.application_id}/withdraw",
        flow.applicant.token,
        {"reason": "撤回"},
    )
    assert withdrawn.status_code == 409 and withdrawn.json()["rule"] == "POL-ER-3", withdrawn.text


def test_pol_er_1_too_small_a_pool_stalls_until_the_city_office_redraws(flow: Flow) -> None:
    """NAT-4 / NAT-6: with the recommender, the applicant's employer's experts and an expired term left
    out, too few experts remain and the review stalls; the city office redraws once the pool has grown."""
    api, scenario = flow.api, flow.scenario
    # An applicant of the second hospital, where the original recommender and `second` work (NAT-4).
    applicant = flow.other_employer.register_applicant(f"周{secrets.token_hex(2)}")
    application_id = _application(api, scenario, applicant.token)["id"]
    first, second, third = flow.reviewers
    path = f"/api/v1/applications/{application_id}/expert-recommendation"
    request = {"recommending_expert_id": first, "request_text": "书面申请", "recommendation_text": "举荐意见"}
    # A retried request with the same Idempotency-Key answers with the first request, not a 409.
    headers = {"Authorization": f"Bearer {applicant.token}", "Idempotency-Key": secrets.token_hex(8)}
    r = api.http.post(api.url("application-service", path), json=request, headers=headers)
    assert r.status_code == 201, r.text
    retried = api.http.post(api.url("application-service", path), json=request, headers=headers)
    assert retried.status_code == 201 and retried.json() == r.json(), retried.text
    review_id = r.json()["recommendation_id"]
    consent = api.post(
        "application-service", f"{path}/consent", flow.other_employer.token, {"agreed": True, "reason": ""}
    )
    assert consent.status_code == 200, consent.text
    # Two may be drawn, three are needed: `third` and the expert of the first hospital; `first` recommends,
    # the recommender and `second` share the applicant's employer, the expired expert's term ended yesterday.
    stalled = wait_for(
        lambda: (v := _office(flow, review_id)) and v["status"] == "stalled" and v, timeout=60, what="stall"
    )
    assert stalled["reviewer_ids"] == []
    redraw = f"{REVIEWS}/{review_id}/draw"
    assert scenario.review("POST", redraw, flow.reviewers[second].token).status_code == 403
    tag = secrets.token_hex(2)
    newcomer = flow.tree.expert(f"新聘专家{tag}", [scenario.series]).account_id
    appoint_to_pool(api, [newcomer], flow.third_unit.id)
    r = scenario.review("POST", redraw, api.operator_token())
    assert r.status_code == 200 and r.json()["status"] == "in_review", r.text
    assert sorted(r.json()["reviewer_ids"]) == sorted([third, flow.same_employer.account_id, newcomer])
    again = scenario.review("POST", redraw, api.operator_token())
    assert again.status_code == 409 and again.json()["code"] == "reviewers_already_drawn"
