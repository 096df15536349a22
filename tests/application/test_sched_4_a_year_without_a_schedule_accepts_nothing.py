"""SCHED-4: a year without a published schedule accepts no application and no push — there is no silent
fallback to 2021's months; once the city office publishes the year's schedule, it does."""

from __future__ import annotations

import pytest

from tests.application.conftest import Harness, Tree, applicant, application, city_office, get, office, post

pytestmark = pytest.mark.stack

UNPUBLISHED = 2031


async def test_sched_4_no_schedule_no_application_until_the_office_publishes_it(svc: Harness, tree: Tree) -> None:
    token = await applicant(svc, tree)
    refused = await post(svc, "/api/v1/applications", token, application(year=UNPUBLISHED))
    assert refused.status_code == 404, refused.text
    problem = refused.json()
    assert (problem["code"], problem["rule"], problem["field"]) == ("schedule_not_published", "SCHED-4", "year")
    assert f"{UNPUBLISHED}年度" in problem["detail"]
    assert (await get(svc, f"/api/v1/schedules/{UNPUBLISHED}", token)).json()["code"] == "schedule_not_published"
    push = {"year": UNPUBLISHED, "series": "卫生系列", "level": "intermediate", "application_ids": ["x"]}
    pushed = await post(svc, "/api/v1/pushes", office(svc, tree), push)
    assert pushed.status_code == 404 and pushed.json()["code"] == "schedule_not_published"

    months = (await get(svc, "/api/v1/schedules/2021", token)).json()["series"]
    series = [{k: e[k] for k in ("series", "push_month", "grassroots")} for e in months]
    r = await svc.client.put(
        f"/api/v1/schedules/{UNPUBLISHED}",
        json={"series": series},
        headers={"Authorization": f"Bearer {city_office(svc, tree)}"},
    )
    assert r.status_code == 200, r.text
    accepted = await post(svc, "/api/v1/applications", token, application(year=UNPUBLISHED))
    assert accepted.status_code == 201, accepted.text
