"""The rules a committee session applies, each one function with its ID: the national ones
(NATIONAL.md) and the notice's review year (POLICY.md).

The defaults here are the national figures; ReviewSettings lets a deployment configure them.
"""

from __future__ import annotations

import calendar as gregorian
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from zhicheng_kernel.calendar import ChinaCalendar, assumed_weekdays_note, china_today, end_of_day
from zhicheng_kernel.errors import Conflict, InvalidInput
from zhicheng_kernel.titles import SENIOR_LEVELS, TitleLevel, level_zh

TWO_THIRDS = Fraction(2, 3)
PUBLICITY_MIN_WORKING_DAYS = 5


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


def investigation_ends_at(filed_at: datetime, compressed_seconds: int | None = None) -> datetime:
    """POL-PB-1: when a complaint's investigation stops holding everyone else's documents.

    The notice says only "无法在 1个月内完成调查处理的"; our reading: one calendar month counted from the
    complaint's filing in Asia/Shanghai, reckoned as the Civil Code reckons periods in months
    (民法典 第二百零一条至第二百零三条): counting starts the day after filing, the period's last day is
    the same-numbered day of the next month, or that month's last day when it has none (filed on
    31 January → 28/29 February), and it ends at 24:00 of that day. It is fixed: no session sets it.
    `compressed_seconds` (tests and demonstrations only; refused in production at session opening)
    replaces the month with that many seconds from the filing.
    """
    if compressed_seconds is not None:
        return filed_at + timedelta(seconds=compressed_seconds)
    filed_day = china_today(filed_at)
    year, month = (filed_day.year + 1, 1) if filed_day.month == 12 else (filed_day.year, filed_day.month + 1)
    last_day = min(filed_day.day, gregorian.monthrange(year, month)[1])
    return end_of_day(filed_day.replace(year=year, month=month, day=last_day))


# The levels whose committees the notice's sentence binds: "各系列中、高评会" (中级 and 高级).
LEVELS_WITH_A_REVIEW_YEAR = frozenset({TitleLevel.INTERMEDIATE.value}) | SENIOR_LEVELS


def review_year_ends_at(year: int) -> datetime:
    """The end of `year`'s review: 24:00 Asia/Shanghai of 31 December, i.e. 00:00 of 1 January next."""
    return end_of_day(date(year, 12, 31))


def check_review_year_open(
    year: int,
    level: str,
    now: datetime,
    doing_zh: str,
    *,
    deadline: datetime | None = None,
    extended_until: datetime | None = None,
) -> None:
    """SCHED-3: every intermediate and senior committee finishes `year`'s review by 31 December
    ("各系列中、高评会12月31日前完成评审工作"). From 00:00 of 1 January next (Asia/Shanghai)
    opening a session of that year, or recording a ballot in one, is refused; at 23:59:59 on
    31 December both are still accepted.

    "完成评审工作" is the committee's review and vote: the results publicity, complaints and
    documents of a session voted by 31 December may run into January, so only the opening and
    the ballot are checked. The level the session reviews decides: junior committees (初级) are
    not among the notice's "中、高评会" and have no such deadline. `doing_zh` names what was refused.

    A session the city office extended (SessionExtensionGranted) records ballots until
    `extended_until`, exclusive: at `extended_until` minus one second still, at `extended_until`
    no more. `deadline` replaces 24:00 of 31 December only outside production (compressed tests).
    """
    ends_at = deadline or review_year_ends_at(year)
    if level not in LEVELS_WITH_A_REVIEW_YEAR or now < ends_at:
        return
    if extended_until is not None and now < extended_until:
        return
    extra: dict[str, object] = {"year": year, "deadline": ends_at.isoformat()}
    if extended_until is not None:
        extra["extended_until"] = extended_until.isoformat()
    raise Conflict(
        "review_year_closed",
        f"{year}年度{level_zh(level)}评审委员会的评审工作须于{year}年12月31日24时（北京时间）前完成，"
        f"该年度评审已截止{'（延期亦已届满）' if extended_until is not None else ''}，不能再{doing_zh}。",
        rule="SCHED-3",
        extra=extra,
    )


def filing_approved_candidates(pushed: Mapping[str, str | None], named: Sequence[str] | None) -> list[str]:
    """POL-FI-1 — "事中监管要求各市州的关键信息审核，调整为提交评委会评审前报省职改办审核": only
    candidates the provincial title office approved enter a committee session. `pushed`: the
    committee's waiting candidates and the province's verdict on each ("approved", "returned", None
    while it waits). Naming one that is not approved is refused (409 filing_not_approved) and nothing is
    written; without names every approved candidate is taken, and none approved is 422 no_candidates."""
    if named is not None:
        unknown = [a for a in named if a not in pushed]
        if unknown:
            raise InvalidInput(
                "not_a_candidate",
                "所列申报不是本评委会待评审的已推送申报。",
                field="application_ids",
                extra={"application_ids": unknown},
            )
        refused = [a for a in named if pushed[a] != "approved"]
        if refused:
            raise Conflict(
                "filing_not_approved",
                "所列申报尚未经省职改办审核通过（报省审核），不能提交评委会评审。",
                field="application_ids",
                rule="POL-FI-1",
                extra={"application_ids": refused, "filing": {a: pushed[a] for a in refused}},
            )
        return sorted(set(named))
    approved = sorted(a for a, verdict in pushed.items() if verdict == "approved")
    if not approved:
        waiting = len(pushed)
        raise InvalidInput(
            "no_candidates",
            "没有经省职改办审核通过的待评审申报，不能召开评审会议"
            + (f"（{waiting}份已推送申报尚待或未通过省职改办审核，POL-FI-1）。" if waiting else "。"),
            rule="POL-FI-1" if waiting else None,
            extra={"waiting_for_province": waiting},
        )
    return approved


def parse_share(text: str) -> Fraction:
    """A configured share such as "2/3"."""
    value = Fraction(text)
    if not 0 < value <= 1:
        raise ValueError(f"share must lie in (0, 1]: {text}")
    return value


# -- issue 11: the expert pool's terms, the committee's filing, the draw's sizes and each candidate's judges --

TERM_MAX_YEARS = 3


def _years_later(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def latest_term_end(starts_on: date) -> date:
    """The last day of a term or filing of three years that starts on `starts_on`: start + 3 years − 1 day."""
    return _years_later(starts_on, TERM_MAX_YEARS) - timedelta(days=1)


def check_three_year_term(starts_on: date, ends_on: date, *, what_zh: str, field: str) -> None:
    """NAT-6: an expert's term and a committee's filing last at most 3 years — from `starts_on` to at
    most `starts_on` + 3 years − 1 day (a term of 3 years and 1 day is refused), and never end before
    they start."""
    if ends_on < starts_on:
        raise InvalidInput(
            "term_ends_before_start", f"{what_zh}的截止日期不能早于开始日期。", field=field, rule="NAT-6"
        )
    latest = latest_term_end(starts_on)
    if ends_on > latest:
        raise InvalidInput(
            "term_too_long",
            f"{what_zh}最长 3 年：自 {starts_on.isoformat()} 起最晚至 {latest.isoformat()}。",
            field=field,
            rule="NAT-6",
            extra={"latest": latest.isoformat()},
        )


def check_filing_current(filing_expires_on: date, today: date) -> None:
    """NAT-6: a committee whose filing (备案) has lapsed (filing_expires_on before today, Asia/Shanghai)
    opens no session until it is filed again."""
    if filing_expires_on < today:
        raise Conflict(
            "committee_filing_expired",
            f"该评审委员会的备案已于 {filing_expires_on.isoformat()} 到期（备案有效期最长 3 年），不能召开评审会议。",
            rule="NAT-6",
            extra={"filing_expires_on": filing_expires_on.isoformat()},
        )


MAX_RESERVES = 20


def check_sitting_size(sitting: int, reserves: int) -> None:
    """NAT-6 at the session: the experts drawn to sit are an odd number, as a committee's membership
    is; reserves are at most MAX_RESERVES."""
    if sitting % 2 == 0:
        raise InvalidInput(
            "sitting_size_even", f"抽取的评审专家人数须为单数，当前为 {sitting} 人。", field="sitting", rule="NAT-6"
        )
    if not 0 <= reserves <= MAX_RESERVES:
        raise InvalidInput(
            "too_many_reserves", f"候补专家人数须在 0 至 {MAX_RESERVES} 人之间。", field="reserves", rule="NAT-6"
        )


def candidate_judges(
    sitting: Sequence[str],
    reserves: Sequence[str],
    present: Sequence[str],
    recused: set[str] | frozenset[str],
    share: Fraction = TWO_THIRDS,
) -> list[str]:
    """NAT-4 with NAT-1: who judges one candidate — the present sitting experts who are not recused
    (same employer or a declared conflict); when they fall below the quorum share of the sitting size,
    the present reserves not recused step in, in drawn order, until the quorum is met."""
    here = set(present)
    judges = [e for e in sitting if e in here and e not in recused]
    for reserve in reserves:
        if quorum_met(len(sitting), len(judges), share):
            break
        if reserve in here and reserve not in recused:
            judges.append(reserve)
    return judges
