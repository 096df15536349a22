"""Everyone's pages in a real browser: the login page in Chinese, a refused login with the server's own
Chinese detail, the forced change of an initial password, the home page with the account's name,
organization and roles, logout, and the session renewed with the refresh token when its access token
no longer works."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.api_client import Api, bearer, new_password
from tests.harness import Stack

SESSION_KEY = "zhicheng.session"  # web/src/api/session.ts


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack)


@pytest.fixture(scope="module")
def officer(api: Api) -> dict[str, Any]:
    """A business administrator of the city office, created with an initial password."""
    return api.create_business_admin(api.admin_token(), "王晓燕", ["push", "title_office_review"])


@pytest.fixture(scope="module")
def member(api: Api) -> dict[str, Any]:
    """Another business administrator whose initial password has been changed already (through the API)."""
    created = api.create_business_admin(api.admin_token(), "李建国", ["push"])
    r = api.http.post(
        api.url("org-service", "/api/v1/auth/token"),
        data={"grant_type": "password", "username": created["username"], "password": created["password"]},
    )
    assert r.status_code == 200, r.text
    password = new_password()
    r = api.http.post(
        api.url("org-service", "/api/v1/auth/password"),
        json={"old_password": created["password"], "new_password": password},
        headers=bearer(r.json()["access_token"]),
    )
    assert r.status_code == 200, r.text
    return {**created, "password": password}


@pytest.fixture(scope="module")
def role_names(api: Api) -> dict[str, str]:
    r = api.http.get(api.url("org-service", "/api/v1/roles"), headers=bearer(api.admin_token()))
    assert r.status_code == 200, r.text
    return {entry["role"]: entry["name"] for entry in r.json()}


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="登录").click()


def stored_session(page: Page) -> dict[str, Any]:
    raw = page.evaluate(f"() => sessionStorage.getItem({json.dumps(SESSION_KEY)})")
    assert raw, "no session in sessionStorage"
    return dict(json.loads(raw))


def test_the_login_page_speaks_chinese(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?redirect=/$"))
    expect(page).to_have_title("登录 - 平凉市职称评审系统")
    expect(page.get_by_role("heading", name="平凉市职称评审系统")).to_be_visible()
    expect(page.get_by_text("用户名", exact=True)).to_be_visible()
    expect(page.get_by_text("密码", exact=True)).to_be_visible()
    # the inline validation before anything is sent
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("请输入用户名")).to_be_visible()


def test_a_refused_login_shows_the_servers_chinese_detail(page: Page, officer: dict[str, Any]) -> None:
    page.goto("/login")
    page.locator("input[name=username]").fill(officer["username"])
    page.locator("input[name=password]").fill("Wrong-password-1")
    with page.expect_response("**/api/v1/auth/token") as answer:
        page.get_by_role("button", name="登录").click()
    assert answer.value.status == 401
    detail = answer.value.json()["detail"]
    assert re.search(r"[\u4e00-\u9fff]", detail), detail
    expect(page.locator("[data-test=login-error]")).to_contain_text(detail)
    expect(page).to_have_url(re.compile(r"/login"))


def test_an_initial_password_is_changed_first_then_home_then_logout(
    page: Page, officer: dict[str, Any], role_names: dict[str, str]
) -> None:
    log_in(page, officer["username"], officer["password"])
    expect(page).to_have_url(re.compile(r"/change-password"))
    expect(page.locator("[data-test=forced-change]")).to_contain_text("首次登录须先修改初始密码")
    # any other page leads back here while the initial password stands
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/change-password"))

    fresh = new_password()
    page.locator("input[name=old_password]").fill(officer["password"])
    page.locator("input[name=new_password]").fill(fresh)
    page.locator("input[name=confirm]").fill(fresh + "x")
    page.get_by_role("button", name="确认修改").click()
    expect(page.get_by_text("两次输入的新密码不一致")).to_be_visible()
    page.locator("input[name=confirm]").fill(fresh)
    page.get_by_role("button", name="确认修改").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("[data-test=who]")).to_contain_text("王晓燕")
    home = page.locator(".el-descriptions")
    expect(home).to_contain_text("王晓燕")
    expect(home).to_contain_text(officer["username"])
    expect(page.locator("[data-test=who]")).not_to_contain_text("（—）")  # the org's path is shown
    for role in ("push", "title_office_review"):
        expect(home).to_contain_text(role_names[role])

    page.locator("[data-test=logout]").click()
    expect(page).to_have_url(re.compile(r"/login"))
    assert page.evaluate(f"() => sessionStorage.getItem({json.dumps(SESSION_KEY)})") is None
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?redirect=/$"))


def test_the_session_renews_itself_with_the_refresh_token(page: Page, member: dict[str, Any]) -> None:
    log_in(page, member["username"], member["password"])
    expect(page.locator("[data-test=who]")).to_contain_text("李建国")
    before = stored_session(page)
    assert before["refreshToken"]
    # the access token no longer works (as when it has expired): the next call is refused with 401,
    # the client renews the session with the refresh token once and repeats the call
    broken = {**before, "accessToken": "expired." + before["accessToken"][8:]}
    page.evaluate(f"(s) => sessionStorage.setItem({json.dumps(SESSION_KEY)}, JSON.stringify(s))", broken)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/auth/token") and r.status == 200):
        page.reload()
    expect(page.locator("[data-test=who]")).to_contain_text("李建国")
    expect(page).to_have_url(re.compile(r"/$"))
    after = stored_session(page)
    assert after["accessToken"] not in (before["accessToken"], broken["accessToken"])
    assert after["refreshToken"] and after["refreshToken"] != before["refreshToken"]  # rotated
