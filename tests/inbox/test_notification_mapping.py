"""Which event reaches whom, and what it says (domain/notifications.py): pure, no servers."""

from __future__ import annotations

import uuid

from org_service.domain.notifications import MAPPERS, Category, Facts, Notice, RecipientKind, china_time, notices

from tests.inbox import events as ev

OFFICE, HOSPITAL, CLINIC = (str(uuid.uuid4()) for _ in range(3))
APPLICANT = str(uuid.uuid4())
APP_ID = str(uuid.uuid4())
APPLICATION = {"applicant_id": APPLICANT, "org_id": HOSPITAL, "year": 2026, "series": "卫生系列", "level": "senior"}


def recipients(found: list[Notice]) -> set[tuple[str, str]]:
    return {(n.recipient_kind.value, n.recipient_id) for n in found}


def test_push_window_reminder_reaches_the_offices_and_the_holders_once_each() -> None:
    reminder = ev.push_window_reminder(OFFICE, [HOSPITAL, OFFICE])
    found = notices("application-service", "PushWindowReminderIssued", reminder)
    assert recipients(found) == {("org", OFFICE), ("org", HOSPITAL)}
    assert len(found) == 2
    (first, _) = found
    assert first.category == Category.PUSH_WINDOW
    assert first.title_zh == "卫生系列推送截止前 7 天，仍有 5 份申报未完成审核"
    assert "2026年12月31日 24:00" in first.body_zh


def test_push_window_closed_reaches_the_offices() -> None:
    (found,) = notices("application-service", "PushWindowClosed", ev.push_window_closed(OFFICE))
    assert (found.recipient_id, found.category) == (OFFICE, Category.PUSH_WINDOW)
    assert "已推送 12 份，未推送 2 份" in found.body_zh


def test_an_escalated_filing_reaches_the_pushing_office() -> None:
    (found,) = notices("application-service", "ProvincialFilingEscalated", ev.filing_escalated(OFFICE))
    assert found.recipient_id == OFFICE
    assert "省职改办逾期未反馈审核意见" in found.title_zh
    assert "2 份申报" in found.body_zh


def test_a_returned_verdict_reaches_the_applicant_and_the_employer_with_the_reasons() -> None:
    found = notices("application-service", "ProvincialVerdictRecorded", ev.verdict(APP_ID, APPLICANT, HOSPITAL))
    assert recipients(found) == {("account", APPLICANT), ("org", HOSPITAL)}
    mine = next(n for n in found if n.recipient_kind == RecipientKind.ACCOUNT)
    assert mine.title_zh == "省职改办退回了您的职称申报"
    assert "继续教育学时证明缺失；论文发表时间晚于申报截止日" in mine.body_zh
    assert "副高级" in mine.body_zh
    assert mine.link == f"/api/v1/applications/{APP_ID}"


def test_an_approved_verdict_says_so() -> None:
    approved = ev.verdict(APP_ID, APPLICANT, HOSPITAL, "approved")
    found = notices("application-service", "ProvincialVerdictRecorded", approved)
    assert all("审核通过" in n.title_zh for n in found)


def test_review_year_warning_and_an_overdue_session_reach_the_offices() -> None:
    found = notices("review-service", "ReviewYearWarningIssued", ev.review_year_warning([HOSPITAL, OFFICE]))
    assert recipients(found) == {("org", HOSPITAL), ("org", OFFICE)}
    assert found[0].title_zh == "2026年度评审工作截止前 3 天"
    (overdue,) = notices("review-service", "SessionOverdue", ev.session_overdue(CLINIC))
    assert (overdue.recipient_id, overdue.category) == (CLINIC, Category.SESSION_OVERDUE)
    assert "延期" in overdue.body_zh


def test_a_returned_application_reaches_its_applicant_once_the_applicant_is_known() -> None:
    payload = ev.application_returned(APP_ID)
    assert notices("application-service", "ApplicationReturned", payload) == []
    (found,) = notices("application-service", "ApplicationReturned", payload, Facts(application=APPLICATION))
    assert (found.recipient_kind, found.recipient_id) == (RecipientKind.ACCOUNT, APPLICANT)
    assert "任职年限证明不清晰" in found.body_zh
    assert "2026年度卫生系列正高级" in found.body_zh


def test_results_reach_the_applicant_a_title_through_its_document() -> None:
    facts = Facts(application=APPLICATION)
    publicity = {"application_id": APP_ID, "session_id": "s", "publicity_ends_at": "2026-12-25T16:00:00+00:00"}
    (public,) = notices("application-service", "ResultsPublicityStarted", publicity, facts)
    assert public.recipient_id == APPLICANT and "公示至 2026年12月25日 24:00" in public.body_zh
    titled = {"application_id": APP_ID, "outcome": "titled", "document_number": "x"}
    assert notices("application-service", "ApplicationDecided", titled, facts) == []
    failed = {"application_id": APP_ID, "outcome": "not_passed", "document_number": None}
    (refused,) = notices("application-service", "ApplicationDecided", failed, facts)
    assert refused.title_zh == "评审结果：未通过"
    (document,) = notices("review-service", "QualificationDocumentIssued", ev.document_issued(APP_ID, APPLICANT))
    assert (document.recipient_id, document.category) == (APPLICANT, Category.DOCUMENT)
    assert "平职改〔2026〕12号-0001" in document.body_zh
    assert document.link == f"/api/v1/documents?application_id={APP_ID}"


def test_complaints_reach_the_organising_office_and_the_outcome_the_applicant() -> None:
    session = {"organizing_org_id": OFFICE, "year": 2026, "series": "卫生系列", "level": "senior"}
    filed = {"session_id": "s", "complaint_id": "c", "application_id": APP_ID, "investigation_ends_at": None}
    (office,) = notices("review-service", "ComplaintFiled", filed, Facts(application=APPLICATION, session=session))
    assert (office.recipient_id, office.category) == (OFFICE, Category.COMPLAINT)
    resolved = {"session_id": "s", "complaint_id": "c", "application_id": APP_ID, "outcome": "upheld"}
    found = notices("review-service", "ComplaintResolved", resolved, Facts(application=APPLICATION, session=session))
    assert recipients(found) == {("org", OFFICE), ("account", APPLICANT)}
    assert all("投诉属实" in n.body_zh for n in found)


def test_unknown_events_and_other_sources_make_nothing() -> None:
    assert notices("application-service", "SomethingNew", {"application_id": APP_ID}) == []
    assert notices("plagiarism-service", "ProvincialVerdictRecorded", ev.verdict(APP_ID, APPLICANT, HOSPITAL)) == []
    assert all(source in ("application-service", "review-service") for source, _ in MAPPERS)


def test_midnight_reads_as_24_00_of_the_day_before() -> None:
    assert china_time("2026-12-31T16:00:00+00:00") == "2026年12月31日 24:00"
    assert china_time("2026-12-31T01:30:00+00:00") == "2026年12月31日 09:30"
