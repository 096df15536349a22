"""POL-FI-1 through the real processes: application-service, the provincial simulator, the workflows
worker and review-service. A push starts its filing workflow, which delivers the batch (the province
sees one filing); the provincial reviewer approves one application and returns another; the signed
callbacks are recorded once; the office's GET shows both; review-service refuses the returned one at
session opening. The province's callback is refused unsigned, badly signed or replayed outside the
tolerance (401); a duplicate delivery is applied once. A worker killed in the middle of a filing
comes back and the filing completes, nothing lost or doubled."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from zhicheng_kernel.provincial import VerdictCallback, VerdictData
from zhicheng_kernel.signing import new_private_key, parse_webhook_secret_key, sign_webhook
from zhicheng_workflows.filing.models import FilingProgress

from tests.api_client import Api, bearer
from tests.filing.province import PROVINCE, decide, deliver, province, wait_verdict
from tests.harness import Stack, starting, wait_for
from tests.review.scenario import Scenario

pytestmark = pytest.mark.stack

CALLBACK = "/api/v1/provincial/callbacks"


def workflow_id(scenario: Scenario, push_id: str) -> str:
    return f"filing-{scenario.year}-{scenario.series}-{push_id}"


def workflow_status(stack: Stack, workflow: str) -> tuple[FilingProgress, str | None, bool]:
    """The workflow's `status` query, its ZcStatus and whether it has completed (stage "unknown" until the
    start outbox has started it)."""

    async def ask() -> tuple[FilingProgress, str | None, bool]:
        client = await Client.connect(stack.servers.temporal.address, data_converter=pydantic_data_converter)
        handle = client.get_workflow_handle(workflow)
        try:
            described = await handle.describe()
        except RPCError:
            return FilingProgress(push_id="", stage="unknown"), None, False
        status = FilingProgress.model_validate(await handle.query("status"))
        stage = described.typed_search_attributes.get(SearchAttributeKey.for_keyword("ZcStatus"))
        return status, stage, described.close_time is not None

    return asyncio.run(ask())


def filing(api: Api, push_id: str) -> dict[str, Any]:
    r = api.get("application-service", f"/api/v1/filings/{push_id}", api.operator_token())
    assert r.status_code == 200, r.text
    return dict(r.json())


def province_filings(api: Api, push_id: str) -> list[dict[str, Any]]:
    return [f for f in province(api, "GET", "/api/v1/filings?status=all")["filings"] if f["filing_id"] == push_id]


def application_events(api: Api, stream_ids: set[str]) -> list[dict[str, Any]]:
    """application-service's feed (service token), the events of the given streams."""
    found, after = [], 0
    while True:
        token = api.feed_token("application-service")
        r = api.get("application-service", "/api/v1/events", token, after=after, limit=1000)
        assert r.status_code == 200, r.text
        page = r.json()["events"]
        if not page:
            return found
        found += [e for e in page if e["stream_id"] in stream_ids]
        after = page[-1]["position"]


def event_types(events: list[dict[str, Any]], stream_id: str) -> list[str]:
    return [e["event_type"] for e in events if e["stream_id"] == stream_id]


def signed_callback(
    stack: Stack,
    push_id: str,
    application_id: str,
    verdict: str = "approved",
    *,
    key: Any = None,
    at: float | None = None,
) -> tuple[bytes, dict[str, str]]:
    data = VerdictData(
        filing_id=push_id,
        application_id=application_id,
        verdict=verdict,  # type: ignore[arg-type]
        reasons=[] if verdict == "approved" else ["材料不全"],
        decided_at=datetime.now(UTC),
        reviewer="省职改办 李四",
    )
    body = VerdictCallback(timestamp=datetime.now(UTC), data=data).model_dump_json().encode()
    secret = key or parse_webhook_secret_key(stack.secrets.province_webhook_key_file.read_text().strip())
    headers = sign_webhook(secret, f"msg_{uuid.uuid4().hex}", body, now=at)
    return body, {**headers, "Content-Type": "application/json"}


def post_callback(api: Api, body: bytes, headers: dict[str, str]) -> Any:
    return api.http.post(api.url("application-service", CALLBACK), content=body, headers=headers)


def assert_401(response: Any) -> None:
    assert response.status_code == 401, response.text
    problem = response.json()
    assert problem["code"] == "webhook_signature_invalid" and problem["rule"] == "POL-FI-1"


def test_pol_fi_1_a_push_is_filed_once_the_province_approves_one_and_returns_another(stack: Stack) -> None:
    api = Api(stack)
    with starting(stack, "workflows"):
        scenario = Scenario.build(api)
        experts = scenario.register_experts(3)
        committee = scenario.form_committee([e.account_id for e in experts])
        first, second = scenario.office_approved(2)
    try:
        push_id = scenario.push([first, second])["push_id"]
        workflow = workflow_id(scenario, push_id)
        # The workflow delivers the batch: the province sees one filing of two applications.
        (received,) = wait_for(lambda: province_filings(api, push_id), timeout=60, what="the filing at the province")
        assert received["items"] == 2 and received["pending_application_ids"] == [first, second]
        wait_for(lambda: workflow_status(stack, workflow)[0].stage == "waiting_for_province", timeout=30, what="wait")

        decide(api, push_id, first, "approved")
        decide(api, push_id, second, "returned", ["继续教育学时不足"])
        assert wait_verdict(api, first, api.operator_token())["status"] == "filing_approved"
        returned = wait_verdict(api, second, api.operator_token())
        assert returned["status"] == "returned_by_province"
        assert returned["filing"]["reasons"] == ["继续教育学时不足"] and returned["filing"]["push_id"] == push_id

        done = wait_for(lambda: (s := workflow_status(stack, workflow))[2] and s, timeout=60, what="workflow done")
    finally:
        stack.stop("workflows")
    status, stage, _ = done
    assert status.stage == stage == "done"
    assert status.approved_application_ids == [first] and status.returned_application_ids == [second]
    shown = filing(api, push_id)
    assert shown["status"] == "done" and shown["received_at"] is not None and shown["pending_application_ids"] == []
    assert shown["approved_application_ids"] == [first] and shown["returned_application_ids"] == [second]
    verdicts = {v["application_id"]: v for v in shown["verdicts"]}
    assert verdicts[second]["reasons"] == ["继续教育学时不足"] and verdicts[first]["reviewer"] == "省职改办 张三"
    listed = api.get("application-service", "/api/v1/filings", api.operator_token(), year=scenario.year, limit=100)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert push_id in [f["push_id"] for f in page["items"]]
    assert page["total"] == page["totals"]["batches"] >= 1 and page["totals"]["returned"] >= 1

    # review-service: the returned application cannot enter a session; the approved one can.
    scenario.wait_review_caught_up("application-service")
    path = f"/api/v1/committees/{committee['committee_id']}/sessions"
    refused = scenario.review("POST", path, api.operator_token(), {"year": scenario.year, "application_ids": [second]})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "filing_not_approved" and refused.json()["rule"] == "POL-FI-1"
    opened = scenario.open_session(committee["committee_id"], [first], publicity_seconds=3)
    assert opened["application_ids"] == [first]
    # The city office returns the province's return down the chain; approving it again is refused.
    current = api.get("application-service", f"/api/v1/applications/{second}", api.operator_token()).json()
    again = {"decision": "approve", "opinion": "同意", "expected_version": current["version"]}
    decisions = f"/api/v1/applications/{second}/decisions"
    approved_again = api.post("application-service", decisions, api.operator_token(), again)
    assert approved_again.status_code == 409 and approved_again.json()["rule"] == "POL-FI-1"
    back = {"decision": "return", "opinion": "省职改办退回：继续教育学时不足", "expected_version": current["version"]}
    sent_back = api.post("application-service", decisions, api.operator_token(), back)
    assert sent_back.status_code == 200, sent_back.text
    assert sent_back.json()["status"] == "returned"


def test_pol_fi_1_callbacks_unsigned_badly_signed_or_replayed_are_401_and_a_duplicate_is_applied_once(
    stack: Stack,
) -> None:
    api = Api(stack)
    scenario = Scenario.build(api)
    filed, other = scenario.office_approved(2)
    push_id = scenario.push([filed])["push_id"]
    assert deliver(api, push_id)["duplicate"] is False
    assert deliver(api, push_id)["duplicate"] is True  # delivered again: still one filing
    assert len(province_filings(api, push_id)) == 1

    body, headers = signed_callback(stack, push_id, filed)
    unsigned = {k: v for k, v in headers.items() if not k.startswith("webhook-")}
    assert_401(post_callback(api, body, unsigned))
    assert_401(post_callback(api, body, {**headers, "webhook-signature": "v1a,AAAA"}))
    _, forged = signed_callback(stack, push_id, filed, key=new_private_key())
    assert_401(post_callback(api, body, {**forged, "webhook-id": headers["webhook-id"]}))
    stale_body, stale = signed_callback(stack, push_id, filed, at=time.time() - 600)  # replayed 10 minutes later
    assert_401(post_callback(api, stale_body, stale))
    tampered = json.loads(body)
    tampered["data"]["verdict"] = "returned"
    assert_401(post_callback(api, json.dumps(tampered).encode(), headers))

    applied = post_callback(api, body, headers)
    assert applied.status_code == 200 and applied.json()["applied"] is True, applied.text
    duplicate = post_callback(api, body, headers)
    assert duplicate.status_code == 200 and duplicate.json()["applied"] is False
    assert event_types(application_events(api, {filed}), filed).count("ProvincialVerdictRecorded") == 1
    assert wait_verdict(api, filed, api.operator_token())["status"] == "filing_approved"

    foreign_body, foreign = signed_callback(stack, push_id, other)  # not filed with this batch
    rejected = post_callback(api, foreign_body, foreign)
    assert rejected.status_code == 422 and rejected.json()["rule"] == "POL-FI-1", rejected.text

    # Scope: the internal endpoints take the workflow service's token only.
    user = api.http.post(
        api.url("application-service", f"/api/v1/internal/filings/{push_id}/deliver"),
        headers=bearer(api.operator_token()),
    )
    assert user.status_code == 403 and user.json()["code"] == "service_only"


def test_pol_fi_1_a_worker_killed_in_the_middle_of_a_filing_comes_back_and_nothing_is_lost_or_doubled(
    stack: Stack,
) -> None:
    api = Api(stack)
    with starting(stack, "workflows"):
        scenario = Scenario.build(api)
        ids = scenario.office_approved(2)
    try:
        push_id = scenario.push(ids)["push_id"]
        workflow = workflow_id(scenario, push_id)

        # Delivered, and the first read of what waits has returned: the workflow sleeps until a verdict.
        def waiting() -> bool:
            status = workflow_status(stack, workflow)[0]
            return status.stage == "waiting_for_province" and bool(status.pending_application_ids)

        wait_for(waiting, timeout=60, what="waiting for the province")
        stack.kill9("workflows")
        for application_id in ids:  # decided and called back while no worker runs
            decide(api, push_id, application_id, "approved")
        for application_id in ids:
            wait_verdict(api, application_id, api.operator_token())
        stack.start("workflows")
        done = wait_for(lambda: (s := workflow_status(stack, workflow))[2] and s, timeout=120, what="workflow done")
    finally:
        stack.stop("workflows")
    status, stage, _ = done
    assert status.stage == stage == "done" and sorted(status.approved_application_ids) == sorted(ids)
    (received,) = province_filings(api, push_id)  # the province saw one filing
    assert received["items"] == 2
    events = application_events(api, {push_id, *ids})
    assert event_types(events, push_id).count("ProvincialFilingSubmitted") == 1
    for application_id in ids:
        assert event_types(events, application_id).count("ProvincialVerdictRecorded") == 1
    assert filing(api, push_id)["status"] == "done"
    assert PROVINCE == "provincial-simulator"


def test_pol_fi_1_a_province_out_of_reach_is_503_for_the_workflow_to_retry_and_nothing_is_recorded(
    stack: Stack,
) -> None:
    api = Api(stack)
    scenario = Scenario.build(api)
    push_id = scenario.push(scenario.office_approved(1))["push_id"]
    url = api.url("application-service", f"/api/v1/internal/filings/{push_id}/deliver")
    stack.stop(PROVINCE)
    try:
        down = api.http.post(url, headers=bearer(api.service_token("workflows")))
    finally:
        stack.start(PROVINCE)
    assert down.status_code == 503, down.text
    assert down.json()["code"] == "province_unavailable" and down.json()["rule"] == "POL-FI-1"
    assert filing(api, push_id)["received_at"] is None
    assert "ProvincialFilingSubmitted" not in event_types(application_events(api, {push_id}), push_id)
    assert deliver(api, push_id)["duplicate"] is False  # the retry delivers
    assert filing(api, push_id)["status"] == "waiting_for_province"


def test_pol_fi_1_verdicts_arriving_at_once_are_all_kept_in_the_filing(stack: Stack) -> None:
    """The province may deliver the verdicts of one batch in parallel: each is recorded on its application
    and in the batch's filing (a verdict read-modified-written beside another one would be lost there, and
    the batch would wait for it forever)."""
    api = Api(stack)
    scenario = Scenario.build(api)
    applications = scenario.office_approved(6)
    push_id = scenario.push(applications)["push_id"]
    deliver(api, push_id)
    callbacks = [signed_callback(stack, push_id, application_id) for application_id in applications]
    with ThreadPoolExecutor(len(callbacks)) as pool:
        answers = list(pool.map(lambda callback: post_callback(api, *callback), callbacks))
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    assert all(a.json()["applied"] for a in answers)
    shown = filing(api, push_id)
    assert sorted(v["application_id"] for v in shown["verdicts"]) == sorted(applications)
    assert shown["pending_application_ids"] == [] and shown["status"] == "done"
