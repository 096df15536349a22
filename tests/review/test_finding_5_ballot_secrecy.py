"""Issue 12, findings 5 and 8 (review side), on the real stack: NAT-2's secret ballot holds against
anyone who reads review-service's database or its Kafka topic, and the workflow's internal tally
refuses to count before the secretary closed the vote.

Two experts vote differently on one candidate (a third agrees with the first); the test then plays
the attacker with database and broker access and tries to tell whose ballot is whose: through the
rows written in the voter's transaction (same `xmin`), the ballots' numbers or order, their
timestamps, their sizes and the messages on the topic."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from zhicheng_kernel.kafka import topic_for

from tests.harness import wait_for
from tests.review.defenses import hold_defenses, review_database_url
from tests.review.scenario import Scenario

pytestmark = pytest.mark.stack

VOTE_WORDS = ("yes", "no", "abstain")


@pytest.fixture(scope="module")
def voted(scenario: Scenario, committee: dict[str, Any]) -> dict[str, Any]:
    """A session of one candidate: all three experts present; e0 and e2 vote yes, e1 votes no. Before
    e2's ballot, the workflow's internal tally is called (its answer is kept for finding 8)."""
    [candidate] = scenario.pushed_candidates(1)
    opened = scenario.open_session(committee["committee_id"], [candidate], publicity_seconds=600)
    sid, ops = opened["session_id"], scenario.api.operator_token()
    hold_defenses(scenario.api, sid)
    present = {"present_expert_ids": [e.account_id for e in scenario.experts]}
    assert scenario.review("POST", f"/api/v1/sessions/{sid}/attendance", ops, present).status_code == 201
    others = {a: "abstain" for a in opened["application_ids"] if a != candidate}
    votes, early = {}, None
    for expert, vote in zip(scenario.experts, ("yes", "no", "yes"), strict=True):
        if expert is scenario.experts[-1]:
            early = scenario.review("POST", f"/api/v1/internal/sessions/{sid}/tally", scenario.api.service_token())
        r = scenario.ballot(sid, expert, {candidate: vote, **others})
        assert r.status_code == 201, r.text
        votes[expert.account_id] = vote
    return {"session_id": sid, "candidate": candidate, "votes": votes, "early_tally": early}


def test_finding_8_the_internal_tally_refuses_to_count_before_voting_closed(
    scenario: Scenario, voted: dict[str, Any]
) -> None:
    """Finding 8: "/internal endpoints trust any of them — `tally` has no 'voting closed' precondition
    (calling it early fails every candidate for good)". NAT-2: the ballots are counted once the vote
    is over (closed by the secretary, or every present expert voted), never before."""
    early = voted["early_tally"]
    assert early.status_code == 409, early.text
    assert (early.json()["code"], early.json()["rule"]) == ("voting_not_closed", "NAT-2")
    # Nothing was counted, and the last expert's ballot was still taken.
    assert scenario.session(voted["session_id"])["results"] is None
    assert scenario.session(voted["session_id"])["ballots_cast"] == 3


def _attack_database(db_url: str, session_id: str) -> dict[str, Any]:
    """What an attacker with read access to review-service's database sees of the session's ballots."""

    async def read() -> dict[str, Any]:
        engine = create_async_engine(db_url)
        try:
            async with engine.connect() as conn:
                voters = (
                    await conn.execute(
                        text("SELECT xmin::text AS tx, expert_id FROM session_voter WHERE session_id = :s"),
                        {"s": session_id},
                    )
                ).all()
                events = (
                    await conn.execute(
                        text(
                            "SELECT xmin::text AS tx, event_type, payload::text AS payload, occurred_at, position "
                            "FROM event_store WHERE stream_id = :s ORDER BY position"
                        ),
                        {"s": session_id},
                    )
                ).all()
                # Every row of every table of the service written in a voter's transaction.
                tables = (
                    await conn.execute(
                        text(
                            "SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                        )
                    )
                ).scalars()
                same_tx: dict[str, list[str]] = {}
                voter_txs = [v.tx for v in voters]
                for table in list(tables):
                    rows = (
                        await conn.execute(
                            text(
                                f'SELECT xmin::text AS tx, row_to_json(t)::text AS body FROM "{table}" t '
                                "WHERE xmin::text = ANY(:txs)"
                            ),
                            {"txs": voter_txs},
                        )
                    ).all()
                    for row in rows:
                        same_tx.setdefault(row.tx, []).append(f"{table}: {row.body}")
            return {"voters": voters, "events": events, "same_tx": same_tx}
        finally:
            await engine.dispose()

    return asyncio.run(read())


def _attack_topic(bootstrap: str, session_id: str) -> list[dict[str, Any]]:
    """The session's BallotCast messages on review-service's topic, as anyone with broker access reads them."""

    async def read() -> list[dict[str, Any]]:
        consumer = AIOKafkaConsumer(
            topic_for("review-service"), bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
        )
        await consumer.start()
        found: list[dict[str, Any]] = []
        try:
            while True:
                batch = await consumer.getmany(timeout_ms=2000, max_records=1000)
                if not batch:
                    return found
                for records in batch.values():
                    for record in records:
                        envelope = json.loads(record.value)
                        if envelope["stream_id"] == session_id and envelope["event_type"] == "BallotCast":
                            found.append({"envelope": envelope, "timestamp": record.timestamp})
        finally:
            await consumer.stop()

    return asyncio.run(read())


def test_finding_5_nothing_in_the_database_or_the_topic_links_an_expert_to_a_ballot_nat_2(
    scenario: Scenario, voted: dict[str, Any]
) -> None:
    """Finding 5: "Secret ballots can be linked to experts: the voter row and the BallotCast event are
    written in one transaction (same xmin), ballot_no follows insertion order, ballots stream live with
    microsecond timestamps". NAT-2's secrecy must hold against anyone with database or broker access:
    the ballots are sealed under a key kept outside both, and opened only at the tally."""
    sid, candidate, votes = voted["session_id"], voted["candidate"], voted["votes"]
    seen = _attack_database(review_database_url(scenario.api), sid)

    # The participation is recorded (one ballot each, the quorum), without content.
    assert sorted(v.expert_id for v in seen["voters"]) == sorted(votes)
    ballots = [e for e in seen["events"] if e.event_type == "BallotCast"]
    assert len(ballots) == 3
    for event in ballots:
        payload = json.loads(event.payload)
        # No number, no order, no vote and no candidate in the clear: an opaque box with a random id.
        assert set(payload) == {"session_id", "box_id", "sealed"}, payload
        assert candidate not in event.payload
        assert not any(f'"{word}"' in event.payload for word in VOTE_WORDS), event.payload
    # Boxes of the same size whatever the vote, and one timestamp for all: neither tells them apart.
    assert len({len(json.loads(e.payload)["sealed"]) for e in ballots}) == 1
    assert len({e.occurred_at for e in ballots}) == 1
    # The voter's transaction (same xmin) writes nothing that says how the expert voted.
    for tx, rows in seen["same_tx"].items():
        for row in rows:
            assert not any(f'"{word}"' in row for word in VOTE_WORDS), (tx, row)
            assert "ballot_no" not in row

    # The broker carries the same opaque boxes, with one occurred_at.
    messages = _attack_topic(scenario.api.stack.servers.kafka.bootstrap, sid)
    assert len(messages) == 3
    for message in messages:
        body = json.dumps(message["envelope"]["payload"])
        assert set(message["envelope"]["payload"]) == {"session_id", "box_id", "sealed"}
        assert not any(f'"{word}"' in body for word in VOTE_WORDS)
    assert len({m["envelope"]["occurred_at"] for m in messages}) == 1

    # The tally (after the secretary closed the vote) opens the boxes and counts them right.
    ops = scenario.api.operator_token()
    assert scenario.review("POST", f"/api/v1/sessions/{sid}/close-voting", ops).status_code == 200
    tallied = wait_for(lambda: (s := scenario.session(sid))["results"] and s, timeout=30, what="the tally")
    result = next(r for r in tallied["results"] if r["application_id"] == candidate)
    assert (result["yes"], result["no"], result["abstain"], result["passed"]) == (2, 1, 0, True)
    tally = [e for e in scenario.review_events(sid) if e["event_type"] == "VotesTallied"]
    assert len(tally) == 1 and not set(votes) & set(json.dumps(tally[0]).split('"'))
