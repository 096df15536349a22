"""Employer facts come from org-service only (issue 9 point 1, C1, C5): the employer's kind from its org
kind and unit type, grassroots from its level, the on-staff status as the employer registered or corrected
it. What the applicant declares about them is shown, never decisive."""

from __future__ import annotations

import pytest
from application_service.adapters import tables
from application_service.domain.facts import default_employer, employer_kind, policy_application
from sqlalchemy import select

from tests.application.attesting import assessments, read
from tests.application.conftest import Harness, Tree, submit


@pytest.mark.parametrize(
    ("org_kind", "unit_type", "kind"),
    [
        ("state_unit", "enterprise", "state_owned_enterprise"),
        ("state_unit", "hospital", "public_institution"),
        ("state_unit", None, "public_institution"),
        ("private_enterprise", None, "private_enterprise"),
        ("private_hospital", None, "private_institution"),
        ("private_school", None, "private_institution"),
        ("private_technical_school", None, "private_institution"),
        ("government_department", None, "government_agency"),
        ("title_office", None, "government_agency"),
        ("hr_department", None, "government_agency"),
        ("hr_market", None, "other"),
    ],
)
def test_pol_en_1_the_employer_kind_is_org_services(org_kind: str, unit_type: str | None, kind: str) -> None:
    """C1: a state unit whose type is enterprise is a state-owned enterprise (POL-EN-1 "市内各类企业")."""
    assert employer_kind(org_kind, unit_type) == kind


def _submitted(**facts: object) -> dict[str, object]:
    return {
        "applicant_name": "王五",
        "series": "卫生系列",
        "specialty": "护理",
        "level": "intermediate",
        "track": "normal",
        "papers": [],
        "facts": facts,
    }


def test_pol_en_4_a_declared_off_staff_status_does_not_override_the_registered_one() -> None:
    submitted = _submitted(staff_status="off_staff", employer={"kind": "private_enterprise", "grassroots": False})
    app = policy_application(
        submitted,
        person_id="620802198001010015",
        employer=default_employer("state_unit", "county", "泾川县人民医院", "hospital"),
        on_staff=True,
    )
    assert app.applicant.staff_status == "on_staff"
    assert app.applicant.employer.kind == "public_institution" and app.applicant.employer.grassroots is True


def test_pol_en_4_a_declared_on_staff_status_does_not_hide_the_registered_off_staff_one() -> None:
    app = policy_application(
        _submitted(staff_status="on_staff"),
        person_id="620802198001010015",
        employer=default_employer("state_unit", "city", "平凉市人民医院"),
        on_staff=False,
    )
    assert app.applicant.staff_status == "off_staff" and app.applicant.employer.grassroots is False


def test_pol_gr_1_grassroots_is_county_level_or_below() -> None:
    assert default_employer("state_unit", "county", "x")["grassroots"] is True
    assert default_employer("state_unit", "city", "x")["grassroots"] is False
    assert default_employer("state_unit", "province", "x")["grassroots"] is False


@pytest.mark.stack
async def test_pol_en_1_organization_created_keeps_its_unit_type(svc: Harness, tree: Tree) -> None:
    soe = await svc.org("state_unit", tree.dept)
    payload = {
        "org_id": str(soe["org_id"]) + "-x",
        "code": "soe",
        "name": "平凉某国有煤业有限公司",
        "kind": "state_unit",
        "unit_type": "enterprise",
        "level": "county",
        "division_code": "620821",
        "parent_id": tree.dept["org_id"],
        "path": f"{tree.dept['path']}{soe['org_id']}-x/",
    }
    await svc.feed("org-service", "OrganizationCreated", payload)
    async with svc.runtime.context.db.read() as conn:
        row = (await conn.execute(select(tables.orgs).where(tables.orgs.c.id == payload["org_id"]))).one()
    assert row.unit_type == "enterprise"


@pytest.mark.stack
async def test_pol_en_4_a_corrected_staff_status_reassesses_the_open_application(svc: Harness, tree: Tree) -> None:
    """C5: the employer corrects the on-staff status in org-service (ApplicantStaffStatusChanged): the
    projection keeps it and the applicant's open application gets a new report (trigger
    "staff_status_changed") saying what changed."""
    r = await submit(svc, tree, papers=[], staff_status="on_staff")
    app = r.json()
    before = (await assessments(svc, app["id"]))[-1]
    en4 = next(o for o in before["outcomes"] if o["rule_id"] == "POL-EN-4")
    assert en4["outcome"] == "not_applicable"
    change = {
        "account_id": app["applicant_id"],
        "org_id": tree.school["org_id"],
        "on_staff": False,
        "reason": "2020年起为编外聘用人员，登记有误",
        "changed_by": "school-admin",
    }
    await svc.feed("org-service", "ApplicantStaffStatusChanged", change)
    async with svc.runtime.context.db.read() as conn:
        row = (
            await conn.execute(select(tables.applicants).where(tables.applicants.c.account_id == app["applicant_id"]))
        ).one()
    assert row.on_staff is False
    latest = (await assessments(svc, app["id"]))[-1]
    assert latest["trigger"] == "staff_status_changed"
    en4_change = next(c for c in latest["changes"] if c["rule_id"] == "POL-EN-4")
    assert en4_change["before"] == "not_applicable" and en4_change["after"] != "not_applicable"
    staff = next(f for f in latest["facts"] if f["path"] == "staff_status")
    assert staff["declared"] == "on_staff" and staff["attested"] == "off_staff"  # shown, never decisive
    assert staff["reason"] == "以组织机构系统登记为准"
    seen = await read(svc, tree, app["id"])
    assert seen["eligibility_trigger"] == "staff_status_changed"
    assert seen["history"][-1]["trigger"] == "staff_status_changed"


@pytest.mark.stack
async def test_pol_en_4_an_on_staff_applicant_declaring_off_staff_is_judged_on_staff(svc: Harness, tree: Tree) -> None:
    """Issue 9 point 1: the declaration no longer buys the off-staff pool or its note."""
    app = (await submit(svc, tree, papers=[], staff_status="off_staff", off_staff_stated_by_employer=True)).json()
    report = (await assessments(svc, app["id"]))[-1]
    assert next(o for o in report["outcomes"] if o["rule_id"] == "POL-EN-4")["outcome"] == "not_applicable"
    assert not any("编外" in note for note in [*report["annotations"], *report["remarks"]])
    staff = next(f for f in report["facts"] if f["path"] == "staff_status")
    assert (staff["declared"], staff["attested"]) == ("off_staff", "on_staff")
