"""The review year after its boundary (SCHED-3, rules.check_review_year_open): the warnings before the
deadline, the sessions not voted by it (overdue), and the city office's two answers for such a
session — an extension with a reason, or carrying its candidates to the next year's pool.

Pure decisions: the session's and the year's own streams in, the event to append out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from zhicheng_kernel.envelope import EventEnvelope
from zhicheng_kernel.errors import Conflict, InvalidInput

from .events import (
    CATALOGUE,
    CandidatesCarriedOver,
    ReviewYearWarningIssued,
    SessionExtensionGranted,
    SessionOverdue,
)
from .rules import LEVELS_WITH_A_REVIEW_YEAR, review_year_ends_at
from .session import Session

# The longest extension the city office grants in one decision (it may grant another).
MAX_EXTENSION = timedelta(days=180)
REASON_MAX = 500


def review_deadline(year: int, override: datetime | None = None) -> datetime:
    """24:00 Asia/Shanghai of 31 December of `year`, or the compressed instant a test configured."""
    return override if override is not None else review_year_ends_at(year)


def is_bound(level: str) -> bool:
    """Whether the notice's "中、高评会" deadline binds a session of `level`."""
    return level in LEVELS_WITH_A_REVIEW_YEAR


def unvoted(session: Session) -> bool:
    """A session of the year still to be voted: bound, not tallied, not carried over."""
    return is_bound(session.level) and session.tally is None and session.carried_over is None


def workflow_id_for_year(year: int) -> str:
    return f"review-year-{year}"


@dataclass
class ReviewYear:
    """The year's own stream ("review_year", id str(year)): the warnings issued, one per offset."""

    year: int
    warnings: dict[int, ReviewYearWarningIssued] = field(default_factory=dict)
    version: int = 0

    @classmethod
    def from_events(cls, year: int, history: Sequence[EventEnvelope]) -> ReviewYear:
        state = cls(year)
        for envelope in history:
            event = CATALOGUE.parse(envelope)
            if isinstance(event, ReviewYearWarningIssued):
                state.warnings[event.remaining_seconds] = event
        state.version = history[-1].version if history else 0
        return state

    def warn(
        self,
        remaining_seconds: int,
        deadline: datetime,
        open_sessions: Sequence[tuple[str, str]],
        city_office_ids: Sequence[str],
    ) -> ReviewYearWarningIssued | None:
        """One warning per offset before the deadline (None: this offset was warned already). It names the
        sessions not yet voted (id, organising office) and goes to their offices and the city office."""
        if remaining_seconds in self.warnings:
            return None
        organizing = sorted({org for _, org in open_sessions})
        return ReviewYearWarningIssued(
            year=self.year,
            deadline=deadline,
            remaining_seconds=remaining_seconds,
            session_ids=sorted(session_id for session_id, _ in open_sessions),
            organizing_org_ids=organizing,
            office_org_ids=sorted(set(organizing) | set(city_office_ids)),
        )


def mark_overdue(session: Session, deadline: datetime, organizing_org_id: str) -> SessionOverdue | None:
    """A bound session not voted at the deadline is overdue (None: voted, carried over, or marked before)."""
    if not unvoted(session) or session.overdue is not None:
        return None
    return SessionOverdue(
        session_id=session.session_id,
        year=session.year,
        series=session.series,
        level=session.level,
        deadline=deadline,
        organizing_org_id=organizing_org_id,
        application_ids=list(session.application_ids),
    )


def check_year_over(year: int, now: datetime, deadline: datetime) -> None:
    if now < deadline:
        raise Conflict(
            "review_year_not_over",
            f"{year}年度评审截止时间（{deadline.isoformat()}）未到，会议尚未逾期。",
            rule="SCHED-3",
        )


def check_city_office_may_decide(session: Session, now: datetime, deadline: datetime) -> None:
    """SCHED-3: the candidates of an intermediate or senior session not voted by its year's deadline go
    back to the city office, which grants the session an extension with a reason or carries the
    candidates to the next year. Only such a session: bound by the deadline, the deadline passed, not
    voted, not carried over already."""
    if not is_bound(session.level):
        raise Conflict(
            "session_not_bound", "初级评审委员会的会议不受年度评审截止时间约束，无需延期或结转。", rule="SCHED-3"
        )
    check_year_over(session.year, now, deadline)
    if session.tally is not None:
        raise Conflict("session_already_voted", "本次会议已完成投票计票，无需延期或结转。", rule="SCHED-3")
    if session.carried_over is not None:
        raise Conflict("session_carried_over", "本次会议的候选人已结转下一年度。", rule="SCHED-3")


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text or len(text) > REASON_MAX:
        raise InvalidInput("reason_required", f"须填写理由（不超过 {REASON_MAX} 字）。", field="reason")
    return text


def grant_extension(
    session: Session,
    *,
    until: datetime,
    reason: str,
    granted_by: str,
    organizing_org_id: str,
    now: datetime,
    deadline: datetime,
) -> SessionExtensionGranted:
    """The session may record ballots until `until` (exclusive), a future instant at most MAX_EXTENSION away."""
    check_city_office_may_decide(session, now, deadline)
    if until.tzinfo is None or until <= now or until > now + MAX_EXTENSION:
        raise InvalidInput(
            "extension_until_invalid",
            f"延期截止时间须为带时区的将来时间，且不超过 {MAX_EXTENSION.days} 天。",
            field="until",
            rule="SCHED-3",
        )
    return SessionExtensionGranted(
        session_id=session.session_id,
        year=session.year,
        until=until,
        reason=_reason(reason),
        granted_by=granted_by,
        organizing_org_id=organizing_org_id,
    )


def carry_over(
    session: Session,
    *,
    reason: str,
    carried_by: str,
    organizing_org_id: str,
    now: datetime,
    deadline: datetime,
) -> CandidatesCarriedOver:
    """Every candidate of the unvoted session goes to the next year's pool; the session ends without a vote."""
    check_city_office_may_decide(session, now, deadline)
    return CandidatesCarriedOver(
        session_id=session.session_id,
        year=session.year,
        to_year=session.year + 1,
        application_ids=list(session.application_ids),
        reason=_reason(reason),
        organizing_org_id=organizing_org_id,
        carried_by=carried_by,
    )
