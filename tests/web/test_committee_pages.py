"""The committee's, the expert's and the public's pages in a real browser. A session is prepared through
the API as tests/review does (a committee of three experts, a candidate pushed and approved by the
province, the panels' defenses held, attendance recorded); in the browser an expert casts their own
ballot and afterwards sees only that they voted (NAT-2); the others vote through the API, the vote
closes, the document is issued, and the public verification page — without login, on a 390-pixel
phone, opened by the certificate's QR link — verifies it (NAT-10) and says in Chinese that a wrong
number is unknown. The secretary forms a review panel for a second session, schedules and records the
candidate's video defense and the panel's opinion in the session's page (NAT-9, POL-VD-1), and downloads
the issued document's certificate PDF from the documents page (NAT-10)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from review_service.adapters.certificate_pdf import verification_link
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api, bearer
from tests.harness import Stack, wait_for
from tests.review.defenses import Pool, hold_defenses, review_database_url, seed_pool
from tests.review.scenario import Expert, Scenario

SESSION_KEY = "zhicheng.session"  # web/src/api/session.ts
# What an assertion waits for at most: a loaded 2-core machine is slow, not broken (as tests/web/browser.py).
WAIT = 15_000


@dataclass
class Meeting:
    sc: Scenario
    session_id: str
    application_ids: list[str]
    candidate_name: str
    experts: list[Expert]
    committee: dict[str, Any]


@pytest.fixture(scope="module")
def meeting(stack: Stack) -> Iterator[Meeting]:
    """A session voting (attendance recorded), prepared through the API before the browser starts
    (hold_defenses seeds the pool with asyncio, which must not run while Playwright is open)."""
    api = Api(stack)
    sc = Scenario.build(api)
    experts = sc.register_experts(3)
    stack.start("workflows")
    try:
        committee = sc.form_committee([e.account_id for e in experts])
        (candidate,) = sc.pushed_candidates(1)
        opened = sc.open_session(committee["committee_id"], [candidate], publicity_seconds=1)
        sid = opened["session_id"]
        hold_defenses(api, sid)
        present = {"present_expert_ids": [e.account_id for e in experts]}
        r = sc.review("POST", f"/api/v1/sessions/{sid}/attendance", api.operator_token(), present)
        assert r.status_code == 201, r.text
        [person] = [c for c in sc.session(sid)["candidates"] if c["application_id"] == candidate]
        yield Meeting(sc, sid, opened["application_ids"], person["applicant_name"], experts, committee)
    finally:
        stack.stop("workflows")


def signed_in(page: Page, token: str) -> None:
    """The expert's session in the tab's sessionStorage, as the login page leaves it (the login pages
    have their own browser test)."""
    stored = {"accessToken": token, "refreshToken": None, "passwordChangeRequired": False}
    page.add_init_script(f"sessionStorage.setItem({json.dumps(SESSION_KEY)}, {json.dumps(json.dumps(stored))})")


def ballot_form(m: Meeting, expert: Expert) -> dict[str, Any]:
    r = m.sc.api.http.get(
        m.sc.api.url("review-service", f"/api/v1/sessions/{m.session_id}/ballot-form"), headers=bearer(expert.token)
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_nat_2_an_expert_casts_their_own_ballot_and_afterwards_sees_only_that_they_voted(
    meeting: Meeting, page: Page
) -> None:
    m, expert = meeting, meeting.experts[0]
    signed_in(page, expert.token)
    page.goto("/expert/sessions")
    row = page.locator('[data-test="my-sessions"] .el-table__row').filter(
        has=page.locator(f'[data-test="ballot-{m.session_id}"]')
    )
    expect(row).to_contain_text("投票中", timeout=WAIT)
    expect(row).to_contain_text("未投票", timeout=WAIT)
    row.locator(f'[data-test="ballot-{m.session_id}"]').click()

    expect(page).to_have_url(re.compile(rf"/expert/sessions/{m.session_id}/ballot$"), timeout=WAIT)
    form = page.locator('[data-test="ballot-form"]')
    expect(form.get_by_text(m.candidate_name)).to_be_visible(timeout=WAIT)  # only the candidates they judge (NAT-4)
    cast = page.locator('[data-test="cast-ballot"]')
    expect(cast).to_be_disabled()  # not before every candidate has a vote
    for application_id in m.application_ids:
        page.locator(f'[data-test="vote-{application_id}"]').get_by_text("同意", exact=True).click()
    expect(cast).to_be_enabled(timeout=WAIT)
    cast.click()
    page.get_by_role("button", name="确认提交").click()

    voted = page.locator('[data-test="ballot-voted"]')
    expect(voted).to_contain_text("已投票", timeout=WAIT)
    expect(form).to_have_count(0, timeout=WAIT)
    body = page.locator("body")
    for word in ("同意", "不同意", "弃权", m.candidate_name):  # that they voted, never how (nor for whom)
        expect(body).not_to_contain_text(word, timeout=WAIT)

    page.reload()  # opened again: still only that they voted, no form
    expect(voted).to_contain_text("已投票", timeout=WAIT)
    expect(page.locator('input[type="radio"]')).to_have_count(0, timeout=WAIT)
    page.goto("/expert/sessions")
    expect(page.locator('[data-test="voted"]')).to_have_text("已投票", timeout=WAIT)
    assert ballot_form(m, expert)["voted"] is True


@pytest.fixture(scope="module")
def issued(meeting: Meeting) -> str:
    """The others vote, the vote closes, the results are published for a second and the document issued
    (all through the API): its number."""
    m = meeting
    for expert in m.experts:
        if not ballot_form(m, expert)["voted"]:
            r = m.sc.ballot(m.session_id, expert, dict.fromkeys(m.application_ids, "yes"))
            assert r.status_code == 201, r.text
    r = m.sc.review("POST", f"/api/v1/sessions/{m.session_id}/close-voting", m.sc.api.operator_token())
    assert r.status_code == 200, r.text
    done = wait_for(lambda: (s := m.sc.session(m.session_id))["documents"] and s, timeout=90, what="the document")
    [document] = done["documents"]
    return str(document["number"])


def test_nat_10_the_public_verification_page_verifies_an_issued_document_on_a_phone_without_login(
    issued: str, meeting: Meeting, phone: Page
) -> None:
    phone.goto(verification_link("", issued))  # what the certificate's QR code opens
    expect(phone).to_have_title("职称资格证书查验 - 平凉市职称评审系统", timeout=WAIT)
    expect(phone.locator('[data-test="verdict-valid"]')).to_contain_text("该职称资格证书真实有效。", timeout=WAIT)
    name = meeting.candidate_name
    expect(phone.locator('[data-test="holder"]')).to_have_text(name[:1] + "*" * (len(name) - 1), timeout=WAIT)  # masked
    expect(phone.locator("body")).not_to_contain_text(name, timeout=WAIT)
    expect(phone.get_by_text(issued).first).to_be_visible(timeout=WAIT)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone's width
    assert "/login" not in phone.url

    wrong = issued[:-2] + ("0" if issued[-2] != "0" else "1") + "号"
    phone.locator("input[name=number]").fill(wrong)
    phone.locator('[data-test="verify-submit"]').click()
    expect(phone.locator('[data-test="verdict-not-found"]')).to_contain_text(
        "未查到该编号的职称资格文件。", timeout=WAIT
    )
    expect(phone.locator('[data-test="verdict-valid"]')).to_have_count(0, timeout=WAIT)
    expect(phone.locator('[data-test="holder"]')).to_have_count(0, timeout=WAIT)


@dataclass
class Unpanelled:
    session_id: str
    application_id: str
    candidate_name: str


@pytest.fixture(scope="module")
def unpanelled(meeting: Meeting) -> Unpanelled:
    """A second session of the committee, opened through the API with one intermediate candidate and no
    panel yet, and pool experts of its specialty to draw the panel from (seeded in a thread of its own:
    Playwright may already run its event loop in this one)."""
    sc, committee = meeting.sc, meeting.committee
    (candidate,) = sc.pushed_candidates(1)
    opened = sc.open_session(committee["committee_id"], [candidate], publicity_seconds=1)
    pool = Pool(committee["organizing_org_id"], sc.series, "临床医学")
    with ThreadPoolExecutor(1) as thread:
        thread.submit(lambda: asyncio.run(seed_pool(review_database_url(sc.api), pool))).result()
    [person] = [c for c in sc.session(opened["session_id"])["candidates"] if c["application_id"] == candidate]
    return Unpanelled(opened["session_id"], candidate, person["applicant_name"])


def test_nat_9_pol_vd_1_the_secretary_forms_a_panel_schedules_and_records_a_video_defense(
    meeting: Meeting, unpanelled: Unpanelled, page: Page
) -> None:
    signed_in(page, meeting.sc.api.operator_token())
    page.goto(f"/committee/sessions/{unpanelled.session_id}")
    panels = page.locator('[data-test="panels"]')
    expect(panels).to_contain_text("尚未组建评议组", timeout=WAIT)
    panels.locator('[data-test="form-panel"]').click()
    dialog = page.get_by_role("dialog", name="组建评议组（NAT-9）")
    expect(dialog.get_by_text(unpanelled.candidate_name)).to_be_visible(timeout=WAIT)
    dialog.locator('[data-test="submit-panel"]').click()

    aid = unpanelled.application_id
    row = panels.locator(".el-table__row", has_text=unpanelled.candidate_name)
    expect(row).to_contain_text("待安排答辩", timeout=WAIT)
    row.locator(f'[data-test="schedule-{aid}"]').click()
    slot = page.get_by_role("dialog", name="安排网络视频答辩（POL-VD-1）")
    starts = (datetime.now(CHINA_TZ) + timedelta(days=1)).strftime("%Y-%m-%d 09:00:00")
    slot.get_by_placeholder("选择答辩开始时间").fill(starts)
    slot.get_by_placeholder("选择答辩开始时间").press("Enter")
    slot.locator('[data-test="submit-schedule"]').click()
    expect(row).to_contain_text(starts[:10], timeout=WAIT)  # the day (shown in Beijing time), with its video room
    expect(row.get_by_role("link", name="视频会议室")).to_be_visible(timeout=WAIT)

    row.locator(f'[data-test="record-{aid}"]').click()
    record = page.get_by_role("dialog", name="登记答辩情况")
    record.locator('[data-test="recording-ref"] input, input[data-test="recording-ref"]').first.fill("录像-浏览器")
    scores = record.locator('[data-test^="score-"]')
    expect(scores).to_have_count(3, timeout=WAIT)  # every judge of the panel (none recused)
    for i in range(3):
        score = record.locator(f'[data-test="score-{i}"]')
        score.locator("input").nth(0).fill("86")
        score.locator("input").nth(1).fill("答辩清楚，业绩突出")
    record.locator('[data-test="submit-record"]').click()
    expect(row).to_contain_text("已参加", timeout=WAIT)

    row.locator(f'[data-test="opine-{aid}"]').click()
    opinion = page.get_by_role("dialog", name="登记评议组意见（NAT-9）")
    opinion.locator('[data-test="opinion-summary"] textarea, textarea[data-test="opinion-summary"]').first.fill(
        "同意推荐"
    )
    opinion.locator('[data-test="submit-opinion"]').click()
    expect(row).to_contain_text("同意推荐", timeout=WAIT)
    expect(row.locator(".el-tag", has_text="推荐")).to_be_visible(timeout=WAIT)

    # The same through the API: the panel is complete, the defense recorded with its room.
    r = meeting.sc.review("GET", f"/api/v1/sessions/{unpanelled.session_id}/panels", meeting.sc.api.operator_token())
    [candidate] = r.json()[0]["candidates"]
    assert candidate["defense_recorded"] and candidate["attended"] and candidate["opinion"] == "recommend"


def test_nat_10_the_secretary_downloads_an_issued_documents_certificate_pdf(
    issued: str, meeting: Meeting, page: Page
) -> None:
    signed_in(page, meeting.sc.api.operator_token())
    page.goto("/committee/documents")
    page.locator('[data-test="document-keyword"] input, input[data-test="document-keyword"]').first.fill(issued)
    page.get_by_role("button", name="查询").click()
    row = page.locator('[data-test="documents"] .el-table__row', has_text=issued)
    expect(row).to_have_count(1, timeout=WAIT)
    with page.expect_download() as download:
        row.locator('[data-test^="certificate-"]').click()
    assert download.value.suggested_filename == f"{issued}.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF")
