"""Issue 11 item 7 on the real stack: the results publicity is public (NAT-3) — listed without an
account in the notice's format, nothing about votes, experts or failed candidates —; anyone files a
complaint there without an account (POL-PB-1, rate-limited per client address), which reaches the
organising unit with the contact details and attachments and holds that candidate's document; an
applicant who did not pass requests a review (复查, NAT-11) in time, the organising unit answers in
writing and a changed result is issued a document after the publicity; a request after the set
time is refused.

One session runs through its workflow with compressed seconds: review-service is restarted for
this module with ZC_REVIEW_REQUEST_SECONDS (outside production only) and restored afterwards."""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.filing.province import approve_all
from tests.harness import Stack, wait_for
from tests.org_tree import Account
from tests.review.defenses import hold_defenses
from tests.review.scenario import Scenario, _retry

# The module's one session is built in the first test's setup (with the servers when run alone): on a
# loaded 2-core machine that alone may approach the default 300 s.
pytestmark = [pytest.mark.stack, pytest.mark.timeout(600)]

REVIEW = "review-service"
# What runs inside the publicity (this module's first three tests and the fourth up to its early answer)
# took about 1.5 s on an idle 2-core machine and 9 s at a load average of 12 (four test sessions at once).
PUBLICITY_SECONDS = 15
REVIEW_REQUEST_SECONDS = 4
PNG = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(64)
PHONE = "13912345678"
NAME = "赵投诉人"


@pytest.fixture(scope="module")
def compressed_review(stack: Stack) -> Iterator[None]:
    """review-service with NAT-11's time compressed to seconds; the default restored afterwards."""
    stack.stop(REVIEW)
    stack.start(REVIEW, {"ZC_REVIEW_REQUEST_SECONDS": str(REVIEW_REQUEST_SECONDS)})
    try:
        yield
    finally:
        stack.stop(REVIEW)
        stack.start(REVIEW)


@dataclass
class Run:
    scenario: Scenario
    session_id: str
    passed: str
    failed: str
    late: str
    applicants: dict[str, Account]
    publicity_ends_at: datetime

    @property
    def ops(self) -> str:
        return self.scenario.api.operator_token()

    def http(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.scenario.api.http.request(method, self.scenario.api.url(REVIEW, path), headers=headers, **kw)

    def complain(self, body: dict[str, Any], client: str, **headers: str) -> httpx.Response:
        path = f"/api/v1/public/publicity/{self.session_id}/complaints"
        return self.http("POST", path, json=body, headers={"X-Forwarded-For": client, **headers})


def _applications(scenario: Scenario, count: int) -> tuple[list[str], dict[str, Account]]:
    """Like Scenario.office_approved, keeping each applicant's account (they request reviews)."""
    api, ids, people = scenario.api, [], {}
    for _ in range(count):
        applicant = scenario.clerk.register_applicant(f"李{secrets.token_hex(2)}")
        body = {"year": scenario.year, "series": scenario.series, "specialty": "临床医学", "level": "intermediate"}
        submitted = _retry(
            lambda applicant=applicant, body=body: api.post(
                "application-service", "/api/v1/applications", applicant.token, {**body, "papers": []}
            )
        )
        ids.append(submitted["id"])
        people[submitted["id"]] = applicant
    for application_id in ids:
        api.start_unit_publicity(scenario.unit_token, application_id)
    api.wait_out_unit_publicity()
    for application_id in ids:
        scenario._approve(application_id, scenario.unit_token)
        scenario._approve(application_id, api.operator_token())
    return ids, people


@pytest.fixture(scope="module")
def run(compressed_review: None, scenario: Scenario, committee: dict[str, Any]) -> Run:
    """One session through the vote into its publicity: a passed candidate and two who did not pass."""
    ids, people = _applications(scenario, 3)
    pushed = scenario.push(ids)
    approve_all(scenario.api, pushed["push_id"], ids, scenario.api.operator_token())
    scenario.wait_review_caught_up("application-service")
    opened = scenario.open_session(
        committee["committee_id"],
        ids,
        publicity_seconds=PUBLICITY_SECONDS,
        complaint_investigation_seconds=600,
        application_ids=ids,
    )
    sid, ops = opened["session_id"], scenario.api.operator_token()
    hold_defenses(scenario.api, sid)  # NAT-9 / POL-VD-1: the panels before the vote
    present = {"present_expert_ids": [e.account_id for e in scenario.experts]}
    assert scenario.review("POST", f"/api/v1/sessions/{sid}/attendance", ops, present).status_code == 201
    passed, failed, late = ids
    for expert in scenario.experts:
        r = scenario.ballot(sid, expert, {passed: "yes", failed: "no", late: "no"})
        assert r.status_code == 201, r.text
    assert scenario.review("POST", f"/api/v1/sessions/{sid}/close-voting", ops).status_code == 200
    published = wait_for(lambda: (s := scenario.session(sid))["status"] == "publicity" and s, what="publicity")
    ends_at = datetime.fromisoformat(published["publicity"]["ends_at"])
    return Run(scenario, sid, passed, failed, late, people, ends_at)


def test_nat_3_the_publicity_is_public_in_the_notices_format_without_votes_experts_or_failures(run: Run) -> None:
    listed = run.http("GET", "/api/v1/public/publicity", params={"limit": 50})
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["limit"] == 50 and page["total"] >= 1
    mine = next(p for p in page["items"] if p["session_id"] == run.session_id)
    one = run.http("GET", f"/api/v1/public/publicity/{run.session_id}")
    assert one.status_code == 200 and one.json() == mine
    assert [c["application_id"] for c in mine["candidates"]] == [run.passed]
    (candidate,) = mine["candidates"]
    assert candidate["name"].startswith("李") and "平凉市人民医院" in candidate["employer"]
    assert (candidate["series"], candidate["level_zh"], candidate["specialty"]) == (
        run.scenario.series,
        "中级",
        "临床医学",
    )
    assert mine["level_zh"] == "中级" and mine["organizing_unit"] and mine["complaint_channel"]
    assert mine["starts_at"].endswith("+08:00") and mine["ends_at"].endswith("+08:00")  # Beijing time
    assert "公示期为" in mine["notice"] and mine["period_zh"] in mine["notice"]
    text = str(mine)
    for secret in (run.failed, run.late, *(e.account_id for e in run.scenario.experts)):
        assert secret not in text
    assert not {"votes", "yes", "no", "results", "expert_ids", "present"} & (set(mine) | set(candidate))
    too_big = run.http("GET", "/api/v1/public/publicity", params={"limit": 51})
    assert too_big.status_code == 422
    unknown = run.http("GET", f"/api/v1/public/publicity/{uuid.uuid4()}")
    assert unknown.status_code == 404 and unknown.json()["code"] == "publicity_not_found"


def test_pol_pb_1_a_complaint_without_an_account_reaches_the_organising_unit(run: Run) -> None:
    body = {
        "application_id": run.passed,
        "content": "反映该同志的业绩材料与实际不符，请核查。",
        "complainant_name": NAME,
        "contact_phone": PHONE,
        "attachments": [{"filename": "证据.png", "content_base64": base64.b64encode(PNG).decode()}],
    }
    key = {"Idempotency-Key": f"public-{uuid.uuid4().hex}"}
    filed = run.complain(body, "203.0.113.10", **key)
    assert filed.status_code == 201, filed.text
    assert run.complain(body, "203.0.113.10", **key).json() == filed.json()  # a retry files nothing new
    complaint_id = filed.json()["complaint_id"]
    assert filed.json()["attachments"] == 1

    refusals = [
        ({**body, "application_id": run.failed}, 422, "not_a_published_candidate"),
        ({k: v for k, v in body.items() if k != "contact_phone"}, 422, "validation_failed"),
        ({**body, "contact_phone": "12345"}, 422, "validation_failed"),
        ({**body, "content": "太短了"}, 422, "validation_failed"),
        (
            {**body, "attachments": [{"filename": "a.pdf", "content_base64": base64.b64encode(b"GIF89a..").decode()}]},
            422,
            "attachment_type_not_allowed",
        ),
    ]
    for i, (bad, status, code) in enumerate(refusals):
        r = run.complain(bad, f"203.0.113.{20 + i}")
        assert (r.status_code, r.json()["code"]) == (status, code), r.text

    # The organising unit's committee secretary reads it, with contact details and the attachment.
    listed = run.http("GET", f"/api/v1/sessions/{run.session_id}/complaints", run.ops)
    assert listed.status_code == 200, listed.text
    (complaint,) = [c for c in listed.json() if c["complaint_id"] == complaint_id]
    assert (complaint["channel"], complaint["complainant_name"], complaint["contact_phone"]) == ("public", NAME, PHONE)
    assert complaint["attachments"] == [{"n": 1, "filename": "证据.png", "media_type": "image/png", "size": len(PNG)}]
    got = run.http("GET", f"/api/v1/complaints/{complaint_id}/attachments/1", run.ops)
    assert got.status_code == 200 and got.content == PNG and got.headers["content-type"] == "image/png"
    assert run.http("GET", f"/api/v1/complaints/{complaint_id}/attachments/2", run.ops).status_code == 404
    applicant = run.applicants[run.failed].token
    for token in (run.scenario.unit_token, applicant, run.scenario.experts[0].token):
        assert run.http("GET", f"/api/v1/sessions/{run.session_id}/complaints", token).status_code == 403
        assert run.http("GET", f"/api/v1/complaints/{complaint_id}/attachments/1", token).status_code == 403
    assert run.http("GET", f"/api/v1/sessions/{run.session_id}/complaints").status_code == 401

    # The event says the channel, never who complained or how to reach them.
    events = run.scenario.review_events(run.session_id)
    (event,) = [
        e for e in events if e["event_type"] == "ComplaintFiled" and e["payload"]["complaint_id"] == complaint_id
    ]
    assert event["payload"]["channel"] == "public" and event["actor"] == "public"
    assert not any(secret in str(events) for secret in (NAME, PHONE, "203.0.113.10"))


def test_pol_pb_1_public_complaints_are_rate_limited_per_client_address(run: Run) -> None:
    body = {
        "application_id": run.failed,  # refused after the count: nothing is filed
        "content": "反映该同志存在学历造假问题，请核查。",
        "complainant_name": NAME,
        "contact_email": "a@example.com",
    }
    client = "198.51.100.9"
    for _ in range(5):
        assert run.complain(body, client).status_code == 422
    limited = run.complain(body, client)
    assert limited.status_code == 429, limited.text
    assert limited.json()["code"] == "rate_limited" and 0 < int(limited.headers["Retry-After"]) <= 3600
    # Only the hop the gateway appends counts: what the client wrote before it changes nothing.
    assert run.complain(body, f"192.0.2.1, {client}").status_code == 429
    assert run.complain(body, f"{client}, 192.0.2.1").status_code == 422


def test_nat_11_review_request_refusals_and_the_answer_after_the_publicity(run: Run) -> None:
    mine = run.applicants[run.failed].token
    body = {"application_id": run.failed, "reason": "本人业绩材料齐全，请求复查。"}
    key = {"Idempotency-Key": f"review-{uuid.uuid4().hex}"}
    requested = run.http("POST", "/api/v1/review-requests", mine, json=body, headers=key)
    assert requested.status_code == 201, requested.text
    assert run.http("POST", "/api/v1/review-requests", mine, json=body, headers=key).json() == requested.json()
    request_id = requested.json()["request_id"]
    assert requested.json()["status"] == "pending"

    twice = run.http("POST", "/api/v1/review-requests", mine, json=body)
    assert (twice.status_code, twice.json()["code"]) == (409, "review_already_requested")
    passed = run.http(
        "POST", "/api/v1/review-requests", run.applicants[run.passed].token, json={**body, "application_id": run.passed}
    )
    assert (passed.status_code, passed.json()["code"], passed.json()["rule"]) == (409, "candidate_passed", "NAT-11")
    others = run.http("POST", "/api/v1/review-requests", mine, json={**body, "application_id": run.late})
    assert (others.status_code, others.json()["code"]) == (403, "not_applicant")
    clerk = run.http("POST", "/api/v1/review-requests", run.scenario.unit_token, json=body)
    assert clerk.status_code == 403

    # Who sees which request: the applicant their own, the organising unit those addressed to it.
    assert [r["request_id"] for r in run.http("GET", "/api/v1/review-requests", mine).json()["items"]] == [request_id]
    assert run.http("GET", "/api/v1/review-requests", run.applicants[run.late].token).json()["items"] == []
    office = run.http("GET", "/api/v1/review-requests", run.ops, params={"application_id": run.failed})
    assert [r["request_id"] for r in office.json()["items"]] == [request_id]
    assert run.http("GET", "/api/v1/review-requests", run.scenario.experts[0].token).status_code == 403

    answer = {"outcome": "changed", "answer": "经复查，该同志符合条件，改为通过。"}
    path = f"/api/v1/review-requests/{request_id}/answer"
    assert run.http("POST", path, mine, json=answer).status_code == 403
    assert run.http("POST", path, run.scenario.unit_token, json=answer).status_code == 403
    assert time.time() < run.publicity_ends_at.timestamp(), "the publicity ended before the test could answer early"
    early = run.http("POST", path, run.ops, json=answer)
    assert (early.status_code, early.json()["code"], early.json()["rule"]) == (409, "publicity_not_over", "NAT-3")

    wait_for(lambda: time.time() > run.publicity_ends_at.timestamp() + 0.5, timeout=PUBLICITY_SECONDS + 5)
    answered = run.http("POST", path, run.ops, json=answer)
    assert answered.status_code == 200, answered.text
    number = answered.json()["document_number"]
    assert answered.json()["outcome"] == "changed" and number.startswith(f"平人社职称〔{run.scenario.year}〕")
    again = run.http("POST", path, run.ops, json={**answer, "outcome": "upheld"})
    assert (again.status_code, again.json()["code"]) == (409, "review_already_answered")
    verified = run.http("GET", "/api/v1/documents/verify", params={"number": number})
    assert verified.status_code == 200 and verified.json()["valid"] is True
    own = run.http("GET", "/api/v1/review-requests", mine, params={"application_id": run.failed}).json()["items"]
    assert own[0]["document_number"] == number and own[0]["answer"] == answer["answer"]

    # application-service recorded the tally's "not_passed"; the document makes the application titled.
    def titled() -> dict[str, Any] | None:
        r = run.scenario.api.get("application-service", f"/api/v1/applications/{run.failed}", mine)
        return r.json() if r.json().get("status") == "titled" else None

    application = wait_for(titled, timeout=30, what="application-service to learn the changed result")
    assert application["document_number"] == number

    # After the set time (compressed: seconds after the publicity's end) a request is refused.
    wait_for(
        lambda: time.time() > run.publicity_ends_at.timestamp() + REVIEW_REQUEST_SECONDS + 0.5,
        timeout=REVIEW_REQUEST_SECONDS + PUBLICITY_SECONDS + 5,
    )
    late = run.http(
        "POST", "/api/v1/review-requests", run.applicants[run.late].token, json={**body, "application_id": run.late}
    )
    assert (late.status_code, late.json()["code"], late.json()["rule"]) == (409, "review_request_too_late", "NAT-11")
    gone = run.http("GET", f"/api/v1/public/publicity/{run.session_id}")
    assert gone.status_code == 404  # the publicity is over: nothing public any more


def test_pol_pb_1_the_public_complaint_holds_that_candidates_document_after_the_publicity(run: Run) -> None:
    held = wait_for(
        lambda: (s := run.scenario.session(run.session_id))["status"] == "issuing" and s,
        timeout=PUBLICITY_SECONDS + 30,
        what="the publicity to end",
    )
    assert held["held_application_ids"] == [run.passed]
    # The candidate the review changed has its document; the one a public complaint holds has none.
    assert [d["application_id"] for d in held["documents"]] == [run.failed]
