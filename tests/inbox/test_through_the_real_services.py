"""The inbox fed by the real application-service: an application submitted and returned by the
unit's reviewer reaches its applicant's inbox with the reviewer's reasons, over Kafka and the feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api, bearer
from tests.harness import Stack, wait_for
from tests.org_tree import OrgTree

pytestmark = pytest.mark.stack

APP = "application-service"
NEXT_YEAR = datetime.now(CHINA_TZ).year + 1


def test_a_return_by_the_unit_reaches_the_applicant_and_nobody_else(api: Api, stack: Stack) -> None:
    if APP not in stack.processes:
        pytest.skip("needs application-service (ZC_TEST_SERVICES=org-service,application-service)")
    hospital = OrgTree(api).hospital("平凉市消息联调医院")
    reviewer = hospital.clerk("王芳", ["applicant_management", "unit_review"])
    applicant = reviewer.register_applicant("李明")
    colleague = reviewer.register_applicant("张华")
    api.publish_schedule(NEXT_YEAR)
    body = {
        "year": NEXT_YEAR,
        "series": "卫生系列",
        "specialty": "临床医学",
        "level": "intermediate",
        "track": "normal",
        "papers": [],
    }

    def submitted() -> httpx.Response | None:
        r = api.post(APP, "/api/v1/applications", applicant.token, body)
        if r.status_code == 409 and r.json()["code"] in ("organization_not_synced", "applicant_not_synced"):
            return None
        return r

    r = wait_for(submitted, timeout=30, interval=0.3, what="org-service's facts at application-service")
    assert r.status_code == 201, r.text
    app = r.json()
    decision = {"decision": "return", "opinion": "任职年限证明不清晰，请补充", "expected_version": app["version"]}
    r = api.post(APP, f"/api/v1/applications/{app['id']}/decisions", reviewer.token, decision)
    assert r.status_code == 200 and r.json()["status"] == "returned", r.text

    def returned(token: str) -> list[dict[str, Any]]:
        r = api.http.get(api.url("org-service", "/api/v1/inbox"), params={"limit": 100}, headers=bearer(token))
        assert r.status_code == 200, r.text
        return [i for i in r.json()["items"] if i["link"] == f"/api/v1/applications/{app['id']}"]

    (item,) = wait_for(lambda: returned(applicant.token), what="the return in the applicant's inbox")
    assert item["category"] == "application_returned"
    assert item["title_zh"] == "您的职称申报被退回修改"
    assert "任职年限证明不清晰，请补充" in item["body_zh"]
    assert f"{NEXT_YEAR}年度卫生系列中级" in item["body_zh"]
    assert returned(colleague.token) == [] and returned(reviewer.token) == []
