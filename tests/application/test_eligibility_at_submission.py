"""The policy engine at submission: EligibilityAssessed with every rule's outcome and Chinese explanation,
ineligible applications accepted with their report, facts refused by field, and the annotations
(POL-GR-2, POL-EN-4) that travel to the committee in ApplicationPushed and the push roster."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from zhicheng_kernel.calendar import CHINA_TZ

from tests.application.conftest import (
    Harness,
    Tree,
    applicant,
    application,
    get,
    office,
    office_approved_after_publicity,
    paper,
    post,
)

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def svc(svc_with_publicity: Harness) -> Harness:
    return svc_with_publicity


async def test_submission_appends_eligibility_assessed_and_serves_the_report(svc: Harness, tree: Tree) -> None:
    """EligibilityAssessed in the submission's transaction; GET …/eligibility lists every rule with
    its outcome and a Chinese explanation ending with the rule ID."""
    token = await applicant(svc, tree)
    body = application(
        papers=[paper(journal="中华护理杂志", cn_number="CN11-2234/R", published_on="2020-05-01")],
        education={"level": "bachelor"},
        current_title={"level": "junior", "obtained_on": "2019-07-01"},
    )
    r = await post(svc, "/api/v1/applications", token, body)
    assert r.status_code == 201, r.text
    app = r.json()
    types = [t for t, _ in await svc.stream_events(app["id"])]
    assert types == ["ApplicationSubmitted", "PaperCheckRequested", "EligibilityAssessed"]
    assert app["eligible"] is True and app["failed_rules"] == []
    report = (await get(svc, f"/api/v1/applications/{app['id']}/eligibility", token)).json()
    assert report["application_id"] == app["id"] and report["eligible"] is True
    by_rule = {o["rule_id"]: o for o in report["outcomes"]}
    assert by_rule["POL-PA-1"]["outcome"] == "pass"
    assert by_rule["POL-PA-4"]["outcome"] == "pending"  # waits for plagiarism-service
    assert all(o["explanation_zh"].endswith(f"（{o['rule_id']}）。") for o in report["outcomes"])
    other = svc.token("o", tree.other_school, ["unit_review"])
    assert (await get(svc, f"/api/v1/applications/{app['id']}/eligibility", other)).status_code == 403


async def test_pol_ex_1_ineligible_application_is_accepted_with_the_report(svc: Harness, tree: Tree) -> None:
    """Decision: an ineligible application (a hard condition fails: 破格 with 11 months at the lower post)
    is accepted (201) with its report, for the unit to see and return; offices find it by the failed rule ID."""
    token = await applicant(svc, tree)
    body = application(
        track="exceptional_single",
        papers=[],
        education={"level": "bachelor"},
        current_title={"level": "junior", "obtained_on": "2024-01-01"},
        work={"months_at_next_lower_post": 11},
        outstanding_since_current_title=True,
    )
    r = await post(svc, "/api/v1/applications", token, body)
    assert r.status_code == 201, r.text
    app = r.json()
    assert app["status"] == "submitted" and app["eligible"] is False
    assert "POL-EX-1" in app["failed_rules"]
    listed = await get(svc, "/api/v1/applications", office(svc, tree), failed_rule="POL-EX-1", year=2026)
    assert app["id"] in [a["id"] for a in listed.json()["items"]]
    eligible_only = await get(svc, "/api/v1/applications", office(svc, tree), eligible=True)
    assert app["id"] not in [a["id"] for a in eligible_only.json()["items"]]


async def test_pol_pa_3_an_unlisted_journal_excludes_the_paper_an_unknown_one_waits_for_the_office(
    svc: Harness, tree: Tree
) -> None:
    """A journal the registries know is not listed by the press administration: the paper does not count
    (an excluded item, to withdraw), the application stays eligible. A journal the registries do not
    know is neither passed nor failed: pending, binding the title office, who must classify it."""
    token = await applicant(svc, tree)
    unlisted = paper(journal="陇东教育研究", cn_number="CN62-9001/G4", journal_level="provincial")
    unknown = paper(title="未知期刊论文", journal="未知期刊", cn_number="CN62-9999/G4", journal_level="provincial")
    r = await post(svc, "/api/v1/applications", token, application(papers=[unlisted, unknown]))
    assert r.status_code == 201, r.text
    report = (await get(svc, f"/api/v1/applications/{r.json()['id']}/eligibility", token)).json()
    assert report["eligible"] is True
    pa3 = {o["details"]["cn_number"]: o for o in report["outcomes"] if o["rule_id"] == "POL-PA-3"}
    assert (pa3["CN62-9001/G4"]["outcome"], pa3["CN62-9001/G4"]["binding"]) == ("excluded", "item")
    (excluded,) = [i for i in report["excluded_items"] if i["rule_id"] == "POL-PA-3"]
    assert excluded["title"] == unlisted["title"] and "撤回" in excluded["explanation_zh"]
    assert (pa3["CN62-9999/G4"]["outcome"], pa3["CN62-9999/G4"]["binding"]) == ("pending", "office")
    assert "POL-PA-3" in [b["rule_id"] for b in report["blocking"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"work": {"rural_months": -1}}, "work.rural_months"),
        ({"current_title": {"level": "junior", "obtained_on": "2026-06-02"}}, "current_title.obtained_on"),
        (
            {"skill_certificates": [{"grade": "technician", "obtained_on": "2027-01-01", "matching_work_months": 3}]},
            "skill_certificates.0.obtained_on",
        ),
        (
            {"awards": [{"title": "x", "year": 2027, "programme": "p", "kind": "commendation", "level": "city"}]},
            "awards.0.year",
        ),
        (
            {
                "expert_recommendation": {
                    "applied_in_writing": True,
                    "employer_agreed": True,
                    "blind_approvals": 4,
                    "blind_total": 3,
                }
            },
            "expert_recommendation",
        ),
        (
            {
                "three_long_two_outstanding": {
                    "grassroots_years": -2,
                    "tenure_years": 1,
                    "years_at_one_post_level": 1,
                    "outstanding_before_current_title": True,
                    "outstanding_since_current_title": True,
                }
            },
            "three_long_two_outstanding.grassroots_years",
        ),
    ],
)
async def test_bad_facts_get_problem_json_naming_the_field(
    svc: Harness, tree: Tree, overrides: dict[str, Any], field: str
) -> None:
    token = await applicant(svc, tree)
    r = await post(svc, "/api/v1/applications", token, application(**overrides))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field
    mine = (await get(svc, "/api/v1/applications", token)).json()["items"]
    assert mine == []  # nothing half-written


async def test_pol_gr_2_and_pol_en_4_annotations_reach_application_pushed(svc: Harness, tree: Tree) -> None:
    """POL-GR-2 "乡村不受指标限制" and POL-EN-4's off-staff note travel in ApplicationPushed.annotations;
    the off-staff status is the one org-service registered (C5), not a declared one."""
    token = svc.token(await svc.register(tree.school, on_staff=False), tree.school, ["applicant"])
    app = await office_approved_after_publicity(
        svc,
        tree,
        token,
        work={"rural_months": 21 * 12, "hard_remote_area": True},
        off_staff_stated_by_employer=True,
    )
    svc.clock.set(datetime(2026, 12, 1, 9, tzinfo=CHINA_TZ))
    body = {"year": 2026, "series": "卫生系列", "level": "intermediate", "application_ids": [app["id"]]}
    r = await post(svc, "/api/v1/pushes", office(svc, tree), body)
    assert r.status_code == 201, r.text
    pushed = next(p for t, p in await svc.stream_events(app["id"]) if t == "ApplicationPushed")
    assert "乡村不受指标限制" in pushed["annotations"]
    assert not any("编外" in a for a in pushed["annotations"])  # stated, never printed
    assert any("编外" in a for a in pushed["remarks"])
    # The roster (花名册) of the batch, for the pushing office and those above only.
    roster = await get(svc, f"/api/v1/pushes/{r.json()['id']}/roster.xlsx", office(svc, tree))
    assert roster.status_code == 200, roster.text
    sheet = load_workbook(io.BytesIO(roster.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("序号", "姓名") and rows[1][1] == "测试" and "乡村不受指标限制" in rows[1][9]
    unit = svc.token("u", tree.school, ["unit_review"])
    assert (await get(svc, f"/api/v1/pushes/{r.json()['id']}/roster.xlsx", unit)).status_code == 403
