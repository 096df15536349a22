"""review-service through HTTP on the real stack: committees (NAT-6), attendance and quorum (NAT-1),
secret ballots and the 2/3 threshold (NAT-2), publicity before documents (NAT-3), complaints holding
a candidate while the others are issued (POL-PB-1), idempotent workflow steps."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.api_client import unique_name
from tests.harness import wait_for
from tests.review.defenses import hold_defenses
from tests.review.scenario import Scenario, meeting_window

pytestmark = pytest.mark.stack


def post(scenario: Scenario, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
    return scenario.review("POST", path, token, body)


def test_committee_needs_an_odd_number_of_known_experts_and_a_secretary_nat6(
    scenario: Scenario, committee: dict[str, Any]
) -> None:
    ids = [e.account_id for e in scenario.experts]
    assert committee["size"] == 3 and committee["series"] == scenario.series
    body = {"name": "偶数评委会", "series": "卫生系列", "level": "intermediate", "expert_ids": ids[:2]}
    even = post(scenario, "/api/v1/committees", scenario.api.operator_token(), body)
    assert even.status_code == 422 and even.json()["code"] == "committee_size_even"
    assert even.json()["rule"] == "NAT-6"
    senior = post(
        scenario, "/api/v1/committees", scenario.api.operator_token(), {**body, "level": "senior"} | {"expert_ids": ids}
    )
    assert senior.status_code == 422 and senior.json()["code"] == "committee_too_small"  # 3 < 25
    stranger = post(
        scenario, "/api/v1/committees", scenario.api.operator_token(), {**body, "expert_ids": [*ids[:2], "nobody"]}
    )
    assert stranger.status_code == 422 and stranger.json()["code"] == "unknown_experts"
    no_role = post(scenario, "/api/v1/committees", scenario.experts[0].token, {**body, "expert_ids": ids})
    assert no_role.status_code == 403 and no_role.json()["code"] == "role_required"
    path = f"/api/v1/committees/{committee['committee_id']}"
    assert scenario.review("GET", path, scenario.api.operator_token()).json()["expert_ids"] == ids
    assert "expert_ids" not in scenario.review("GET", path, scenario.experts[0].token).json()  # NAT-4


def test_secret_ballots_pass_at_two_thirds_and_a_complaint_holds_only_its_candidate_nat2_nat3_pol_pb1(
    scenario: Scenario, committee: dict[str, Any]
) -> None:
    candidates = scenario.pushed_candidates(3)
    opened = scenario.open_session(
        committee["committee_id"], candidates, publicity_seconds=3, complaint_investigation_seconds=3
    )
    sid, ops = opened["session_id"], scenario.api.operator_token()
    hold_defenses(scenario.api, sid)
    a1, a2, a3 = candidates
    e0, e1, e2 = scenario.experts

    early = scenario.ballot(sid, e0, dict.fromkeys(opened["application_ids"], "yes"))
    assert early.status_code == 409 and early.json()["code"] == "attendance_not_recorded"
    assert early.json()["rule"] == "NAT-2"
    present = {"present_expert_ids": [e.account_id for e in scenario.experts]}
    assert post(scenario, f"/api/v1/sessions/{sid}/attendance", ops, present).status_code == 201
    others = {a: "no" for a in opened["application_ids"] if a not in candidates}
    for expert, a1_vote in ((e0, "yes"), (e1, "yes"), (e2, "no")):
        r = scenario.ballot(sid, expert, {a1: a1_vote, a2: "no" if expert != e1 else "abstain", a3: "yes", **others})
        assert r.status_code == 201, r.text
        assert set(r.json()) == {"session_id", "accepted"}  # nothing that links the expert to a ballot
    again = scenario.ballot(sid, e0, {a: "yes" for a in opened["application_ids"]})
    assert again.status_code == 409 and again.json()["code"] == "already_voted"
    not_expert = post(scenario, f"/api/v1/sessions/{sid}/ballots", ops, {"votes": {a1: "yes"}})
    assert not_expert.status_code == 403

    # NAT-2: no ballot enters the event stream while the vote is open (finding 5: the private box).
    assert not [e for e in scenario.review_events(sid) if e["event_type"] in ("BallotCast", "BallotsCollected")]

    assert post(scenario, f"/api/v1/sessions/{sid}/close-voting", ops).status_code == 200
    # ... then all three at once, sealed, with no expert id.
    [collected] = [e for e in scenario.review_events(sid) if e["event_type"] == "BallotsCollected"]
    assert set(collected["payload"]) == {"session_id", "boxes"} and len(collected["payload"]["boxes"]) == 3
    assert not {e.account_id for e in scenario.experts} & set(str(collected).split("'"))
    published = wait_for(lambda: (s := scenario.session(sid))["status"] == "publicity" and s, what="publicity")
    results = {r["application_id"]: r for r in published["results"]}
    assert (results[a1]["yes"], results[a1]["passed"]) == (2, True)  # exactly 2/3 of those present
    assert (results[a2]["yes"], results[a2]["abstain"], results[a2]["passed"]) == (0, 1, False)
    assert "NAT-2" in results[a2]["reason"]
    assert "ballots" not in published and "votes" not in str(published)
    late = scenario.ballot(sid, e1, {a: "yes" for a in opened["application_ids"]})
    assert late.status_code == 409

    # POL-PB-1: a complaint during publicity holds a3; a1 is issued once the investigation runs out.
    complaint = post(
        scenario,
        f"/api/v1/sessions/{sid}/complaints",
        scenario.unit_token,
        {"application_id": a3, "content": "论文代写"},
    )
    assert complaint.status_code == 201, complaint.text
    complaint_id = complaint.json()["complaint_id"]
    held = wait_for(lambda: (s := scenario.session(sid))["documents"] and s, timeout=30, what="others issued first")
    assert [d["application_id"] for d in held["documents"]] == [a1]
    assert held["held_application_ids"] == [a3] and held["status"] == "issuing"
    assert held["investigation_ends_at"] is not None  # 3 s from the filing: compressed outside production
    issued_at = {
        d["application_id"]: d["issued_at"] for d in scenario.review("GET", "/api/v1/documents", ops).json()["items"]
    }
    assert issued_at[a1] >= published["publicity"]["ends_at"]  # NAT-3

    # 有问题但不影响获得职称资格: a3 is issued separately, like no problem.
    resolved = post(scenario, f"/api/v1/complaints/{complaint_id}/resolve", ops, {"outcome": "problem_not_affecting"})
    assert resolved.status_code == 200, resolved.text
    closed = wait_for(lambda: (s := scenario.session(sid))["status"] == "closed" and s, timeout=30, what="closed")
    numbers = {d["application_id"]: d["number"] for d in closed["documents"]}
    assert set(numbers) == {a1, a3} and len(set(numbers.values())) == 2
    assert all(n.startswith(f"平人社职称〔{scenario.year}〕") and n.endswith("号") for n in numbers.values())

    # NAT-10: anyone verifies a number, without a token; the holder's name is masked.
    verify = scenario.api.url("review-service", "/api/v1/documents/verify")
    verified = scenario.api.http.get(verify, params={"number": numbers[a1]})
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"] is True and verified.json()["level"] == "中级"
    assert verified.json()["holder"].startswith("李*")
    unknown = scenario.api.http.get(verify, params={"number": f"平人社职称〔{scenario.year}〕99999号"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "document_not_found"


def test_without_quorum_every_candidate_fails_and_workflow_steps_are_idempotent_nat1(
    scenario: Scenario, committee: dict[str, Any]
) -> None:
    candidates = scenario.pushed_candidates(1)
    opened = scenario.open_session(committee["committee_id"], candidates, publicity_seconds=1)
    sid, ops = opened["session_id"], scenario.api.operator_token()
    hold_defenses(scenario.api, sid)
    stranger = {"present_expert_ids": [scenario.experts[0].account_id, "not-an-expert"]}
    refused = post(scenario, f"/api/v1/sessions/{sid}/attendance", ops, stranger)
    assert refused.status_code == 422 and refused.json()["rule"] == "NAT-1"
    one = {"present_expert_ids": [scenario.experts[0].account_id]}  # 1 of 3 < 2/3
    assert post(scenario, f"/api/v1/sessions/{sid}/attendance", ops, one).status_code == 201
    assert scenario.ballot(sid, scenario.experts[0], dict.fromkeys(opened["application_ids"], "yes")).status_code == 201
    absent = scenario.ballot(sid, scenario.experts[1], dict.fromkeys(opened["application_ids"], "yes"))
    assert absent.status_code == 422 and absent.json()["code"] == "expert_not_present"  # no proxy votes
    assert absent.json()["rule"] == "NAT-2"

    service = scenario.api.service_token("workflows")
    first = post(scenario, f"/api/v1/internal/sessions/{sid}/tally", service)
    second = post(scenario, f"/api/v1/internal/sessions/{sid}/tally", service)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["quorum_met"] is False
    assert not any(r["passed"] for r in first.json()["results"])
    view = scenario.session(sid)
    assert all("NAT-1" in r["reason"] for r in view["results"])
    assert [e["event_type"] for e in scenario.review_events(sid)].count("VotesTallied") == 1
    assert post(scenario, f"/api/v1/internal/sessions/{sid}/tally", ops).status_code == 403  # services only

    early = post(scenario, f"/api/v1/internal/sessions/{sid}/documents", service)
    assert early.status_code == 409 and (early.json()["code"], early.json()["rule"]) == ("not_published", "NAT-3")
    complaint = {"application_id": candidates[0], "content": "反映其论文存在问题"}
    unpublished = post(scenario, f"/api/v1/sessions/{sid}/complaints", scenario.unit_token, complaint)
    assert unpublished.status_code == 409 and unpublished.json()["rule"] == "POL-PB-1"


def test_a_publicity_shorter_than_five_working_days_is_refused_when_the_session_opens_nat3(
    scenario: Scenario, committee: dict[str, Any]
) -> None:
    path = f"/api/v1/committees/{committee['committee_id']}/sessions"
    body = {"year": scenario.year, "publicity_working_days": 4}
    short = post(scenario, path, scenario.api.operator_token(), body)
    assert short.status_code == 422, short.text
    assert (short.json()["code"], short.json()["rule"]) == ("publicity_too_short", "NAT-3")


def test_a_retried_command_with_its_idempotency_key_forms_one_committee_and_opens_one_session(
    scenario: Scenario,
) -> None:
    ops = scenario.api.operator_token()
    body = {
        "name": unique_name("平凉市卫生系列中级评审委员会"),
        "series": scenario.series,
        "level": "intermediate",
        "expert_ids": [e.account_id for e in scenario.experts],
    }
    key = {"Idempotency-Key": f"form-{uuid.uuid4().hex}"}
    formed = scenario.review("POST", "/api/v1/committees", ops, body, key)
    again = scenario.review("POST", "/api/v1/committees", ops, body, key)
    assert formed.status_code == again.status_code == 201, formed.text
    assert formed.json() == again.json()
    other = scenario.review("POST", "/api/v1/committees", ops, {**body, "name": "另一个评审委员会"}, key)
    assert other.status_code == 422 and other.json()["field"] == "Idempotency-Key"

    (candidate,) = scenario.pushed_candidates(1)
    path = f"/api/v1/committees/{formed.json()['committee_id']}/sessions"
    # NAT-4: on a day of its own, so the scenario's experts are not sitting in another session then.
    session_body = {"year": scenario.year, "publicity_seconds": 3600, **meeting_window(30)}
    key = {"Idempotency-Key": f"open-{uuid.uuid4().hex}"}
    opened = scenario.review("POST", path, ops, session_body, key)
    reopened = scenario.review("POST", path, ops, session_body, key)
    assert opened.status_code == reopened.status_code == 201, opened.text
    assert opened.json() == reopened.json()
    assert candidate in opened.json()["application_ids"]
