"""Issue 12 through application-service's real app on the real PostgreSQL: bounded queries (finding 27),
one application per person, year and series (finding 22), the employer's check report only where the
automatic check finished as unavailable for a reason the applicant did not cause (finding 6, POL-PA-4),
and who may attach what to whose application, within a quota (finding 26)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from application_service.domain.attachments import MAX_ATTACHMENTS

from tests.application.conftest import (
    Harness,
    Tree,
    applicant,
    application,
    auth,
    get,
    office,
    paper,
    post,
)

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def svc(svc_with_publicity: Harness) -> Harness:
    return svc_with_publicity


# -- finding 27 -------------------------------------------------------------------------------------------


async def test_finding_27_query_integers_and_texts_are_bounded_before_they_reach_postgresql(
    svc: Harness, tree: Tree
) -> None:
    """Finding 27: `GET /api/v1/applications?year=274156808752997` and `/applications/counts?year=…`
    answer 500: integers without bounds reach PostgreSQL."""
    token = office(svc, tree)
    for url, params in (
        ("/api/v1/applications", {"year": "274156808752997"}),
        ("/api/v1/applications/counts", {"year": "274156808752997"}),
        ("/api/v1/applications", {"offset": "10472689468565861957632"}),
        ("/api/v1/applications", {"limit": "100000"}),
        ("/api/v1/applications", {"status": "submitted\x00"}),
        ("/api/v1/applications", {"series": "卫" * 101}),
        ("/api/v1/applications/counts", {"county": "62\x0082"}),
        ("/api/v1/integrity-file", {"person": "62\x00"}),
    ):
        r = await get(svc, url, token, **params)
        assert r.status_code == 422, (url, params, r.status_code, r.text)
    assert (await get(svc, "/api/v1/applications", token, year="2026", offset="0")).status_code == 200
    assert (await get(svc, "/api/v1/applications/counts", token, year="2026")).status_code == 200


# -- finding 22 -------------------------------------------------------------------------------------------


async def test_finding_22_a_retried_submission_without_a_key_is_not_a_second_application(
    svc: Harness, tree: Tree
) -> None:
    """Finding 22: a retried submission is a second application — a double click (no Idempotency-Key)
    answers 409 with the existing application's id; the same key answers the first application."""
    token = await applicant(svc, tree)
    first = await post(svc, "/api/v1/applications", token, application(papers=[]))
    assert first.status_code == 201, first.text
    again = await post(svc, "/api/v1/applications", token, application(papers=[], specialty="护理"))
    assert again.status_code == 409 and again.json()["code"] == "application_exists", again.text
    assert again.json()["application_id"] == first.json()["id"]
    other_series = await post(svc, "/api/v1/applications", token, application(papers=[], series="教师系列"))
    assert other_series.status_code != 409 or other_series.json()["code"] != "application_exists"

    keyed = {"Idempotency-Key": f"k-{uuid.uuid4().hex}"} | auth(await applicant(svc, tree))
    one = await svc.client.post("/api/v1/applications", json=application(papers=[]), headers=keyed)
    two = await svc.client.post("/api/v1/applications", json=application(papers=[]), headers=keyed)
    assert one.status_code == two.status_code == 201 and one.json()["id"] == two.json()["id"]


async def test_finding_22_a_double_click_racing_itself_creates_one_application(svc: Harness, tree: Tree) -> None:
    """Finding 22: two concurrent submissions of one person for one year and series — one is created,
    the other answers 409 naming it; a draft counts, a withdrawn application does not."""
    token = await applicant(svc, tree)
    answers: list[httpx.Response] = await asyncio.gather(
        *(post(svc, "/api/v1/applications", token, application(papers=[])) for _ in range(3))
    )
    assert sorted(r.status_code for r in answers) == [201, 409, 409], [r.text for r in answers]
    created = next(r.json()["id"] for r in answers if r.status_code == 201)
    assert all(r.json()["application_id"] == created for r in answers if r.status_code == 409)
    mine = (await get(svc, "/api/v1/applications", token)).json()["items"]
    assert [a["id"] for a in mine] == [created]

    drafter = await applicant(svc, tree)
    draft = await post(svc, "/api/v1/applications", drafter, application(papers=[], submit=False))
    assert draft.status_code == 201
    refused = await post(svc, "/api/v1/applications", drafter, application(papers=[]))
    assert refused.status_code == 409 and refused.json()["application_id"] == draft.json()["id"]
    withdrawn = await post(svc, f"/api/v1/applications/{created}/withdraw", token, {"reason": "重新填报"})
    assert withdrawn.status_code == 200, withdrawn.text
    assert (await post(svc, "/api/v1/applications", token, application(papers=[]))).status_code == 201


# -- finding 6 (application side, POL-PA-4) ---------------------------------------------------------------

CORE_2021 = {"journal": "中华护理杂志", "cn_number": "CN11-2234/R", "published_on": "2021-03-01"}
PDF = b"%PDF-1.7\n% sealed check report\n" + b"0" * 1000


async def _report(svc: Harness, app: dict[str, Any], token: str) -> httpx.Response:
    paper_id = app["papers"][0]["paper_id"]
    data = {"copy_ratio": "0.12", "provider": "中国知网", "report_number": "TMLC2026-0002", "attested": "true"}
    return await svc.client.post(
        f"/api/v1/applications/{app['id']}/papers/{paper_id}/external-report",
        data=data,
        files={"file": ("report.pdf", PDF, "application/pdf")},
        headers=auth(token),
    )


async def _refused_check(svc: Harness, app: dict[str, Any], **payload: Any) -> None:
    body = {"check_id": str(uuid.uuid4()), "application_id": app["id"], "paper_id": app["papers"][0]["paper_id"]}
    await svc.feed("plagiarism-service", "PaperCheckRejected", body | payload)


async def test_finding_6_pol_pa_4_no_employer_report_while_the_check_runs_or_after_the_applicant_spoilt_it(
    svc: Harness, tree: Tree
) -> None:
    """Finding 6: a control character or a 101-character author name makes the plagiarism check
    "rejected", after which the employer may upload any ratio — and external reports are accepted even
    while the automatic check is pending. POL-PA-4: the employer's report stands in only for a check
    that finished as unavailable for a reason the applicant did not cause."""
    token = await applicant(svc, tree)
    too_long = application(papers=[paper(authors=["张" * 101])])
    refused = await post(svc, "/api/v1/applications", token, too_long)
    assert refused.status_code == 422, refused.text
    control = await post(svc, "/api/v1/applications", token, application(papers=[paper(authors=["张\x01三"])]))
    assert control.status_code == 422, control.text

    app = (await post(svc, "/api/v1/applications", token, application(papers=[paper(**CORE_2021)]))).json()
    unit = svc.token("unit-clerk", tree.school, ["applicant_management"])
    pending = await _report(svc, app, unit)
    assert pending.status_code == 409 and pending.json()["code"] == "plagiarism_check_not_finished", pending.text
    assert pending.json()["rule"] == "POL-PA-4"

    await _refused_check(svc, app, code="invalid_characters", reason="作者姓名含有控制字符或无法识别的字符。")
    spoilt = await _report(svc, app, unit)
    assert spoilt.status_code == 409 and spoilt.json()["code"] == "check_refused_for_applicant_input", spoilt.text
    assert spoilt.json()["rule"] == "POL-PA-4"

    other = (await post(svc, "/api/v1/applications", await applicant(svc, tree), application(papers=[paper()]))).json()
    await _refused_check(svc, other, code="text_no_content", reason="论文正文只有标点或符号", applicant_caused=True)
    assert (await _report(svc, other, unit)).json()["code"] == "check_refused_for_applicant_input"

    third = (await post(svc, "/api/v1/applications", await applicant(svc, tree), application(papers=[paper()]))).json()
    await _refused_check(svc, third, code="not_in_corpus", reason="比对库未收录", applicant_caused=False)
    accepted = await _report(svc, third, unit)
    assert accepted.status_code == 201, accepted.text


# -- finding 26 -------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


async def _attach(svc: Harness, app_id: str, token: str, content: bytes = PNG) -> httpx.Response:
    return await svc.client.post(
        f"/api/v1/applications/{app_id}/attachments",
        files={"file": ("证书.png", content, "image/png")},
        headers=auth(token),
    )


async def test_finding_26_only_the_applicant_and_the_current_reviewer_attach_within_a_quota(
    svc: Harness, tree: Tree
) -> None:
    """Finding 26: attachment uploads are open to roles and statuses that should not add them, without a
    quota — the applicant adds to their own application while it is theirs to change (draft, submitted,
    returned), the reviewer of the current step (NAT-7) while it reviews, nobody after; a quota of files
    and bytes per application; the type is sniffed from the content."""
    token = await applicant(svc, tree)
    app = (await post(svc, "/api/v1/applications", token, application(papers=[]))).json()
    assert (await _attach(svc, app["id"], token)).status_code == 201
    unit = svc.token(f"u-{uuid.uuid4().hex[:6]}", tree.school, ["unit_review"])
    assert (await _attach(svc, app["id"], unit)).status_code == 201  # the current step's reviewer
    for who, roles in (
        (tree.county, ["auditor"]),
        (tree.county, ["title_office_review", "push"]),
        (tree.dept, ["department_review"]),  # not its step yet
        (tree.school, ["applicant_management"]),
        (tree.school, ["expert"]),
    ):
        r = await _attach(svc, app["id"], svc.token(f"x-{uuid.uuid4().hex[:6]}", who, roles))
        assert r.status_code == 403, (roles, r.text)
        assert r.json()["code"] in ("attachment_not_allowed", "outside_scope"), (roles, r.text)
    disguised = await _attach(svc, app["id"], token, b"<html><script>alert(1)</script></html>")
    assert disguised.status_code == 422 and disguised.json()["code"] == "attachment_type_not_allowed"

    for _ in range(MAX_ATTACHMENTS - 2):
        assert (await _attach(svc, app["id"], token)).status_code == 201
    over = await _attach(svc, app["id"], token)
    assert over.status_code == 409 and over.json()["code"] == "attachment_quota_exceeded", over.text
    listed = (await get(svc, f"/api/v1/applications/{app['id']}/attachments", token)).json()["items"]
    assert len(listed) == MAX_ATTACHMENTS

    owner = await applicant(svc, tree)
    closed = (await post(svc, "/api/v1/applications", owner, application(papers=[]))).json()
    assert (
        await post(svc, f"/api/v1/applications/{closed['id']}/withdraw", owner, {"reason": "撤回"})
    ).status_code == 200
    after = await _attach(svc, closed["id"], owner)
    assert after.status_code == 409 and after.json()["code"] == "attachment_closed", after.text
