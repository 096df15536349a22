"""The annual push schedule (SCHED-1, SCHED-2, SCHED-4) as data.

SCHED-4: the schedule is per year; 2021 is the seeded default and applies to any year for which the
city office has not published another one. A published schedule has the same shape as this one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

GRASSROOTS_MARK = "(含基层有效)"


@dataclass(frozen=True)
class SeriesSchedule:
    series: str
    push_month: int  # SCHED-1: pushed by the end of this month of the application year
    grassroots: bool  # SCHED-2: the series also has a grassroots track


def _entries(month: int, names: str) -> dict[str, SeriesSchedule]:
    out: dict[str, SeriesSchedule] = {}
    for raw in names.split("、"):
        grassroots = GRASSROOTS_MARK in raw
        name = raw.replace(GRASSROOTS_MARK, "").strip()
        out[name] = SeriesSchedule(name, month, grassroots)
    return out


# 附件1 of the 2021 notice, verbatim series names.
SCHEDULE_2021: Mapping[str, SeriesSchedule] = {
    **_entries(
        10,
        "人力资源培训专业(含基层有效)、质量监督工程专业、食药工程专业、林业(农口)工程专业(含基层有效)、"
        "档案系列、经济系列、会计系列、文博系列、艺术系列、图书资料系列、体育教练员系列、广播电视播音系列、"
        "新闻系列、出版系列",
    ),
    **_entries(
        11,
        "农业系列(含基层有效)、农村实用技术人才专业、交通运输专业(含基层有效)、自然科学研究专业、实验技术专业、"
        "地质勘查测绘采矿土地工程专业、生态环境保护专业(含基层有效)、水利工程专业(含基层有效)、工程系列、建设工程专业",
    ),
    **_entries(12, "中小学教师系列(含基层有效)、中专教师系列、卫生系列(含基层有效)、药学专业、技工院校教师系列"),
}


def normalise_series(name: str) -> str:
    """Full-width brackets and spaces folded; the "(含基层有效)" mark dropped (it is a flag, not a name)."""
    folded = name.replace("（", "(").replace("）", ")").replace("\u3000", " ")
    folded = re.sub(r"\s+", "", folded)
    return folded.replace(GRASSROOTS_MARK, "")


class Schedule:
    """One year's schedule: series name → push month and grassroots flag."""

    def __init__(self, year: int, entries: Mapping[str, SeriesSchedule]) -> None:
        self.year = year
        self._entries = dict(entries)

    def lookup(self, series: str) -> SeriesSchedule | None:
        return self._entries.get(normalise_series(series))

    def entries(self) -> list[SeriesSchedule]:
        return list(self._entries.values())


def schedule_2021(year: int) -> Schedule:
    """The notice's 2021 months as `year`'s schedule: what the city office may start a new year's schedule
    from. It applies to a year only once published (SCHED-4: no silent fallback)."""
    return Schedule(year, SCHEDULE_2021)
