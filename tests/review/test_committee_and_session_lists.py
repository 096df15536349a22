"""The lists the web application pages through: `GET /api/v1/committees` and `GET /api/v1/sessions`,
each scoped by role and organization subtree, with filters, paging, bounds and every refusal; and the
expert's own worklist, which says that they voted and never how (NAT-2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.api_client import Api
from tests.harness import Stack
from tests.org_tree import OrgTree
from tests.review.defenses import hold_defenses
from tests.review.scenario import Expert, Scenario

pytestmark = pytest.mark.stack


@dataclass
class World:
    api: Api
    sc: Scenario
    committee: dict[str, Any]
    session_id: str
    candidate: str
    experts: list[Expert]
    city_office_id: str
    county_office_id: str
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def world(stack: Stack) -> World:
    api = Api(stack)
    sc = Scenario.build(api)
    experts = sc.register_experts(3)
    committee = sc.form_committee([e.account_id for e in experts])
    (candidate,) = sc.pushed_candidates(1)
    session = sc.open_session(committee["committee_id"], [candidate], publicity_seconds=3600)
    hold_defenses(api, session["session_id"])
    present = {"present_expert_ids": [e.account_id for e in experts]}
    r = sc.review("POST", f"/api/v1/sessions/{session['session_id']}/attendance", api.operator_token(), present)
    assert r.status_code == 201, r.text
    tree = OrgTree(api)
    county = tree.county_office("崆峒区", "620802")
    city = tree.city_office()
    tokens = {
        "secretary": api.operator_token(),
        "county_secretary": county.clerk("县评委会秘书", ["committee_secretary"]).token,
        "city_reviewer": city.clerk("市职改办审核员", ["title_office_review"]).token,
        "auditor": city.clerk("审计员", ["auditor"]).token,
        "outsider_expert": tree.expert("局外专家", [sc.series]).token,
        "unit_clerk": sc.unit_token,
        "service": api.service_token(),
    }
    sc.wait_review_caught_up("org-service")
    return World(api, sc, committee, session["session_id"], candidate, experts, city.id, county.id, tokens)


def get(w: World, path: str, token: str | None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return w.api.http.get(w.api.url("review-service", path), params=params, headers=headers)


def test_the_secretary_pages_through_the_committees_of_the_subtree_with_their_experts(world: World) -> None:
    w = world
    mine = get(w, "/api/v1/committees", w.tokens["secretary"], series=w.sc.series, limit=10)
    assert mine.status_code == 200, mine.text
    page = mine.json()
    assert page["total"] == 1 and page["offset"] == 0 and page["limit"] == 10
    [committee] = page["items"]
    assert committee["committee_id"] == w.committee["committee_id"]
    assert sorted(committee["expert_ids"]) == sorted(e.account_id for e in w.experts)  # the organising secretary
    assert committee["size"] == 3 and committee["filing_expires_on"]

    # The city office's reviewer sees the committee but not its experts (NAT-4).
    reviewer = get(w, "/api/v1/committees", w.tokens["city_reviewer"], series=w.sc.series).json()
    assert [c["committee_id"] for c in reviewer["items"]] == [w.committee["committee_id"]]
    assert reviewer["items"][0].get("expert_ids") is None
    # Filters and paging.
    assert get(w, "/api/v1/committees", w.tokens["secretary"], series=w.sc.series, level="senior").json()["total"] == 0
    everything = get(w, "/api/v1/committees", w.tokens["secretary"], limit=1).json()
    assert everything["total"] >= 1 and len(everything["items"]) == 1
    assert get(w, "/api/v1/committees", w.tokens["service"], series=w.sc.series).json()["total"] == 1


def test_the_committee_list_refuses_wrong_roles_other_subtrees_and_unbounded_queries(world: World) -> None:
    w = world
    # A county office's secretary: the city's committee is outside their subtree — not listed; asked for
    # by the organising office, refused.
    county = get(w, "/api/v1/committees", w.tokens["county_secretary"], series=w.sc.series)
    assert county.status_code == 200 and county.json()["total"] == 0
    outside = get(w, "/api/v1/committees", w.tokens["county_secretary"], org_id=w.city_office_id)
    assert outside.status_code == 403 and outside.json()["code"] == "outside_scope", outside.text
    for role in ("unit_clerk", "auditor", "outsider_expert"):
        refused = get(w, "/api/v1/committees", w.tokens[role])
        assert refused.status_code == 403 and refused.json()["code"] == "role_required", (role, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert get(w, "/api/v1/committees", None).status_code == 401
    assert get(w, "/api/v1/committees", w.tokens["secretary"], org_id="no-such-org").status_code == 404
    for params in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"series": "系" * 101}, {"level": "chief"}):
        assert get(w, "/api/v1/committees", w.tokens["secretary"], **params).status_code == 422, params


def test_the_secretary_pages_through_the_sessions_with_their_stage_and_counts(world: World) -> None:
    w = world
    r = get(w, "/api/v1/sessions", w.tokens["secretary"], committee_id=w.committee["committee_id"])
    assert r.status_code == 200, r.text
    [session] = r.json()["items"]
    assert r.json()["total"] == 1
    assert session["session_id"] == w.session_id and session["committee_name"] == w.committee["name"]
    assert session["status"] == "voting" and session["candidates"] == 1 and session["present"] == 3
    assert session["committee_size"] == 3 and session["meeting_starts_at"] and session["voting_closed"] is False
    assert session["drawn"] is None and session["voted"] is None  # only an expert's own
    same = get(w, "/api/v1/sessions", w.tokens["city_reviewer"], series=w.sc.series, year=w.sc.year).json()
    assert [s["session_id"] for s in same["items"]] == [w.session_id]
    assert get(w, "/api/v1/sessions", w.tokens["secretary"], series=w.sc.series, year=w.sc.year - 1).json() == {
        "items": [],
        "total": 0,
        "offset": 0,
        "limit": 20,
    }
    by_office = get(w, "/api/v1/sessions", w.tokens["secretary"], org_id=w.city_office_id, series=w.sc.series)
    assert by_office.json()["total"] == 1


def test_the_session_list_refuses_wrong_roles_other_subtrees_and_unbounded_queries(world: World) -> None:
    w = world
    county = get(w, "/api/v1/sessions", w.tokens["county_secretary"], committee_id=w.committee["committee_id"])
    assert county.status_code == 200 and county.json()["total"] == 0
    outside = get(w, "/api/v1/sessions", w.tokens["county_secretary"], org_id=w.city_office_id)
    assert outside.status_code == 403 and outside.json()["code"] == "outside_scope", outside.text
    assert get(w, "/api/v1/sessions", w.experts[0].token, org_id=w.county_office_id).json()["total"] == 0
    for role in ("unit_clerk", "auditor"):
        refused = get(w, "/api/v1/sessions", w.tokens[role])
        assert refused.status_code == 403 and refused.json()["code"] == "role_required", (role, refused.text)
    assert get(w, "/api/v1/sessions", None).status_code == 401
    for params in ({"limit": 500}, {"year": 1800}, {"committee_id": "x" * 101}, {"offset": 100_001}):
        assert get(w, "/api/v1/sessions", w.tokens["secretary"], **params).status_code == 422, params


def test_nat_2_an_expert_lists_their_own_sessions_and_sees_that_they_voted_never_how(world: World) -> None:
    w = world
    expert = w.experts[0]
    before = get(w, "/api/v1/sessions", expert.token).json()
    [session] = [s for s in before["items"] if s["session_id"] == w.session_id]
    assert session["drawn"] is True and session["voted"] is False
    form = get(w, f"/api/v1/sessions/{w.session_id}/ballot-form", expert.token).json()
    assert form["voted"] is False and form["application_ids"] == [w.candidate]

    cast = w.sc.ballot(w.session_id, expert, {w.candidate: "yes"})
    assert cast.status_code == 201, cast.text
    after = get(w, "/api/v1/sessions", expert.token).json()
    [session] = [s for s in after["items"] if s["session_id"] == w.session_id]
    assert session["voted"] is True and session["ballots_cast"] == 1
    form = get(w, f"/api/v1/sessions/{w.session_id}/ballot-form", expert.token).json()
    assert form["voted"] is True
    for shown in (session, form):
        assert "yes" not in str(shown) and "votes" not in shown  # that they voted, never how
    # Another expert of the committee has not voted; an expert of no session lists none.
    other = [
        s for s in get(w, "/api/v1/sessions", w.experts[1].token).json()["items"] if s["session_id"] == w.session_id
    ]
    assert other[0]["voted"] is False
    assert get(w, "/api/v1/sessions", w.tokens["outsider_expert"]).json()["total"] == 0
    # An expert has no list of committees.
    assert get(w, "/api/v1/committees", expert.token).status_code == 403
