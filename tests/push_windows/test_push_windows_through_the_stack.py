"""Push windows through the real services (SCHED-1): application-service with a compressed window (as
outside production) and the workflows worker. Publishing the year's schedule starts a PushWindowWorkflow
per open series; before the close the offices and the departments and units still holding unfinished
applications are reminded; at the close what was pushed and what was left behind is recorded. A window
already closed at publication starts no workflow; a republished schedule moving the month is followed,
and a series dropped from it is withdrawn."""

from __future__ import annotations

import asyncio
import concurrent.futures
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from application_service.domain.push_window import window_closes_at
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api, bearer, unique_name
from tests.harness import Stack, wait_for
from tests.org_tree import OrgTree

pytestmark = pytest.mark.stack

# The first test's applications are submitted, publicised and approved while their series stands at a
# month already over (its window closed at that publication, no workflow); republishing it at December
# opens the compressed window, and only the push runs inside it. In January no month of the year is over:
# the setup then runs inside the window, which needs the longer period.
SETUP_BEFORE_THE_WINDOW = datetime.now(CHINA_TZ).month > 1
WINDOW_SECONDS = 18 if SETUP_BEFORE_THE_WINDOW else 35
REMINDER_SECONDS = 8 if SETUP_BEFORE_THE_WINDOW else 15
COMPRESSED = {
    "ZC_PUSH_WINDOW_SECONDS": str(WINDOW_SECONDS),
    "ZC_PUSH_WINDOW_REMINDER_SECONDS": str(REMINDER_SECONDS),
    "ZC_PUSH_WINDOW_RECHECK_SECONDS": "5",
}
YEAR = datetime.now(CHINA_TZ).year  # SCHED-1: a push carries applications of the year it is made in
APP = "application-service"


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[Api]:
    """application-service restarted with compressed windows, and the worker; restored afterwards."""
    stack.stop(APP)
    together(lambda: stack.start(APP, COMPRESSED), lambda: stack.start("workflows"))
    try:
        yield Api(stack)
    finally:
        together(lambda: stack.stop("workflows"), lambda: stack.stop(APP))
        stack.start(APP)


def together(*actions: Callable[[], None]) -> None:
    """Start or stop processes at once: each mostly waits (its start-up, its shutdown)."""
    with concurrent.futures.ThreadPoolExecutor(len(actions)) as pool:
        for future in [pool.submit(action) for action in actions]:
            future.result()


def caught_up(api: Api) -> None:
    """Wait until application-service has applied every event org-service has written so far, so that
    a setup timed against the window does not spend it waiting for the organizations and accounts."""
    head = api.http.get(api.url("org-service", "/health")).json()["head"]

    def applied() -> bool:
        consumers = api.http.get(api.url(APP, "/health")).json()["consumers"]
        return bool(consumers["application-service.projections"]["org-service"] >= head)

    wait_for(applied, timeout=30, interval=0.2, what="application-service caught up with org-service")


def retry(attempt: Callable[[], httpx.Response], timeout: float = 30.0) -> dict[str, Any]:
    """Repeat a call while org-service's events are still on their way to application-service."""
    deadline = time.monotonic() + timeout
    while True:
        r = attempt()
        if r.status_code < 300:
            return dict(r.json())
        if r.status_code not in (403, 409, 422) or time.monotonic() > deadline:
            raise AssertionError(f"{r.status_code} {r.text}")
        time.sleep(0.3)


def publish(api: Api, year: int, extra: dict[str, int], drop: frozenset[str] = frozenset()) -> None:
    """The city office republishes the year whole: what stands (2021's months if nothing) plus `extra`."""
    current = api.get(APP, f"/api/v1/schedules/{year}", api.operator_token())
    source = current if current.status_code == 200 else api.get(APP, "/api/v1/schedules/2021", api.operator_token())
    entries = {e["series"]: {k: e[k] for k in ("series", "push_month", "grassroots")} for e in source.json()["series"]}
    entries |= {name: {"series": name, "push_month": month, "grassroots": False} for name, month in extra.items()}
    body = {"series": [e for name, e in entries.items() if name not in drop]}
    r = api.http.put(api.url(APP, f"/api/v1/schedules/{year}"), json=body, headers=bearer(api.operator_token()))
    assert r.status_code == 200, r.text


def window_events(api: Api, year: int, series: str) -> list[dict[str, Any]]:
    token, after = api.feed_token(APP), 0
    found: list[dict[str, Any]] = []
    while True:
        page = api.get(APP, "/api/v1/events", token, after=after, limit=1000).json()["events"]
        if not page:
            return found
        found += [e for e in page if e["stream_id"] == f"{year}:{series}"]
        after = page[-1]["position"]


def wait_event(api: Api, year: int, series: str, event_type: str, timeout: float) -> dict[str, Any]:
    def seen() -> dict[str, Any] | None:
        return next((e for e in window_events(api, year, series) if e["event_type"] == event_type), None)

    event: dict[str, Any] | None = wait_for(seen, timeout=timeout, interval=0.5, what=f"{event_type} of {series}")
    assert event is not None
    return event


def submit(api: Api, token: str, series: str) -> str:
    body = {"year": YEAR, "series": series, "specialty": "临床医学", "level": "intermediate", "papers": []}
    return str(retry(lambda: api.post(APP, "/api/v1/applications", token, body))["id"])


def approve(api: Api, application_id: str, token: str) -> None:
    def attempt() -> httpx.Response:
        current = api.get(APP, f"/api/v1/applications/{application_id}", token).json()
        body = {"decision": "approve", "opinion": "同意", "expected_version": current["version"]}
        return api.post(APP, f"/api/v1/applications/{application_id}/decisions", token, body)

    retry(attempt)


def windows(api: Api, token: str, year: int) -> dict[str, dict[str, Any]]:
    r = api.get(APP, f"/api/v1/push-windows/{year}", token)
    assert r.status_code == 200, r.text
    return {w["series"]: w for w in r.json()["windows"]}


def workflow(api: Api, workflow_id: str) -> tuple[str, str | None]:
    """(the workflow's run status, its ZcStatus), or ("absent", None)."""

    async def describe() -> tuple[str, str | None]:
        client = await Client.connect(api.stack.servers.temporal.address, data_converter=pydantic_data_converter)
        try:
            described = await client.get_workflow_handle(workflow_id).describe()
        except RPCError:
            return "absent", None
        status = described.status.name if described.status else "UNKNOWN"
        return status, described.typed_search_attributes.get(SearchAttributeKey.for_keyword("ZcStatus"))

    return asyncio.run(describe())


def test_sched_1_reminder_names_the_holders_then_the_close_records_pushed_and_left_behind(api: Api) -> None:
    tree = OrgTree(api)
    department = tree.department("平凉市卫生健康委员会推送期", "health")
    under_department = tree.hospital("平凉市推送期医院", under=department)
    direct = tree.hospital("平凉市推送期直属医院")
    clerk_a = under_department.clerk("钱经办", ["applicant_management", "unit_review"])
    clerk_b = direct.clerk("孙经办", ["applicant_management", "unit_review"])
    applicants = [clerk.register_applicant(f"李{secrets.token_hex(2)}").token for clerk in (clerk_a, clerk_b, clerk_b)]
    county = tree.county_office("崆峒区推送期", "620802").clerk("周审核", ["title_office_review"])
    series = unique_name("卫生系列推送期")
    caught_up(api)  # the window below times the setup, not the events' way to application-service

    if SETUP_BEFORE_THE_WINDOW:
        publish(api, YEAR, {series: datetime.now(CHINA_TZ).month - 1})  # applied for; its window closed
        assert windows(api, api.operator_token(), YEAR)[series]["status"] == "closed"
    else:
        publish(api, YEAR, {series: 12})
    published_at = time.monotonic()
    at_department, _at_unit, pushed = (submit(api, token, series) for token in applicants)
    api.start_unit_publicity(clerk_a.token, at_department)
    api.start_unit_publicity(clerk_b.token, pushed)
    api.wait_out_unit_publicity()
    approve(api, at_department, clerk_a.token)  # now held by the department
    approve(api, pushed, clerk_b.token)
    approve(api, pushed, api.operator_token())
    if SETUP_BEFORE_THE_WINDOW:
        publish(api, YEAR, {series: 12})  # moved to December: the compressed window opens now
        published_at = time.monotonic()
    push = {"year": YEAR, "series": series, "level": "intermediate", "application_ids": [pushed]}
    retry(lambda: api.post(APP, "/api/v1/pushes", api.operator_token(), push))
    assert time.monotonic() - published_at < WINDOW_SECONDS - REMINDER_SECONDS, "setup slower than the reminder"
    # started through the start outbox (requested with the publication)
    wait_for(lambda: workflow(api, f"push-window-{YEAR}-{series}") == ("RUNNING", "open"), timeout=15)

    reminder = wait_event(api, YEAR, series, "PushWindowReminderIssued", timeout=WINDOW_SECONDS)["payload"]
    office = tree.city_office().id
    assert reminder["remaining_seconds"] == REMINDER_SECONDS
    assert sorted(reminder["holder_org_ids"]) == sorted([department.id, direct.id])
    assert reminder["office_org_ids"] == [office] and reminder["unfinished_count"] == 2
    assert workflow(api, f"push-window-{YEAR}-{series}")[1] == "reminding"

    closed = wait_event(api, YEAR, series, "PushWindowClosed", timeout=WINDOW_SECONDS)["payload"]
    assert (closed["pushed_count"], closed["left_behind_count"]) == (1, 2)
    assert closed["left_behind_by_org"] == {department.id: 1, direct.id: 1}
    wait_for(lambda: workflow(api, f"push-window-{YEAR}-{series}") == ("COMPLETED", "closed"), timeout=20)
    assert len(window_events(api, YEAR, series)) == 2  # one reminder, one close: nothing doubled

    # org-service projects both into the inboxes: the department holding an application hears the
    # reminder, the city office the reminder and the close (item 6's notifications).
    def inbox(token: str) -> list[str]:
        page = api.get("org-service", "/api/v1/inbox", token, category="push_window", limit=100).json()
        return [i["title_zh"] for i in page["items"] if series in i["title_zh"]]

    wait_for(lambda: len(inbox(api.admin_token())) == 2, timeout=20, what="the city office's push-window inbox")
    assert [t for t in inbox(department.admin_token) if "截止前" in t] == [
        f"{series}推送截止前 1 分钟，仍有 2 份申报未完成审核"
    ]

    seen = windows(api, api.operator_token(), YEAR)[series]
    assert (seen["status"], seen["pushed_count"], seen["left_behind_count"]) == ("closed", 1, 2)
    assert [r["remaining_seconds"] for r in seen["reminders"]] == [REMINDER_SECONDS]
    assert {o["org_id"]: o["count"] for o in seen["left_behind_by_org"]} == {department.id: 1, direct.id: 1}
    # a county office sees the window but nothing of the city's subtree outside its own
    assert windows(api, county.token, YEAR)[series]["left_behind_by_org"] == []
    # applicants and employers are refused
    for token in (applicants[0], clerk_b.token):
        refused = api.get(APP, f"/api/v1/push-windows/{YEAR}", token)
        assert refused.status_code == 403 and refused.json()["code"] == "role_required"
    assert api.http.get(api.url(APP, f"/api/v1/push-windows/{YEAR}")).status_code == 401


def test_sched_1_closed_windows_start_nothing_moved_months_are_followed_dropped_series_withdrawn(api: Api) -> None:
    past = unique_name("会计系列推送期已过")
    publish(api, YEAR - 1, {past: 12})
    assert windows(api, api.operator_token(), YEAR - 1)[past]["status"] == "closed"

    moved, dropped = unique_name("工程系列推送期改月"), unique_name("工程系列推送期撤销")
    publish(api, YEAR, {moved: 12, dropped: 12})
    for series in (moved, dropped):
        wait_for(lambda s=series: workflow(api, f"push-window-{YEAR}-{s}")[0] == "RUNNING", timeout=20)
    month = datetime.now(CHINA_TZ).month - 1
    if month < 1:
        pytest.skip("in January no earlier month of the year is over")
    publish(api, YEAR, {moved: month}, drop=frozenset({dropped}))

    closed = wait_event(api, YEAR, moved, "PushWindowClosed", timeout=20)["payload"]  # signalled, not at recheck
    assert datetime.fromisoformat(closed["closes_at"]) == window_closes_at(YEAR, month)
    assert closed["push_month"] == month
    wait_for(lambda: workflow(api, f"push-window-{YEAR}-{dropped}") == ("COMPLETED", "withdrawn"), timeout=20)
    assert window_events(api, YEAR, dropped) == []
    seen = windows(api, api.operator_token(), YEAR)
    assert (seen[moved]["status"], seen[dropped]["status"]) == ("closed", "withdrawn")
    # no workflow for the window closed at its publication
    assert workflow(api, f"push-window-{YEAR - 1}-{past}") == ("absent", None)


def test_sched_1_internal_steps_are_idempotent_refuse_an_early_close_and_are_for_services_only(api: Api) -> None:
    series = unique_name("档案系列推送期内部")
    publish(api, YEAR, {series: 12})
    path = f"/api/v1/internal/push-windows/{YEAR}/{series}"
    service = api.service_token()
    window = api.get(APP, path, service)
    assert window.status_code == 200, window.text
    assert window.json()["in_schedule"] is True and window.json()["closed"] is False

    first = api.post(APP, f"{path}/reminders", service, {"remaining_seconds": 3600})
    again = api.post(APP, f"{path}/reminders", service, {"remaining_seconds": 3600})
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json() and first.json()["issued"] is True
    reminders = [e for e in window_events(api, YEAR, series) if e["payload"]["remaining_seconds"] == 3600]
    assert len(reminders) == 1  # asked twice, issued once
    assert 3600 in api.get(APP, path, service).json()["reminders_issued"]

    early = api.post(APP, f"{path}/close", service, {})
    assert early.status_code == 409
    assert (early.json()["code"], early.json()["rule"]) == ("push_window_still_open", "SCHED-1")
    bad = api.post(APP, f"{path}/reminders", service, {"remaining_seconds": 0})
    assert bad.status_code == 422
    missing = api.get(APP, f"/api/v1/internal/push-windows/{YEAR}/{unique_name('没有的系列')}", service)
    assert missing.status_code == 404 and missing.json()["code"] == "push_window_not_found"
    for token in (api.operator_token(), api.admin_token()):
        refused = api.get(APP, path, token)
        assert refused.status_code == 403 and refused.json()["code"] == "service_only"
