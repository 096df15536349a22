"""The inbox against the real org-service: events produced onto application-service's and
review-service's topics become notifications of the right people and organizations, once; a person
marks their own read; deliveries are recorded once per item and channel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from org_service.adapters.tables import inbox, notification_deliveries
from sqlalchemy import select

from tests.api_client import Api, bearer
from tests.harness import Stack, wait_for
from tests.inbox import events as ev
from tests.inbox.conftest import Publish, org_rows
from tests.org_tree import Account, Org, OrgTree

pytestmark = pytest.mark.stack

APP = "application-service"
REVIEW = "review-service"


@dataclass
class People:
    office: Org  # the seeded city title office
    operator: str  # its business administrator (every business role)
    expert: str  # an expert of the city office: a person, not its staff
    hospital: Org
    clerk: str  # the hospital's business administrator
    applicant: Account
    colleague: Account  # another applicant of the same hospital
    other: Org  # another hospital


@pytest.fixture(scope="module")
def people(api: Api) -> People:
    tree = OrgTree(api)
    office = tree.city_office()
    hospital = tree.hospital("平凉市消息测试医院")
    clerk = hospital.clerk("王芳", ["applicant_management", "unit_review"])
    return People(
        office=office,
        operator=api.operator_token(),
        expert=tree.expert("赵专家", ["卫生系列"]).token,
        hospital=hospital,
        clerk=clerk.token,
        applicant=clerk.register_applicant("李明"),
        colleague=clerk.register_applicant("张华"),
        other=tree.hospital("平凉市另一医院"),
    )


def inbox_of(api: Api, token: str | None, **params: Any) -> httpx.Response:
    headers = bearer(token) if token else {}
    return api.http.get(api.url("org-service", "/api/v1/inbox"), params=params, headers=headers)


def items(api: Api, token: str, **params: Any) -> list[dict[str, Any]]:
    r = inbox_of(api, token, limit=100, **params)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


def of_event(api: Api, token: str, event_type: str, mark: str) -> list[dict[str, Any]]:
    return [i for i in items(api, token) if i["source_event_type"] == event_type and mark in i["body_zh"] + i["link"]]


def arrives(api: Api, token: str, event_type: str, mark: str) -> list[dict[str, Any]]:
    def found() -> list[dict[str, Any]] | None:
        return of_event(api, token, event_type, mark) or None

    found_items: list[dict[str, Any]] = wait_for(found, what=f"{event_type} in the inbox")
    return found_items


def test_a_returned_verdict_reaches_the_applicant_and_the_employers_staff_only(
    api: Api, people: People, publish: Publish, stack: Stack
) -> None:
    application_id = str(uuid.uuid4())
    event = publish(
        APP, "ProvincialVerdictRecorded", ev.verdict(application_id, people.applicant.account_id, people.hospital.id)
    )
    (mine,) = arrives(api, people.applicant.token, "ProvincialVerdictRecorded", application_id)
    assert mine["recipient_kind"] == "account"
    assert mine["title_zh"] == "省职改办退回了您的职称申报"
    assert "继续教育学时证明缺失" in mine["body_zh"]
    (staff,) = arrives(api, people.clerk, "ProvincialVerdictRecorded", application_id)
    assert staff["recipient_kind"] == "org" and staff["recipient_id"] == people.hospital.id
    assert of_event(api, people.hospital.admin_token, "ProvincialVerdictRecorded", application_id) == [staff]
    # A redelivery changes nothing: still one item each.
    publish(APP, again=event)
    # A later event of the same stream (the same partition) is applied after the redelivery.
    later = publish(APP, "PushWindowClosed", ev.push_window_closed(people.office.id), stream_id=event.stream_id)
    arrives(api, people.operator, "PushWindowClosed", "")
    assert org_rows(stack, select(inbox.c.id).where(inbox.c.source_event_id == later.event_id))
    assert len(of_event(api, people.applicant.token, "ProvincialVerdictRecorded", application_id)) == 1
    # Nobody else sees them: a colleague applicant, the other hospital, the city office above.
    for outsider in (people.colleague.token, people.other.admin_token, people.operator, people.office.admin_token):
        assert of_event(api, outsider, "ProvincialVerdictRecorded", application_id) == []


def test_a_push_window_reminder_reaches_the_office_and_the_units_still_holding_applications(
    api: Api, people: People, publish: Publish
) -> None:
    mark = str(uuid.uuid4())[:8]
    payload = ev.push_window_reminder(people.office.id, [people.hospital.id], series=f"卫生系列{mark}")
    publish(APP, "PushWindowReminderIssued", payload)
    (office,) = arrives(api, people.operator, "PushWindowReminderIssued", mark)
    assert office["title_zh"] == f"卫生系列{mark}推送截止前 7 天，仍有 5 份申报未完成审核"
    assert office["category"] == "push_window"
    arrives(api, people.clerk, "PushWindowReminderIssued", mark)
    # An expert of the city office and an applicant of the hospital are people, not their staff.
    assert of_event(api, people.expert, "PushWindowReminderIssued", mark) == []
    assert of_event(api, people.applicant.token, "PushWindowReminderIssued", mark) == []
    assert of_event(api, people.other.admin_token, "PushWindowReminderIssued", mark) == []


def test_a_returned_application_reaches_its_applicant_from_what_application_service_said_before(
    api: Api, people: People, publish: Publish
) -> None:
    application_id = str(uuid.uuid4())
    publish(
        APP,
        "ApplicationSubmitted",
        ev.application_submitted(application_id, people.applicant.account_id, people.hospital.id),
        stream_id=application_id,  # the application's stream: one partition, in order
    )
    publish(APP, "ApplicationReturned", ev.application_returned(application_id), stream_id=application_id)
    (returned,) = arrives(api, people.applicant.token, "ApplicationReturned", application_id)
    assert returned["category"] == "application_returned"
    assert "任职年限证明不清晰" in returned["body_zh"]
    publish(REVIEW, "QualificationDocumentIssued", ev.document_issued(application_id, people.applicant.account_id))
    (document,) = arrives(api, people.applicant.token, "QualificationDocumentIssued", "平职改")
    assert document["category"] == "document"
    assert of_event(api, people.colleague.token, "ApplicationReturned", application_id) == []


def test_an_overdue_session_reaches_its_organising_office_and_unknown_events_nothing(
    api: Api, people: People, publish: Publish
) -> None:
    session_id = str(uuid.uuid4())
    publish(REVIEW, "SomethingNobodyKnows", {"session_id": session_id, "organizing_org_id": people.office.id})
    publish(REVIEW, "SessionOverdue", ev.session_overdue(people.office.id, session_id))
    (overdue,) = arrives(api, people.operator, "SessionOverdue", session_id)
    assert overdue["category"] == "session_overdue"
    assert [i for i in items(api, people.operator) if session_id in i["link"]] == [overdue]


def test_reading_marks_ones_own_and_ones_organizations_items_and_nobody_elses(
    api: Api, people: People, publish: Publish
) -> None:
    application_id = str(uuid.uuid4())
    publish(
        APP,
        "ProvincialVerdictRecorded",
        ev.verdict(application_id, people.applicant.account_id, people.hospital.id, "approved"),
    )
    (mine,) = arrives(api, people.applicant.token, "ProvincialVerdictRecorded", application_id)
    (staff,) = arrives(api, people.clerk, "ProvincialVerdictRecorded", application_id)

    def read(token: str | None, item: dict[str, Any]) -> httpx.Response:
        headers = bearer(token) if token else {}
        return api.http.post(api.url("org-service", f"/api/v1/inbox/{item['id']}/read"), headers=headers)

    # Another person's, another organization's, a colleague's: not found for them. A service: refused.
    assert read(people.colleague.token, mine).status_code == 404
    assert read(people.clerk, mine).status_code == 404
    assert read(people.applicant.token, staff).status_code == 404
    assert read(people.other.admin_token, staff).status_code == 404
    assert read(api.service_token(), staff).status_code == 403
    assert read(None, staff).status_code == 401
    assert read(people.applicant.token, {"id": uuid.uuid4()}).json()["code"] == "inbox_item_not_found"

    r = read(people.applicant.token, mine)
    assert r.status_code == 200, r.text
    first = r.json()["read_at"]
    assert first is not None
    assert read(people.applicant.token, mine).json()["read_at"] == first  # the first reading counts
    unread = [i["id"] for i in items(api, people.applicant.token, unread="true")]
    assert mine["id"] not in unread
    assert read(people.hospital.admin_token, staff).status_code == 200  # the organization's: any of its staff
    assert staff["id"] not in [i["id"] for i in items(api, people.clerk, unread="true")]


def test_the_inbox_is_for_people_and_its_queries_are_bounded(api: Api, people: People) -> None:
    assert inbox_of(api, None).status_code == 401
    assert inbox_of(api, api.service_token()).status_code == 403
    assert inbox_of(api, people.operator, limit=101).status_code == 422
    assert inbox_of(api, people.operator, offset=-1).status_code == 422
    assert inbox_of(api, people.operator, category="gossip").status_code == 422
    page = inbox_of(api, people.operator, limit=1, category="push_window").json()
    assert len(page["items"]) <= 1 and page["limit"] == 1
    assert all(i["category"] == "push_window" for i in page["items"])


def test_each_item_is_delivered_once_per_channel_by_the_recording_provider(
    api: Api, people: People, publish: Publish, stack: Stack
) -> None:
    application_id = str(uuid.uuid4())
    event = publish(
        APP, "ProvincialVerdictRecorded", ev.verdict(application_id, people.applicant.account_id, people.hospital.id)
    )
    arrives(api, people.clerk, "ProvincialVerdictRecorded", application_id)
    publish(APP, again=event)
    ids = [r["id"] for r in org_rows(stack, select(inbox.c.id).where(inbox.c.source_event_id == event.event_id))]
    assert len(ids) == 2  # the applicant and the employer

    def sent() -> list[dict[str, Any]] | None:
        rows = org_rows(stack, select(notification_deliveries).where(notification_deliveries.c.inbox_id.in_(ids)))
        return rows if len(rows) == 2 and all(r["state"] == "sent" for r in rows) else None

    rows = wait_for(sent, what="the deliveries sent")
    assert {(r["channel"], r["provider"], r["address"]) for r in rows} == {("sms", "recording", None)}
    assert all(r["text"].startswith("【平凉职称】") and r["sent_at"] is not None for r in rows)
