"""The series' own standards in the level-requirements registry reach the engine: whether a level asks
for a paper (POL-FL-3's contrast) and the months at the lower post for 破格 (POL-EX-1 "具体按各系列条件
标准要求执行")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.application.conftest import Harness, Tree, applicant, application, auth, city_office, get, post

pytestmark = pytest.mark.stack


async def _requirement(svc: Harness, tree: Tree, **entry: str) -> dict[str, Any]:
    body = {"series": "卫生系列", "min_education": "bachelor", "min_years_in_lower_title": "5", **entry}
    r = await svc.client.put(
        "/api/v1/registries/level_requirements/entries", json=body, headers=auth(city_office(svc, tree))
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _report(svc: Harness, tree: Tree, **body: Any) -> dict[str, dict[str, Any]]:
    token = await applicant(svc, tree)
    r = await post(svc, "/api/v1/applications", token, application(**body))
    assert r.status_code == 201, r.text
    report = (await get(svc, f"/api/v1/applications/{r.json()['id']}/eligibility", token)).json()
    return {o["rule_id"]: o for o in report["outcomes"]}


async def test_pol_fl_3_a_level_the_series_says_needs_no_paper_is_not_failed_for_its_absence(
    svc: Harness, tree: Tree
) -> None:
    await _requirement(svc, tree, level="senior", paper_required="否")
    entry = await _requirement(svc, tree, level="deputy_senior", paper_required="")
    assert entry["paper_required"] is None
    senior = await _report(svc, tree, level="senior", papers=[])
    assert senior["POL-FL-3"]["outcome"] != "fail"
    deputy = await _report(svc, tree, level="deputy_senior", papers=[])
    assert deputy["POL-FL-3"]["outcome"] == "fail"  # the usual standard: a deputy-senior title asks for a paper
    assert deputy["POL-FL-3"]["binding"] == "hard"


async def test_pol_ex_1_the_series_floor_at_the_lower_post_comes_from_the_registry(svc: Harness, tree: Tree) -> None:
    await _requirement(svc, tree, level="intermediate", min_months_at_lower_post="24")
    facts = {
        "education": {"level": "junior_college"},
        "current_title": {"level": "junior", "obtained_on": "2024-07-01"},
        "work": {"months_at_next_lower_post": 18, "months_in_current_specialty": 60},
        "outstanding_since_current_title": True,
    }
    outcome = (await _report(svc, tree, track="exceptional_single", **facts))["POL-EX-1"]
    assert outcome["outcome"] == "fail" and outcome["binding"] == "hard"
    assert "24" in outcome["explanation_zh"] or outcome["details"].get("required_months") == 24
