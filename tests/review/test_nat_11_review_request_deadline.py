"""NAT-11 without servers: the review (复查) request's deadline — 30 calendar days after the results
publicity ends, until 24:00 Asia/Shanghai —, who may request it, and the public complaint's parts
(the client's address behind the gateway, the fixed rate-limit window, attachments by magic bytes)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from org_service.domain.notifications import notices
from pydantic import ValidationError
from review_service.adapters.rate_limit import client_address, window_start
from review_service.domain.events import CommitteeSessionOpened, SessionEvent
from review_service.domain.reexamination import (
    ReviewRequest,
    check_review_request_in_time,
    decide_request,
    request_id_for,
    review_request_deadline,
)
from review_service.domain.session import Session
from review_service.service_layer.public_publicity import AttachmentInput, decode_attachments, sniff
from review_service.settings import ReviewSettings
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.errors import Conflict, DomainError, InvalidInput
from zhicheng_kernel.testing import envelope

from tests.application.test_domain_rules import apply, submitted_application
from tests.review.ballots import box, tally

# Production settings need the issuing office's key (NAT-10); the rule under test is another one.
OFFICE_KEY = {
    "certificate_key_file": Path("/run/secrets/key.pem"),
    "certificate_cert_file": Path("/run/secrets/cert.pem"),
}

# The publicity's last day is 7 January 2027; it ends at 24:00 of that day in Shanghai.
PUBLICITY_ENDS = datetime(2027, 1, 8, tzinfo=CHINA_TZ)
PUBLISHED = datetime(2027, 1, 1, tzinfo=CHINA_TZ)


def _published() -> Session:
    history: list[SessionEvent] = [
        CommitteeSessionOpened(
            session_id="s1",
            committee_id="c1",
            year=2026,
            series="工程系列",
            level="intermediate",
            application_ids=["a1", "a2"],
            expert_ids=["e0"],
            workflow_id="committee-session-s1",
        )
    ]
    session = Session.from_events(
        [envelope("review-service", e, stream_id="s1", version=v) for v, e in enumerate(history, 1)]
    )
    assert session is not None
    for decide in (
        lambda: session.record_attendance(["e0"]),
        lambda: box(session, "e0", {"a1": "yes", "a2": "no"}),
        session.close_voting,
        lambda: tally(session),
        lambda: session.publish_results(PUBLISHED, PUBLICITY_ENDS),
    ):
        event = decide()
        assert event is not None
        session.apply(event)
    return session


def _request(session: Session, application_id: str, now: datetime, **kw: Any) -> Any:
    return decide_request(
        session, application_id=application_id, applicant_id="p2", organizing_org_id="o1", reason="不服", now=now, **kw
    )


def test_nat_11_thirty_calendar_days_after_the_publicity_until_24_00_in_shanghai() -> None:
    # Counting starts on 8 January; the 30th day is 6 February, ending at 24:00 (16:00 UTC).
    assert review_request_deadline(PUBLICITY_ENDS) == datetime(2027, 2, 7, tzinfo=CHINA_TZ)
    assert review_request_deadline(PUBLICITY_ENDS) == datetime(2027, 2, 6, 16, tzinfo=UTC)
    # A publicity ending in the middle of a day (in Shanghai) counts from the next day as well.
    midday = datetime(2027, 1, 7, 3, tzinfo=UTC)  # 11:00 on 7 January in Shanghai
    assert review_request_deadline(midday) == datetime(2027, 2, 7, tzinfo=CHINA_TZ)
    # The set time is a setting; across a leap February.
    assert review_request_deadline(datetime(2028, 2, 1, tzinfo=CHINA_TZ), days=30) == datetime(
        2028, 3, 2, tzinfo=CHINA_TZ
    )
    assert review_request_deadline(PUBLICITY_ENDS, compressed_seconds=5) == PUBLICITY_ENDS + timedelta(seconds=5)


def test_nat_11_a_request_at_23_59_59_of_the_last_day_is_in_time_at_24_00_too_late() -> None:
    deadline = review_request_deadline(PUBLICITY_ENDS)
    check_review_request_in_time(deadline - timedelta(seconds=1), deadline)
    with pytest.raises(Conflict) as late:
        check_review_request_in_time(deadline, deadline)
    assert (late.value.code, late.value.rule, late.value.status) == ("review_request_too_late", "NAT-11", 409)
    session = _published()
    assert _request(session, "a2", deadline - timedelta(seconds=1)).deadline == deadline
    with pytest.raises(Conflict) as refused:
        _request(session, "a2", deadline)
    assert refused.value.code == "review_request_too_late"


def test_nat_11_only_a_candidate_who_did_not_pass_and_only_once_the_results_are_public() -> None:
    session = _published()
    with pytest.raises(Conflict) as passed:
        _request(session, "a1", PUBLISHED + timedelta(days=1))
    assert (passed.value.code, passed.value.rule) == ("candidate_passed", "NAT-11")
    with pytest.raises(InvalidInput) as stranger:
        _request(session, "zz", PUBLISHED + timedelta(days=1))
    assert stranger.value.code == "not_a_candidate"
    requested = _request(session, "a2", PUBLISHED + timedelta(days=1))
    assert requested.request_id == request_id_for("a2") != request_id_for("a1")
    assert (requested.applicant_id, requested.organizing_org_id) == ("p2", "o1")

    unpublished = _published()
    unpublished.publicity = None
    with pytest.raises(Conflict) as early:
        _request(unpublished, "a2", PUBLISHED)
    assert (early.value.code, early.value.rule) == ("results_not_published", "NAT-11")


def test_nat_11_the_organising_unit_answers_once() -> None:
    requested = _request(_published(), "a2", PUBLISHED + timedelta(days=1))
    request = ReviewRequest.from_events([envelope("review-service", requested, stream_id=requested.request_id)])
    assert request is not None and request.answered is None
    answered = request.answer("changed", "经复查，改为通过。", "sec1", PUBLICITY_ENDS)
    assert (answered.outcome, answered.application_id, answered.session_id) == ("changed", "a2", "s1")
    request.answered = answered
    with pytest.raises(Conflict) as twice:
        request.answer("upheld", "维持", "sec1", PUBLICITY_ENDS)
    assert (twice.value.code, twice.value.rule) == ("review_already_answered", "NAT-11")


def test_nat_11_compressed_review_time_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="NAT-11"):
        ReviewSettings(environment="production", service_client_secret="s", review_request_seconds=5, **OFFICE_KEY)
    assert ReviewSettings(environment="test", review_request_seconds=5).review_request_seconds == 5
    assert ReviewSettings().review_request_days == 30


def _request_from(peer: str, forwarded: str | None) -> Any:
    headers = {"x-forwarded-for": forwarded} if forwarded is not None else {}
    return SimpleNamespace(headers=headers, client=SimpleNamespace(host=peer))


def test_pol_pb_1_the_client_is_the_hop_the_gateway_appended_not_what_the_client_wrote() -> None:
    assert client_address(_request_from("10.0.0.5", "203.0.113.7")) == "203.0.113.7"
    # A client that sends its own X-Forwarded-For: the gateway appends the address it saw; only that counts.
    assert client_address(_request_from("10.0.0.5", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert client_address(_request_from("10.0.0.5", None)) == "10.0.0.5"


def test_pol_pb_1_rate_limit_windows_are_fixed_and_aligned() -> None:
    at = datetime(2027, 1, 1, 10, 59, 59, tzinfo=UTC)
    assert window_start(at, 3600) == datetime(2027, 1, 1, 10, tzinfo=UTC)
    assert window_start(at + timedelta(seconds=1), 3600) == datetime(2027, 1, 1, 11, tzinfo=UTC)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_pol_pb_1_attachments_are_pdf_jpeg_or_png_by_their_magic_bytes_at_most_2_mb() -> None:
    assert sniff(b"%PDF-1.7\n") == "application/pdf"
    assert sniff(b"\xff\xd8\xff\xe0JFIF") == "image/jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"GIF89a") is None
    ok = decode_attachments([AttachmentInput(filename="evidence.exe", content_base64=_b64(b"%PDF-1.4 x"))])
    assert ok == [("evidence.exe", "application/pdf", b"%PDF-1.4 x")]
    cases = [
        (b"GIF89a....", "attachment_type_not_allowed"),
        (b"%PDF-" + b"0" * (2 * 1024 * 1024), "attachment_too_large"),
    ]
    for content, code in cases:
        with pytest.raises(DomainError) as refused:
            decode_attachments([AttachmentInput(filename="x.pdf", content_base64=_b64(content))])
        assert (refused.value.code, refused.value.status) == (code, 422)
    with pytest.raises(DomainError) as garbled:
        decode_attachments([AttachmentInput(filename="x.pdf", content_base64="not base64!")])
    assert garbled.value.code == "attachment_not_base64"


def test_nat_11_a_document_after_not_passed_makes_the_application_titled_at_application_service() -> None:
    """application-service learns a changed result from the QualificationDocumentIssued review-service
    issues after the review (复查): the document wins over the tally's "not_passed"; nothing else does."""
    app = submitted_application(papers=0)
    apply(app, app.decided("not_passed", None))
    assert app.decided("not_passed", None) == []
    apply(app, app.decided("titled", "平人社职称〔2026〕00002号"))
    assert (app.status, app.document_number) == ("titled", "平人社职称〔2026〕00002号")
    assert app.decided("titled", "平人社职称〔2026〕00002号") == [] and app.decided("not_passed", None) == []


def test_nat_11_the_inbox_tells_the_organising_unit_of_a_request_and_the_applicant_of_the_answer() -> None:
    requested = _request(_published(), "a2", PUBLISHED + timedelta(days=1))
    (office,) = notices("review-service", "ReviewRequested", requested.model_dump(mode="json"))
    assert (office.recipient_kind, office.recipient_id, office.category) == ("org", "o1", "review_request")
    request = ReviewRequest.from_events([envelope("review-service", requested, stream_id=requested.request_id)])
    assert request is not None
    answered = request.answer("upheld", "经复查，维持原评审结果。", "sec1", PUBLICITY_ENDS)
    (applicant,) = notices("review-service", "ReviewAnswered", answered.model_dump(mode="json"))
    assert (applicant.recipient_kind, applicant.recipient_id) == ("account", "p2")
    assert "维持原评审结果" in applicant.body_zh
