"""The organisation pages in a real browser: the city office creates a county office (offered only the
kinds ORG-1/ORG-2 allow it), the county office creates a unit, the unit's administrator registers an
applicant; the inline check and the server's refusal show next to the field at fault."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.api_client import Api, random_id_card, unique_name
from tests.harness import Stack
from tests.org_tree import random_credit_code

pytestmark = pytest.mark.stack

WEB = Path(__file__).resolve().parents[2] / "web"


@pytest.fixture(scope="module")
def web_url(stack: Stack) -> Iterator[str]:
    """Temporary: `vite preview` of web/dist with the gateway's routes (until the harness lands)."""
    routes = {
        "/api/v1/audit/application": "application-service",
        "/api/v1/audit/review": "review-service",
        "/api/v1/audit/plagiarism": "plagiarism-service",
        "/api/v1/schedules": "application-service",
        "/api": "org-service",
        "/.well-known": "org-service",
    }
    started = set(stack.processes)
    proxy = {p: {"target": stack.url(s), "changeOrigin": True} for p, s in routes.items() if s in started}
    port = 25000 + secrets.randbelow(1000)
    config = Path(f"/tmp/zc-org-vite-{port}.config.mjs")
    preview = {"port": port, "strictPort": True, "proxy": proxy}
    config.write_text(f"export default {json.dumps({'root': str(WEB), 'preview': preview})};\n")
    process = subprocess.Popen(
        ["npx", "vite", "preview", "--config", str(config)],
        cwd=WEB,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(url).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        config.unlink()


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=os.environ.get("ZC_CHROMIUM", "/usr/bin/chromium"))
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN")
    p = context.new_page()
    p.set_default_timeout(15_000)
    yield p
    context.close()


def _signed_in(page: Page, web_url: str, token: str, path: str) -> None:
    """Open `path` signed in with `token` (the login page itself is tested elsewhere)."""
    page.goto(f"{web_url}/login")
    session = {"accessToken": token, "refreshToken": None, "passwordChangeRequired": False}
    page.evaluate("s => sessionStorage.setItem('zhicheng.session', JSON.stringify(s))", session)
    page.goto(f"{web_url}{path}")


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
    api: Api, web_url: str, page: Page
) -> None:
    # The city office: offered exactly what ORG-1/ORG-2 allow it, a private enterprise among the withheld.
    _signed_in(page, web_url, api.admin_token(), "/org/tree")
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
    _signed_in(page, web_url, api.login(county_admin, county_password), "/org/tree")
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
    _signed_in(page, web_url, clerk_token, "/org/applicants")
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
