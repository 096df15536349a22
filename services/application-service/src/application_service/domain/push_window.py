"""The push window of a series in a year (SCHED-1): when it closes, when its reminders fall due, who
still holds unfinished applications of it, and what was pushed and left behind when it closed.

Pure: no I/O, no clock of its own (every instant is an argument). The one home of "when does a push
window close": `rules.push_window_open` (the refusal of a late push), the schedule's API and the
push-window workflow all ask `window_closes_at`.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from zhicheng_kernel.calendar import end_of_day

# Unfinished: submitted and somewhere on the review chain, or approved by the office and not pushed yet,
# or returned for correction (the unit has it back). Pushed, decided, withdrawn and drafts are not.
UNDER_REVIEW_STATUSES = frozenset({"submitted", "unit_approved", "department_approved"})
UNFINISHED_STATUSES = UNDER_REVIEW_STATUSES | {"office_approved", "returned"}


def window_closes_at(year: int, month: int) -> datetime:
    """SCHED-1: a series' push window closes at 24:00 Asia/Shanghai of the last day of its push month
    of the year (00:00 of the next day): a push at 23:59:59 is in time, one at 00:00 is late."""
    last_day = calendar.monthrange(year, month)[1]
    return end_of_day(date(year, month, last_day))


def is_open(closes_at: datetime, now: datetime) -> bool:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now < closes_at


def closes_at_as_published(
    year: int, month: int, published_at: datetime, compressed_seconds: int | None, previous: PublishedWindow | None
) -> datetime:
    """The instant the window of a series (re)published at `published_at` closes.

    Production: the month's end (`window_closes_at`). Outside production, with a compressed window
    (ZC_PUSH_WINDOW_SECONDS), a series still open by its month closes that many seconds after it was
    first published with this month; a republication that keeps the month keeps the instant, one that
    moves the month to a month already over closes it at that month's end.
    """
    by_month = window_closes_at(year, month)
    if compressed_seconds is None or by_month <= published_at:
        return by_month
    if previous is not None and previous.push_month == month and previous.closes_at <= by_month:
        return previous.closes_at
    return min(by_month, published_at + timedelta(seconds=compressed_seconds))


@dataclass(frozen=True)
class PublishedWindow:
    """A window as the last publication of the year's schedule left it."""

    year: int
    series: str
    push_month: int
    closes_at: datetime
    in_schedule: bool


@dataclass(frozen=True)
class Reminder:
    """A reminder due at `at`, `remaining_seconds` (one of the configured offsets) before the close."""

    at: datetime
    remaining_seconds: int


def reminder_instants(closes_at: datetime, offsets_seconds: Iterable[int]) -> list[Reminder]:
    """The reminders of a window closing at `closes_at`, earliest first: one per positive offset
    (duplicates dropped)."""
    offsets = sorted({o for o in offsets_seconds if o > 0}, reverse=True)
    return [Reminder(closes_at - timedelta(seconds=o), o) for o in offsets]


def reminders_due(
    closes_at: datetime, offsets_seconds: Iterable[int], issued: Iterable[int], now: datetime
) -> list[Reminder]:
    """The reminders whose instant has come and that were not issued, while the window is open.

    Only the latest of them is worth sending (a window published two days before its close has no
    use for the seven-day reminder): callers issue the last of this list and count the others done."""
    if not is_open(closes_at, now):
        return []
    done = set(issued)
    return [r for r in reminder_instants(closes_at, offsets_seconds) if r.at <= now and r.remaining_seconds not in done]


def next_wake(closes_at: datetime, offsets_seconds: Iterable[int], issued: Iterable[int], now: datetime) -> datetime:
    """The next instant the window needs attention: its next reminder not yet issued, else its close."""
    done = set(issued)
    for r in reminder_instants(closes_at, offsets_seconds):
        if r.at > now and r.remaining_seconds not in done:
            return r.at
    return closes_at


@dataclass(frozen=True)
class Unfinished:
    """An application of the window's year and series that is not pushed, and where it is."""

    application_id: str
    status: str
    chain: Sequence[Mapping[str, Any]]
    current_step: str | None


def holder_of(app: Unfinished) -> str | None:
    """The org that holds an unfinished application: the step of the chain it waits at (unit or
    department); the title office once that approved it and has not pushed; the unit when it was
    returned for correction. None for an application that is not unfinished."""
    steps = {s["step"]: str(s["org_id"]) for s in app.chain}
    if app.status in UNDER_REVIEW_STATUSES:
        return steps.get(app.current_step or "")
    if app.status == "office_approved":
        return steps.get("title_office")
    if app.status == "returned":
        return steps.get("unit")
    return None


def office_of(app: Unfinished) -> str | None:
    """The title office that pushes the application (the last step of its chain)."""
    return next((str(s["org_id"]) for s in app.chain if s["step"] == "title_office"), None)


@dataclass(frozen=True)
class Holders:
    """Who holds the unfinished applications of a window: units and departments, and the title offices."""

    by_org: dict[str, int]
    holder_org_ids: list[str]  # units and departments holding some (the offices are listed apart)
    office_org_ids: list[str]  # the title offices that push them (and hold the office-approved ones)
    unfinished_count: int


def holders(apps: Iterable[Unfinished], city_office_id: str | None) -> Holders:
    """Group the unfinished applications by the org holding them (SCHED-1's reminder and its record)."""
    apps = list(apps)
    counted: Counter[str] = Counter()
    offices = {city_office_id} if city_office_id else set()
    chain_offices: set[str] = set()
    for app in apps:
        holder = holder_of(app)
        if holder is None:
            continue
        counted[holder] += 1
        office = office_of(app)
        if office is not None:
            chain_offices.add(office)
    offices |= chain_offices
    return Holders(
        by_org=dict(sorted(counted.items())),
        holder_org_ids=sorted(o for o in counted if o not in offices),
        office_org_ids=sorted(offices),
        unfinished_count=sum(counted.values()),
    )


@dataclass(frozen=True)
class WindowSettings:
    """How this service runs the windows: the reminder offsets, the workflow's recheck period, and the
    compressed window outside production (None: the month's end)."""

    reminder_offsets_seconds: tuple[int, ...] = (7 * 86_400, 3 * 86_400, 86_400)
    recheck_seconds: int = 3600
    compressed_seconds: int | None = None
