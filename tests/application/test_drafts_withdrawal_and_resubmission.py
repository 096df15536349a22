"""The applicant's own commands: a private draft edited and submitted later, withdrawal before the title
office approves, and a returned application corrected and resubmitted to the unit."""

from __future__ import annotations

import pytest

from tests.application.conftest import (
    Harness,
    Tree,
    applicant,
    application,
    auth,
    decide,
    get,
    office,
    office_approved_after_publicity,
    paper,
    post,
    through_unit,
)

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def svc(svc_with_publicity: Harness) -> Harness:
    return svc_with_publicity


async def test_draft_is_private_editable_and_submitted_later(svc: Harness, tree: Tree) -> None:
    token = await applicant(svc, tree)
    r = await post(svc, "/api/v1/applications", token, application(submit=False, papers=[]))
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["status"] == "draft" and draft["eligible"] is None
    assert (await get(svc, f"/api/v1/applications/{draft['id']}", office(svc, tree))).status_code == 404
    assert draft["id"] not in [
        a["id"] for a in (await get(svc, "/api/v1/applications", office(svc, tree))).json()["items"]
    ]
    assert (await get(svc, f"/api/v1/applications/{draft['id']}/eligibility", token)).json()[
        "code"
    ] == "eligibility_not_assessed"
    r = await svc.client.put(
        f"/api/v1/applications/{draft['id']}", json=application(specialty="护理", papers=[paper()]), headers=auth(token)
    )
    assert r.status_code == 200 and r.json()["specialty"] == "护理", r.text
    someone = await applicant(svc, tree)
    assert (await post(svc, f"/api/v1/applications/{draft['id']}/submit", someone)).status_code == 403
    r = await post(svc, f"/api/v1/applications/{draft['id']}/submit", token)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted" and r.json()["current_step"] == "unit" and r.json()["eligible"] is not None
    types = [t for t, _ in await svc.stream_events(draft["id"])]
    assert types == [
        "ApplicationDrafted",
        "ApplicationEdited",
        "ApplicationSubmitted",
        "PaperCheckRequested",
        "EligibilityAssessed",
    ]
    again = await svc.client.put(f"/api/v1/applications/{draft['id']}", json=application(), headers=auth(token))
    assert again.status_code == 409 and again.json()["code"] == "not_editable"


async def test_applicant_withdraws_before_the_office_approves_but_not_after(svc: Harness, tree: Tree) -> None:
    token = await applicant(svc, tree)
    app = (await post(svc, "/api/v1/applications", token, application(papers=[]))).json()
    assert (
        await post(svc, f"/api/v1/applications/{app['id']}/withdraw", await applicant(svc, tree))
    ).status_code == 403
    r = await post(svc, f"/api/v1/applications/{app['id']}/withdraw", token, {"reason": "今年不报了"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.text
    assert (await decide(svc, r.json(), tree.school, "unit_review")).json()["code"] == "not_under_review"
    approved = await office_approved_after_publicity(svc, tree, token)
    r = await post(svc, f"/api/v1/applications/{approved['id']}/withdraw", token)
    assert r.status_code == 409 and r.json()["code"] == "not_withdrawable"


async def test_returned_application_is_corrected_and_resubmitted_to_the_unit(svc: Harness, tree: Tree) -> None:
    """Decision: after ApplicationReturned (here by the department) the corrected application starts
    again at the unit; edited papers are checked again (POL-PA-4) and the report is recomputed."""
    token = await applicant(svc, tree)
    app = (await post(svc, "/api/v1/applications", token, application())).json()
    app = await through_unit(svc, tree, app)
    r = await decide(svc, app, tree.dept, "department_review", decision="return", opinion="论文期刊信息不全")
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert (await post(svc, f"/api/v1/applications/{app['id']}/submit", await applicant(svc, tree))).status_code == 403
    corrected = application(papers=[paper(title="修改后的论文", cn_number="CN11-2234/R", journal="中华护理杂志")])
    r = await svc.client.put(f"/api/v1/applications/{app['id']}", json=corrected, headers=auth(token))
    assert r.status_code == 200, r.text
    r = await post(svc, f"/api/v1/applications/{app['id']}/submit", token)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "submitted" and body["current_step"] == "unit" and body["publicity_starts_on"] is None
    assert [p["title"] for p in body["papers"]] == ["修改后的论文"] and body["checks"] == {}
    tail = [t for t, _ in await svc.stream_events(app["id"])][-4:]
    assert tail == ["ApplicationEdited", "ApplicationResubmitted", "PaperCheckRequested", "EligibilityAssessed"]
    assert (await post(svc, f"/api/v1/applications/{app['id']}/submit", token)).json()["code"] == "not_returned"
