"""The office pages' queries (api/office.py): the review queue of what awaits the caller (NAT-7: the
current step's org and role), filtered and paged on the server; the dashboard's figures of a year;
a push batch's 综合情况一览表 in Excel — each scoped to the caller's subtree, each refusal proven."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.application.conftest import (
    Harness,
    Tree,
    approve,
    auth,
    pass_checks,
    reader,
    submit,
    up_the_chain,
)

pytestmark = pytest.mark.stack

QUEUE = "/api/v1/applications/review-queue"
STATS = "/api/v1/applications/stats"


async def submitted(svc: Harness, tree: Tree, **overrides: Any) -> dict[str, Any]:
    r = await submit(svc, tree, **overrides)
    assert r.status_code == 201, r.text
    await pass_checks(svc, r.json())
    seen = await svc.client.get(f"/api/v1/applications/{r.json()['id']}", headers=auth(reader(svc, tree)))
    return dict(seen.json())


async def queue(svc: Harness, org: dict[str, str], roles: list[str], **params: Any) -> dict[str, Any]:
    token = svc.token(f"q-{uuid.uuid4().hex[:6]}", org, roles)
    r = await svc.client.get(QUEUE, params=params, headers=auth(token))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_nat_7_the_queue_holds_what_awaits_the_callers_step(svc: Harness, tree: Tree) -> None:
    first = await submitted(svc, tree)
    second = await submitted(svc, tree, series="会计系列", specialty="会计")
    unit = await queue(svc, tree.school, ["unit_review"])
    assert {i["id"] for i in unit["items"]} == {first["id"], second["id"]} and unit["total"] == 2
    assert all(i["awaiting_me"] and i["current_step"] == "unit" for i in unit["items"])
    assert unit["items"][0]["org_name"].startswith("state_unit")
    # The department's reviewer awaits nothing yet, but sees both in its subtree with mine=false.
    assert (await queue(svc, tree.dept, ["department_review"]))["total"] == 0
    everything = await queue(svc, tree.dept, ["department_review"], mine="false")
    assert everything["total"] == 2 and not any(i["awaiting_me"] for i in everything["items"])
    # Filters and paging on the server.
    only = await queue(svc, tree.school, ["unit_review"], series="会计系列")
    assert [i["id"] for i in only["items"]] == [second["id"]]
    page = await queue(svc, tree.school, ["unit_review"], limit=1, offset=1)
    assert page["total"] == 2 and [i["id"] for i in page["items"]] == [unit["items"][1]["id"]]
    assert (await queue(svc, tree.dept, ["department_review"], mine="false", unit=tree.other_school["org_id"]))[
        "total"
    ] == 0
    assert (await queue(svc, tree.dept, ["department_review"], mine="false", unit=tree.school["org_id"]))["total"] == 2
    assert (await queue(svc, tree.county, ["auditor"], mine="false", level="senior"))["total"] == 0
    # Once the unit approves, the application moves to the department's queue.
    r = await approve(svc, first["id"], tree.school, "unit_review", first["version"])
    assert r.status_code == 200, r.text
    dept = await queue(svc, tree.dept, ["department_review"])
    assert [i["id"] for i in dept["items"]] == [first["id"]] and dept["items"][0]["status"] == "unit_approved"
    assert [i["id"] for i in (await queue(svc, tree.school, ["unit_review"]))["items"]] == [second["id"]]
    assert (await queue(svc, tree.school, ["unit_review"], status="unit_approved", mine="false"))["total"] == 1


async def test_the_queue_refuses_other_roles_and_stays_in_the_subtree(svc: Harness, tree: Tree) -> None:
    app = await submitted(svc, tree)
    # A unit reviewer of the other school: the application is not its step's, nor in its subtree.
    other = await queue(svc, tree.other_school, ["unit_review"], mine="false")
    assert app["id"] not in {i["id"] for i in other["items"]}
    assert (await queue(svc, tree.other_school, ["unit_review"]))["total"] == 0
    applicant = svc.token("someone", tree.school, ["applicant"])
    r = await svc.client.get(QUEUE, headers=auth(applicant))
    assert r.status_code == 403 and r.json()["code"] == "role_required"
    orgless = svc.token("orgless", None, ["unit_review"])
    r = await svc.client.get(QUEUE, headers=auth(orgless))
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    assert (await svc.client.get(QUEUE)).status_code == 401
    token = svc.token("bounded", tree.school, ["unit_review"])
    r = await svc.client.get(QUEUE, params={"limit": 100_000}, headers=auth(token))
    assert r.status_code == 422
    r = await svc.client.get(QUEUE, params={"unit": "../x"}, headers=auth(token))
    assert r.status_code == 422


async def test_the_dashboard_counts_the_year_in_the_subtree(svc: Harness, tree: Tree) -> None:
    await submitted(svc, tree)
    await submitted(svc, tree, series="会计系列", specialty="会计")
    office = svc.token("office", tree.county, ["title_office_review"])
    r = await svc.client.get(STATS, params={"year": 2026}, headers=auth(office))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["year"] == 2026 and body["today"] == "2026-06-01" and body["total"] == 2
    assert {c["key"]: c["count"] for c in body["by_series"]} == {"会计系列": 1, "卫生系列": 1}
    assert body["by_status"] == [{"key": "submitted", "name": "已提交（待单位审核）", "count": 2}]
    assert [c["count"] for c in body["by_county"]] == [2]
    assert body["by_county"][0]["name"].startswith("title_office-")  # the county office's name, not its code
    assert all(p["rate"] is None and p["concluded"] == 0 and p["assessed"] == 1 for p in body["pass_rates"])
    # Another county's office sees none of them; another year is empty.
    elsewhere = await svc.org("title_office", tree.city)
    other = svc.token("other", elsewhere, ["title_office_review"])
    assert (await svc.client.get(STATS, params={"year": 2026}, headers=auth(other))).json()["total"] == 0
    assert (await svc.client.get(STATS, params={"year": 2025}, headers=auth(office))).json()["total"] == 0
    unit = svc.token("unit", tree.school, ["unit_review"])
    r = await svc.client.get(STATS, params={"year": 2026}, headers=auth(unit))
    assert r.status_code == 403 and r.json()["code"] == "role_required"
    orgless = svc.token("orgless", None, ["auditor"])
    r = await svc.client.get(STATS, params={"year": 2026}, headers=auth(orgless))
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    assert (await svc.client.get(STATS, params={"year": 1900}, headers=auth(office))).status_code == 422


async def test_a_push_batch_overview_in_excel_for_the_offices_above(svc: Harness, tree: Tree) -> None:
    app = await submitted(svc, tree)
    r = await up_the_chain(svc, tree, app["id"], app["version"])
    assert r.json()["status"] == "office_approved"
    pusher = svc.token("pusher", tree.county, ["push"])
    body = {"year": 2026, "series": "卫生系列", "level": "intermediate", "application_ids": [app["id"]]}
    r = await svc.client.post("/api/v1/pushes", json=body, headers=auth(pusher))
    assert r.status_code == 201, r.text
    url = f"/api/v1/pushes/{r.json()['id']}/overview.xlsx"
    for org in (tree.county, tree.city):
        r = await svc.client.get(url, headers=auth(svc.token("office", org, ["title_office_review"])))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "姓名", "工作单位") and len(rows) == 2
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["姓名"] == "张三" and line["申报级别"] == "中级" and line["系列"] == "卫生系列"
    assert line["单位审核意见"] == "同意" and line["职改办审核意见"] == "同意" and line["论文查重"] == "通过"
    elsewhere = await svc.org("title_office", tree.city)
    r = await svc.client.get(url, headers=auth(svc.token("other", elsewhere, ["title_office_review"])))
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    r = await svc.client.get(url, headers=auth(svc.token("someone", tree.school, ["applicant"])))
    assert r.status_code == 403 and r.json()["code"] == "role_required"
    r = await svc.client.get("/api/v1/pushes/nope/overview.xlsx", headers=auth(pusher))
    assert r.status_code == 404 and r.json()["code"] == "push_not_found"
