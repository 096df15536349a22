"""NAT-5: the unit approves only after its internal publicity of five working days is over — in every
environment; outside production a setting compresses the period to seconds, production refuses it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from application_service.domain.publicity import PUBLICITY_WORKING_DAYS, unit_publicity_ends_at
from application_service.settings import ApplicationSettings
from pydantic import ValidationError
from review_service.domain.rules import publicity_ends_at
from zhicheng_kernel.calendar import CHINA_TZ, ChinaCalendar

from tests.application.conftest import (
    PUBLICITY_SECONDS,
    Harness,
    Tree,
    applicant,
    application,
    build_tree,
    decide,
    post,
)
from tests.filing.province import production_province


async def test_nat5_unit_approves_only_after_five_working_days_of_publicity(svc_with_publicity: Harness) -> None:
    """NAT-5 as in production: no publicity → 409; publicity from Monday 1 June 2026: refused on Friday
    5 June (the 5th working day), accepted on Saturday 6 June."""
    svc = svc_with_publicity
    tree = await build_tree(svc)
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


async def test_nat5_is_enforced_outside_production_with_the_period_compressed_to_seconds(
    svc: Harness, tree: Tree
) -> None:
    """NAT-5 in development (the `svc` harness, ZC_NAT5_PUBLICITY_SECONDS set): the unit cannot approve
    without a publicity, nor before the compressed period ran out from the instant it was recorded."""
    started = datetime(2026, 6, 1, 10, tzinfo=CHINA_TZ)
    svc.clock.set(started)
    app = (await post(svc, "/api/v1/applications", await applicant(svc, tree), application(papers=[]))).json()
    r = await decide(svc, app, tree.school, "unit_review")
    assert r.status_code == 409 and (r.json()["code"], r.json()["rule"]) == ("publicity_not_started", "NAT-5")
    unit = svc.token("unit", tree.school, ["unit_review"])
    r = await post(svc, f"/api/v1/applications/{app['id']}/publicity", unit)
    assert r.status_code == 200, r.text
    app = r.json()
    svc.clock.set(started + timedelta(seconds=PUBLICITY_SECONDS) - timedelta(milliseconds=1))
    r = await decide(svc, app, tree.school, "unit_review")
    assert r.status_code == 409 and (r.json()["code"], r.json()["rule"]) == ("publicity_in_progress", "NAT-5")
    assert r.json()["compressed"] is True and "秒" in r.json()["detail"]
    svc.clock.set(started + timedelta(seconds=PUBLICITY_SECONDS))
    r = await decide(svc, app, tree.school, "unit_review")
    assert r.status_code == 200 and r.json()["status"] == "unit_approved", r.text
    events = await svc.stream_events(app["id"])
    publicity = next(p for t, p in events if t == "PublicityStarted")
    assert datetime.fromisoformat(publicity["started_at"]) == started


def test_nat5_compressed_publicity_is_refused_in_production(tmp_path: Path) -> None:
    """NAT-5: production counts 5 working days; a compressing setting stops the service from starting."""
    production = {"environment": "production", "service_client_secret": "s", **production_province(tmp_path)}
    with pytest.raises(ValidationError, match="ZC_NAT5_PUBLICITY_SECONDS"):
        ApplicationSettings(**production, nat5_publicity_seconds=5)
    assert ApplicationSettings(**production).nat5_publicity_seconds is None
    assert ApplicationSettings(environment="development", nat5_publicity_seconds=5).nat5_publicity_seconds == 5


@pytest.mark.parametrize(
    "starts_on",
    [
        date(2026, 6, 1),  # a Monday
        date(2026, 6, 6),  # a Saturday: counting starts on Monday
        date(2024, 9, 30),  # before the National Day holiday
        date(2025, 1, 24),  # before the Spring Festival, with a working Sunday
        date(2026, 12, 31),  # into a year nobody published (Monday–Friday assumed)
    ],
)
def test_nat5_counts_its_period_as_nat3_does(starts_on: date) -> None:
    """NAT-5 and NAT-3 (review-service) one convention: the first day counts when it is a working day,
    the period ends at 24:00 Asia/Shanghai of the 5th working day."""
    calendar = ChinaCalendar()
    published_at = datetime.combine(starts_on, datetime.min.time(), tzinfo=CHINA_TZ) + timedelta(hours=9)
    assert unit_publicity_ends_at(calendar, starts_on) == publicity_ends_at(
        calendar, published_at, PUBLICITY_WORKING_DAYS
    )
