"""The on-staff status (在编/编外) is the employer's fact: its system administrator, or one above it,
corrects what was registered, with a reason; application-service reads ApplicantStaffStatusChanged."""

from __future__ import annotations

import httpx
import pytest
from org_service.domain.events import CATALOGUE
from zhicheng_kernel.database import Database
from zhicheng_kernel.eventstore import EventStore

from tests.api_client import Api
from tests.org_tree import OrgTree

pytestmark = pytest.mark.stack


def _staff_status(api: Api, token: str, account_id: str, body: dict[str, object]) -> httpx.Response:
    return api.http.put(
        api.url("org-service", f"/api/v1/accounts/applicants/{account_id}/staff-status"),
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )


async def _events_of(org_db: Database, stream_id: str) -> list[tuple[str, dict[str, object]]]:
    async with org_db.read() as conn:
        history = await EventStore("org-service", CATALOGUE.upcasters).read_after(conn, 0, 1_000_000)
    return [(e.event_type, dict(e.payload)) for e in history if e.stream_id == stream_id]


async def test_POL_EN_4_the_employers_admin_or_one_above_corrects_the_on_staff_status(
    api: Api, org_db: Database
) -> None:
    tree = OrgTree(api)
    dept = tree.department("平凉市在编状态测试局", "health")
    hospital = tree.hospital("平凉市在编状态测试医院", under=dept)
    applicant = hospital.clerk("登记员", ["applicant_management"]).register_applicant("周敏", on_staff=True)

    r = _staff_status(
        api, hospital.admin_token, applicant.account_id, {"on_staff": False, "reason": "编外聘用，登记有误"}
    )
    assert r.status_code == 200, r.text
    listed = api.get("org-service", f"/api/v1/orgs/{hospital.id}/accounts", hospital.admin_token).json()
    assert next(a["on_staff"] for a in listed if a["account_id"] == applicant.account_id) is False
    assert r.json() == {
        "account_id": applicant.account_id,
        "org_id": hospital.id,
        "on_staff": False,
        "changed": True,
        "version": 2,
    }
    # Unchanged: answered, and no event.
    again = _staff_status(api, hospital.admin_token, applicant.account_id, {"on_staff": False, "reason": "复核无误"})
    assert again.status_code == 200 and again.json()["changed"] is False and again.json()["version"] == 2
    # The department above the hospital, and the city office above both, may correct it too.
    up = _staff_status(api, dept.admin_token, applicant.account_id, {"on_staff": True, "reason": "已入编，见编办文件"})
    assert up.status_code == 200 and up.json()["version"] == 3
    city = _staff_status(api, api.admin_token(), applicant.account_id, {"on_staff": True, "reason": "复核"})
    assert city.status_code == 200 and city.json()["changed"] is False

    changes = [p for t, p in await _events_of(org_db, applicant.account_id) if t == "ApplicantStaffStatusChanged"]
    assert [(p["on_staff"], p["reason"]) for p in changes] == [
        (False, "编外聘用，登记有误"),
        (True, "已入编，见编办文件"),
    ]
    me = api.get("org-service", "/api/v1/accounts/me", dept.admin_token).json()
    assert set(changes[1]) == {"account_id", "org_id", "on_staff", "reason", "changed_by"}
    assert changes[1]["org_id"] == hospital.id and changes[1]["changed_by"] == me["account_id"]
    # The administrators see the status as it stands now; other accounts have none.
    listed = api.get("org-service", f"/api/v1/orgs/{hospital.id}/accounts", hospital.admin_token).json()
    shown = {a["kind"]: (a["on_staff"], a["version"]) for a in listed}
    assert shown["applicant"] == (True, 3) and shown["system_admin"][0] is None


def test_POL_EN_4_a_staff_status_correction_outside_the_subtree_or_without_a_reason_is_refused(api: Api) -> None:
    tree = OrgTree(api)
    school = tree.school("平凉市在编状态测试中学")
    clerk = school.clerk("登记员", ["applicant_management"])
    applicant = clerk.register_applicant("吴刚")
    sibling = tree.school("平凉市在编状态测试小学")
    body = {"on_staff": False, "reason": "编外聘用"}

    outside = _staff_status(api, sibling.admin_token, applicant.account_id, body)
    assert outside.status_code == 403 and outside.json()["code"] == "outside_scope", outside.text
    clerk_refused = _staff_status(api, clerk.token, applicant.account_id, body)
    assert clerk_refused.status_code == 403 and clerk_refused.json()["code"] == "role_required"
    for reason in ("", "  ", "理" * 201):
        r = _staff_status(api, school.admin_token, applicant.account_id, {"on_staff": False, "reason": reason})
        assert r.status_code == 422 and r.json()["field"] == "reason", r.text
    missing = _staff_status(api, school.admin_token, applicant.account_id, {"on_staff": False})
    assert missing.status_code == 422 and missing.json()["field"] == "reason"
    not_an_applicant = _staff_status(api, school.admin_token, clerk.account_id, body)
    assert not_an_applicant.status_code == 404 and not_an_applicant.json()["code"] == "applicant_not_found"
