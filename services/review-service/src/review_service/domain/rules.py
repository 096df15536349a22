"""The national rules a committee session applies (NATIONAL.md), each one function with its ID.

The defaults here are the national figures; ReviewSettings lets a deployment configure them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from zhicheng_kernel.calendar import ChinaCalendar, assumed_weekdays_note, china_today
from zhicheng_kernel.errors import InvalidInput
from zhicheng_kernel.titles import SENIOR_LEVELS

TWO_THIRDS = Fraction(2, 3)
PUBLICITY_MIN_WORKING_DAYS = 5
# POL-PB-1: an investigation that takes longer than one month no longer holds everyone else's documents.
INVESTIGATION_LIMIT = timedelta(days=30)


@dataclass(frozen=True)
class CommitteeSizeRule:
    """NAT-6 parameters: minimum membership of a senior (正高/副高) committee, by series or by specialty.

    Other levels have no national minimum; `other_minimum` lets a deployment set one.
    """

    senior_by_series: int = 25
    senior_by_specialty: int = 11
    other_minimum: int = 1


def check_committee_size(level: str, size: int, *, by_specialty: bool, rule: CommitteeSizeRule) -> None:
    """NAT-6: committee membership is an odd number; senior committees have at least 25 (series) / 11 (specialty)."""
    if size % 2 == 0:
        raise InvalidInput(
            "committee_size_even",
            f"评审委员会专家人数须为单数，当前为 {size} 人。",
            field="expert_ids",
            rule="NAT-6",
        )
    if level in SENIOR_LEVELS:
        minimum = rule.senior_by_specialty if by_specialty else rule.senior_by_series
    else:
        minimum = rule.other_minimum
    if size < minimum:
        raise InvalidInput(
            "committee_too_small",
            f"该层级评审委员会专家不得少于 {minimum} 人，当前为 {size} 人。",
            field="expert_ids",
            rule="NAT-6",
        )


def quorum_met(committee_size: int, present: int, share: Fraction = TWO_THIRDS) -> bool:
    """NAT-1: a meeting needs at least `share` (default 2/3) of the committee's experts present."""
    return committee_size > 0 and Fraction(present, committee_size) >= share


def ballot_passes(yes: int, present: int, share: Fraction = TWO_THIRDS) -> bool:
    """NAT-2: a candidate passes with yes votes of at least `share` (default 2/3) of the experts present."""
    return present > 0 and Fraction(yes, present) >= share


def check_publicity_length(working_days: int) -> None:
    """NAT-3: results stay public for at least 5 Chinese working days before any document is issued."""
    if working_days < PUBLICITY_MIN_WORKING_DAYS:
        raise InvalidInput(
            "publicity_too_short",
            f"结果公示期不得少于 {PUBLICITY_MIN_WORKING_DAYS} 个工作日。",
            field="publicity_working_days",
            rule="NAT-3",
        )


def publicity_ends_at(calendar: ChinaCalendar, starts_at: datetime, working_days: int) -> datetime:
    """The end of a publicity period, counted as NATIONAL.md counts: the day of publication counts
    when it is a working day, and the period ends at 24:00 Asia/Shanghai of the last working day
    (the State Council's holidays and adjusted weekend working days, as the calendar knows them)."""
    check_publicity_length(working_days)
    return calendar.period_end(starts_at, working_days)


def publicity_calendar_note(calendar: ChinaCalendar, starts_at: datetime, ends_at: datetime) -> str | None:
    """NAT-3: what the publicity answer says when a year of the period has no official calendar (the
    city office did not publish it and the package does not know it), so Monday–Friday was assumed."""
    first, last = china_today(starts_at), china_today(ends_at - timedelta(microseconds=1))
    return assumed_weekdays_note(calendar.unknown_years(first, last))


def parse_share(text: str) -> Fraction:
    """A configured share such as "2/3"."""
    value = Fraction(text)
    if not 0 < value <= 1:
        raise ValueError(f"share must lie in (0, 1]: {text}")
    return value
