"""Routes without a committee, application side (issue 9 point 6): when the title office approves an
application whose report's route is the employer's assessment (POL-SK-3) or direct appointment (POL-GR-4),
ApplicationConcludedWithoutCommittee follows; the application awaits its document and is never pushed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from application_service.domain.application import Application
from application_service.domain.commands import DecideApplication, Reviewer
from application_service.domain.eligibility import route_of
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.errors import Conflict

from tests.application.conftest import Harness, Tree, office, post, submit, up_the_chain

pytestmark = pytest.mark.stack

CERTIFICATE = {"grade": "advanced_worker", "obtained_on": "2023-01-01", "matching_work_months": 30}


async def test_pol_sk_3_the_employers_assessment_concludes_at_the_title_office(svc: Harness, tree: Tree) -> None:
    app = (
        await submit(svc, tree, track="skills_bridge", level="junior", papers=[], skill_certificates=[CERTIFICATE])
    ).json()
    assert app["route"] == "employer_assessment"
    version = app["version"]
    r = await up_the_chain(svc, tree, app["id"], version)
    version = r.json()["version"]
    assert r.json()["status"] == "awaiting_document"
    events = await svc.stream_events(app["id"])
    assert [t for t, _ in events][-2:] == ["TitleOfficeApproved", "ApplicationConcludedWithoutCommittee"]
    concluded = events[-1][1]
    assert concluded["route"] == "employer_assessment" and concluded["level"] == "junior"
    assert concluded["applicant_id"] == app["applicant_id"] and concluded["county_code"] == app["county_code"]
    assert isinstance(concluded["annotations"], list)
    # Never pushed: the refusal says why.
    svc.clock.set(datetime(2026, 12, 1, 9, tzinfo=CHINA_TZ))
    body = {"year": 2026, "series": "卫生系列", "level": "junior", "application_ids": [app["id"]]}
    r = await post(svc, "/api/v1/pushes", office(svc, tree), body)
    assert r.status_code == 409 and r.json()["code"] == "concluded_without_committee", r.text
    assert r.json()["rule"] == "POL-SK-3" and "POL-SK-3" in r.json()["detail"]
    # review-service issues the document (C4): the application is titled.
    document = {"application_id": app["id"], "number": "平人社职称〔2026〕00042号", "route": "employer_assessment"}
    await svc.feed("review-service", "QualificationDocumentIssued", document)
    seen = await svc.client.get(
        f"/api/v1/applications/{app['id']}", headers={"Authorization": f"Bearer {office(svc, tree)}"}
    )
    assert seen.json()["status"] == "titled" and seen.json()["document_number"] == document["number"]


async def test_pol_sk_3_an_intermediate_skills_bridge_goes_to_the_committee(svc: Harness, tree: Tree) -> None:
    """技师 → intermediate is reviewed by the committee: approved by the office, pushed as usual."""
    technician = {"grade": "technician", "obtained_on": "2020-01-01", "matching_work_months": 40}
    app = (await submit(svc, tree, track="skills_bridge", papers=[], skill_certificates=[technician])).json()
    assert app["route"] == "committee"
    version = app["version"]
    r = await up_the_chain(svc, tree, app["id"], version)
    version = r.json()["version"]
    assert r.json()["status"] == "office_approved"
    assert "ApplicationConcludedWithoutCommittee" not in await svc.stream(app["id"])


# -- pure: the route as the report (C2) names it, or as the SK-3/GR-4 details imply for older reports -------


def _at_the_office(report: dict[str, Any]) -> Application:
    chain = [{"step": "title_office", "org_id": "o"}]
    app = Application("a", version=3, status="department_approved", chain=chain, step_index=0, eligibility=report)
    app.submitted = {
        "year": 2026,
        "series": "农业系列",
        "specialty": "农民",
        "level": "senior",
        "applicant_id": "p",
        "applicant_name": "李四",
        "org_id": "u",
        "org_path": "/c/u/",
        "county_code": "620821",
        "papers": [],
        "facts": {},
    }
    app.attested_eligibility = report
    return app


OFFICE = DecideApplication("a", "approve", "同意", 3, Reviewer("r", "o", frozenset({"title_office_review"})))


def test_pol_gr_4_direct_appointment_concludes_and_is_never_pushed() -> None:
    report = {"route": "direct_appointment", "outcomes": [], "annotations": ["乡土人才直接认定"], "blocking": []}
    app = _at_the_office(report)
    for event in app.decide(OFFICE):
        app.apply(event)
    assert app.status == "awaiting_document" and app.route == "direct_appointment"
    with pytest.raises(Conflict) as refused:
        app.push("push-1", [])
    assert refused.value.rule == "POL-GR-4" and "POL-GR-4" in refused.value.message


def test_pol_gr_4_a_report_without_route_is_routed_by_its_details() -> None:
    gr4 = {"rule_id": "POL-GR-4", "outcome": "pass", "details": {"direct_appointment": True}}
    assert route_of({"committee_required": False, "outcomes": [gr4]}) == "direct_appointment"
    assert route_of({"committee_required": True, "outcomes": [gr4]}) == "committee"
    assert route_of(None) == "committee"


def test_pol_sk_3_only_attested_annotations_reach_the_concluded_event() -> None:
    declared = {"route": "employer_assessment", "outcomes": [], "annotations": ["乡村不受指标限制"], "blocking": []}
    app = _at_the_office(declared)
    app.attested_eligibility = None  # nothing attested: nothing printed
    concluded = app.decide(OFFICE)[-1]
    assert concluded.event_type == "ApplicationConcludedWithoutCommittee"
    assert concluded.model_dump()["annotations"] == []
