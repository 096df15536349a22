"""Issue 9, point 6 on the real stack: POL-SK-3's junior title by the employer's assessment and POL-GR-4's
direct appointment of a local talent as 农民高级技师 end in a qualification document review-service issues
and numbers — after the title office's approval, with no push, no session and no ballot — and the
application learns its number. Needs application-service's side (ApplicationConcludedWithoutCommittee,
contract C3) and the engine's `route` (C2)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api_client import Api
from tests.e2e.walk import Walk, eventually
from tests.harness import Stack

pytestmark = pytest.mark.stack


def _titled(walk: Walk, application_id: str) -> dict[str, Any]:
    """The application once application-service recorded the document review-service issued."""
    return eventually(
        "the document's number at the application",
        lambda: (app := walk.application(application_id)).get("document_number") and app,
    )


def _no_committee(walk: Walk, application_id: str, route: str, route_zh: str, level_zh: str) -> None:
    walk.through_the_unit(application_id)
    walk.decide(application_id, walk.api.operator_token())  # the city title office ends the route
    document = walk.document(application_id)
    assert document["route"] == route and document["session_id"] is None
    assert _titled(walk, application_id)["document_number"] == document["number"]
    found = httpx.get(walk.api.url("review-service", "/api/v1/documents/verify"), params={"number": document["number"]})
    assert found.status_code == 200, found.text
    assert found.json()["route_zh"] == route_zh and found.json()["level"] == level_zh
    # Never a candidate: a push of it is refused.
    push = {"year": walk.year, "series": walk.series, "level": walk.level, "application_ids": [application_id]}
    refused = walk.api.post("application-service", "/api/v1/pushes", walk.api.operator_token(), push)
    assert refused.status_code in (409, 422), refused.text


def test_pol_sk_3_an_advanced_worker_gets_a_junior_document_by_the_employers_assessment(stack: Stack) -> None:
    walk = Walk(Api(stack), "平凉市机械厂", "工程系列", "junior")
    _, application_id = walk.submit(
        "赵建国",
        {
            "specialty": "机械工程",
            "track": "skills_bridge",
            "education": {"level": "secondary_vocational"},
            "work": {"months_in_current_specialty": 6 * 12},
            "skill_certificates": [
                {"grade": "advanced_worker", "obtained_on": f"{walk.year - 4}-06-01", "matching_work_months": 40}
            ],
            "papers": [],
        },
    )
    _no_committee(walk, application_id, "employer_assessment", "用人单位考核认定", "初级")


def test_pol_gr_4_a_local_talent_is_directly_appointed_farmer_senior_technician(stack: Stack) -> None:
    walk = Walk(Api(stack), "平凉市乡村振兴服务中心", "农村实用技术人才专业", "deputy_senior")
    _, application_id = walk.submit(
        "何玉兰",
        {"specialty": "种植", "track": "local_talent_direct", "local_talent_selected": True, "papers": []},
    )
    _no_committee(walk, application_id, "direct_appointment", "直接认定", "副高级")
