"""The review chain's and the title office's pages in a real browser: a submitted application (prepared
through the API) is approved in the review queue by its unit's reviewer (after the unit's publicity,
NAT-5, recorded on the page), by the department and by the county office in turn (NAT-7); the county
office pushes it in the open push window of its series (SCHED-1; the year's schedule published through
the API) and downloads the batch's 花名册 as an Excel file."""

from __future__ import annotations

import io
import json
import os
import re
import time
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from zhicheng_devstack.components import NAT5_PUBLICITY_SECONDS
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api
from tests.e2e.walk import accepted, eventually
from tests.harness import Stack
from tests.org_tree import Account, OrgTree

pytestmark = pytest.mark.stack

SESSION_KEY = "zhicheng.session"  # web/src/api/session.ts
# Pushed by December (SCHED-1: earlier is allowed), so the window is open all year; no other stack test
# takes this series into a committee session.
SERIES = "技工院校教师系列"
LEVEL = "intermediate"
APPLICANT = "韩雪梅"


class Chain:
    """A county office → its education bureau → a technical school, a clerk at each step, and one
    application submitted by a teacher of the school."""

    def __init__(self, api: Api) -> None:
        tree = OrgTree(api)
        county = tree.county_office("庄浪县", "620825")
        bureau = tree.department("庄浪县教育局", "education", under=county)
        school = tree.school("庄浪县职业技术学校", under=bureau)
        self.unit = school.clerk("郭静", ["applicant_management", "unit_review"])
        self.department = bureau.clerk("马志强", ["department_review"])
        self.office = county.clerk("赵丽", ["title_office_review", "push"])
        self.year = datetime.now(CHINA_TZ).year
        api.publish_schedule(self.year)  # SCHED-4: the year's push months, 技工院校教师系列 in December
        teacher = self.unit.register_applicant(APPLICANT)
        body = {
            "year": self.year,
            "series": SERIES,
            "specialty": "机械加工",
            "level": LEVEL,
            "track": "normal",
            "education": {"level": "bachelor", "major_matches_work": True},
            "current_title": {"level": "junior", "obtained_on": f"{self.year - 8}-07-01"},
            "work": {
                "months_in_current_specialty": 22 * 12,
                "rural_months": 21 * 12,
                "hard_remote_area": True,
                "months_at_next_lower_post": 8 * 12,
            },
            "papers": [],
        }
        submitted = eventually(
            "the applicant known to application-service",
            accepted(lambda: api.post("application-service", "/api/v1/applications", teacher.token, body), 201),
        )
        self.application_id = str(submitted["id"])
        assert submitted["eligible"] is True, submitted
        self.body = body


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack)


@pytest.fixture(scope="module")
def chain(api: Api) -> Chain:
    return Chain(api)


def returned_to(api: Api, chain: Chain, name: str) -> Account:
    """Another teacher of the school whose application the unit returned: one unread item in their inbox."""
    teacher = chain.unit.register_applicant(name)
    submitted = eventually(
        "the applicant known to application-service",
        accepted(lambda: api.post("application-service", "/api/v1/applications", teacher.token, chain.body), 201),
    )
    decision = {"decision": "return", "opinion": "缺少继续教育证明", "expected_version": submitted["version"]}
    path = f"/api/v1/applications/{submitted['id']}/decisions"
    r = api.post("application-service", path, chain.unit.token, decision)
    assert r.status_code == 200 and r.json()["status"] == "returned", r.text

    def unread() -> int | None:
        answer = api.get("org-service", "/api/v1/inbox", teacher.token, unread="true", limit=1)
        return answer.json()["unread"] if answer.status_code == 200 and answer.json()["unread"] else None

    eventually("the return in the teacher's inbox", unread)
    return teacher


def signed_in(page: Page, account: Account, path: str) -> None:
    """`account`'s session (its initial password changed through the API) in the tab, then `path`."""
    page.goto("/login")
    session = {"accessToken": account.token, "refreshToken": None, "passwordChangeRequired": False}
    page.evaluate(f"(s) => sessionStorage.setItem({json.dumps(SESSION_KEY)}, JSON.stringify(s))", session)
    page.goto(path)


def approve_in_queue(page: Page, application_id: str, approved_zh: str) -> None:
    """The queue of what awaits the reviewer holds the application; opened, it is approved."""
    row = page.locator("[data-test=queue-table] .el-table__row", has_text=APPLICANT)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("待我")
    row.locator(f"[data-test=queue-open-{application_id}]").click()
    expect(page).to_have_url(re.compile(f"/review/{application_id}$"))
    expect(page.locator("[data-test=eligibility-report]")).to_contain_text("符合申报条件")
    page.locator("[data-test=review-approve]").click()
    dialog = page.locator("[data-test=decision-dialog]")
    expect(dialog.locator("textarea[data-test=decision-opinion]")).to_have_value("同意")
    dialog.locator("[data-test=decision-confirm]").click()
    expect(page.locator("[data-test=review-status]")).to_contain_text(approved_zh)


def test_the_chain_approves_in_the_queue_and_the_office_pushes_and_exports_the_roster(chain: Chain, page: Page) -> None:
    # The school: the unit's publicity first (NAT-5), recorded on the page; then the approval.
    signed_in(page, chain.unit, "/review")
    row = page.locator("[data-test=queue-table] .el-table__row", has_text=APPLICANT)
    row.locator(f"[data-test=queue-open-{chain.application_id}]").click()
    page.locator("[data-test=review-approve]").click()
    page.locator("[data-test=decision-dialog] [data-test=decision-confirm]").click()
    # Refused before the publicity: the server's Chinese detail with the rule, in the dialog.
    expect(page.locator("[data-test=decision-error]")).to_contain_text("NAT-5")
    page.keyboard.press("Escape")
    page.locator("[data-test=publicity-start]").click()
    expect(page.locator("[data-test=publicity-card]")).to_contain_text("公示开始")
    time.sleep(NAT5_PUBLICITY_SECONDS + 0.2)  # the stack compresses the publicity (outside production)
    page.goto("/review")
    approve_in_queue(page, chain.application_id, "单位审核通过")

    # The education bureau, then the county office (NAT-7: one level at a time).
    signed_in(page, chain.department, "/review")
    approve_in_queue(page, chain.application_id, "主管部门审核通过")
    signed_in(page, chain.office, "/review")
    approve_in_queue(page, chain.application_id, "职改办审核通过")

    # The county office pushes it in the series' open window.
    page.goto("/office/pushes")
    # The schedule of some forty series, on a loaded machine: more than the default five seconds.
    expect(page.locator("[data-test=push-schedule]")).to_contain_text(SERIES, timeout=20_000)
    waiting = page.locator("[data-test=push-waiting] .el-table__row", has_text=APPLICANT)
    expect(waiting).to_have_count(1)
    waiting.locator(".el-checkbox").click()
    page.locator("[data-test=push-selected]").click()
    with page.expect_response(lambda r: r.url.endswith("/api/v1/pushes") and r.request.method == "POST") as pushed:
        page.get_by_role("button", name="推送", exact=True).click()
    assert pushed.value.status == 201, pushed.value.text()
    push_id = pushed.value.json()["id"]
    expect(page.get_by_text("已推送 1 份申报")).to_be_visible()
    expect(waiting).to_have_count(0)

    # The list of push batches holds it; its 花名册 downloads as an Excel file listing the teacher.
    page.locator("[data-test=push-done] a").click()
    expect(page).to_have_url(re.compile("/office/push-batches$"))
    batch = page.locator("[data-test=batch-list] .el-table__row", has_text=push_id[:8])
    expect(batch).to_contain_text(SERIES)
    expect(batch).to_contain_text("庄浪县")
    with page.expect_download() as download:
        batch.locator("[data-test=batch-roster]").click()
    assert download.value.suggested_filename == f"{chain.year}{SERIES}中级花名册.xlsx"
    path = download.value.path()
    sheet = load_workbook(io.BytesIO(path.read_bytes())).active
    assert sheet is not None
    rows: list[Any] = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("序号", "姓名") and rows[1][1] == APPLICANT

    # The batch's provincial filing, the dashboard's charts, and the 评审表 with each level's opinion.
    page.goto("/office/filings")
    expect(page.locator("[data-test=filings-table] .el-table__row", has_text=push_id[:8])).to_contain_text(SERIES)
    page.goto("/office/dashboard")
    expect(page.locator("[data-test=dashboard-figures]")).to_contain_text("申报总数")
    expect(page.locator("canvas")).to_have_count(5)
    page.goto(f"/review/{chain.application_id}/print")
    form = page.locator("[data-test=review-form]")
    expect(form).to_contain_text(f"{chain.year}年度专业技术职务任职资格评审表")
    expect(form.locator(".opinions")).to_contain_text("职改办审核意见")
    expect(form.locator(".opinion", has_text="同意")).to_have_count(3)
    if os.environ.get("ZC_OFFICE_SCREENSHOTS"):
        for path in ("/office/dashboard", "/office/pushes", f"/review/{chain.application_id}"):
            page.goto(path)
            page.wait_for_timeout(1500)
            page.screenshot(path=f"{os.environ['ZC_OFFICE_SCREENSHOTS']}/{path.strip('/').replace('/', '-')}.png")


def test_the_menu_shows_the_number_of_unread_messages(api: Api, chain: Chain, page: Page) -> None:
    teacher = returned_to(api, chain, "孙晓燕")
    signed_in(page, teacher, "/")
    group = page.locator("[data-test=unread-group-badge]")
    expect(group).to_have_text("1")
    page.locator(".el-sub-menu__title", has_text="消息与记录").click()
    expect(page.locator("[data-test=unread-badge]")).to_have_text("1")
    # Read on the inbox page, the badge goes.
    page.locator(".el-menu-item", has_text="消息").click()
    page.locator("[data-test=inbox-list] .item", has_text="退回").first.click()
    expect(page.locator("[data-test=unread-badge]")).to_have_count(0)
