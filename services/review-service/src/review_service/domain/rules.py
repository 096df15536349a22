"""The national rules a committee session applies (NATIONAL.md), each one function with its ID."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import chinese_calendar

from .errors import ReviewError

log = logging.getLogger(__name__)

BEIJING = ZoneInfo("Asia/Shanghai")
TWO_THIRDS = Fraction(2, 3)
SENIOR_LEVELS = frozenset({"senior", "deputy_senior"})


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
        raise ReviewError(
            "committee_size_even", f"评审委员会专家人数须为单数（NAT-6），当前为 {size} 人。", "expert_ids"
        )
    if level in SENIOR_LEVELS:
        minimum = rule.senior_by_specialty if by_specialty else rule.senior_by_series
    else:
        minimum = rule.other_minimum
    if size < minimum:
        raise ReviewError(
            "committee_too_small",
            f"该层级评审委员会专家不得少于 {minimum} 人（NAT-6），当前为 {size} 人。",
            "expert_ids",
        )


def quorum_met(committee_size: int, present: int, share: Fraction = TWO_THIRDS) -> bool:
    """NAT-1: a meeting needs at least `share` (default 2/3) of the committee's experts present."""
    return committee_size > 0 and Fraction(present, committee_size) >= share


def ballot_passes(yes: int, present: int, share: Fraction = TWO_THIRDS) -> bool:
    """NAT-2: a candidate passes with yes votes of at least `share` (default 2/3) of the experts present."""
    return present > 0 and Fraction(yes, present) >= share


def _is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # The State Council publishes next year's holidays late in the year; until the package has
        # them, count Monday to Friday and say so.
        log.warning("no holiday table for %s; counting Monday–Friday as working days", day.year)
        return day.weekday() < 5


def publicity_end(starts_at: datetime, working_days: int) -> datetime:
    """NAT-3: results stay public for at least `working_days` full Chinese working days.

    Counting starts the day after publication (a partial day does not count) and follows the State
    Council's holiday notice, adjusted weekend working days included; the period ends at midnight
    Beijing time after the last of them.
    """
    day = starts_at.astimezone(BEIJING).date()
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if _is_working_day(day):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=BEIJING)


def parse_share(text: str) -> Fraction:
    """A configured share such as "2/3"."""
    value = Fraction(text)
    if not 0 < value <= 1:
        raise ValueError(f"share must lie in (0, 1]: {text}")
    return value
