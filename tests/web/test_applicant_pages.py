"""The applicant's pages at a 390-pixel phone screen: an applicant registered through the API logs in,
creates an application with a paper, submits it, and reads its timeline and eligibility report — and no
page scrolls sideways (document.scrollingElement.scrollWidth <= 390)."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Locator, Page, ViewportSize, expect, sync_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api, bearer, unique_name
from tests.harness import Stack
from tests.org_tree import OrgTree

PHONE: ViewportSize = {"width": 390, "height": 844}
PASSWORD = "Zc-applicant-2026!"
PAPER_TEXT = "本文以乡村卫生院为例，研究基层卫生服务能力建设的路径与成效。" * 20
expect.set_options(timeout=20_000)  # a shared, loaded machine


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
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at a 390px screen"


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


def test_an_applicant_submits_from_a_phone_and_follows_the_application(stack: Stack, web_url: str, page: Page) -> None:
    api = Api(stack)
    year = datetime.now(CHINA_TZ).year
    api.publish_schedule(year)
    username = applicant_with_password(api)

    page.set_viewport_size(PHONE)
    page.goto(f"{web_url}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$|/\?"))

    page.goto(f"{web_url}/applicant/applications")
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


# -- provisional, until the browser-test harness lands: the built app (web/dist) served on the test web
# port with the API routed by path as the gateway routes it, and a Chromium page --------------------------

ROUTED = {
    "org-service": ("/api/v1/auth", "/api/v1/orgs", "/api/v1/accounts", "/api/v1/roles", "/.well-known"),
    "application-service": ("/api/v1/applications", "/api/v1/schedules"),
    "plagiarism-service": ("/api/v1/checks",),
}
DIST = Path(__file__).resolve().parents[2] / "web" / "dist"


def _web(stack: Stack) -> Starlette:
    client = httpx.AsyncClient(timeout=30)

    async def handle(request: Request) -> Response:
        path = request.url.path
        for service, prefixes in ROUTED.items():
            if path.startswith(prefixes):
                url = stack.url(service) + path + (f"?{request.url.query}" if request.url.query else "")
                headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
                r = await client.request(request.method, url, headers=headers, content=await request.body())
                drop = ("content-encoding", "transfer-encoding", "content-length", "connection")
                kept = {k: v for k, v in r.headers.items() if k.lower() not in drop}
                return Response(r.content, r.status_code, kept)
        file = DIST / path.lstrip("/")
        return FileResponse(file if path != "/" and file.is_file() else DIST / "index.html")

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    return Starlette(routes=[Route("/{path:path}", handle, methods=methods)])


@pytest.fixture(scope="module")
def web_url(stack: Stack) -> Iterator[str]:
    assert (DIST / "index.html").is_file(), "build the web application first: cd web && npm run build"
    port = stack.servers.ports.web
    server = uvicorn.Server(uvicorn.Config(_web(stack), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
        try:
            yield browser.new_context(locale="zh-CN").new_page()
        finally:
            browser.close()
