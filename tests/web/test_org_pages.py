"""The organisation pages in a real browser: the city office creates a county office (offered only the
kinds ORG-1/ORG-2 allow it), the county office creates a unit, the unit's administrator registers an
applicant; the inline check and the server's refusal show next to the field at fault."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.api_client import Api, random_id_card, unique_name
from tests.harness import Stack
from tests.org_tree import random_credit_code

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack)


def _signed_in(page: Page, token: str, path: str) -> None:
    """Open `path` signed in with `token` (the login page itself is tested in test_login_pages.py)."""
    page.goto("/login")
    session = {"accessToken": token, "refreshToken": None, "passwordChangeRequired": False}
    page.evaluate("s => sessionStorage.setItem('zhicheng.session', JSON.stringify(s))", session)
    page.goto(path)


def _choose(page: Page, select: str, option: str) -> None:
    """Pick `option` in the el-select marked `data-test=select`."""
    page.locator(f".el-dialog [data-test={select}]").click()
    page.locator(".el-select-dropdown:visible .el-select-dropdown__item", has_text=option).click()


def _offered_kinds(page: Page) -> list[str]:
    page.locator(".el-dialog [data-test=org-kind]").click()
    items = page.locator(".el-select-dropdown:visible .el-select-dropdown__item")
    expect(items.first).to_be_visible()
    offered = [t.strip() for t in items.all_inner_texts()]
    page.keyboard.press("Escape")
    return offered


def _field(page: Page, label: str) -> Locator:
    return page.locator(".el-form-item", has_text=label)


def _created_credentials(page: Page) -> tuple[str, str]:
    dialog = page.locator("[data-test=one-time-password]")
    username = dialog.locator("[data-test=new-username]").inner_text().strip()
    password = dialog.locator("[data-test=new-password]").inner_text().strip()
    dialog.locator("[data-test=one-time-password-done]").click()
    return username, password


def test_the_city_office_creates_a_county_office_which_creates_a_unit_which_registers_an_applicant(
    api: Api, page: Page
) -> None:
    # The city office: offered exactly what ORG-1/ORG-2 allow it, a private enterprise among the withheld.
    _signed_in(page, api.admin_token(), "/org/tree")
    page.locator("[data-test=create-org-open]").click()
    assert _offered_kinds(page) == ["职改办", "人力资源和社会保障部门", "政府部门", "国有企事业单位", "人力资源市场"]
    page.locator(".el-dialog .el-collapse-item__header").click()
    expect(page.locator("[data-test=withheld-kinds]")).to_contain_text("市职改办不创建民营企业")
    _choose(page, "org-kind", "职改办")
    expect(page.locator("[data-test=kind-explanation]")).to_contain_text("ORG-1")

    # A name that names no place: the server's ORG-3 refusal, next to the name.
    _field(page, "单位全称").locator("input").fill("职称改革工作领导小组办公室")
    _choose(page, "org-division", "泾川县")
    _field(page, "统一社会信用代码").locator("input").fill(random_credit_code("620821", "title_office"))
    page.locator("[data-test=create-org-submit]").click()
    expect(_field(page, "单位全称").locator(".el-form-item__error")).to_contain_text("未写所在地名")

    county_name = unique_name("泾川县职称改革工作领导小组办公室")
    _field(page, "单位全称").locator("input").fill(county_name)
    page.locator("[data-test=create-org-submit]").click()
    county_admin, county_password = _created_credentials(page)
    expect(page.locator("[data-test=org-tree]")).to_contain_text("平凉")

    # The county office: a private enterprise of its own county now, no county office.
    _signed_in(page, api.login(county_admin, county_password), "/org/tree")
    expect(page.locator("[data-test=org-details]")).to_contain_text(county_name)
    page.locator("[data-test=create-org-open]").click()
    offered = _offered_kinds(page)
    assert "民营企业" in offered and "职改办" not in offered
    _choose(page, "org-kind", "国有企事业单位")
    unit_name = unique_name("泾川县职称测试中心")
    _field(page, "单位全称").locator("input").fill(unit_name)
    page.locator(".el-dialog [data-test=org-unit-type]").get_by_text("学校").click()
    _field(page, "统一社会信用代码").locator("input").fill(random_credit_code("620821", "state_unit"))
    page.locator("[data-test=create-org-submit]").click()
    unit_admin, unit_password = _created_credentials(page)

    # The unit's applicant manager (prepared through the API) registers an applicant in the browser.
    unit_token = api.login(unit_admin, unit_password)
    clerk = api.create_business_admin(unit_token, "登记员", ["applicant_management"])
    clerk_token = api.login(clerk["username"], clerk["initial_password"])
    taken = random_id_card("620821")
    api.register_applicant(clerk_token, "已登记", taken)
    _signed_in(page, clerk_token, "/org/applicants")
    name, number = _field(page, "姓名").locator("input"), _field(page, "身份证号码").locator("input")
    name.fill("王小明")
    number.fill(taken[:-1] + ("0" if taken[-1] != "0" else "1"))  # a wrong check character: refused as typed
    page.locator("[data-test=register-applicant]").click()
    expect(_field(page, "身份证号码").locator(".el-form-item__error")).to_contain_text("校验码不正确")
    number.fill(taken)  # valid, but registered already: the server's refusal next to the field
    page.locator("[data-test=register-applicant]").click()
    expect(_field(page, "身份证号码").locator(".el-form-item__error")).to_contain_text("已注册为申报人")
    number.fill(random_id_card("620821"))
    page.locator("[data-test=register-applicant]").click()
    username, _ = _created_credentials(page)
    assert re.fullmatch(r"\d{10}-sq\d{4}", username), username
    expect(page.locator("[data-test=applicant-list]")).to_contain_text("王小明")


def test_the_inbox_fits_a_phone(api: Api, phone: Page) -> None:
    _signed_in(phone, api.admin_token(), "/inbox")
    expect(phone.locator("[data-test=inbox-list]")).to_be_visible()
    expect(phone.get_by_text("只看未读")).to_be_visible()
    assert phone.locator(".inbox").evaluate("e => e.scrollWidth <= e.clientWidth + 1")
