"""What the applicant's web pages need: the application as its applicant filled it in (to edit, correct
and print it), an edit pinned to the version the page showed, and the removal of an attachment the
applicant uploaded while the application is still theirs to change (finding 26)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.application.conftest import (
    Harness,
    Tree,
    applicant,
    application,
    auth,
    decide,
    get,
    paper,
    post,
    through_unit,
)

pytestmark = pytest.mark.stack

PDF = b"%PDF-1.4\n" + b"0" * 2048


@pytest.fixture(scope="module")
def svc(svc_with_publicity: Harness) -> Harness:
    return svc_with_publicity


async def upload(svc: Harness, app_id: str, token: str, name: str = "学历证书.pdf") -> Any:
    files = {"file": (name, PDF, "application/pdf")}
    return await svc.client.post(f"/api/v1/applications/{app_id}/attachments", files=files, headers=auth(token))


async def delete(svc: Harness, app_id: str, attachment_id: str, token: str) -> Any:
    return await svc.client.delete(f"/api/v1/applications/{app_id}/attachments/{attachment_id}", headers=auth(token))


async def test_the_applicant_reads_what_they_filled_in_and_nobody_else_does(svc: Harness, tree: Tree) -> None:
    token = await applicant(svc, tree)
    body = application(
        submit=False,
        papers=[paper(text="基层卫生服务研究正文" * 30)],
        education={"level": "bachelor"},
        work={"months_in_current_specialty": 60},
    )
    draft = (await post(svc, "/api/v1/applications", token, body)).json()
    r = await get(svc, f"/api/v1/applications/{draft['id']}/content", token)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["status"] == "draft" and got["editable"] and got["may_attach"] and got["returned"] is None
    assert got["version"] == draft["version"]
    assert got["content"]["papers"][0]["text"] == "基层卫生服务研究正文" * 30
    assert got["content"]["facts"]["education"]["level"] == "bachelor"
    assert got["content"]["facts"]["work"]["months_in_current_specialty"] == 60
    assert got["limits"]["max_paper_text_chars"] == 200_000 and got["limits"]["max_attachments"] == 20
    other = await applicant(svc, tree)
    r = await get(svc, f"/api/v1/applications/{draft['id']}/content", other)
    assert r.status_code == 404 and r.json()["code"] == "application_not_found"

    submitted = (await post(svc, f"/api/v1/applications/{draft['id']}/submit", token)).json()
    got = (await get(svc, f"/api/v1/applications/{draft['id']}/content", token)).json()
    assert got["status"] == "submitted" and not got["editable"] and got["withdrawable"]
    assert got["content"]["papers"][0]["paper_id"] == submitted["papers"][0]["paper_id"]
    assert got["content"]["papers"][0]["text"] == "基层卫生服务研究正文" * 30  # from PaperCheckRequested
    r = await get(svc, f"/api/v1/applications/{draft['id']}/content", other)
    assert r.status_code == 403 and r.json()["code"] == "not_applicant"
    unit = svc.token("unit-reader", tree.school, ["unit_review"])
    r = await get(svc, f"/api/v1/applications/{draft['id']}/content", unit)
    assert r.status_code == 403 and r.json()["code"] == "not_applicant"
    r = await get(svc, "/api/v1/applications/no-such-application/content", token)
    assert r.status_code == 404


async def test_a_return_shows_its_reasons_and_an_edit_pinned_to_a_stale_version_is_refused(
    svc: Harness, tree: Tree
) -> None:
    token = await applicant(svc, tree)
    app = (await post(svc, "/api/v1/applications", token, application())).json()
    r = await decide(svc, app, tree.school, "unit_review", decision="return", opinion="论文期刊信息不全")
    assert r.status_code == 200, r.text
    got = (await get(svc, f"/api/v1/applications/{app['id']}/content", token)).json()
    assert got["editable"] and got["returned"] == {"step": "unit", "step_zh": "单位", "reasons": ["论文期刊信息不全"]}
    seen = got["version"]
    url = f"/api/v1/applications/{app['id']}"
    r = await svc.client.put(
        url, params={"expected_version": seen}, json=application(specialty="护理"), headers=auth(token)
    )
    assert r.status_code == 200 and r.json()["version"] == seen + 1, r.text
    r = await svc.client.put(
        url, params={"expected_version": seen}, json=application(specialty="内科"), headers=auth(token)
    )
    assert r.status_code == 409 and r.json()["code"] == "concurrent_modification", r.text
    got = (await get(svc, f"/api/v1/applications/{app['id']}/content", token)).json()
    assert got["content"]["specialty"] == "护理"  # the correction being edited, not what was submitted
    r = await svc.client.put(url, params={"expected_version": 0}, json=application(), headers=auth(token))
    assert r.status_code == 422


async def test_the_applicant_removes_their_own_attachment_until_the_unit_approves(svc: Harness, tree: Tree) -> None:
    token = await applicant(svc, tree)
    app = (await post(svc, "/api/v1/applications", token, application())).json()
    own = (await upload(svc, app["id"], token)).json()
    second = (await upload(svc, app["id"], token, "职称证书.pdf")).json()
    unit = svc.token("unit-clerk", tree.school, ["unit_review"])
    reviewers = await upload(svc, app["id"], unit, "单位意见.pdf")
    assert reviewers.status_code == 201, reviewers.text

    other = await applicant(svc, tree)
    r = await delete(svc, app["id"], own["attachment_id"], other)
    assert r.status_code == 403 and r.json()["code"] == "not_applicant"
    r = await delete(svc, app["id"], own["attachment_id"], unit)
    assert r.status_code == 403  # not an applicant
    r = await delete(svc, app["id"], "no-such-file", token)
    assert r.status_code == 404 and r.json()["code"] == "attachment_not_found"
    r = await delete(svc, app["id"], reviewers.json()["attachment_id"], token)
    assert r.status_code == 409 and r.json()["code"] == "attachment_not_own"

    r = await delete(svc, app["id"], own["attachment_id"], token)
    assert r.status_code == 200, r.text
    assert [a["attachment_id"] for a in r.json()["items"]] == [
        second["attachment_id"],
        reviewers.json()["attachment_id"],
    ]
    listed = (await get(svc, f"/api/v1/applications/{app['id']}/attachments", token)).json()["items"]
    assert own["attachment_id"] not in [a["attachment_id"] for a in listed]
    assert "AttachmentRemoved" in await svc.stream(app["id"])
    r = await delete(svc, app["id"], own["attachment_id"], token)
    assert r.status_code == 404  # removed once

    fresh = (await get(svc, f"/api/v1/applications/{app['id']}", token)).json()
    await through_unit(svc, tree, fresh)
    r = await delete(svc, app["id"], second["attachment_id"], token)
    assert r.status_code == 409 and r.json()["code"] == "attachment_closed"
