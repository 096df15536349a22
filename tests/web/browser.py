"""Browser fixtures of the web tests: Debian's Chromium driven by Python Playwright.

One browser per test module, a fresh context (cookies, sessionStorage) per test: `page` at 1280×800,
`phone` at 390×844 (a phone's browser, touch). When a test fails, its page's screenshot and the
console errors it logged are saved under test-results/web/ (tests/web/conftest.py's report hook).

Playwright's sync API keeps its own event loop marked running in the main thread while it is open: no
asyncio.run() and no async test can run meanwhile. So the browser lives for one module (not the
session, which goes on with the async tests of other directories) and starts only after the served
application (`web_url`, whose stack loads the development seed with asyncio). A module fixture that
uses asyncio must come before `page` / `phone` in a test's arguments.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect, sync_playwright
from zhicheng_devstack.local_http import tls_context

from tests.api_client import bearer, new_password

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results" / "web"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
SESSION_KEY = "zhicheng.session"  # where web/src/api/session.ts keeps the signed-in session
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Playwright waits this long for an element or a navigation: a loaded 2-core machine is slow, not broken.
TIMEOUT_MS = 15_000


def chromium_executable() -> str:
    """ZC_CHROMIUM, else Debian's /usr/bin/chromium; a clear failure (never a skip) when neither exists."""
    path = os.environ.get("ZC_CHROMIUM") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"no Chromium at {path}: the browser tests drive Debian's chromium. Run `make install` "
            "(it installs the `chromium` package when missing), or set ZC_CHROMIUM to a Chromium executable.",
            pytrace=False,
        )
    return path


@dataclass
class Tab:
    """A test's page and what its console said (errors only), for the failure report."""

    page: Page
    context: BrowserContext
    console_errors: list[str] = field(default_factory=list)


def open_tab(browser: Browser, base_url: str, viewport: dict[str, int], phone: bool = False) -> Tab:
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": viewport["width"], "height": viewport["height"]},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=3 if phone else 1,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page, context)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.console_errors.append(f"uncaught: {error}"))
    return tab


def save_failure(tab: Tab, nodeid: str) -> Path:
    """The page's screenshot and its console errors, under test-results/web/<test>.png / .console.txt."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[-150:]
    shot = RESULTS / f"{stem}.png"
    try:
        tab.page.screenshot(path=str(shot), full_page=True, timeout=5_000)
    except Exception as exc:  # a crashed page still leaves its console log
        shot = RESULTS / f"{stem}.screenshot-failed.txt"
        shot.write_text(f"{exc}\n")
    lines = [f"url: {tab.page.url}", *(tab.console_errors or ["(no console errors)"])]
    (RESULTS / f"{stem}.console.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return shot


def log_in(page: Page, username: str, password: str) -> str:
    """Log in through the login page; an initial password is changed on the forced-change page (to a new
    one). Returns the password in force afterwards; the page is then the home page (工作台)."""
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(change-password.*)?$"))
    if "/change-password" in page.url:
        fresh = new_password()
        page.locator("input[name=old_password]").fill(password)
        page.locator("input[name=new_password]").fill(fresh)
        page.locator("input[name=confirm]").fill(fresh)
        page.get_by_role("button", name="确认修改").click()
        password = fresh
    expect(page.locator("[data-test=who]")).to_be_visible()
    return password


def tokens_for(web_url: str, username: str, password: str) -> tuple[dict[str, Any], str]:
    """The tokens of a login through the API (an initial password changed first, as the system demands),
    and the password in force: for `open_signed_in`, when the login page is not what a test is about."""
    with httpx.Client(base_url=web_url, timeout=30, verify=tls_context()) as http:
        form = {"grant_type": "password", "username": username, "password": password}
        r = http.post("/api/v1/auth/token", data=form)
        assert r.status_code == 200, r.text
        tokens = dict(r.json())
        if tokens.get("password_change_required"):
            fresh = new_password()
            change = {"old_password": password, "new_password": fresh}
            r = http.post("/api/v1/auth/password", json=change, headers=bearer(tokens["access_token"]))
            assert r.status_code == 200, r.text
            tokens, password = dict(r.json()), fresh
    return tokens, password


def open_signed_in(page: Page, tokens: Mapping[str, Any], path: str = "/") -> None:
    """Open `path` signed in with `tokens` (an answer of POST /api/v1/auth/token), without the login page."""
    session = {
        "accessToken": tokens["access_token"],
        "refreshToken": tokens.get("refresh_token"),
        "passwordChangeRequired": bool(tokens.get("password_change_required")),
    }
    page.goto("/login")
    page.evaluate(f"(s) => sessionStorage.setItem({json.dumps(SESSION_KEY)}, JSON.stringify(s))", session)
    page.goto(path)


@pytest.fixture(scope="module")
def browser(web_url: str) -> Iterator[Browser]:
    """Debian's Chromium, headless, for the tests of one module (after the application is served)."""
    executable = chromium_executable()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _tab(request: pytest.FixtureRequest, browser: Browser, web_url: str, phone: bool) -> Iterator[Page]:
    tab = open_tab(browser, web_url, PHONE if phone else DESKTOP, phone=phone)
    try:
        yield tab.page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            save_failure(tab, request.node.nodeid)
        tab.context.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, web_url: str, browser: Browser) -> Iterator[Page]:
    """A fresh browser context at 1280×800 on the served application (relative URLs work: "/login")."""
    yield from _tab(request, browser, web_url, phone=False)


@pytest.fixture
def phone(request: pytest.FixtureRequest, web_url: str, browser: Browser) -> Iterator[Page]:
    """The same at a phone's 390×844, with touch."""
    yield from _tab(request, browser, web_url, phone=True)
