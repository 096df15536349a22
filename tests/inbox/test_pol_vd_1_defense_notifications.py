"""POL-VD-1: a scheduled online video defense reaches the candidate and each judging expert of the
panel with its time and join link (domain/notifications.py, pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from org_service.domain.notifications import Category, Facts, RecipientKind, notices
from review_service.domain.events import DefenseScheduled

APPLICATION = {"applicant_id": "applicant-1", "year": 2026, "series": "卫生系列", "level": "deputy_senior"}


def scheduled() -> dict[str, object]:
    """review-service's DefenseScheduled payload, built from its own event class (the contract)."""
    event = DefenseScheduled(
        panel_id="panel-1",
        session_id="session-1",
        application_id="app-1",
        applicant_id="applicant-1",
        expert_ids=["expert-1", "expert-2", "expert-2"],
        starts_at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 1, 1, 30, tzinfo=UTC),
        provider="local",
        room_id="r-1",
        join_url="http://localhost:8080/video/rooms/r-1",
    )
    return event.model_dump(mode="json")


def test_pol_vd_1_the_candidate_and_each_expert_hear_of_the_defense_with_time_and_link() -> None:
    found = notices("review-service", "DefenseScheduled", scheduled(), Facts(application=APPLICATION))
    by_recipient = {(n.recipient_kind, n.recipient_id): n for n in found}
    assert set(by_recipient) == {
        (RecipientKind.ACCOUNT, "applicant-1"),
        (RecipientKind.ACCOUNT, "expert-1"),
        (RecipientKind.ACCOUNT, "expert-2"),
    }
    assert len(found) == 3 and all(n.category == Category.DEFENSE for n in found)
    candidate = by_recipient[(RecipientKind.ACCOUNT, "applicant-1")]
    assert "2026年12月01日 09:00 至 2026年12月01日 09:30" in candidate.body_zh  # Beijing time
    assert "http://localhost:8080/video/rooms/r-1" in candidate.body_zh
    assert "2026年度卫生系列副高级" in candidate.body_zh and "不设现场答辩" in candidate.body_zh
    assert candidate.link == "/api/v1/defenses?application_id=app-1"
    expert = by_recipient[(RecipientKind.ACCOUNT, "expert-1")]
    assert "http://localhost:8080/video/rooms/r-1" in expert.body_zh and expert.link == "/api/v1/defenses/mine"
    # Nobody is told who else takes part.
    assert all("expert-" not in n.body_zh and "applicant-1" not in n.body_zh for n in found)


def test_pol_vd_1_without_the_applications_facts_the_notice_still_goes_out() -> None:
    found = notices("review-service", "DefenseScheduled", scheduled())
    assert {n.recipient_id for n in found} == {"applicant-1", "expert-1", "expert-2"}
