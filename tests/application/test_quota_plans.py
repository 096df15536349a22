"""Quota plans: the title office records each unit's quota by year, series and level; a push respects it
for applications that count against the post structure ratio (POL-EX-1) or the grassroots separate total
(POL-GR-1); the exempt pool ("not_counted": POL-GR-2, POL-EN-2, POL-EN-4, POL-EX-1) is never counted; a
unit with no recorded quota is not limited and the push answer says "未录入指标"."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx

from tests.application.conftest import (
    Harness,
    Tree,
    auth,
    get,
    office,
    pass_checks,
    reader,
    submit,
    up_the_chain,
)

YEAR = 2026
SERIES = "卫生系列"
LEVEL = "intermediate"


async def office_approved(svc: Harness, tree: Tree, **overrides: Any) -> dict[str, Any]:
    r = await submit(svc, tree, **overrides)
    assert r.status_code == 201, r.text
    app = r.json()
    await pass_checks(svc, app)
    version = (await get(svc, f"/api/v1/applications/{app['id']}", reader(svc, tree))).json()["version"]
    r = await up_the_chain(svc, tree, app["id"], version)
    version = r.json()["version"]
    return dict(r.json())


async def pool_of(svc: Harness, tree: Tree, app: dict[str, Any]) -> str:
    """The quota pool of the application's eligibility report."""
    report = await get(svc, f"/api/v1/applications/{app['id']}/eligibility", reader(svc, tree))
    assert report.status_code == 200, report.text
    return str(report.json()["quota_pool"]["pool"])


async def record(
    svc: Harness, token: str, org: dict[str, str], quota: int, pool: str = "structure_ratio", series: str = SERIES
) -> httpx.Response:
    url = f"/api/v1/quota-plans/{YEAR}/{org['org_id']}/{series}/{LEVEL}"
    return await svc.client.put(url, json={"quota": quota, "pool": pool}, headers=auth(token))


async def push(svc: Harness, tree: Tree, ids: list[str]) -> httpx.Response:
    body = {"year": YEAR, "series": SERIES, "level": LEVEL, "application_ids": ids}
    return await svc.client.post("/api/v1/pushes", json=body, headers=auth(office(svc, tree)))


async def test_pol_ex_1_a_push_beyond_the_units_structure_ratio_quota_is_refused(svc: Harness, tree: Tree) -> None:
    """POL-EX-1 (only 破格/直接申报 are "不受岗位结构比例限制"): with a quota of 1 recorded for the school,
    two structure-ratio applications cannot be pushed together, one can, and then no other."""
    first, second = [await office_approved(svc, tree) for _ in range(2)]
    assert await pool_of(svc, tree, first) == "structure_ratio"
    r = await record(svc, office(svc, tree), tree.school, 1)
    assert r.status_code == 200, r.text
    assert (r.json()["quota"], r.json()["used"], r.json()["series"]) == (1, 0, SERIES)

    both = await push(svc, tree, [first["id"], second["id"]])
    assert both.status_code == 409, both.text
    assert (both.json()["code"], both.json()["rule"], both.json()["field"]) == (
        "quota_exceeded",
        "POL-EX-1",
        "application_ids",
    )
    assert "指标" in both.json()["detail"] and both.json()["quota"] == 1 and both.json()["used"] == 0
    assert (await get(svc, f"/api/v1/applications/{first['id']}", reader(svc, tree))).json()["status"] == (
        "office_approved"
    )  # nothing pushed

    one = await push(svc, tree, [first["id"]])
    assert one.status_code == 201, one.text
    (use,) = one.json()["quota"]
    assert (use["org_id"], use["pool"], use["quota"], use["used_before"]) == (
        tree.school["org_id"],
        "structure_ratio",
        1,
        0,
    )
    again = await push(svc, tree, [second["id"]])
    assert again.status_code == 409 and again.json()["rule"] == "POL-EX-1" and again.json()["used"] == 1

    # Raising the quota lets it through; the office reads the plans of its subtree with what was used.
    assert (await record(svc, office(svc, tree), tree.school, 2)).status_code == 200
    assert (await push(svc, tree, [second["id"]])).status_code == 201
    plans = (await get(svc, f"/api/v1/quota-plans/{YEAR}", office(svc, tree))).json()["items"]
    mine = [p for p in plans if p["org_id"] == tree.school["org_id"]]
    assert [(p["pool"], p["quota"], p["used"]) for p in mine] == [("structure_ratio", 2, 2)]


async def test_pol_gr_2_exempt_applications_are_not_counted_against_the_quota(svc: Harness, tree: Tree) -> None:
    """POL-GR-2 ("不受指标限制"): an exempt application is pushed although the school's quota is 0."""
    rural = await office_approved(svc, tree, work={"rural_months": 21 * 12, "hard_remote_area": True})
    assert await pool_of(svc, tree, rural) == "not_counted"
    assert (await record(svc, office(svc, tree), tree.school, 0)).status_code == 200
    r = await push(svc, tree, [rural["id"]])
    assert r.status_code == 201, r.text
    (use,) = r.json()["quota"]
    assert use["pool"] == "not_counted" and use["quota"] is None and "不计入指标" in use["note"]


async def test_pol_gr_1_a_separate_total_limits_only_its_own_pool(svc: Harness, tree: Tree) -> None:
    """POL-GR-1: a grassroots separate total of 0 does not limit a structure-ratio application."""
    assert (await record(svc, office(svc, tree), tree.school, 0, pool="grassroots_separate")).status_code == 200
    app = await office_approved(svc, tree)
    r = await push(svc, tree, [app["id"]])
    assert r.status_code == 201, r.text
    assert r.json()["quota"][0]["pool"] == "structure_ratio"


async def test_a_unit_without_a_recorded_quota_is_not_limited_and_told_so(svc: Harness, tree: Tree) -> None:
    """No plan for the school this year, series and level: pushed, and the answer says "未录入指标"."""
    apps = [await office_approved(svc, tree) for _ in range(2)]
    r = await push(svc, tree, [a["id"] for a in apps])
    assert r.status_code == 201, r.text
    (use,) = r.json()["quota"]
    assert use["quota"] is None and "未录入指标" in use["note"] and len(use["application_ids"]) == 2


async def test_only_a_title_office_over_the_unit_records_its_quota(svc: Harness, tree: Tree) -> None:
    """403 for a department, a county office beside the school's, a unit, or a caller without the role;
    404 for an unknown unit; 422 (SCHED-4) for a series not in the year's schedule."""
    beside = await svc.org("title_office", tree.city)
    for org, roles, code in (
        (tree.dept, ["title_office_review"], "not_title_office"),
        (tree.school, ["title_office_review"], "not_title_office"),
        (beside, ["title_office_review"], "outside_scope"),
        (tree.county, ["push", "auditor"], "role_required"),
    ):
        r = await record(svc, svc.token(f"q-{uuid.uuid4().hex[:6]}", org, roles), tree.school, 3)
        assert r.status_code == 403 and r.json()["code"] == code, r.text
    city = svc.token("city", tree.city, ["title_office_review"])
    assert (await record(svc, city, tree.school, 3)).status_code == 200  # the city office is above every unit
    unknown = await record(svc, office(svc, tree), {"org_id": "nobody"}, 3)
    assert unknown.status_code == 404
    series = await record(svc, office(svc, tree), tree.school, 3, series="魔法系列")
    assert series.status_code == 422 and series.json()["rule"] == "SCHED-4"
    negative = await record(svc, office(svc, tree), tree.school, -1)
    assert negative.status_code == 422 and negative.json()["field"].endswith("quota")


async def test_pol_ex_1_two_pushes_at_once_cannot_both_take_the_last_place(svc: Harness, tree: Tree) -> None:
    """POL-EX-1: with one place left, two pushes at the same moment give one 201 and one 409 (the plan row is
    locked while a push counts against it)."""
    first, second = [await office_approved(svc, tree) for _ in range(2)]
    assert (await record(svc, office(svc, tree), tree.school, 1)).status_code == 200
    results = await asyncio.gather(push(svc, tree, [first["id"]]), push(svc, tree, [second["id"]]))
    assert sorted(r.status_code for r in results) == [201, 409], [r.text for r in results]
    refused = next(r for r in results if r.status_code == 409)
    assert (refused.json()["code"], refused.json()["rule"]) == ("quota_exceeded", "POL-EX-1")
