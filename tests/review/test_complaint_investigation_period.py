"""POL-PB-1 as written: a complaint's investigation holds everyone else's documents for one calendar
month counted from its filing (Asia/Shanghai; our reading of "1个月内"), fixed in production; it ends
with no problem or a problem that does not affect the title (both issued, separately if the others
went first) or upheld (not passed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from review_service.domain.events import CommitteeSessionOpened, SessionEvent
from review_service.domain.rules import investigation_ends_at
from review_service.domain.session import Session
from review_service.service_layer import committees
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.errors import InvalidInput
from zhicheng_kernel.testing import envelope

from tests.review.ballots import box, tally

PUBLISHED = datetime(2027, 1, 25, tzinfo=UTC)
ENDS = datetime(2027, 2, 1, tzinfo=UTC)


def _published(investigation_seconds: int | None = None) -> Session:
    history: list[SessionEvent] = [
        CommitteeSessionOpened(
            session_id="s1",
            committee_id="c1",
            year=2026,
            series="工程",
            level="intermediate",
            application_ids=["a1", "a2"],
            expert_ids=["e0"],
            workflow_id="committee-session-s1",
            complaint_investigation_seconds=investigation_seconds,
        )
    ]
    session = Session.from_events(
        [envelope("review-service", e, stream_id="s1", version=v) for v, e in enumerate(history, 1)]
    )
    assert session is not None
    for decide in (
        lambda: session.record_attendance(["e0"]),
        lambda: box(session, "e0", {"a1": "yes", "a2": "yes"}),
        session.close_voting,
        lambda: tally(session),
        lambda: session.publish_results(PUBLISHED, ENDS),
    ):
        event = decide()
        assert event is not None
        session.apply(event)
    return session


def test_pol_pb_1_a_month_from_31_january_ends_with_the_last_day_of_february() -> None:
    filed = datetime(2027, 1, 31, 9, 30, tzinfo=CHINA_TZ)
    assert investigation_ends_at(filed) == datetime(2027, 3, 1, tzinfo=CHINA_TZ)  # 28 February, 24:00
    leap = datetime(2028, 1, 31, 23, 59, tzinfo=CHINA_TZ)
    assert investigation_ends_at(leap) == datetime(2028, 3, 1, tzinfo=CHINA_TZ)  # 29 February, 24:00


def test_pol_pb_1_the_month_is_counted_from_the_filing_day_in_china() -> None:
    # 15 January 20:00 UTC is already 16 January in Shanghai: the month ends on 16 February, 24:00.
    filed = datetime(2027, 1, 15, 20, tzinfo=UTC)
    assert investigation_ends_at(filed) == datetime(2027, 2, 17, tzinfo=CHINA_TZ)
    december = datetime(2026, 12, 31, 10, tzinfo=CHINA_TZ)
    assert investigation_ends_at(december) == datetime(2027, 2, 1, tzinfo=CHINA_TZ)


def test_pol_pb_1_a_complaint_records_its_own_investigation_period_from_its_filing() -> None:
    session = _published()
    filed_at = datetime(2027, 1, 31, 2, tzinfo=UTC)  # 10:00 on 31 January in Shanghai
    filed = session.file_complaint("k1", "a2", "学历造假", filed_at)
    assert filed.investigation_ends_at == datetime(2027, 3, 1, tzinfo=CHINA_TZ)
    session.apply(filed)
    assert session.investigation_ends_at() == datetime(2027, 3, 1, tzinfo=CHINA_TZ)
    compressed = _published(investigation_seconds=3).file_complaint("k1", "a2", "x", filed_at)
    assert compressed.investigation_ends_at == filed_at + timedelta(seconds=3)


@pytest.mark.parametrize(
    ("outcome", "issuable", "refused"),
    [("no_problem", ["a1", "a2"], []), ("problem_not_affecting", ["a1", "a2"], []), ("upheld", ["a1"], ["a2"])],
)
def test_pol_pb_1_each_outcome_decides_the_held_candidates_document(
    outcome: Any, issuable: list[str], refused: list[str]
) -> None:
    session = _published()
    session.apply(session.file_complaint("k1", "a2", "学历造假", PUBLISHED + timedelta(days=1)))
    assert session.issuable(ENDS) == (["a1"], ["a2"], [])
    resolved = session.resolve_complaint("k1", outcome)
    assert resolved.outcome == outcome
    session.apply(resolved)
    assert session.issuable(ENDS) == (issuable, [], refused)
    assert session.investigation_ends_at() is None
    assert session.close() is not None


async def test_pol_pb_1_production_refuses_a_per_session_investigation_period() -> None:
    ctx: Any = SimpleNamespace(settings=SimpleNamespace(environment="production"))
    with pytest.raises(InvalidInput) as err:
        await committees.open_session(
            ctx,
            SimpleNamespace(),
            None,
            "c1",
            year=2026,
            publicity_seconds=None,
            publicity_working_days=5,
            complaint_investigation_seconds=3,
        )
    assert (err.value.code, err.value.rule, err.value.field) == (
        "investigation_period_not_allowed",
        "POL-PB-1",
        "complaint_investigation_seconds",
    )
    assert "1 个月" in err.value.message
