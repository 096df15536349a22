"""The rules this service enforces today, one function per rule, each naming its ID."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.errors import Forbidden, InvalidInput

from .push_window import is_open, window_closes_at
from .schedule import Schedule, SeriesSchedule

# -- SCHED ---------------------------------------------------------------------------------------


def series_in_schedule(schedule: Schedule, series: str) -> SeriesSchedule:
    """SCHED-1/SCHED-4: only series of the year's schedule can be applied for (and pushed)."""
    entry = schedule.lookup(series)
    if entry is None:
        raise InvalidInput(
            "unknown_series",
            f"“{series}”不在{schedule.year}年度职称申报推送时间安排的系列（专业）中。",
            field="series",
            rule="SCHED-4",
        )
    return entry


def grassroots_track_allowed(entry: SeriesSchedule, track: str) -> None:
    """SCHED-2: only series marked "(含基层有效)" accept applications on the grassroots track."""
    if track == "grassroots" and not entry.grassroots:
        raise InvalidInput(
            "grassroots_track_not_offered",
            f"“{entry.series}”不是“含基层有效”的系列（专业），不能按基层职称申报。",
            field="track",
            rule="SCHED-2",
        )


def push_window_open(entry: SeriesSchedule, year: int, now: datetime) -> None:
    """SCHED-1: a series is pushed by the end of its push month (Asia/Shanghai) of the application
    year; earlier is allowed, later is refused ("可适当提前推送，但不得延后"). When the window closes is
    `push_window.window_closes_at`'s to say."""
    closes_at = window_closes_at(year, entry.push_month)
    if not is_open(closes_at, now):
        raise InvalidInput(
            "push_window_closed",
            f"{entry.series}应于{year}年{entry.push_month}月底前推送，现已逾期，不得延后推送。",
            field="series",
            rule="SCHED-1",
            extra={"deadline": closes_at.isoformat()},
        )


def pushing_org(org: OrgNode | None) -> OrgNode:
    """SCHED-1, who pushes: "各县（市、区）、市直有关部门可适当提前推送" (附件1, 注2). Our reading: the
    county (市、区) title offices and the city-level government departments (市直有关部门, e.g. the city
    education bureau) push the applications of their own subtree; the city title office, which receives
    and oversees every push, pushes too (it held this power before, and its subtree is the whole city).
    A county-level department, a unit or anyone else does not push: its county office does."""
    if org is not None and (
        org.kind == "title_office" or (org.kind == "government_department" and org.level == "city")
    ):
        return org
    raise Forbidden(
        "not_a_pusher",
        "只有各县（市、区）职改办和市直有关部门可以向评委会推送申报。",
        field="org_id",
        rule="SCHED-1",
    )


def review_year_of_push(now: datetime) -> int:
    """SCHED-1: the review year of a push is the year it is made in (Asia/Shanghai) — every series'
    push month falls in its own year, and "an application belongs to the review year it is pushed in"."""
    return china_today(now).year


def push_in_review_year(year: int, now: datetime) -> None:
    """SCHED-1: a batch pushes applications of the review year of the push, and of no other: a late
    October application relabelled next year cannot be pushed in November (its "next year" deadline
    would otherwise let it through "可适当提前推送，但不得延后")."""
    review_year = review_year_of_push(now)
    if year != review_year:
        raise InvalidInput(
            "push_not_of_review_year",
            f"现在推送的是{review_year}年度的申报，不能推送{year}年度的申报。",
            field="year",
            rule="SCHED-1",
            extra={"review_year": review_year},
        )


def application_of_push_year(application_year: int, push_year: int, application_id: str) -> None:
    """SCHED-1: every application of a batch is of the batch's (the review) year."""
    if application_year != push_year:
        raise InvalidInput(
            "push_not_of_review_year",
            f"该申报为{application_year}年度的申报，不能在{push_year}年度推送。",
            field="application_ids",
            rule="SCHED-1",
            extra={"application_id": application_id, "review_year": push_year},
        )


def published_not_in_future(published_on: date, today: date, field: str) -> None:
    """A paper cannot have been published after today (Asia/Shanghai)."""
    if published_on > today:
        raise InvalidInput("published_in_future", "论文发表日期不能晚于今天。", field=field)


# -- NAT-7: the review chain ------------------------------------------------------------------------


STEP_NAMES_ZH: dict[str, str] = {"unit": "单位", "department": "主管部门", "title_office": "职改办"}


@dataclass(frozen=True)
class OrgNode:
    org_id: str
    kind: str
    path: str
    level: str = ""
    division_code: str = ""


@dataclass(frozen=True)
class ChainStep:
    step: str  # unit / department / title_office
    org_id: str
    org_path: str

    def as_payload(self) -> dict[str, str]:
        return {"step": self.step, "org_id": self.org_id, "org_path": self.org_path}


def ancestors_nearest_first(unit: OrgNode, orgs: Mapping[str, OrgNode]) -> list[OrgNode]:
    ids = [p for p in unit.path.strip("/").split("/") if p]
    above = [i for i in ids if i != unit.org_id]
    return [orgs[i] for i in reversed(above) if i in orgs]


def review_chain(unit: OrgNode, orgs: Mapping[str, OrgNode]) -> list[ChainStep]:
    """NAT-7: applications go up one level at a time — employer (unit) → competent department →
    title office. The department is the nearest ancestor of kind government_department and may be
    absent (the step is then skipped); the title office is the nearest ancestor of kind title_office
    and is required."""
    above = ancestors_nearest_first(unit, orgs)
    chain = [ChainStep("unit", unit.org_id, unit.path)]
    department = next((o for o in above if o.kind == "government_department"), None)
    if department is not None:
        chain.append(ChainStep("department", department.org_id, department.path))
    office = next((o for o in above if o.kind == "title_office"), None)
    if office is None:
        raise InvalidInput(
            "no_title_office",
            "未找到申报单位上级的职称改革办公室，无法确定审核流程，请联系上级主管部门。",
            field="org_id",
            rule="NAT-7",
        )
    chain.append(ChainStep("title_office", office.org_id, office.path))
    return chain


def county_code(unit: OrgNode, orgs: Mapping[str, OrgNode]) -> str:
    """The division code of the county the unit belongs to (the unit's own code for city units)."""
    for node in [unit, *ancestors_nearest_first(unit, orgs)]:
        if node.level == "county" and node.division_code:
            return node.division_code
    return unit.division_code


def not_in_future(day: date, today: date, field: str) -> None:
    """Dates of titles, certificates and qualifications cannot lie after today (Asia/Shanghai)."""
    if day > today:
        raise InvalidInput("date_in_future", "日期不能晚于今天。", field=field)
