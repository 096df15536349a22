"""No sample data outside development (issue 9, point 7): a service that starts with empty registries
says so in every eligibility report that reads one, registry by registry, until the office fills it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from zhicheng_tooling.dev_seed.loader import seed_schedule

from tests.application.conftest import (
    START,
    Harness,
    Tree,
    applicant,
    application,
    auth,
    city_office,
    get,
    post,
    running_service,
)
from tests.harness import Servers

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
async def svc(servers: Servers) -> AsyncIterator[Harness]:
    """The service as a production start leaves it: no development seed; the office publishes this
    year's schedule (SCHED-4), without which nothing is applied for."""
    async with running_service(servers, dev_seed=False) as harness:
        office = await harness.org("title_office", None, "city")
        await seed_schedule(harness.client, harness.token("office", office, ["title_office_review"]), START.year)
        yield harness


async def _empty(svc: Harness, tree: Tree) -> dict[str, dict[str, str]]:
    token = await applicant(svc, tree)
    r = await post(svc, "/api/v1/applications", token, application())
    assert r.status_code == 201, r.text
    report = (await get(svc, f"/api/v1/applications/{r.json()['id']}/eligibility", token)).json()
    return {e["registry"]: e for e in report["empty_registries"]}


async def test_a_report_names_each_empty_registry_until_the_office_fills_it(svc: Harness, tree: Tree) -> None:
    empty = await _empty(svc, tree)
    assert {"journals", "blacklist", "level_requirements", "frontline_rosters"} <= set(empty)
    assert "期刊" in empty["journals"]["title_zh"] and "尚未录入" in empty["journals"]["note_zh"]
    journal = {"cn_number": "CN62-1105/R", "name": "甘肃医药", "core_years": "", "press_listed": "是"}
    r = await svc.client.put("/api/v1/registries/journals/entries", json=journal, headers=auth(city_office(svc, tree)))
    assert r.status_code == 200, r.text
    after = await _empty(svc, tree)
    assert "journals" not in after and "blacklist" in after
