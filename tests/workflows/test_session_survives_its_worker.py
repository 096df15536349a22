"""The session workflow survives its worker: killed with SIGKILL during publicity and started
again, it resumes where it was and each passed candidate gets exactly one document (NAT-3)."""

from __future__ import annotations

import time

import pytest

from tests.api_client import Api
from tests.harness import Stack, starting, wait_for
from tests.review.defenses import hold_defenses
from tests.review.scenario import Scenario

pytestmark = pytest.mark.stack


def test_worker_killed_during_publicity_resumes_and_issues_each_document_exactly_once(stack: Stack) -> None:
    with starting(stack, "workflows"):
        scenario = Scenario.build(Api(stack))
        experts = scenario.register_experts(3)
        committee = scenario.form_committee([e.account_id for e in experts])
        candidates = scenario.pushed_candidates(2)
    try:
        opened = scenario.open_session(committee["committee_id"], candidates, publicity_seconds=6)
        session_id = opened["session_id"]
        hold_defenses(scenario.api, session_id)
        present = {"present_expert_ids": [e.account_id for e in experts]}
        token = scenario.api.operator_token()
        assert scenario.review("POST", f"/api/v1/sessions/{session_id}/attendance", token, present).status_code == 201
        scenario.vote_all(session_id, opened["application_ids"], experts)
        assert scenario.review("POST", f"/api/v1/sessions/{session_id}/close-voting", token).status_code == 200

        wait_for(lambda: scenario.session(session_id)["status"] == "publicity", timeout=30, what="publicity")
        stack.kill9("workflows")
        ends_at = scenario.session(session_id)["publicity"]["ends_at"]
        time.sleep(1.0)
        assert scenario.session(session_id)["documents"] == []  # NAT-3: nothing before publicity ends
        stack.start("workflows")

        closed = wait_for(
            lambda: (s := scenario.session(session_id))["status"] == "closed" and s, timeout=60, what="session closed"
        )
    finally:
        stack.stop("workflows")
    numbers = [d["number"] for d in closed["documents"]]
    assert sorted(d["application_id"] for d in closed["documents"]) == sorted(opened["application_ids"])
    assert len(set(numbers)) == len(numbers) == len(opened["application_ids"])
    for application_id in candidates:
        docs = scenario.review(
            "GET", f"/api/v1/documents?application_id={application_id}", scenario.api.operator_token()
        ).json()["items"]
        assert len(docs) == 1, docs  # exactly once
        assert docs[0]["number"].startswith(f"平人社职称〔{scenario.year}〕")
        assert docs[0]["issued_at"] >= ends_at
