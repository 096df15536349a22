"""Issue 12, findings 5 and 8 (review side), on the real stack: NAT-2's secret ballot holds against
anyone who reads review-service's database or its Kafka topic, and the workflow's internal tally
refuses to count before the secretary closed the vote.

Two experts vote differently on one candidate (a third agrees with the first); the test then plays
the attacker with database and broker access and tries to tell whose ballot is whose: through the
rows written in the voter's transaction (same `xmin`), the ballots' numbers or order, their
timestamps, their sizes and the messages on the topic. A cast writes the participation row and the
private ballot box (one row per session, every box re-sealed and shuffled at each cast) — never an
event; the boxes reach the stream once, all together, when the vote is closed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from review_service.adapters.ballot_seal import BallotSeal
from review_service.domain.events import CommitteeSessionOpened
from review_service.domain.session import Session
from review_service.service_layer.outcomes import open_boxes
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from zhicheng_kernel.kafka import topic_for
from zhicheng_kernel.testing import envelope

from tests.harness import wait_for
from tests.review.defenses import hold_defenses, review_database_url
from tests.review.scenario import Scenario

pytestmark = pytest.mark.stack

VOTE_WORDS = ("yes", "no", "abstain")
BALLOT_EVENTS = ("BallotCast", "BallotsCollected")


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
    votes, early, watched = {}, None, []
    for expert, vote in zip(scenario.experts, ("yes", "no", "yes"), strict=True):
        if expert is scenario.experts[-1]:
            early = scenario.review("POST", f"/api/v1/internal/sessions/{sid}/tally", scenario.api.service_token())
        r = scenario.ballot(sid, expert, {candidate: vote, **others})
        assert r.status_code == 201, r.text
        votes[expert.account_id] = vote
        # The attacker watches the database after every ballot.
        watched.append(_attack_database(review_database_url(scenario.api), sid))
    return {"session_id": sid, "candidate": candidate, "votes": votes, "early_tally": early, "watched": watched}


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
                boxes = (
                    await conn.execute(
                        text(
                            "SELECT xmin::text AS tx, row_to_json(b)::text AS body FROM ballot_box b "
                            "WHERE session_id = :s"
                        ),
                        {"s": session_id},
                    )
                    if (await conn.execute(text("SELECT to_regclass('ballot_box')"))).scalar()
                    else None
                )
                private = [] if boxes is None else boxes.all()
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
            return {"voters": voters, "events": events, "same_tx": same_tx, "private": private}
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
                        if envelope["stream_id"] == session_id and envelope["event_type"] in BALLOT_EVENTS:
                            found.append({"envelope": envelope, "timestamp": record.timestamp})
        finally:
            await consumer.stop()

    return asyncio.run(read())


def _sealed_strings(rows: list[Any]) -> set[str]:
    """Every sealed box in the private ballot-box rows an attacker read."""
    return {box for row in rows for box in json.loads(row.body)["boxes"]}


def test_finding_5_nothing_in_the_database_or_the_topic_links_an_expert_to_a_ballot_nat_2(
    scenario: Scenario, voted: dict[str, Any]
) -> None:
    """Finding 5: "Secret ballots can be linked to experts: the voter row and the BallotCast event are
    written in one transaction (same xmin), ballot_no follows insertion order, ballots stream live with
    microsecond timestamps". NAT-2's secrecy must hold against anyone with database or broker access,
    even without the key: no row or event written at cast time shares a transaction with the
    participation row AND carries that ballot's box; the boxes reach the stream only when the vote is
    closed, all in one event, shuffled and re-sealed."""
    sid, candidate, votes, watched = voted["session_id"], voted["candidate"], voted["votes"], voted["watched"]

    # At cast time: nothing in the session's stream, nothing on the topic.
    for seen in watched:
        assert not [e for e in seen["events"] if e.event_type in BALLOT_EVENTS], seen["events"]
    assert _attack_topic(scenario.api.stack.servers.kafka.bootstrap, sid) == []
    # The private box: one row per session, no time, rewritten at each cast with every box re-sealed
    # (fresh nonces) in a random order — no ciphertext survives from one cast to the next, so the
    # rows a voter's transaction wrote carry all the ballots so far alike, none of them as its own.
    assert [len(json.loads(row.body)["boxes"]) for seen in watched for row in seen["private"]] == [1, 2, 3]
    for seen in watched:
        [row] = seen["private"]
        assert set(json.loads(row.body)) == {"session_id", "boxes"}, row.body
    snapshots = [_sealed_strings(seen["private"]) for seen in watched]
    assert sum(len(s) for s in snapshots) == len(set().union(*snapshots)) == 6
    # Per voter's transaction (same xmin): only the participation row and the private box row.
    last = watched[-1]
    assert sorted(v.expert_id for v in last["voters"]) == sorted(votes)
    for tx, rows in last["same_tx"].items():
        for row in rows:
            assert row.split(":", 1)[0] in {"session_voter", "ballot_box", "command_log", "audit_log"}, (tx, row)
            assert not any(f'"{word}"' in row for word in VOTE_WORDS), (tx, row)
            assert "ballot_no" not in row and candidate not in row

    # The secretary closes the vote: the boxes reach the stream in one event, re-sealed and shuffled.
    ops = scenario.api.operator_token()
    assert scenario.review("POST", f"/api/v1/sessions/{sid}/close-voting", ops).status_code == 200
    tallied = wait_for(lambda: (s := scenario.session(sid))["results"] and s, timeout=30, what="the tally")
    result = next(r for r in tallied["results"] if r["application_id"] == candidate)
    assert (result["yes"], result["no"], result["abstain"], result["passed"]) == (2, 1, 0, True)
    assert tallied["ballots_cast"] == 3

    after = _attack_database(review_database_url(scenario.api), sid)
    assert after["private"] == []  # the private rows are gone
    [collected] = [e for e in after["events"] if e.event_type in BALLOT_EVENTS]
    assert collected.event_type == "BallotsCollected"
    payload = json.loads(collected.payload)
    assert set(payload) == {"session_id", "boxes"} and len(payload["boxes"]) == 3
    assert len({len(b) for b in payload["boxes"]}) == 1
    assert not set(payload["boxes"]) & set().union(*snapshots)  # no box as any voter's transaction wrote it
    assert collected.tx not in {v.tx for v in after["voters"]}
    assert not any(f'"{word}"' in collected.payload for word in VOTE_WORDS)

    # The broker carries the one event with the same opaque boxes.
    [message] = _attack_topic(scenario.api.stack.servers.kafka.bootstrap, sid)
    assert message["envelope"]["event_type"] == "BallotsCollected"
    assert message["envelope"]["payload"]["boxes"] == payload["boxes"]

    tally = [e for e in scenario.review_events(sid) if e["event_type"] == "VotesTallied"]
    assert len(tally) == 1 and not set(votes) & set(json.dumps(tally[0]).split('"'))


def test_finding_5_ballots_cast_before_the_private_box_are_still_counted() -> None:
    """Finding 5: the stream still holds BallotCast events of schema 1 (numbered, votes in the clear)
    and schema 2 (one sealed box each, cast before the private ballot box): a session rebuilt from them
    counts them with the boxes collected at the close (NAT-2), one ballot each."""
    seal = BallotSeal(bytes(32))
    sid = "s-old"
    opened = CommitteeSessionOpened(
        session_id=sid,
        committee_id="c1",
        year=2025,
        series="engineering",
        level="intermediate",
        application_ids=["a1"],
        expert_ids=["e1", "e2", "e3", "e4"],
        workflow_id="wf",
    )
    history = [
        envelope("review-service", opened, stream_id=sid, version=1),
        envelope(
            "review-service",
            "AttendanceRecorded",
            {"session_id": sid, "present_expert_ids": ["e1", "e2", "e3", "e4"]},
            stream_id=sid,
            version=2,
        ),
        envelope(
            "review-service",
            "BallotCast",
            {"session_id": sid, "ballot_no": 1, "votes": {"a1": "yes"}},
            stream_id=sid,
            version=3,
            schema_version=1,
        ),
        envelope(
            "review-service",
            "BallotCast",
            {"session_id": sid, "box_id": "f" * 32, "sealed": seal.seal(sid, {"a1": "no"})},
            stream_id=sid,
            version=4,
            schema_version=2,
        ),
        envelope(
            "review-service",
            "BallotsCollected",
            {"session_id": sid, "boxes": [seal.seal(sid, {"a1": "yes"}), seal.seal(sid, {"a1": "yes"})]},
            stream_id=sid,
            version=5,
        ),
        envelope("review-service", "VotingClosed", {"session_id": sid, "ballots_cast": 4}, stream_id=sid, version=6),
    ]
    session = Session.from_events(history)
    assert session is not None and session.ballots_cast == 4
    tallied = session.tally_votes(opened=open_boxes(seal, session))
    assert tallied is not None
    [result] = tallied.results
    assert (result.yes, result.no, result.abstain, result.passed) == (3, 1, 0, True)
