"""The applicant's pages at a 390-pixel phone screen: an applicant registered through the API logs in,
creates an application with a paper, submits it, and reads its timeline and eligibility report; an
applicant fills in an award and a skill certificate (POL-AW-1, POL-SK-3), refused inline while incomplete,
and finds them kept after a reload — and no page scrolls sideways (scrollWidth <= 390)."""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
from playwright.sync_api import Locator, Page, expect
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api, bearer, unique_name
from tests.e2e.walk import accepted, eventually
from tests.harness import Stack
from tests.org_tree import OrgTree
from tests.web.browser import open_signed_in, tokens_for

PHONE_WIDTH = 390  # tests/web/browser.py's `phone`
PASSWORD = "Zc-applicant-2026!"
PAPER_TEXT = "本文以乡村卫生院为例，研究基层卫生服务能力建设的路径与成效。" * 20
expect.set_options(timeout=15_000)  # a loaded 2-core machine is slow, not broken (browser.TIMEOUT_MS)


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack)


def applicant_with_password(api: Api) -> str:
    """An applicant of a new unit, registered by its clerk; their initial password changed to PASSWORD."""
    unit = OrgTree(api).state_unit(unique_name("平凉市第五人民医院"))
    applicant = unit.clerk("赵敏", ["applicant_management"]).register_applicant("张伟")
    r = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"grant_type": "password", "username": applicant.username, "password": applicant.initial_password},
    )
    assert r.status_code == 200, r.text
    r = api.http.post(
        api.url("org-service", "/api/v1/auth/password"),
        json={"old_password": applicant.initial_password, "new_password": PASSWORD},
        headers=bearer(r.json()["access_token"]),
    )
    assert r.status_code == 200, r.text
    return applicant.username


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width}px wide at a 390px screen"


def field(scope: Page | Locator, name: str) -> Locator:
    """The text box of a form item (Element Plus puts `data-test` on the input itself or on its wrapper)."""
    return scope.locator(
        f"input[data-test={name}], textarea[data-test={name}], [data-test={name}] input, [data-test={name}] textarea"
    ).first


def choose(page: Page, select: str, option: str) -> None:
    page.locator(select).click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def submit_until_accepted(page: Page, seconds: float = 30) -> None:
    """Submits the form; while org-service's registration of the applicant is still on its way to
    application-service (409 "请稍后重试" above the form), submits again, as the applicant would."""
    deadline = time.monotonic() + seconds
    done = re.compile(r"/applicant/applications/[0-9a-f-]{36}$")
    refused = page.locator("[data-test=form-error]")
    while True:
        page.locator("[data-test=submit]").click()
        page.locator(".el-message-box").get_by_role("button", name="提交").click()
        expect(page.locator("[data-test=submit] .is-loading, [data-test=submit].is-loading")).to_have_count(0)
        if done.search(page.url):
            return
        message = refused.inner_text() if refused.count() else "neither submitted nor refused"
        assert "稍后重试" in message and time.monotonic() < deadline, message
        page.wait_for_timeout(500)


def test_an_applicant_submits_from_a_phone_and_follows_the_application(api: Api, phone: Page) -> None:
    page = phone
    year = datetime.now(CHINA_TZ).year
    api.publish_schedule(year)
    username = applicant_with_password(api)

    assert page.viewport_size == {"width": PHONE_WIDTH, "height": 844}
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$|/\?"))

    page.goto("/applicant/applications")
    expect(page.get_by_text("还没有申报")).to_be_visible()
    no_sideways_scroll(page)
    page.locator("[data-test=new-application]").click()

    expect(page.locator("[data-test=application-form]")).to_be_visible()
    choose(page, "[data-test=series]", "卫生系列")
    field(page, "specialty").fill("临床医学")
    choose(page, "[data-test=education]", "本科")
    field(page, "months-specialty").fill("96")
    no_sideways_scroll(page)

    page.locator("[data-test=add-paper]").click()
    dialog = page.locator(".el-dialog:visible")
    field(dialog, "paper-title").fill("乡镇卫生院基本公共卫生服务能力研究")
    field(dialog, "paper-journal").fill("中国农村卫生")
    dialog.locator(".el-date-editor input").fill(f"{year - 1}-05-10")
    dialog.locator(".el-date-editor input").press("Enter")
    field(dialog, "paper-authors").fill("张伟")
    field(dialog, "paper-text").fill(PAPER_TEXT)
    expect(dialog.get_by_text(f"{len(PAPER_TEXT)} / 200000")).to_be_visible()  # the counter and the server's limit
    no_sideways_scroll(page)
    dialog.locator("[data-test=paper-save]").click()
    expect(page.locator("[data-test=paper-item]")).to_have_count(1)

    submit_until_accepted(page)
    expect(page.locator("[data-test=status]")).to_contain_text("已提交")
    no_sideways_scroll(page)

    page.get_by_role("tab", name="办理进度").click()
    expect(page.locator("[data-test=timeline-title]").last).to_have_text("提交申报")
    no_sideways_scroll(page)

    page.get_by_role("tab", name="资格审查").click()
    expect(page.locator("[data-test=eligibility-verdict]")).to_be_visible()
    expect(page.locator("[data-test=rule-id]").first).to_have_text(re.compile(r"^(POL|SCHED|NAT)-"))
    no_sideways_scroll(page)

    page.locator("[data-test=print]").click()
    expect(page.locator("[data-test=print-sheet]")).to_contain_text("乡镇卫生院基本公共卫生服务能力研究")
    no_sideways_scroll(page)


def test_an_applicant_fills_in_awards_and_certificates_and_finds_them_kept(api: Api, phone: Page, web_url: str) -> None:
    page = phone
    year = datetime.now(CHINA_TZ).year
    api.publish_schedule(year)
    username = applicant_with_password(api)
    draft = {"year": year, "series": "卫生系列", "specialty": "护理", "level": "intermediate", "submit": False}
    token = api.login(username, PASSWORD)
    created = eventually(
        "the applicant known to application-service",
        accepted(lambda: api.post("application-service", "/api/v1/applications", token, draft), 201),
    )
    tokens, _ = tokens_for(web_url, username, PASSWORD)
    edit = f"/applicant/applications/{created['id']}/edit"
    open_signed_in(page, tokens, edit)
    expect(page.locator("[data-test=application-form]")).to_be_visible()

    page.locator("[data-test=add-award]").click()
    page.locator("[data-test=save-draft]").click()  # an empty award is refused next to its inputs
    awards = page.locator("[data-test=awards]")
    expect(awards.get_by_text("请填写奖项名称")).to_be_visible()
    expect(awards.get_by_text("请选择奖励类别")).to_be_visible()
    field(awards, "award-title").fill("平凉市科学技术进步奖二等奖")
    field(awards, "award-programme").fill("平凉市科学技术奖")
    choose(page, "[data-test=award-kind]", "科技奖励")
    choose(page, "[data-test=award-level]", "市级")

    page.locator("[data-test=add-certificate]").click()
    choose(page, "[data-test=certificate-grade]", "技师")
    date = page.locator("[data-test=certificate-item] .el-date-editor input")
    date.fill(f"{year - 4}-06-01")
    date.press("Enter")
    field(page, "certificate-months").fill("40")
    no_sideways_scroll(page)

    page.locator("[data-test=save-draft]").click()
    page.wait_for_url(re.compile(r"/applicant/applications/[0-9a-f-]{36}$"))
    page.goto(edit)  # what the service kept, read again
    expect(page.locator("[data-test=award-item]")).to_have_count(1)
    expect(field(page, "award-title")).to_have_value("平凉市科学技术进步奖二等奖")
    expect(page.locator("[data-test=award-level]")).to_contain_text("市级")
    expect(page.locator("[data-test=certificate-grade]")).to_contain_text("技师")
    expect(page.locator("[data-test=certificate-item] .el-date-editor input")).to_have_value(f"{year - 4}-06-01")
    expect(field(page, "certificate-months")).to_have_value("40")
    no_sideways_scroll(page)
