"""The rules this service enforces today, one function per rule, each naming its ID."""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.errors import Conflict, InvalidInput

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


def push_deadline(year: int, month: int) -> datetime:
    """SCHED-1: the last instant a push of this month is accepted — the month's end in Asia/Shanghai."""
    last_day = calendar.monthrange(year, month)[1]
    return datetime.combine(date(year, month, last_day), time.max, tzinfo=CHINA_TZ)


def push_window_open(entry: SeriesSchedule, year: int, now: datetime) -> None:
    """SCHED-1: a series is pushed by the end of its push month (Asia/Shanghai) of the application
    year; earlier is allowed, later is refused ("可适当提前推送，但不得延后")."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    deadline = push_deadline(year, entry.push_month)
    if now > deadline:
        raise InvalidInput(
            "push_window_closed",
            f"{entry.series}应于{year}年{entry.push_month}月底前推送，现已逾期，不得延后推送。",
            field="series",
            rule="SCHED-1",
            extra={"deadline": deadline.isoformat()},
        )


def published_not_in_future(published_on: date, today: date, field: str) -> None:
    """A paper cannot have been published after today (Asia/Shanghai)."""
    if published_on > today:
        raise InvalidInput("published_in_future", "论文发表日期不能晚于今天。", field=field)


# -- NAT-7: the review chain ------------------------------------------------------------------------


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


# -- POL-PA-4: the plagiarism gate ------------------------------------------------------------------


def plagiarism_gate(paper_ids: Sequence[str], checks: Mapping[str, Mapping[str, object]]) -> None:
    """POL-PA-4: papers are checked for plagiarism during review; the title office approves only when
    every paper has a recorded check and none failed (max 15% core, 25% provincial, decided by
    plagiarism-service)."""
    pending = [p for p in paper_ids if p not in checks]
    if pending:
        raise Conflict(
            "plagiarism_checks_pending",
            f"尚有 {len(pending)} 篇论文的查重结果未返回，暂不能由职改办审核通过。",
            rule="POL-PA-4",
            extra={"paper_ids": pending},
        )
    rejected = [p for p in paper_ids if checks[p].get("decision") == "rejected"]
    if rejected:
        raise InvalidInput(
            "plagiarism_check_rejected",
            "有论文未能自动查重（内容无法比对），须由用人单位联系查重并上传盖章的查重报告。",
            rule="POL-PA-4",
            extra={"paper_ids": rejected, "reasons": [checks[p].get("reason") for p in rejected]},
        )
    failed = [p for p in paper_ids if checks[p].get("decision") != "pass"]
    if failed:
        raise InvalidInput(
            "plagiarism_check_failed",
            "有论文查重未通过（核心期刊复制比不得超过15%，省级期刊不得超过25%），不能审核通过。",
            rule="POL-PA-4",
            extra={"paper_ids": failed},
        )


# -- POL-ER-3: the research-integrity blacklist -------------------------------------------------------


def not_on_integrity_blacklist(entry: Mapping[str, object] | None, today: date) -> None:
    """POL-ER-3: a person on the research-integrity blacklist (false recommendation, fabrication,
    plagiarism) has no eligibility: the submission is refused while the listing is in force."""
    if entry is None:
        return
    listed = date.fromisoformat(str(entry["listed_on"]))
    expires = date.fromisoformat(str(entry["expires_on"])) if entry.get("expires_on") else None
    if listed <= today and (expires is None or today <= expires):
        raise InvalidInput(
            "research_integrity_blacklisted",
            "申报人已被列入科研诚信黑名单，本年度不具备申报资格（POL-ER-3）。",
            rule="POL-ER-3",
            extra={"listed_on": listed.isoformat(), "expires_on": expires.isoformat() if expires else None},
        )


def not_in_future(day: date, today: date, field: str) -> None:
    """Dates of titles, certificates and qualifications cannot lie after today (Asia/Shanghai)."""
    if day > today:
        raise InvalidInput("date_in_future", "日期不能晚于今天。", field=field)
