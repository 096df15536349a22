"""The pages no other browser test drives, one login per role, data prepared through the API:

- the unit's reviewer at a 1366-pixel-wide window: every column of the review queue readable (none
  under the fixed 操作 column, nothing scrolling sideways), and the application opened from it with the
  awards the applicant declared beside it, as the eligibility report judged them (POL-AW-1);
- the city office: a research-integrity blacklist entry added and corrected on the registries page
  (its entries paged on the server and filtered by a word; server state read back), found on the
  integrity file page (NAT-8's file, the city's own list), and a day added to a published year's
  holidays on the calendar page (server state read back);
- a provincial body's system administrator registers its system on the external API clients page.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.signing import new_private_key, public_key_pem

from tests.api_client import Api, bearer, random_id_card, unique_name
from tests.e2e.walk import accepted, eventually
from tests.harness import Stack
from tests.org_tree import Account, OrgTree, root_admin

pytestmark = pytest.mark.stack
expect.set_options(timeout=15_000)  # a loaded 2-core machine is slow, not broken (browser.TIMEOUT_MS)

SESSION_KEY = "zhicheng.session"  # web/src/api/session.ts
LAPTOP = {"width": 1366, "height": 768}  # the office PCs' common screen
CALENDAR_YEAR = 2099  # a year no other test counts working days in
SERIES = "技工院校教师系列"
AWARD_KEPT = "甘肃省科学技术进步奖二等奖"
AWARD_DROPPED = "县级科技进步奖一等奖"


def signed_in(page: Page, token: str, path: str) -> None:
    """`token`'s session in the tab (the login page has its own browser test), then `path`."""
    page.goto("/login")
    session = {"accessToken": token, "refreshToken": None, "passwordChangeRequired": False}
    page.evaluate(f"(s) => sessionStorage.setItem({json.dumps(SESSION_KEY)}, JSON.stringify(s))", session)
    page.goto(path)


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack)


class Submitted:
    """A school's reviewer and an application with two awards submitted to it (one not recognised)."""

    def __init__(self, api: Api) -> None:
        school = OrgTree(api).school(unique_name("平凉市职业技术学校"))
        self.reviewer: Account = school.clerk("刘芳", ["applicant_management", "unit_review"])
        teacher = self.reviewer.register_applicant("周建国")
        year = datetime.now(CHINA_TZ).year
        api.publish_schedule(year)
        award = {"kind": "science_technology", "collective": False, "personal_role_stated": True}
        body: dict[str, Any] = {
            "year": year,
            "series": SERIES,
            "specialty": "机械加工",
            "level": "intermediate",
            "papers": [],
            "awards": [
                {
                    **award,
                    "title": AWARD_KEPT,
                    "year": year - 2,
                    "programme": "甘肃省科学技术奖",
                    "level": "provincial",
                    "document_issuer": "甘肃省人民政府",
                    "document_dated": f"{year - 2}-12-20",
                },
                {**award, "title": AWARD_DROPPED, "year": year - 1, "programme": "县科学技术奖", "level": "county"},
            ],
        }
        answer = eventually(
            "the applicant known to application-service",
            accepted(lambda: api.post("application-service", "/api/v1/applications", teacher.token, body), 201),
        )
        self.application_id = str(answer["id"])


@pytest.fixture(scope="module")
def submitted(api: Api) -> Submitted:
    return Submitted(api)


@pytest.fixture(scope="module")
def province_admin(api: Api) -> str:
    """甘肃省教育厅's system administrator (a provincial body: it registers external systems)."""
    return root_admin(api, "6200000002").admin_token


def cell_fits(cells: Locator) -> list[str]:
    """The header cells whose text does not fit their width."""
    return [
        text
        for text, fits in cells.evaluate_all("cs => cs.map(c => [c.innerText, c.scrollWidth <= c.clientWidth + 1])")
        if not fits
    ]


def test_the_review_queue_fits_1366_pixels_and_the_application_shows_its_awards(
    submitted: Submitted, page: Page
) -> None:
    page.set_viewport_size(LAPTOP)
    signed_in(page, submitted.reviewer.token, "/review")
    table = page.locator("[data-test=queue-table]")
    row = table.locator(".el-table__row", has_text="周建国")
    expect(row).to_contain_text("待我")
    expect(row).to_contain_text(SERIES)
    # Every column readable: the last data column ends where the fixed 操作 column begins, nothing
    # scrolls sideways, and no header is cut.
    last = table.locator("th.queue-submitted").bounding_box()
    actions = table.locator("th.queue-actions").bounding_box()
    assert last and actions and last["x"] + last["width"] <= actions["x"] + 1, (last, actions)
    wrap = table.locator(".el-table__body-wrapper .el-scrollbar__wrap")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the queue scrolls sideways at 1366 px"
    assert cell_fits(table.locator("th .cell")) == []
    expect(row.locator("td.queue-submitted")).to_have_text(datetime.now(CHINA_TZ).strftime("%Y-%m-%d"))

    row.locator(f"[data-test=queue-open-{submitted.application_id}]").click()
    awards = page.locator("[data-test=review-awards]")
    expect(awards).to_contain_text("获奖与表彰（2 项")
    kept = awards.locator(".el-table__row", has_text=AWARD_KEPT)
    expect(kept).to_contain_text("可以认定")
    expect(kept).to_contain_text("甘肃省人民政府")
    expect(awards.locator(".el-table__row", has_text=AWARD_DROPPED)).to_contain_text("不予认可")
    expect(awards.locator("[data-test=review-excluded]")).to_contain_text(AWARD_DROPPED)


def test_the_city_office_keeps_the_blacklist_the_integrity_file_and_the_calendar(api: Api, page: Page) -> None:
    token = api.operator_token()
    person = random_id_card("620801")
    today = datetime.now(CHINA_TZ).date().isoformat()

    # The registries page: a blacklist entry added, then its reason corrected.
    signed_in(page, token, "/office/registries")
    page.locator(".el-menu-item", has_text="科研诚信黑名单").click()
    words = page.locator("input[data-test=registry-filter], [data-test=registry-filter] input").first
    words.fill(person)  # the entries page on the server: the person's, whatever page they would fall on
    words.press("Enter")
    expect(page.locator("[data-test=registry-table]")).to_contain_text("没有符合条件的条目")
    page.locator("[data-test=registry-add]").click()
    dialog = page.locator("[data-test=registry-entry]")
    for column, value in (("id_card_number", person), ("name", "吴某"), ("reason", "论文代写"), ("listed_on", today)):
        dialog.locator(".el-form-item", has_text=column).locator("input").fill(value)
    dialog.locator("[data-test=registry-entry-save]").click()
    expect(dialog).to_be_hidden()
    row = page.locator(".el-table__row", has_text=person)
    expect(row).to_contain_text("论文代写")
    row.get_by_role("button", name="修改").click()
    expect(dialog.locator(".el-form-item", has_text="id_card_number").locator("input")).to_be_disabled()
    dialog.locator(".el-form-item", has_text="reason").locator("input").fill("论文代写、数据造假")
    dialog.locator("[data-test=registry-entry-save]").click()
    expect(row).to_contain_text("论文代写、数据造假")
    entry = api.get("application-service", f"/api/v1/registries/blacklist/entries/{person}", token)
    assert entry.status_code == 200 and entry.json()["reason"] == "论文代写、数据造假", entry.text

    # The integrity file: the city's own list holds the person, in force from today.
    page.goto("/office/integrity-file")
    page.locator("input[data-test=integrity-person], [data-test=integrity-person] input").first.fill(person)
    page.get_by_role("button", name="查询").click()
    found = page.locator("[data-test=integrity-table] .el-table__row")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("吴某")
    expect(found).to_contain_text("论文代写、数据造假")
    expect(found).to_contain_text("有效")

    # The calendar: a published year corrected with one more holiday, picked on the calendar.
    put = api.http.put(
        api.url("application-service", f"/api/v1/calendar/years/{CALENDAR_YEAR}"),
        json={"holidays": [f"{CALENDAR_YEAR}-01-01"], "working_weekends": []},
        headers={**bearer(token), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert put.status_code == 200, put.text
    page.goto("/office/calendar")
    year = page.locator(".el-table__row", has_text=f"{CALENDAR_YEAR}-01-01")
    year.get_by_role("button", name="更正").click()
    edit = page.locator("[data-test=calendar-edit]")
    edit.locator(".el-form-item", has_text="放假日期").locator(".el-date-editor").click()
    picker = page.locator(".el-picker-panel:visible")
    # The picker opens at today's month: to the year (a decade at a time), its January, its 2nd.
    picker.locator(".el-date-picker__header-label").first.click()
    decade = picker.locator(".el-date-picker__header-label").first
    while not re.search(rf"{CALENDAR_YEAR // 10 * 10}\D", decade.inner_text()):
        picker.get_by_role("button", name="后一年").click()
    picker.locator(".el-year-table td", has_text=str(CALENDAR_YEAR)).click()
    picker.get_by_role("gridcell", name="1 月", exact=True).click()
    picker.locator(".el-date-table td.available").filter(has_text=re.compile(r"^\s*2\s*$")).first.click()
    page.keyboard.press("Escape")
    edit.locator("[data-test=calendar-save]").click()
    expect(edit).to_be_hidden()
    expect(year).to_contain_text(f"{CALENDAR_YEAR}-01-02")
    published = api.get("application-service", f"/api/v1/calendar/years/{CALENDAR_YEAR}", token).json()
    assert published["holidays"] == [f"{CALENDAR_YEAR}-01-01", f"{CALENDAR_YEAR}-01-02"], published


def test_a_provincial_body_registers_its_system_on_the_external_clients_page(
    api: Api, province_admin: str, page: Page
) -> None:
    name = unique_name("省教育厅职称备案系统")
    signed_in(page, province_admin, "/org/external-clients")
    page.locator("input[data-test=client-name], [data-test=client-name] input").first.fill(name)
    page.locator("textarea[data-test=client-key], [data-test=client-key] textarea").first.fill(
        public_key_pem(new_private_key().public_key())
    )
    page.locator(".el-checkbox", has_text="核验").first.click()
    page.locator("[data-test=client-register]").click()
    created = page.locator("[data-test=client-created]")
    client_id = created.locator("[data-test=client-id]").inner_text().strip()
    assert client_id
    created.get_by_role("button", name="我已记下").click()
    row = page.locator("[data-test=client-table] .el-table__row", has_text=name)
    expect(row).to_contain_text(client_id)
    expect(row).to_contain_text("启用")
    listed = api.get("org-service", "/api/v1/external-clients", province_admin).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    assert [c["client_id"] for c in items if c["name"] == name] == [client_id], listed
