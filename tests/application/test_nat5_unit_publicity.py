"""NAT-5: the unit approves only after its internal publicity of five working days is over."""

from __future__ import annotations

from datetime import datetime

import pytest
from zhicheng_kernel.calendar import CHINA_TZ

from tests.application.conftest import (
    Harness,
    Tree,
    applicant,
    application,
    decide,
    post,
)

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def svc(svc_with_publicity: Harness) -> Harness:
    return svc_with_publicity


async def test_nat5_unit_approves_only_after_five_working_days_of_publicity(svc: Harness, tree: Tree) -> None:
    """NAT-5: no publicity → 409; publicity from Monday 1 June 2026: refused on Friday 5 June (the
    5th working day), accepted on Saturday 6 June."""
    app = (await post(svc, "/api/v1/applications", await applicant(svc, tree), application(papers=[]))).json()
    r = await decide(svc, app, tree.school, "unit_review")
    assert r.status_code == 409 and r.json()["code"] == "publicity_not_started"
    dept = svc.token("d", tree.dept, ["unit_review"])
    assert (await post(svc, f"/api/v1/applications/{app['id']}/publicity", dept)).status_code == 403
    unit = svc.token("unit", tree.school, ["unit_review"])
    future = await post(svc, f"/api/v1/applications/{app['id']}/publicity", unit, {"starts_on": "2026-06-02"})
    assert future.status_code == 422 and future.json()["field"] == "starts_on"
    r = await post(svc, f"/api/v1/applications/{app['id']}/publicity", unit)
    assert r.status_code == 200 and r.json()["publicity_starts_on"] == "2026-06-01", r.text
    app = r.json()
    svc.clock.set(datetime(2026, 6, 5, 23, 59, tzinfo=CHINA_TZ))
    r = await decide(svc, app, tree.school, "unit_review")
    assert r.status_code == 409 and r.json()["code"] == "publicity_in_progress" and r.json()["last_day"] == "2026-06-05"
    assert r.json()["rule"] == "NAT-5"
    svc.clock.set(datetime(2026, 6, 6, 0, 1, tzinfo=CHINA_TZ))
    r = await decide(svc, app, tree.school, "unit_review")
    assert r.status_code == 200 and r.json()["status"] == "unit_approved", r.text
