"""Structured logs on the real stack: every service writes JSON lines, and a login's and a ballot's lines
hold neither the password nor the vote; a ballot's audit row names nobody (NAT-2)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.api_client import Api
from tests.harness import DATABASES, Stack
from tests.review.defenses import hold_defenses
from tests.review.scenario import Scenario

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def scenario(stack: Stack) -> Iterator[Scenario]:
    built = Scenario.build(Api(stack))
    built.register_experts(3)
    stack.start("workflows")
    try:
        yield built
    finally:
        stack.stop("workflows")


def log_of(stack: Stack, service: str) -> Path:
    return stack.processes[service].log_file


def new_lines(path: Path, offset: int) -> list[str]:
    with path.open("rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", errors="replace").splitlines()


def json_lines(lines: list[str]) -> list[dict[str, Any]]:
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            continue
    return parsed


def test_a_logins_lines_hold_no_password(stack: Stack) -> None:
    api = Api(stack)
    path = log_of(stack, "org-service")
    offset = path.stat().st_size
    wrong = "Wrong-Pass-4711"
    r = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"grant_type": "password", "username": "6208000001-yw01", "password": wrong},
    )
    assert r.status_code in (400, 401), r.text
    api.operator_token()
    lines = new_lines(path, offset)
    written = "\n".join(lines)
    assert wrong not in written and stack.secrets.bootstrap_operator_password not in written
    # Whatever the service logged is one JSON object a line, naming the service.
    records = json_lines(lines)
    assert all(r["service"] == "org-service" and r["level"] and r["timestamp"] for r in records)
    assert len(records) == len([line for line in lines if line.startswith("{")])


def test_a_ballots_lines_hold_no_vote_and_its_audit_row_names_nobody_nat2(stack: Stack, scenario: Scenario) -> None:
    committee = scenario.form_committee([e.account_id for e in scenario.experts])
    candidates = scenario.pushed_candidates(2)
    opened = scenario.open_session(committee["committee_id"], candidates)
    sid, ops = opened["session_id"], scenario.api.operator_token()
    hold_defenses(scenario.api, sid)
    present = {"present_expert_ids": [e.account_id for e in scenario.experts]}
    assert scenario.review("POST", f"/api/v1/sessions/{sid}/attendance", ops, present).status_code == 201

    path = log_of(stack, "review-service")
    offset = path.stat().st_size
    for expert in scenario.experts:
        votes = dict.fromkeys(opened["application_ids"], "abstain")
        r = scenario.ballot(sid, expert, votes)
        assert r.status_code == 201, r.text
    lines = new_lines(path, offset)
    written = "\n".join(lines)
    assert "abstain" not in written and '"votes"' not in written
    for expert in scenario.experts:
        assert expert.account_id not in written and expert.token not in written
    assert all(r["service"] == "review-service" for r in json_lines(lines))

    async def ballot_rows() -> tuple[list[dict[str, Any]], list[str]]:
        engine = create_async_engine(stack.servers.postgres.url(DATABASES["review-service"]))
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    text("SELECT * FROM audit_log WHERE command = 'POST /api/v1/sessions/{session_id}/ballots'")
                )
                audit = [dict(r._mapping) for r in rows]
                correlations = await conn.execute(
                    text(
                        "SELECT correlation_id::text FROM event_store"
                        " WHERE event_type = 'BallotCast' AND stream_id = :s"
                    ),
                    {"s": sid},
                )
                return audit, [c for (c,) in correlations]
        finally:
            await engine.dispose()

    audit, correlations = asyncio.run(ballot_rows())
    done = [row for row in audit if row["outcome"] == "done"]
    assert len(done) >= len(scenario.experts)
    experts = {e.account_id for e in scenario.experts}
    for row in done:
        assert row["subject"] == "ballot-box" and row["kind"] == "anonymous"
        assert row["roles"] == [] and row["org_id"] is None and row["streams"] == [] and row["event_types"] == []
        assert row["ip"] == "" and row["correlation_id"] == ""
        assert not experts & set(json.dumps({k: str(v) for k, v in row.items()}).split('"'))
    # A ballot writes no event at cast time (issue 12, finding 5: the private ballot box), so no event
    # carries the trace of the request that cast it.
    assert correlations == []
