"""The integrity file (科研诚信档案) in application-service: review-service's QualificationDocumentRevoked
(NAT-8) and RecommendationMisconductConfirmed (POL-ER-3) become entries through the integrity consumer,
the person's new submissions are refused naming the entry's rule, the city office's blacklist registry
is still one source of the file, and only offices and auditors read it.

The real application-service in-process on the real PostgreSQL (tests/application/conftest.py), the
review-service envelopes handed to the real consumer; tests/application/test_nat_8_over_kafka.py proves
the same path through the broker between the real services.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest
from application_service.consumers import INTEGRITY_CONSUMER
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.testing import envelope
from zhicheng_tooling.dev_seed.loader import seed_schedule

from tests.api_client import Api, random_id_card
from tests.application.conftest import (
    Harness,
    Tree,
    application,
    auth,
    build_tree,
    city_office,
    csv_file,
    decide,
    get,
    post,
    random_person,
)
from tests.harness import Stack
from tests.org_tree import OrgTree

pytestmark = pytest.mark.stack

FILE = "/api/v1/integrity-file"


async def _feed(svc: Harness, event_type: str, payload: dict[str, Any]) -> None:
    """One review-service event to the integrity consumer; its redelivery changes nothing."""
    event = envelope("review-service", event_type, payload, stream_id=str(payload.get("document_id", uuid.uuid4())))
    event = event.model_copy(update={"occurred_at": svc.clock.now()})  # appended at the harness's time
    assert await svc.runtime.consumers[INTEGRITY_CONSUMER].apply(event)
    assert not await svc.runtime.consumers[INTEGRITY_CONSUMER].apply(event)


def _revoked(application_id: str, applicant_id: str, revoked_on: str = "2026-06-01") -> dict[str, Any]:
    document_id = str(uuid.uuid4())
    return {
        "document_id": document_id,
        "number": f"平人社职称〔2026〕{uuid.uuid4().int % 100_000:05d}号",
        "application_id": application_id,
        "applicant_id": applicant_id,
        "applicant_name": "张三",
        "reason": "伪造任职年限证明",
        "revoked_on": revoked_on,
        "revoked_by": "city-reviewer",
    }


async def _submitted(svc: Harness, tree: Tree, person: str) -> tuple[str, str, dict[str, Any]]:
    """A newly registered applicant of the school (ID number `person`) and their accepted application."""
    account = await svc.register(tree.school, person)
    token = svc.token(account, tree.school, ["applicant"], "张三")
    r = await post(svc, "/api/v1/applications", token, application())
    assert r.status_code == 201, r.text
    return account, token, r.json()


async def test_nat_8_a_revoked_holder_is_in_the_file_and_refused_until_the_third_year_has_passed(
    svc: Harness, tree: Tree
) -> None:
    person = random_person()
    account, token, app = await _submitted(svc, tree, person)
    revoked = _revoked(app["id"], account)
    await _feed(svc, "QualificationDocumentRevoked", revoked)

    city = city_office(svc, tree)
    listed = await get(svc, FILE, city, person=person)
    assert listed.status_code == 200, listed.text
    [entry] = listed.json()["items"]
    assert entry["rule"] == "NAT-8" and entry["source"] == "revocation" and entry["person_key"] == person
    assert entry["listed_on"] == "2026-06-01" and entry["expires_on"] == "2029-05-31" and entry["in_force"]
    assert entry["document_number"] == revoked["number"] and entry["application_id"] == app["id"]

    refused = await post(svc, "/api/v1/applications", token, application())
    assert refused.status_code == 422, refused.text
    assert refused.json()["rule"] == "NAT-8" and "NAT-8" in refused.json()["detail"]
    assert refused.json()["code"] == "research_integrity_blacklisted"
    # The person, not the account: the same ID number under another account is refused too.
    other = svc.token(await svc.register(tree.school, person), tree.school, ["applicant"])
    assert (await post(svc, "/api/v1/applications", other, application())).json()["rule"] == "NAT-8"

    # The last day of the third year still refuses; the day after, the person may submit again.
    svc.clock.set(datetime(2029, 5, 31, 23, 0, tzinfo=CHINA_TZ))
    await seed_schedule(svc.client, city, 2029)  # SCHED-4: that year's schedule, as the office publishes it
    last_day = await post(svc, "/api/v1/applications", token, application(year=2029))
    assert last_day.status_code == 422 and last_day.json()["rule"] == "NAT-8", last_day.text
    svc.clock.set(datetime(2029, 6, 1, 9, 0, tzinfo=CHINA_TZ))
    accepted = await post(svc, "/api/v1/applications", token, application(year=2029))
    assert accepted.status_code == 201, accepted.text


async def test_nat_8_a_returned_application_of_a_revoked_holder_cannot_be_resubmitted(svc: Harness, tree: Tree) -> None:
    account, token, app = await _submitted(svc, tree, random_person())
    returned = await decide(svc, app, tree.school, "unit_review", decision="return", opinion="材料不全")
    assert returned.status_code == 200 and returned.json()["status"] == "returned", returned.text
    await _feed(svc, "QualificationDocumentRevoked", _revoked(str(uuid.uuid4()), account))  # an earlier title's
    refused = await post(svc, f"/api/v1/applications/{app['id']}/submit", token)
    assert refused.status_code == 422 and refused.json()["rule"] == "NAT-8", refused.text


async def test_nat_8_a_holder_known_only_by_account_is_refused_by_account(svc: Harness, tree: Tree) -> None:
    """The event names the applicant's account; without an ID number projected the account is the key."""
    _, token, app = await _submitted(svc, tree, random_person())
    stranger = f"acct-{uuid.uuid4().hex[:8]}"
    await _feed(svc, "QualificationDocumentRevoked", _revoked(app["id"], stranger))
    [entry] = (await get(svc, FILE, city_office(svc, tree), person=stranger)).json()["items"]
    assert entry["person_key"] == stranger and entry["rule"] == "NAT-8"
    # The account that submitted is another person: still accepted (once its first application is withdrawn:
    # one application per person, year and series).
    assert (
        await post(svc, f"/api/v1/applications/{app['id']}/withdraw", token, {"reason": "重新申报"})
    ).status_code == 200
    assert (await post(svc, "/api/v1/applications", token, application())).status_code == 201


async def test_pol_er_3_confirmed_misconduct_lists_applicant_and_expert(svc: Harness, tree: Tree) -> None:
    person = random_person()
    account, token, app = await _submitted(svc, tree, person)
    expert = f"expert-{uuid.uuid4().hex[:8]}"
    confirmed = {
        "review_id": str(uuid.uuid4()),
        "application_id": app["id"],
        "applicant_id": account,
        "recommending_expert_id": expert,
        "year": 2026,
        "kind": "fabrication",
        "reason": "举荐材料捏造事实",
        "confirmed_by": "city-reviewer",
    }
    await _feed(svc, "RecommendationMisconductConfirmed", confirmed)
    city = city_office(svc, tree)
    [applicant] = (await get(svc, FILE, city, person=person)).json()["items"]
    [recommender] = (await get(svc, FILE, city, person=expert)).json()["items"]
    assert applicant["rule"] == recommender["rule"] == "POL-ER-3"
    assert applicant["source"] == recommender["source"] == "recommendation_misconduct"
    assert applicant["name"] == "张三" and recommender["person_key"] == expert
    assert applicant["listed_on"] == "2026-06-01" and applicant["expires_on"] == "2029-05-31"
    refused = await post(svc, "/api/v1/applications", token, application())
    assert refused.status_code == 422 and refused.json()["rule"] == "POL-ER-3", refused.text


async def test_pol_er_3_the_blacklist_registry_is_the_files_registry_source(svc: Harness, tree: Tree) -> None:
    person = random_person()
    csv = f"身份证号码,姓名,列入原因,列入日期,移出日期\n{person},钱某,论文抄袭,2026-01-10,\n"
    city = city_office(svc, tree)
    imported = await svc.client.post(
        "/api/v1/registries/blacklist/import", files=csv_file(csv), data={"mode": "merge"}, headers=auth(city)
    )
    assert imported.status_code == 200, imported.text
    [entry] = (await get(svc, FILE, city, person=person)).json()["items"]
    assert entry["source"] == "registry" and entry["rule"] == "POL-ER-3" and entry["name"] == "钱某"
    assert entry["listed_on"] == "2026-01-10" and entry["expires_on"] is None and entry["in_force"]
    token = svc.token(await svc.register(tree.school, person), tree.school, ["applicant"])
    refused = await post(svc, "/api/v1/applications", token, application())
    assert refused.status_code == 422 and refused.json()["rule"] == "POL-ER-3", refused.text


async def test_nat_8_only_offices_and_auditors_read_the_file_within_their_subtree(svc: Harness, tree: Tree) -> None:
    person = random_person()
    account, _, app = await _submitted(svc, tree, person)
    await _feed(svc, "QualificationDocumentRevoked", _revoked(app["id"], account))

    def reader(org: dict[str, str], roles: list[str]) -> str:
        return svc.token(f"r-{uuid.uuid4().hex[:6]}", org, roles)

    for allowed in (
        reader(tree.city, ["title_office_review"]),
        reader(tree.county, ["title_office_review"]),
        reader(tree.city, ["auditor"]),
        reader(tree.county, ["auditor"]),
    ):
        r = await get(svc, FILE, allowed, person=person)
        assert r.status_code == 200 and len(r.json()["items"]) == 1, r.text

    # Another city's offices do not see this one's entries.
    elsewhere = await build_tree(svc)
    for outside in (reader(elsewhere.city, ["title_office_review"]), reader(elsewhere.county, ["auditor"])):
        r = await get(svc, FILE, outside, person=person)
        assert r.status_code == 200 and r.json()["items"] == [], r.text

    applicant = svc.token(account, tree.school, ["applicant"])
    for refused in (
        applicant,
        reader(tree.school, ["unit_review", "applicant_management"]),
        reader(tree.dept, ["department_review"]),
        reader(tree.school, ["expert"]),
        reader(tree.city, ["push", "committee_secretary"]),
    ):
        r = await get(svc, FILE, refused)
        assert r.status_code == 403 and r.json()["code"] == "integrity_file_offices_only", r.text
    assert (await svc.client.get(FILE)).status_code == 401
    too_long = await get(svc, FILE, reader(tree.city, ["auditor"]), person="x" * 65)
    assert too_long.status_code == 422


# -- over Kafka, between the real services ---------------------------------------------------------------

SKILLS = {"grade": "advanced_worker", "obtained_on": "2023-01-01", "matching_work_months": 30}


def _until(attempt: Any, timeout: float = 45.0) -> Any:
    """Poll while the other services' events are on their way through the broker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = attempt()
        if answer:
            return answer
        time.sleep(0.3)
    raise AssertionError("gave up waiting for the events to arrive")


def test_nat_8_a_revocation_reaches_the_integrity_file_over_kafka_and_refuses_the_holder(stack: Stack) -> None:
    """A junior title by the employer's assessment (POL-SK-3) issued by review-service, revoked by the city
    office; application-service learns it from the broker and refuses the holder's next submission, and
    org-service's inbox tells the holder."""
    api = Api(stack)
    operator = api.operator_token()  # the city office's title_office_review (and more)
    unit = OrgTree(api).state_unit("平凉市诚信档案测试医院")
    clerk = unit.clerk("王芳", ["applicant_management", "unit_review"])
    person = random_id_card()
    holder = clerk.register_applicant("赵诚信", person)
    year = datetime.now(CHINA_TZ).year
    api.publish_schedule(year)
    body = {
        "year": year,
        "series": "卫生系列",
        "specialty": "临床医学",
        "level": "junior",
        "track": "skills_bridge",
        "papers": [],
        "skill_certificates": [SKILLS],
    }

    def submitted() -> Any:
        r = api.post("application-service", "/api/v1/applications", holder.token, body)
        return r.json() if r.status_code == 201 else None

    app = _until(submitted)  # ApplicantRegistered reaches application-service first
    api.after_unit_publicity(clerk.token, app["id"])
    for token in (clerk.token, operator):
        current = api.get("application-service", f"/api/v1/applications/{app['id']}", token).json()
        decision = {"decision": "approve", "opinion": "同意", "expected_version": current["version"]}
        r = api.post("application-service", f"/api/v1/applications/{app['id']}/decisions", token, decision)
        assert r.status_code == 200, r.text
    assert r.json()["status"] == "awaiting_document", r.text

    def issued() -> Any:
        r = api.get("review-service", "/api/v1/documents", operator, application_id=app["id"])
        return r.json()["items"] if r.status_code == 200 and r.json()["items"] else None

    [document] = _until(issued)
    number = document["number"]
    path = f"/api/v1/documents/{quote(number)}/revocation"
    revoked = api.post("review-service", path, operator, {"reason": "伪造职业技能等级证书"})
    assert revoked.status_code == 201, revoked.text
    verified = api.http.get(api.url("review-service", "/api/v1/documents/verify"), params={"number": number})
    assert verified.json()["status"] == "revoked" and verified.json()["valid"] is False

    def listed() -> Any:
        r = api.get("application-service", FILE, operator, person=person)
        assert r.status_code == 200, r.text
        return r.json()["items"]

    [entry] = _until(listed)
    assert entry["rule"] == "NAT-8" and entry["source"] == "revocation" and entry["document_number"] == number
    assert entry["listed_on"] == revoked.json()["revoked_on"]
    refused = api.post("application-service", "/api/v1/applications", holder.token, body)
    assert refused.status_code == 422 and refused.json()["rule"] == "NAT-8", refused.text
    assert "NAT-8" in refused.json()["detail"]

    def told() -> Any:  # org-service's inbox tells the holder
        r = api.get("org-service", "/api/v1/inbox", holder.token, category="document")
        return [i for i in r.json()["items"] if i["source_event_type"] == "QualificationDocumentRevoked"]

    [notice] = _until(told)
    assert notice["title_zh"] == "职称资格文件已被撤销" and number in notice["body_zh"]
