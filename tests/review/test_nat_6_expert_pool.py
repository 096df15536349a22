"""NAT-6 on the stack: the city office appoints registered experts to its pool (专家库) for terms of at
most 3 years, sees who expires when, and an expert sees only their own term; a committee forms only
of experts whose term runs, and is filed for at most 3 years."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from review_service.domain.rules import latest_term_end
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api, unique_name
from tests.harness import Stack
from tests.org_tree import Account, OrgTree
from tests.review.scenario import Scenario

pytestmark = pytest.mark.stack


@dataclass
class Pool:
    sc: Scenario
    experts: list[Account]
    today: date


@pytest.fixture(scope="module")
def pool(stack: Stack) -> Pool:
    api = Api(stack)
    sc = Scenario.build(api)
    tree = OrgTree(api)
    experts = [tree.expert(f"库专家{i}", [sc.series]) for i in range(4)]
    return Pool(sc, experts, datetime.now(CHINA_TZ).date())


def appoint(pool: Pool, account_id: str, starts: date, ends: date, token: str | None = None, **extra: Any) -> Any:
    body = {
        "account_id": account_id,
        "specialty": "临床医学",
        "employer_org_id": pool.sc.employer_of_experts().id,
        "term_starts_on": starts.isoformat(),
        "term_ends_on": ends.isoformat(),
        **extra,
    }
    return pool.sc.review("POST", "/api/v1/expert-pool", token or pool.sc.api.operator_token(), body)


def test_nat_6_a_term_of_three_years_and_a_day_is_refused_and_an_overlapping_one_too(pool: Pool) -> None:
    expert, today = pool.experts[0], pool.today
    # Wait until review-service knows the expert (org-service's ExpertRegistered) through the helper.
    (first,) = pool.sc.appoint([expert.account_id], starts_on=today, ends_on=today + timedelta(days=10))
    assert (first["term_ends_on"], first["series"], first["days_left"]) == (
        (today + timedelta(days=10)).isoformat(),
        [pool.sc.series],
        11,
    )
    later = today + timedelta(days=11)
    too_long = appoint(pool, expert.account_id, later, latest_term_end(later) + timedelta(days=1))
    assert too_long.status_code == 422, too_long.text
    assert (too_long.json()["code"], too_long.json()["rule"]) == ("term_too_long", "NAT-6")
    overlap_start = today + timedelta(days=10)
    overlap = appoint(pool, expert.account_id, overlap_start, latest_term_end(overlap_start))
    assert overlap.status_code == 409 and overlap.json()["code"] == "term_overlaps", overlap.text
    key = {"Idempotency-Key": f"reappoint-{uuid.uuid4().hex}"}
    body = {
        "account_id": expert.account_id,
        "specialty": "临床医学",
        "employer_org_id": pool.sc.employer_of_experts().id,
        "term_starts_on": later.isoformat(),
        "term_ends_on": latest_term_end(later).isoformat(),
    }
    ops = pool.sc.api.operator_token()
    reappointed = pool.sc.review("POST", "/api/v1/expert-pool", ops, body, key)
    again = pool.sc.review("POST", "/api/v1/expert-pool", ops, body, key)
    assert reappointed.status_code == again.status_code == 201, reappointed.text
    assert reappointed.json() == again.json()


def test_nat_6_only_registered_experts_working_at_a_unit_enter_the_pool(pool: Pool) -> None:
    today = pool.today
    unknown = appoint(pool, "not-an-expert", today, today)
    assert unknown.status_code == 422 and unknown.json()["code"] == "not_registered_expert", unknown.text
    city_office = OrgTree(pool.sc.api).city_office().id
    office = appoint(pool, pool.experts[0].account_id, today, today, employer_org_id=city_office)
    assert office.status_code == 422 and office.json()["code"] == "employer_is_title_office", office.text


def test_nat_6_experts_and_units_may_neither_appoint_nor_read_the_pool(pool: Pool) -> None:
    today, expert = pool.today, pool.experts[1]
    for token in (expert.token, pool.sc.unit_token):
        refused = appoint(pool, expert.account_id, today, today, token=token)
        assert refused.status_code == 403, refused.text
        listed = pool.sc.review("GET", "/api/v1/expert-pool", token)
        assert listed.status_code == 403, listed.text
    assert pool.sc.review("GET", "/api/v1/expert-pool/me", pool.sc.unit_token).status_code == 403
    anonymous = pool.sc.api.http.get(pool.sc.api.url("review-service", "/api/v1/expert-pool"))
    assert anonymous.status_code == 401


def test_nat_6_the_office_sees_who_expires_soonest_first_and_an_expert_only_their_own_term(pool: Pool) -> None:
    today = pool.today
    soon, later = pool.experts[2], pool.experts[3]
    pool.sc.appoint([later.account_id], starts_on=today, ends_on=today + timedelta(days=100))
    pool.sc.appoint([soon.account_id], starts_on=today - timedelta(days=300), ends_on=today + timedelta(days=20))
    ops = pool.sc.api.operator_token()
    everyone = pool.sc.review("GET", f"/api/v1/expert-pool?series={pool.sc.series}", ops)
    assert everyone.status_code == 200, everyone.text
    ours = [e["account_id"] for e in everyone.json()["items"] if e["account_id"] in (soon.account_id, later.account_id)]
    assert ours == [soon.account_id, later.account_id]
    expiring = pool.sc.review("GET", f"/api/v1/expert-pool?expiring_within_days=30&series={pool.sc.series}", ops)
    listed = {e["account_id"]: e for e in expiring.json()["items"]}
    assert soon.account_id in listed and later.account_id not in listed
    assert listed[soon.account_id]["employer_name"].startswith("平凉市专家工作单位")
    assert pool.sc.review("GET", "/api/v1/expert-pool?series=其他系列", ops).json()["items"] == []

    mine = pool.sc.review("GET", "/api/v1/expert-pool/me", soon.token)
    assert mine.status_code == 200, mine.text
    assert (mine.json()["account_id"], mine.json()["term_ends_on"]) == (
        soon.account_id,
        (today + timedelta(days=20)).isoformat(),
    )
    stranger = OrgTree(pool.sc.api).expert("未入库专家", [pool.sc.series])
    assert pool.sc.review("GET", "/api/v1/expert-pool/me", stranger.token).status_code == 404


def test_nat_6_a_committee_forms_only_of_experts_whose_term_runs_and_is_filed_at_most_three_years(
    pool: Pool,
) -> None:
    today, sc = pool.today, pool.sc
    expired = OrgTree(sc.api).expert("聘期已满专家", [sc.series])
    sc.appoint([expired.account_id], starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=1))
    running = [e.account_id for e in pool.experts[1:4]]
    sc.appoint([pool.experts[1].account_id])
    body = {"name": unique_name("专家库评委会"), "series": sc.series, "level": "intermediate"}
    ops = sc.api.operator_token()
    refused = sc.review("POST", "/api/v1/committees", ops, {**body, "expert_ids": [*running[:2], expired.account_id]})
    assert refused.status_code == 422, refused.text
    assert (refused.json()["code"], refused.json()["rule"]) == ("not_in_pool_term", "NAT-6")
    assert refused.json()["expert_ids"] == [expired.account_id]  # a term that ended yesterday cannot sit

    too_long = {
        **body,
        "expert_ids": running,
        "filing_expires_on": (latest_term_end(today) + timedelta(days=1)).isoformat(),
    }
    refused = sc.review("POST", "/api/v1/committees", ops, too_long)
    assert refused.status_code == 422 and refused.json()["field"] == "filing_expires_on", refused.text
    formed = sc.review("POST", "/api/v1/committees", ops, {**body, "expert_ids": running})
    assert formed.status_code == 201, formed.text
    assert (formed.json()["filed_on"], formed.json()["filing_expires_on"]) == (
        today.isoformat(),
        latest_term_end(today).isoformat(),
    )
