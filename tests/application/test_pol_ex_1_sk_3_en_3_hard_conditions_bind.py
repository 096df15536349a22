"""Hard conditions bind (issue 9 point 5): while the latest eligibility report has a hard failure no step
approves (409 eligibility_blocked naming the first blocking rule, all of them in `blocking`); the title
office also waits for office-binding outcomes (C2); returning is always allowed."""

from __future__ import annotations

from typing import Any

import pytest
from application_service.domain.application import Application
from application_service.domain.commands import DecideApplication, Reviewer
from application_service.domain.eligibility import blocking_of, eligibility_gate
from zhicheng_kernel.errors import Conflict

from tests.application.conftest import Harness, Tree, approve, auth, post, submit

pytestmark = pytest.mark.stack

BACHELOR_WITH_JUNIOR_TITLE = {
    "education": {"level": "bachelor"},
    "current_title": {"level": "junior", "obtained_on": "2024-01-01"},
}


def exceptional(months_at_lower_post: int) -> dict[str, Any]:
    """破格 (single break: the years in the junior title are short) with `months_at_lower_post`."""
    return {
        "track": "exceptional_single",
        "papers": [],
        **BACHELOR_WITH_JUNIOR_TITLE,
        "work": {"months_at_next_lower_post": months_at_lower_post},
        "outstanding_since_current_title": True,
    }


def skills_bridge(matching_work_months: int) -> dict[str, Any]:
    """高级工 → junior by the employer's assessment, after `matching_work_months` of matching work."""
    certificate = {
        "grade": "advanced_worker",
        "obtained_on": "2023-01-01",
        "matching_work_months": matching_work_months,
    }
    return {"track": "skills_bridge", "level": "junior", "papers": [], "skill_certificates": [certificate]}


def mismatched_major(months_in_specialty: int) -> dict[str, Any]:
    return {
        "papers": [],
        "education": {"level": "bachelor", "major_matches_work": False},
        "current_title": {"level": "junior", "obtained_on": "2020-01-01"},
        "work": {"months_in_current_specialty": months_in_specialty},
    }


async def _blocked_at_the_unit(svc: Harness, tree: Tree, rule: str, body: dict[str, Any]) -> None:
    app = (await submit(svc, tree, **body)).json()
    r = await approve(svc, app["id"], tree.school, "unit_review", app["version"])
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["code"] == "eligibility_blocked" and problem["rule"] == rule
    assert rule in [b["rule_id"] for b in problem["blocking"]] and rule in problem["detail"]
    assert "UnitApproved" not in await svc.stream(app["id"])
    # Returning is always allowed.
    token = svc.token("unit", tree.school, ["unit_review"])
    current = len(await svc.stream(app["id"]))  # the unit's publicity (NAT-5) was recorded on the way
    body = {"decision": "return", "opinion": "不符合条件，请核实", "expected_version": current}
    r = await post(svc, f"/api/v1/applications/{app['id']}/decisions", token, body)
    assert r.status_code == 200 and r.json()["status"] == "returned", r.text


async def _approved_at_the_unit(svc: Harness, tree: Tree, body: dict[str, Any]) -> None:
    app = (await submit(svc, tree, **body)).json()
    r = await approve(svc, app["id"], tree.school, "unit_review", app["version"])
    assert r.status_code == 200 and r.json()["status"] == "unit_approved", r.text


async def test_pol_ex_1_eleven_months_at_the_lower_post_blocks_approval(svc: Harness, tree: Tree) -> None:
    await _blocked_at_the_unit(svc, tree, "POL-EX-1", exceptional(11))


async def test_pol_ex_1_a_full_year_at_the_lower_post_is_approved(svc: Harness, tree: Tree) -> None:
    await _approved_at_the_unit(svc, tree, exceptional(12))


async def test_pol_sk_3_twenty_three_months_after_the_certificate_blocks_approval(svc: Harness, tree: Tree) -> None:
    await _blocked_at_the_unit(svc, tree, "POL-SK-3", skills_bridge(23))


async def test_pol_sk_3_two_years_after_the_certificate_is_approved(svc: Harness, tree: Tree) -> None:
    await _approved_at_the_unit(svc, tree, skills_bridge(24))


async def test_pol_en_3_a_mismatched_major_with_35_months_blocks_approval(svc: Harness, tree: Tree) -> None:
    await _blocked_at_the_unit(svc, tree, "POL-EN-3", mismatched_major(35))


async def test_pol_en_3_a_mismatched_major_with_three_years_is_approved(svc: Harness, tree: Tree) -> None:
    await _approved_at_the_unit(svc, tree, mismatched_major(36))


async def test_pol_ex_1_a_corrected_fact_blocks_what_the_declared_one_passed(svc: Harness, tree: Tree) -> None:
    """The unit attests 11 months where 12 were declared: the attested report binds the later steps too."""
    app = (await submit(svc, tree, **exceptional(12))).json()
    unit = svc.token("unit", tree.school, ["unit_review"])
    correction = {"path": "work.months_at_next_lower_post", "attested": 11, "reason": "2025年7月起聘任，不满1年"}
    r = await post(svc, f"/api/v1/applications/{app['id']}/attestation", unit, {"corrections": [correction]})
    assert r.status_code == 200, r.text
    assert r.json()["blocking"][0]["rule_id"] == "POL-EX-1"
    auditor = svc.token("aud", tree.county, ["auditor"])
    report = (await svc.client.get(f"/api/v1/applications/{app['id']}/eligibility", headers=auth(auditor))).json()
    assert report["basis"] == "attested" and [b["rule_id"] for b in report["blocking"]] == ["POL-EX-1"]
    r = await approve(svc, app["id"], tree.school, "unit_review", r.json()["version"])
    assert r.status_code == 409 and r.json()["rule"] == "POL-EX-1", r.text


# -- the gate itself, on reports as the engine's contract (C2) shapes them ------------------------------------


def _at(step: str, report: dict[str, Any]) -> Application:
    chain = [
        {"step": "unit", "org_id": "u"},
        {"step": "department", "org_id": "d"},
        {"step": "title_office", "org_id": "o"},
    ]
    index = [s["step"] for s in chain].index(step)
    status = {"unit": "submitted", "department": "unit_approved", "title_office": "department_approved"}[step]
    app = Application("a", version=5, status=status, chain=chain, step_index=index, eligibility=report)
    app.submitted = {"papers": [], "facts": {}}
    app.attestation = {"confirmed": True, "corrections": []}
    return app


def _decision(step: str, decision: str = "approve") -> DecideApplication:
    org, role = {"unit": ("u", "unit_review"), "department": ("d", "department_review")}.get(
        step, ("o", "title_office_review")
    )
    return DecideApplication("a", decision, "意见", 5, Reviewer("r", org, frozenset({role})))


PENDING_JOURNAL = {
    "rule_id": "POL-PA-1",
    "explanation_zh": "期刊未列入名录，须由职改办认定（POL-PA-1）。",
    "binding": "office",
}
HARD_FAILURE = {
    "rule_id": "POL-EX-1",
    "explanation_zh": "在低一级岗位聘用11个月，未满1年（POL-EX-1）。",
    "binding": "hard",
}


def _report(*blocking: dict[str, Any]) -> dict[str, Any]:
    return {"eligible": True, "committee_required": True, "outcomes": [], "annotations": [], "blocking": list(blocking)}


@pytest.mark.parametrize("step", ["unit", "department"])
def test_pol_pa_1_an_office_binding_outcome_does_not_block_the_lower_steps(step: str) -> None:
    assert _at(step, _report(PENDING_JOURNAL)).decide(_decision(step))


def test_pol_pa_1_an_office_binding_outcome_blocks_the_title_office() -> None:
    with pytest.raises(Conflict) as refused:
        _at("title_office", _report(PENDING_JOURNAL)).decide(_decision("title_office"))
    assert refused.value.code == "eligibility_blocked" and refused.value.rule == "POL-PA-1"
    assert refused.value.extra["blocking"] == [PENDING_JOURNAL]


@pytest.mark.parametrize("step", ["unit", "department", "title_office"])
def test_pol_ex_1_a_hard_failure_blocks_every_step_but_returning(step: str) -> None:
    app = _at(step, _report(HARD_FAILURE, PENDING_JOURNAL))
    with pytest.raises(Conflict) as refused:
        app.decide(_decision(step))
    assert refused.value.rule == "POL-EX-1"
    expected = [HARD_FAILURE, PENDING_JOURNAL] if step == "title_office" else [HARD_FAILURE]
    assert refused.value.extra["blocking"] == expected
    assert [e.event_type for e in app.decide(_decision(step, "return"))] == ["ApplicationReturned"]


def test_pol_en_3_a_report_assessed_before_bindings_blocks_on_its_hard_rules() -> None:
    """A report without `blocking` (assessed before the engine knew bindings): the hard rules still bind."""
    failed = {"rule_id": "POL-EN-3", "outcome": "fail", "explanation_zh": "专业不对口（POL-EN-3）。", "details": {}}
    advisory = {"rule_id": "POL-GR-3", "outcome": "fail", "explanation_zh": "x（POL-GR-3）。", "details": {}}
    report = {"outcomes": [failed, advisory]}
    assert [b["rule_id"] for b in blocking_of(report)] == ["POL-EN-3"]
    with pytest.raises(Conflict):
        eligibility_gate(report, "department")
    eligibility_gate({"outcomes": [advisory]}, "title_office")
