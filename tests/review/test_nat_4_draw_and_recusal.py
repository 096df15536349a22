"""NAT-4 on the stack: a session's sitting experts and reserves are drawn from the committee's members
reproducibly from a recorded seed that only the organising office may read; an expert of a candidate's
employer, or one who declared a conflict, has no line for that candidate on their ballot form and
cannot vote on them; a reserve steps in below the quorum; an expert sitting elsewhere at the same
time is not drawn; two thirds count only each candidate's judges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from review_service.domain.draw import draw
from review_service.domain.rules import candidate_judges
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api
from tests.harness import Stack
from tests.org_tree import OrgTree
from tests.review.defenses import hold_defenses
from tests.review.scenario import Expert, Scenario

pytestmark = pytest.mark.stack


@dataclass
class Drawn:
    sc: Scenario
    experts: dict[str, Expert]  # by account id
    colleague: str  # the expert working at the candidates' hospital
    committee_id: str
    session_id: str
    candidates: list[str]
    spare: str  # a candidate left for a second session


@pytest.fixture(scope="module")
def drawn(stack: Stack) -> Drawn:
    api = Api(stack)
    sc = Scenario.build(api)
    experts = sc.register_experts(4)
    assert sc.unit is not None
    account = OrgTree(api).expert("同单位专家", [sc.series])
    colleague = Expert(account.account_id, account.token)
    sc.appoint([colleague.account_id], employer_org_id=sc.unit.id)  # works at the applicants' hospital
    members = [*experts, colleague]
    committee = sc.form_committee([e.account_id for e in members])
    *candidates, spare = sc.pushed_candidates(3)
    opened = sc.open_session(
        committee["committee_id"],
        candidates,
        own_day=False,  # the opening day, 00:00–24:00: the default window
        application_ids=candidates,
        sitting=3,
        reserves=2,
        publicity_seconds=60,
    )
    assert (opened["sitting"], opened["reserves"]) == (3, 2)
    assert "expert_ids" not in opened
    return Drawn(
        sc,
        {e.account_id: e for e in members},
        colleague.account_id,
        committee["committee_id"],
        opened["session_id"],
        candidates,
        spare,
    )


def read_draw(d: Drawn, token: str | None = None) -> Any:
    return d.sc.review("GET", f"/api/v1/sessions/{d.session_id}/draw", token or d.sc.api.operator_token())


def test_nat_4_the_office_reads_the_draw_and_recomputes_it_from_the_seed(drawn: Drawn) -> None:
    r = read_draw(drawn)
    assert r.status_code == 200, r.text
    record = r.json()
    assert sorted(record["candidates"]) == sorted(drawn.experts)
    assert record["excluded"] == {}
    again = draw(record["seed"], record["candidates"], 3, 2)
    assert (list(again.sitting), list(again.reserves)) == (record["sitting_expert_ids"], record["reserve_expert_ids"])
    # The expert of the candidates' hospital is recused from every candidate, whether sitting or reserve.
    assert record["recusals"] == {a: [drawn.colleague] for a in sorted(drawn.candidates)}
    day = datetime.now(CHINA_TZ).date().isoformat()
    assert record["meeting_starts_at"].startswith(day)


def test_nat_4_no_expert_or_applicant_reads_who_was_drawn(drawn: Drawn) -> None:
    sc = drawn.sc
    other = OrgTree(sc.api).county_office("静宁县", "620826").clerk("县秘书", ["committee_secretary"])
    applicant = sc.clerk.register_applicant("王申报").token
    for token in (next(iter(drawn.experts.values())).token, sc.unit_token, applicant, other.token):
        refused = read_draw(drawn, token)
        assert refused.status_code in (403, 404), refused.text
    assert read_draw(drawn, next(iter(drawn.experts.values())).token).json()["rule"] == "NAT-4"
    member = drawn.experts[drawn.colleague]
    seen = sc.review("GET", f"/api/v1/sessions/{drawn.session_id}", member.token)
    assert seen.status_code == 200, seen.text
    committee = sc.review("GET", f"/api/v1/committees/{drawn.committee_id}", member.token)
    for answer in (seen.text, committee.text):
        assert not any(expert_id in answer for expert_id in drawn.experts)


def test_nat_4_recused_experts_have_no_line_and_a_reserve_steps_in(drawn: Drawn) -> None:
    sc, sid = drawn.sc, drawn.session_id
    record = read_draw(drawn).json()
    sitting, reserves = record["sitting_expert_ids"], record["reserve_expert_ids"]
    a1, a2 = sorted(drawn.candidates)
    declarer = next(e for e in sitting if e != drawn.colleague)
    ops = sc.api.operator_token()
    # A conflict declared by the expert themselves, and one by the secretary on another's behalf.
    declared = sc.review(
        "POST",
        f"/api/v1/sessions/{sid}/conflicts",
        drawn.experts[declarer].token,
        {"application_id": a1, "reason": "系申报人的导师"},
    )
    assert declared.status_code == 201, declared.text
    for_someone = sc.review(
        "POST",
        f"/api/v1/sessions/{sid}/conflicts",
        drawn.experts[declarer].token,
        {"application_id": a2, "reason": "代报", "expert_id": drawn.colleague},
    )
    assert for_someone.status_code == 403, for_someone.text  # an expert declares only for themselves
    not_drawn_for = sc.review(
        "POST",
        f"/api/v1/sessions/{sid}/conflicts",
        ops,
        {"application_id": a2, "reason": "代报", "expert_id": "nobody"},
    )
    assert not_drawn_for.status_code == 422, not_drawn_for.text
    # The secretary records a second sitting expert's conflict with a1: whether the colleague sits or is a
    # reserve, a1's sitting judges fall below the quorum and a reserve steps in.
    second = next(e for e in sitting if e not in (declarer, drawn.colleague))
    on_behalf = sc.review(
        "POST",
        f"/api/v1/sessions/{sid}/conflicts",
        ops,
        {"application_id": a1, "reason": "系申报人近亲属", "expert_id": second},
    )
    assert on_behalf.status_code == 201, on_behalf.text
    hold_defenses(sc.api, sid)  # NAT-9 / POL-VD-1: the panels before the vote
    present = [*sitting, *reserves]
    attended = sc.review("POST", f"/api/v1/sessions/{sid}/attendance", ops, {"present_expert_ids": present})
    assert attended.status_code == 201, attended.text

    recusals = {a1: {drawn.colleague, declarer, second}, a2: {drawn.colleague}}
    judges = {a: candidate_judges(sitting, reserves, present, recused) for a, recused in recusals.items()}
    for expert_id, expert in drawn.experts.items():
        form = sc.review("GET", f"/api/v1/sessions/{sid}/ballot-form", expert.token)
        assert form.status_code == 200, form.text
        expected = [a for a in (a1, a2) if expert_id in judges[a]]
        assert form.json()["application_ids"] == expected, expert_id
        if expert_id == drawn.colleague:
            assert expected == []  # an expert of the candidates' employer has no line for them
    assert any(r in judges[a1] for r in reserves)  # sitting experts recused from a1: a reserve steps in
    assert sc.review("GET", f"/api/v1/sessions/{sid}/ballot-form", sc.unit_token).status_code == 403

    refused = sc.ballot(sid, drawn.experts[declarer], {a1: "yes", a2: "yes"})
    assert refused.status_code == 422, refused.text
    assert (refused.json()["code"], refused.json()["rule"]) == ("recused_candidate", "NAT-4")
    colleague = sc.ballot(sid, drawn.experts[drawn.colleague], {a1: "yes", a2: "yes"})
    assert colleague.status_code == 422 and colleague.json()["rule"] == "NAT-4", colleague.text

    for expert_id in drawn.experts:
        form = [a for a in (a1, a2) if expert_id in judges[a]]
        if form:
            votes = {a: ("no" if a == a2 and expert_id == judges[a2][0] else "yes") for a in form}
            assert sc.ballot(sid, drawn.experts[expert_id], votes).status_code == 201
    late = sc.review(
        "POST",
        f"/api/v1/sessions/{sid}/conflicts",
        drawn.experts[declarer].token,
        {"application_id": a2, "reason": "太晚"},
    )
    assert late.status_code == 409 and late.json()["code"] == "voting_started", late.text

    service = sc.api.service_token("workflows")
    tallied = sc.review("POST", f"/api/v1/internal/sessions/{sid}/tally", service)
    assert tallied.status_code == 200, tallied.text
    results = {r["application_id"]: r for r in tallied.json()["results"]}
    assert (results[a1]["judges"], results[a1]["yes"], results[a1]["passed"]) == (
        len(judges[a1]),
        len(judges[a1]),
        True,
    )
    # a2: one of its judges voted no; two thirds of its judges decide.
    n = len(judges[a2])
    assert (results[a2]["judges"], results[a2]["yes"]) == (n, n - 1)
    assert results[a2]["passed"] == ((n - 1) * 3 >= 2 * n)
    assert tallied.json()["committee_size"] == 3
    ballots = [e for e in sc.review_events(sid) if e["event_type"] in ("BallotCast", "BallotsCollected")]
    assert [e["event_type"] for e in ballots] == ["BallotsCollected"]
    for event in ballots:  # NAT-2: still secret
        assert not any(e in str(event) for e in drawn.experts)


def test_nat_4_an_expert_sitting_elsewhere_at_the_same_time_is_not_drawn(drawn: Drawn) -> None:
    sc = drawn.sc
    path = f"/api/v1/committees/{drawn.committee_id}/sessions"
    body = {"year": sc.year, "application_ids": [drawn.spare], "sitting": 1, "publicity_seconds": 60}
    busy = sc.review("POST", path, sc.api.operator_token(), body)
    assert busy.status_code == 422, busy.text
    assert (busy.json()["code"], busy.json()["rule"]) == ("not_enough_experts", "NAT-4")
    tomorrow = datetime.now(CHINA_TZ).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    window = {"meeting_starts_at": tomorrow.isoformat(), "meeting_ends_at": (tomorrow + timedelta(hours=8)).isoformat()}
    even = sc.review("POST", path, sc.api.operator_token(), {**body, **window, "sitting": 2})
    assert even.status_code == 422 and even.json()["code"] == "sitting_size_even", even.text
    free = sc.review("POST", path, sc.api.operator_token(), {**body, **window})
    assert free.status_code == 201, free.text
    assert free.json()["sitting"] == 1
