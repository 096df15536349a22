"""Facts have an owner (issue 9, points 1 and "facts that arrive late"): the unit's reviewer attests the
declared facts (FactsAttested), the engine then evaluates the attested ones, the report shows both side
by side, and only a report on attested facts gives the annotations a document prints (POL-GR-2)."""

from __future__ import annotations

from datetime import datetime

import pytest
from zhicheng_kernel.calendar import CHINA_TZ

from tests.application.attesting import assessments, attest, outcome, read, report, unit_reviewer
from tests.application.conftest import Harness, Tree, approve, office, post, submit, up_the_chain

pytestmark = pytest.mark.stack

RURAL_20_YEARS = {"work": {"rural_months": 20 * 12, "hard_remote_area": True}}


async def test_pol_gr_2_a_corrected_rural_record_loses_the_annotation_on_the_push(svc: Harness, tree: Tree) -> None:
    """Declared: 20 years of rural work in a hard area (POL-GR-2's edge for an intermediate title). The unit
    attests 19 years 11 months: the attested report has no "乡村不受指标限制", and neither has the push."""
    app = (await submit(svc, tree, papers=[], **RURAL_20_YEARS)).json()
    declared = await report(svc, tree, app["id"])
    assert declared["basis"] == "declared" and "乡村不受指标限制" in declared["annotations"]
    correction = {
        "path": "work.rural_months",
        "attested": 239,
        "reason": "2006年7月至2007年6月在县城工作，不计乡村年限",
    }
    r = await attest(svc, app["id"], unit_reviewer(svc, tree), [correction])
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["eligibility_basis"] == "attested" and view["eligibility_trigger"] == "facts_attested"
    gr2 = next(c for c in view["eligibility_changes"] if c["rule_id"] == "POL-GR-2")
    assert gr2["before"] == "pass" and gr2["after"] != "pass"
    row = next(f for f in view["facts"] if f["path"] == "work.rural_months")
    assert row == {"path": "work.rural_months", "declared": 240, "attested": 239, "reason": correction["reason"]}
    attested = await report(svc, tree, app["id"])
    assert attested["basis"] == "attested" and "乡村不受指标限制" not in attested["annotations"]
    assert outcome(attested, "POL-GR-2") != "pass"
    types = await svc.stream(app["id"])
    assert types[-2:] == ["FactsAttested", "EligibilityAssessed"]
    # Up the chain (the attestation stands: no implied confirmation at the approval) and pushed.
    version = view["version"]
    r = await up_the_chain(svc, tree, app["id"], version)
    version = r.json()["version"]
    assert (await svc.stream(app["id"])).count("FactsAttested") == 1
    svc.clock.set(datetime(2026, 12, 1, 9, tzinfo=CHINA_TZ))
    body = {"year": 2026, "series": "卫生系列", "level": "intermediate", "application_ids": [app["id"]]}
    r = await post(svc, "/api/v1/pushes", office(svc, tree), body)
    assert r.status_code == 201, r.text
    pushed = next(p for t, p in await svc.stream_events(app["id"]) if t == "ApplicationPushed")
    assert "乡村不受指标限制" not in pushed["annotations"]


async def test_pol_gr_2_approval_without_attestation_confirms_the_declared_facts(svc: Harness, tree: Tree) -> None:
    """Approving at the unit without an attestation appends FactsAttested(confirmed) first, then the report
    on the attested facts, then UnitApproved: approving confirms what was declared."""
    app = (await submit(svc, tree, papers=[], **RURAL_20_YEARS)).json()
    r = await approve(svc, app["id"], tree.school, "unit_review", app["version"])
    assert r.status_code == 200, r.text
    events = await svc.stream_events(app["id"])
    assert [t for t, _ in events][-3:] == ["FactsAttested", "EligibilityAssessed", "UnitApproved"]
    attested = events[-3][1]
    assert attested["confirmed"] is True and attested["corrections"] == [] and attested["step"] == "unit"
    latest = (await assessments(svc, app["id"]))[-1]
    assert latest["basis"] == "attested" and latest["trigger"] == "facts_attested" and latest["changes"] == []
    assert "乡村不受指标限制" in latest["annotations"]
    row = next(f for f in latest["facts"] if f["path"] == "work.rural_months")
    assert row["declared"] == row["attested"] == 240 and row["reason"] is None


async def test_nat_7_only_the_units_reviewer_attests(svc: Harness, tree: Tree) -> None:
    """NAT-7: the unit of the chain, with unit_review, at the unit's step; anyone else 403."""
    app = (await submit(svc, tree, papers=[])).json()
    others = [
        svc.token("other-unit", tree.other_school, ["unit_review"]),
        svc.token("dept", tree.dept, ["department_review"]),
        svc.token("school-admin", tree.school, ["applicant_management"]),
        svc.token(app["applicant_id"], tree.school, ["applicant"]),
    ]
    for token in others:
        r = await attest(svc, app["id"], token)
        assert r.status_code == 403, r.text
    r = await approve(svc, app["id"], tree.school, "unit_review", app["version"])
    assert r.status_code == 200, r.text
    # Past the unit: the unit attests no more, and the department is not the employer.
    r = await attest(svc, app["id"], unit_reviewer(svc, tree))
    assert r.status_code == 403 and r.json()["rule"] == "NAT-7"
    assert (await attest(svc, app["id"], svc.token("dept", tree.dept, ["department_review"]))).status_code == 403


@pytest.mark.parametrize(
    ("correction", "field", "code"),
    [
        (
            {"path": "work.rural_months", "attested": 100, "reason": " "},
            "corrections.0.reason",
            "correction_reason_required",
        ),
        (
            {"path": "work.rural_months", "attested": -1, "reason": "核对档案"},
            "corrections.0.attested",
            "invalid_attested_value",
        ),
        ({"path": "work.salary", "attested": 1, "reason": "核对档案"}, "corrections.0.path", "unknown_fact"),
        (
            {"path": "staff_status", "attested": "on_staff", "reason": "核对"},
            "corrections.0.path",
            "employer_fact_not_attested",
        ),
        (
            {"path": "employer.kind", "attested": "other", "reason": "核对"},
            "corrections.0.path",
            "employer_fact_not_attested",
        ),
        (
            {"path": "current_title.level", "attested": "junior", "reason": "核对"},
            "corrections.0.path",
            "fact_not_declared",
        ),
    ],
)
async def test_nat_7_a_correction_names_a_declared_fact_its_value_and_a_reason(
    svc: Harness, tree: Tree, correction: dict[str, object], field: str, code: str
) -> None:
    app = (await submit(svc, tree, papers=[])).json()
    r = await attest(svc, app["id"], unit_reviewer(svc, tree), [correction])
    assert r.status_code == 422, r.text
    assert r.json()["code"] == code and r.json()["field"] == field
    assert "FactsAttested" not in await svc.stream(app["id"])


async def test_nat_7_attestation_bodies_are_bounded(svc: Harness, tree: Tree) -> None:
    app = (await submit(svc, tree, papers=[])).json()
    many = [{"path": "work.rural_months", "attested": 1, "reason": "x"}] * 51
    assert (await attest(svc, app["id"], unit_reviewer(svc, tree), many)).status_code == 422
    long_reason = [{"path": "work.rural_months", "attested": 1, "reason": "理" * 501}]
    assert (await attest(svc, app["id"], unit_reviewer(svc, tree), long_reason)).status_code == 422
    long_path = [{"path": "work." + "x" * 100, "attested": 1, "reason": "核对"}]
    assert (await attest(svc, app["id"], unit_reviewer(svc, tree), long_path)).status_code == 422
    long_value = [{"path": "front_line.roster_id", "attested": "x" * 201, "reason": "核对"}]
    assert (await attest(svc, app["id"], unit_reviewer(svc, tree), long_value)).status_code == 422
    assert "FactsAttested" not in await svc.stream(app["id"])


async def test_nat_7_a_resubmission_is_attested_again(svc: Harness, tree: Tree) -> None:
    """After a return the corrected application starts at the unit: the earlier attestation no longer holds,
    and the resubmission's report (trigger "resubmitted") is on the declared facts again."""
    app = (await submit(svc, tree, papers=[], **RURAL_20_YEARS)).json()
    r = await attest(
        svc, app["id"], unit_reviewer(svc, tree), [{"path": "work.rural_months", "attested": 200, "reason": "核对档案"}]
    )
    assert r.status_code == 200, r.text
    token = svc.token("unit", tree.school, ["unit_review"])
    body = {"decision": "return", "opinion": "请补充乡村工作证明", "expected_version": r.json()["version"]}
    r = await post(svc, f"/api/v1/applications/{app['id']}/decisions", token, body)
    assert r.status_code == 200 and r.json()["status"] == "returned", r.text
    applicant = svc.token(app["applicant_id"], tree.school, ["applicant"])
    r = await post(svc, f"/api/v1/applications/{app['id']}/submit", applicant)
    assert r.status_code == 200, r.text
    assert r.json()["eligibility_basis"] == "declared" and r.json()["eligibility_trigger"] == "resubmitted"
    gr2 = next(c for c in r.json()["eligibility_changes"] if c["rule_id"] == "POL-GR-2")
    assert gr2["before"] != "pass" and gr2["after"] == "pass"
    seen = await read(svc, tree, app["id"])
    assert (
        seen["history"][-1]["event_type"] == "EligibilityAssessed" and seen["history"][-1]["trigger"] == "resubmitted"
    )
