"""The session's panels as people read them (GET /api/v1/sessions/{id}/panels, NAT-9, POL-VD-1, NAT-4) and
the expert pool paged on the server, on the real stack: the organising office and the title offices above
it read every panel whole; a panel's expert only their own panel and only the candidates they score,
never the other experts; everyone else is refused (401, 403, or 404 as if there were no session)."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from zhicheng_kernel.calendar import CHINA_TZ

from tests.org_tree import Account, OrgTree
from tests.review.defenses import Pool, review_database_url, seed_pool
from tests.review.scenario import Scenario, _retry
from tests.review.test_pol_vd_1_video_defense import _employer

pytestmark = pytest.mark.stack

SPECIALTY = "临床医学"


@dataclass
class World:
    sc: Scenario
    session_id: str
    application_id: str
    applicant: Account
    pool: list[Account]  # pool[0] works at the candidate's hospital (recused, NAT-4)
    panel: dict[str, Any]
    other_office: Account
    city_reviewer: Account


@pytest.fixture(scope="module")
def world(scenario: Scenario, committee: dict[str, Any]) -> World:
    from tests.filing.province import approve_all

    sc, api = scenario, scenario.api
    applicant = sc.clerk.register_applicant(f"李{secrets.token_hex(2)}")
    body = {"year": sc.year, "series": sc.series, "specialty": SPECIALTY, "level": "intermediate", "papers": []}
    submitted = _retry(lambda: api.post("application-service", "/api/v1/applications", applicant.token, body))
    application_id = submitted["id"]
    api.start_unit_publicity(sc.unit_token, application_id)
    api.wait_out_unit_publicity()
    sc._approve(application_id, sc.unit_token)
    sc._approve(application_id, api.operator_token())
    pushed = sc.push([application_id], "intermediate")
    approve_all(api, pushed["push_id"], [application_id], api.operator_token())
    sc.wait_review_caught_up("application-service")
    opened = sc.open_session(committee["committee_id"], [application_id], publicity_seconds=2)
    db_url = review_database_url(api)
    hospital = asyncio.run(_employer(db_url, application_id))
    tree = OrgTree(api)
    pool = [tree.expert(f"读组专家{i}", [sc.series]) for i in range(3)]
    employers = {pool[0].account_id: hospital, pool[1].account_id: "其他医院", pool[2].account_id: "医学院"}
    asyncio.run(seed_pool(db_url, Pool(committee["organizing_org_id"], sc.series, SPECIALTY), employers))
    formed = sc.review(
        "POST",
        f"/api/v1/sessions/{opened['session_id']}/panels",
        api.operator_token(),
        {"specialty": SPECIALTY, "size": 3},
    )
    assert formed.status_code == 201, formed.text
    other_office = tree.county_office("崇信县读组", "620823").clerk("县评委会秘书", ["committee_secretary"])
    city_reviewer = tree.city_office().clerk("市职改办审核员", ["title_office_review"])
    return World(sc, opened["session_id"], application_id, applicant, pool, formed.json(), other_office, city_reviewer)


def _panels(w: World, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return w.sc.api.http.get(w.sc.api.url("review-service", f"/api/v1/sessions/{w.session_id}/panels"), headers=headers)


def test_nat_9_the_organising_office_and_the_city_office_read_every_panel_whole(world: World) -> None:
    w = world
    ops = w.sc.api.operator_token()
    pid = w.panel["panel_id"]
    starts = datetime.now(CHINA_TZ).replace(microsecond=0) + timedelta(days=1)
    slot = {"application_id": w.application_id, "starts_at": starts.isoformat(), "minutes": 30, "mode": "video"}
    assert w.sc.review("POST", f"/api/v1/panels/{pid}/defenses", ops, slot).status_code == 201

    for token in (ops, w.city_reviewer.token):
        r = _panels(w, token)
        assert r.status_code == 200, r.text
        [panel] = r.json()
        assert panel["panel_id"] == pid and panel["specialty"] == SPECIALTY
        assert sorted(panel["expert_ids"]) == sorted(a.account_id for a in w.pool)
        [candidate] = panel["candidates"]
        assert candidate["application_id"] == w.application_id and candidate["defense_required"] is True
        assert candidate["join_url"] and candidate["starts_at"] and candidate["defense_recorded"] is False
        assert sorted(candidate["judge_ids"]) == sorted(a.account_id for a in w.pool[1:])  # NAT-4 recusal
        assert candidate["opinion"] is None


def test_nat_4_a_panel_expert_reads_only_the_candidates_they_score_and_no_expert_names(world: World) -> None:
    w = world
    judging = _panels(w, w.pool[1].token)
    assert judging.status_code == 200, judging.text
    [panel] = judging.json()
    assert panel["expert_ids"] is None
    [candidate] = panel["candidates"]
    assert candidate["application_id"] == w.application_id and candidate["judge_ids"] is None
    recused = _panels(w, w.pool[0].token)  # on the panel, recused from its only candidate
    assert recused.status_code == 200, recused.text
    assert [p["candidates"] for p in recused.json()] == [[]]


def test_nat_4_everyone_else_is_refused_the_panels(world: World) -> None:
    w = world
    assert _panels(w, None).status_code == 401
    for token in (w.applicant.token, w.sc.unit_token):  # neither an office nor an expert
        r = _panels(w, token)
        assert r.status_code == 403 and r.json()["code"] == "role_required", r.text
    # A committee member on no panel, an office outside the organising office's subtree: no such session.
    for token in (w.sc.experts[0].token, w.other_office.token):
        r = _panels(w, token)
        assert r.status_code == 404 and r.json()["code"] == "session_not_found", r.text
    unknown = w.sc.review("GET", "/api/v1/sessions/no-such-session/panels", w.sc.api.operator_token())
    assert unknown.status_code == 404, unknown.text


def test_nat_6_the_pool_is_paged_and_filtered_on_the_server(world: World) -> None:
    w = world
    ops = w.sc.api.operator_token()
    ids = "&".join(f"account_id={a.account_id}" for a in w.pool)
    first = w.sc.review("GET", f"/api/v1/expert-pool?{ids}&limit=2&offset=0", ops)
    assert first.status_code == 200, first.text
    page = first.json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["limit"] == 2
    rest = w.sc.review("GET", f"/api/v1/expert-pool?{ids}&limit=2&offset=2", ops).json()
    assert {e["account_id"] for e in page["items"] + rest["items"]} == {a.account_id for a in w.pool}
    running = w.sc.review("GET", f"/api/v1/expert-pool?{ids}&status=running&level=senior&specialty={SPECIALTY}", ops)
    assert running.json()["total"] == 3, running.text
    assert w.sc.review("GET", f"/api/v1/expert-pool?{ids}&status=upcoming", ops).json()["total"] == 0
    assert w.sc.review("GET", f"/api/v1/expert-pool?{ids}&level=junior", ops).json()["total"] == 0
    for bad in ("limit=0", "limit=101", "offset=-1", "status=retired", "level=grand"):
        refused = w.sc.review("GET", f"/api/v1/expert-pool?{bad}", ops)
        assert refused.status_code == 422, refused.text
