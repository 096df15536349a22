"""The committee's, the expert's and the public's pages in a real browser. A session is prepared through
the API as tests/review does (a committee of three experts, a candidate pushed and approved by the
province, the panels' defenses held, attendance recorded); in the browser an expert casts their own
ballot and afterwards sees only that they voted (NAT-2); the others vote through the API, the vote
closes, the document is issued, and the public verification page — without login, on a 390-pixel
phone, opened by the certificate's QR link — verifies it (NAT-10) and says in Chinese that a wrong
number is unknown."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from review_service.adapters.certificate_pdf import verification_link

from tests.api_client import Api, bearer
from tests.harness import Stack, wait_for
from tests.review.defenses import hold_defenses
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
        yield Meeting(sc, sid, opened["application_ids"], person["applicant_name"], experts)
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
