"""The list of push batches (api/push_list.py, SCHED-1): the batches pushed within the caller's subtree,
filtered by year, series, level and pushing office and paged on the server, each with its filing's state
(POL-FI-1); every refusal proven (role, no organization, another county, unbounded input)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.application.conftest import Harness, Tree, auth, pass_checks, reader, submit, up_the_chain

pytestmark = pytest.mark.stack

PUSHES = "/api/v1/pushes"


async def pushed(svc: Harness, tree: Tree, **overrides: Any) -> dict[str, Any]:
    """One office-approved application pushed by the county office; the push's answer."""
    r = await submit(svc, tree, **overrides)
    assert r.status_code == 201, r.text
    await pass_checks(svc, r.json())
    app = (await svc.client.get(f"/api/v1/applications/{r.json()['id']}", headers=auth(reader(svc, tree)))).json()
    r = await up_the_chain(svc, tree, app["id"], app["version"])
    assert r.json()["status"] == "office_approved", r.text
    body = {"year": app["year"], "series": app["series"], "level": app["level"], "application_ids": [app["id"]]}
    r = await svc.client.post(PUSHES, json=body, headers=auth(svc.token("pusher", tree.county, ["push"])))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def batches(svc: Harness, caller: dict[str, str], roles: list[str], **params: Any) -> dict[str, Any]:
    r = await svc.client.get(PUSHES, params=params, headers=auth(svc.token("reader", caller, roles)))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_sched_1_the_offices_list_their_subtrees_batches_filtered_and_paged(svc: Harness, tree: Tree) -> None:
    health = await pushed(svc, tree)
    accounting = await pushed(svc, tree, series="会计系列", specialty="会计")
    county = await batches(svc, tree.county, ["title_office_review"])
    assert county["total"] == 2
    # The newest first, each with its office's name and its size; the filing not begun in this harness.
    assert [b["id"] for b in county["items"]] == [accounting["id"], health["id"]]
    first = county["items"][1]
    assert first["series"] == "卫生系列" and first["level"] == "intermediate" and first["year"] == 2026
    assert first["office_org_id"] == tree.county["org_id"] and first["office_name"]
    assert first["application_count"] == 1 and first["pushed_by"] == "pusher"
    assert first["filing_status"] in (None, "delivering", "waiting_for_province", "done")
    # The city office above sees them too; the auditor of the county as well.
    assert (await batches(svc, tree.city, ["title_office_review"]))["total"] == 2
    assert (await batches(svc, tree.county, ["auditor"]))["total"] == 2
    # Filters and the page window on the server.
    only = await batches(svc, tree.county, ["push"], series="会计系列")
    assert [b["id"] for b in only["items"]] == [accounting["id"]] and only["total"] == 1
    assert (await batches(svc, tree.county, ["push"], level="senior"))["total"] == 0
    assert (await batches(svc, tree.county, ["push"], year=2025))["total"] == 0
    assert (await batches(svc, tree.county, ["push"], year=2026))["total"] == 2
    assert (await batches(svc, tree.city, ["push"], org=tree.county["org_id"]))["total"] == 2
    assert (await batches(svc, tree.city, ["push"], org=tree.dept["org_id"]))["total"] == 0
    page = await batches(svc, tree.county, ["push"], limit=1, offset=1)
    assert page["total"] == 2 and [b["id"] for b in page["items"]] == [health["id"]]
    assert page["limit"] == 1 and page["offset"] == 1


async def test_the_list_refuses_other_roles_and_stays_in_the_subtree(svc: Harness, tree: Tree) -> None:
    mine = await pushed(svc, tree)
    # Another county's office sees nothing of this county's batches.
    elsewhere = await svc.org("title_office", tree.city)
    assert mine["id"] not in {b["id"] for b in (await batches(svc, elsewhere, ["title_office_review"]))["items"]}
    assert (await batches(svc, elsewhere, ["push"]))["total"] == 0
    for roles in (["applicant"], ["unit_review"], ["committee_secretary"]):
        r = await svc.client.get(PUSHES, headers=auth(svc.token("someone", tree.school, roles)))
        assert r.status_code == 403 and r.json()["code"] == "role_required", r.text
    orgless = svc.token("orgless", None, ["title_office_review"])
    r = await svc.client.get(PUSHES, headers=auth(orgless))
    assert r.status_code == 403 and r.json()["code"] == "outside_scope"
    assert (await svc.client.get(PUSHES)).status_code == 401
    office = auth(svc.token("office", tree.county, ["title_office_review"]))
    for params in ({"limit": 100_000}, {"offset": -1}, {"year": 1900}, {"org": "../x"}, {"series": "x" * 101}):
        r = await svc.client.get(PUSHES, params=params, headers=office)
        assert r.status_code == 422, (params, r.text)
