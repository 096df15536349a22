"""POL-VD-1 and NAT-9 over HTTP on the real stack: a session's candidates go to a review panel drawn from
the pool (an odd number, at least 3), each defends in an online video room, the secretary records the
defense and the panel's opinion, and only then does the committee meet (attendance, then the vote).

The expert pool is written straight into review-service's `expert_pool` table (tests/review/defenses.py)
until the pool's appointment endpoint is on this branch."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from review_service.adapters.tables import candidates
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from zhicheng_kernel.calendar import CHINA_TZ

from tests.org_tree import Account, OrgTree
from tests.review.defenses import Pool, hold_defenses, review_database_url, seed_pool
from tests.review.scenario import Scenario, _retry

pytestmark = pytest.mark.stack

SPECIALTY = "临床医学"
OTHER_SPECIALTY = "护理学"


@dataclass
class World:
    sc: Scenario
    committee: dict[str, Any]
    session_id: str
    applicants: dict[str, Account]  # application id → applicant
    pool: list[Account]  # pool[0] works at the candidates' hospital
    hospital_org_id: str
    junior_session_id: str


def _applications(sc: Scenario, count: int, level: str) -> dict[str, Account]:
    """Like Scenario.pushed_candidates, keeping each applicant's account (to read their own slot)."""
    api, out = sc.api, {}
    for _ in range(count):
        applicant = sc.clerk.register_applicant(f"张{secrets.token_hex(2)}")
        body = {"year": sc.year, "series": sc.series, "specialty": SPECIALTY, "level": level, "papers": []}
        token = applicant.token
        submitted = _retry(
            lambda token=token, body=body: api.post("application-service", "/api/v1/applications", token, body)
        )
        out[submitted["id"]] = applicant
    for application_id in out:
        api.start_unit_publicity(sc.unit_token, application_id)
    api.wait_out_unit_publicity()
    for application_id in out:
        sc._approve(application_id, sc.unit_token)
        sc._approve(application_id, api.operator_token())
    return out


async def _employer(db_url: str, application_id: str) -> str:
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(select(candidates.c.org_id).where(candidates.c.application_id == application_id))
            return str(found.scalar_one())
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def world(scenario: Scenario, committee: dict[str, Any]) -> World:
    from tests.filing.province import approve_all

    sc, api = scenario, scenario.api
    applicants = _applications(sc, 2, "intermediate")
    pushed = sc.push(list(applicants), "intermediate")
    approve_all(api, pushed["push_id"], list(applicants), api.operator_token())
    sc.wait_review_caught_up("application-service")
    opened = sc.open_session(committee["committee_id"], list(applicants), publicity_seconds=2)
    db_url = review_database_url(api)
    hospital = asyncio.run(_employer(db_url, next(iter(applicants))))
    tree = OrgTree(api)
    pool = [tree.expert(f"库专家{i}", [sc.series]) for i in range(3)]
    employers = {pool[0].account_id: hospital, pool[1].account_id: "其他医院", pool[2].account_id: "医学院"}
    asyncio.run(seed_pool(db_url, Pool(committee["organizing_org_id"], sc.series, SPECIALTY), employers))
    # A junior committee of its own: junior candidates need no defense, only the panel's opinion.
    junior_committee = sc.form_committee([e.account_id for e in sc.experts], level="junior")
    junior_ids = sc.pushed_candidates(1, level="junior")
    junior = sc.open_session(junior_committee["committee_id"], junior_ids, publicity_seconds=2)
    return World(sc, committee, opened["session_id"], applicants, pool, hospital, junior["session_id"])


def _review(w: World, method: str, path: str, token: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return w.sc.review(method, path, token, body)


def _problem(r: httpx.Response, status: int, code: str, rule: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = dict(r.json())
    assert body["code"] == code, body
    if rule is not None:
        assert body["rule"] == rule, body
    return body


def test_nat_9_and_pol_vd_1_panels_defenses_and_opinions_before_the_vote(world: World) -> None:
    w, api = world, world.sc.api
    ops = api.operator_token()
    sid = w.session_id
    present = {"present_expert_ids": [e.account_id for e in w.sc.experts]}

    # The committee waits for its panels: no attendance, so no vote, before them.
    waiting = _review(w, "POST", f"/api/v1/sessions/{sid}/attendance", ops, present)
    body = _problem(waiting, 409, "panel_review_pending", "NAT-9")
    assert set(body["pending_opinions"]) == set(w.applicants)

    # NAT-9: a panel of 2 or 4 is refused; only the organising office's secretary forms one.
    for size in (2, 4):
        even = _review(w, "POST", f"/api/v1/sessions/{sid}/panels", ops, {"specialty": SPECIALTY, "size": size})
        assert _problem(even, 422, "invalid_panel_size", "NAT-9")["field"] == "size"
    by_expert = _review(
        w, "POST", f"/api/v1/sessions/{sid}/panels", w.pool[1].token, {"specialty": SPECIALTY, "size": 3}
    )
    assert by_expert.status_code == 403, by_expert.text

    formed = _review(w, "POST", f"/api/v1/sessions/{sid}/panels", ops, {"specialty": SPECIALTY, "size": 3})
    assert formed.status_code == 201, formed.text
    panel = formed.json()
    pid = panel["panel_id"]
    assert sorted(panel["expert_ids"]) == sorted(a.account_id for a in w.pool)
    assert set(panel["application_ids"]) == set(w.applicants) == set(panel["defense_application_ids"])
    # NAT-4: the expert from the candidates' hospital does not judge them.
    assert panel["recusals"] == {a: [w.pool[0].account_id] for a in sorted(w.applicants)}
    again = _review(w, "POST", f"/api/v1/sessions/{sid}/panels", ops, {"specialty": SPECIALTY, "size": 3})
    _problem(again, 409, "already_in_panel", "NAT-9")

    # POL-VD-1: video only, a bounded slot, a room from the provider.
    first, second = sorted(w.applicants)
    starts = datetime.now(CHINA_TZ).replace(microsecond=0) + timedelta(days=1)
    slot = {"application_id": first, "starts_at": starts.isoformat(), "minutes": 30}
    in_person = _review(w, "POST", f"/api/v1/panels/{pid}/defenses", ops, {**slot, "mode": "in_person"})
    assert _problem(in_person, 422, "video_defense_only", "POL-VD-1")["field"] == "mode"
    too_long = _review(w, "POST", f"/api/v1/panels/{pid}/defenses", ops, {**slot, "minutes": 600})
    assert too_long.status_code == 422, too_long.text
    for stranger in (w.pool[1].token, w.sc.unit_token, w.applicants[first].token):  # the office's secretary only
        assert _review(w, "POST", f"/api/v1/panels/{pid}/defenses", stranger, slot).status_code == 403
    scheduled = _review(w, "POST", f"/api/v1/panels/{pid}/defenses", ops, slot)
    assert scheduled.status_code == 201, scheduled.text
    room = scheduled.json()
    assert room["provider"] == "local" and room["join_url"].endswith(f"/video/rooms/{room['room_id']}")
    assert "/video/rooms/" in room["join_url"]
    assert sorted(room["expert_ids"]) == sorted(a.account_id for a in w.pool[1:])
    second_slot = {**slot, "application_id": second, "starts_at": (starts + timedelta(hours=1)).isoformat()}
    assert _review(w, "POST", f"/api/v1/panels/{pid}/defenses", ops, second_slot).status_code == 201

    # DefenseScheduled carries the applicant and the judging experts (org-service notifies them).
    events = [e for e in w.sc.review_events(pid) if e["event_type"] == "DefenseScheduled"]
    assert {e["payload"]["application_id"] for e in events} == {first, second}
    assert {e["payload"]["applicant_id"] for e in events} == {
        w.applicants[first].account_id,
        w.applicants[second].account_id,
    }

    # Experts read their own schedule; the recused one is not in these defenses.
    mine = _review(w, "GET", "/api/v1/defenses/mine", w.pool[1].token)
    assert mine.status_code == 200 and {d["application_id"] for d in mine.json()} == {first, second}
    assert "expert_ids" not in mine.json()[0]
    assert _review(w, "GET", "/api/v1/defenses/mine", w.pool[0].token).json() == []
    assert _review(w, "GET", "/api/v1/defenses/mine", w.sc.unit_token).status_code == 403

    # The applicant reads their own slot; nobody else but the office.
    own = _review(w, "GET", f"/api/v1/defenses?application_id={first}", w.applicants[first].token)
    assert own.status_code == 200 and own.json()[0]["join_url"] == room["join_url"], own.text
    assert _review(w, "GET", f"/api/v1/defenses?application_id={first}", ops).status_code == 200
    for stranger in (w.applicants[second].token, w.sc.unit_token, w.pool[1].token):
        assert _review(w, "GET", f"/api/v1/defenses?application_id={first}", stranger).status_code == 403

    # The record: experts of the panel only, the recused one absent, every judge's score.
    judges = [a.account_id for a in w.pool[1:]]
    scores = [{"expert_id": e, "score": 88, "opinion": "答辩思路清晰"} for e in judges]
    record = {"attended": True, "recording_ref": "录像-001", "scores": scores}
    recused = {**record, "scores": [*scores, {"expert_id": w.pool[0].account_id, "score": 90, "opinion": "好"}]}
    refused = _review(w, "POST", f"/api/v1/panels/{pid}/defenses/{first}/record", ops, recused)
    _problem(refused, 422, "recused_expert_scored", "NAT-4")
    early = _review(
        w,
        "POST",
        f"/api/v1/panels/{pid}/opinions",
        ops,
        {"application_id": first, "opinion": "recommend", "summary": "同意"},
    )
    _problem(early, 409, "defense_not_recorded", "POL-VD-1")
    by_member = _review(w, "POST", f"/api/v1/panels/{pid}/defenses/{first}/record", w.sc.experts[0].token, record)
    assert by_member.status_code == 403, by_member.text
    assert _review(w, "POST", f"/api/v1/panels/{pid}/defenses/{first}/record", ops, record).status_code == 201
    absent = {"attended": False, "recording_ref": None, "scores": []}
    assert _review(w, "POST", f"/api/v1/panels/{pid}/defenses/{second}/record", ops, absent).status_code == 201

    # Still waiting for the opinions.
    _problem(
        _review(w, "POST", f"/api/v1/sessions/{sid}/attendance", ops, present), 409, "panel_review_pending", "NAT-9"
    )
    by_judge = {"application_id": first, "opinion": "recommend", "summary": "同意"}
    assert _review(w, "POST", f"/api/v1/panels/{pid}/opinions", w.pool[1].token, by_judge).status_code == 403
    for application_id, opinion in ((first, "recommend"), (second, "not_recommend")):
        body = {"application_id": application_id, "opinion": opinion, "summary": "评议组意见"}
        assert _review(w, "POST", f"/api/v1/panels/{pid}/opinions", ops, body).status_code == 201

    # The committee reads the opinions before it votes: its secretary and its experts, nobody else.
    opinions = _review(w, "GET", f"/api/v1/sessions/{sid}/panel-opinions", w.sc.experts[0].token)
    assert opinions.status_code == 200, opinions.text
    by_candidate = {o["application_id"]: o for o in opinions.json()}
    assert by_candidate[first]["opinion"] == "recommend" and by_candidate[first]["attended"] is True
    assert by_candidate[second]["opinion"] == "not_recommend" and by_candidate[second]["attended"] is False
    assert _review(w, "GET", f"/api/v1/sessions/{sid}/panel-opinions", ops).status_code == 200
    for stranger in (w.pool[1].token, w.applicants[first].token, w.sc.unit_token):
        assert _review(w, "GET", f"/api/v1/sessions/{sid}/panel-opinions", stranger).status_code == 404

    # Now the committee meets.
    assert _review(w, "POST", f"/api/v1/sessions/{sid}/attendance", ops, present).status_code == 201
    status = _review(w, "GET", f"/api/v1/internal/sessions/{sid}/panels", api.service_token())
    assert status.status_code == 200 and status.json()["complete"] is True
    assert _review(w, "GET", f"/api/v1/internal/sessions/{sid}/panels", ops).status_code in (401, 403)


def test_pol_vd_1_a_junior_candidate_needs_no_defense_only_the_panels_opinion(world: World) -> None:
    w, ops = world, world.sc.api.operator_token()
    sid = w.junior_session_id
    session = w.sc.session(sid)
    (junior,) = session["application_ids"]
    asyncio.run(
        seed_pool(review_database_url(w.sc.api), Pool(w.committee["organizing_org_id"], w.sc.series, OTHER_SPECIALTY))
    )
    body = {"specialty": OTHER_SPECIALTY, "size": 3, "application_ids": [junior]}
    formed = _review(w, "POST", f"/api/v1/sessions/{sid}/panels", ops, body)
    assert formed.status_code == 201, formed.text
    panel = formed.json()
    assert panel["defense_application_ids"] == []
    slot = {"application_id": junior, "starts_at": datetime.now(CHINA_TZ).isoformat(), "minutes": 30}
    _problem(
        _review(w, "POST", f"/api/v1/panels/{panel['panel_id']}/defenses", ops, slot),
        422,
        "defense_not_required",
        "POL-VD-1",
    )
    opinion = {"application_id": junior, "opinion": "recommend", "summary": "同意"}
    assert _review(w, "POST", f"/api/v1/panels/{panel['panel_id']}/opinions", ops, opinion).status_code == 201
    present = {"present_expert_ids": [e.account_id for e in w.sc.experts]}
    assert _review(w, "POST", f"/api/v1/sessions/{sid}/attendance", ops, present).status_code == 201


def test_hold_defenses_takes_a_session_through_its_panels(scenario: Scenario, committee: dict[str, Any]) -> None:
    """The helper the voting tests call: after it, the committee may meet (NAT-9, POL-VD-1)."""
    sc = scenario
    ids = sc.pushed_candidates(2)
    opened = sc.open_session(committee["committee_id"], ids, publicity_seconds=2)
    hold_defenses(sc.api, opened["session_id"])
    present = {"present_expert_ids": [e.account_id for e in sc.experts]}
    r = sc.review("POST", f"/api/v1/sessions/{opened['session_id']}/attendance", sc.api.operator_token(), present)
    assert r.status_code == 201, r.text
