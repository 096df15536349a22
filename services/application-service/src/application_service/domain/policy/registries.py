"""Reference data the rules look up, behind one protocol; the real registries are built elsewhere."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from .model import EducationLevel, Level

RosterAuthority = Literal["county_district", "city_department", "employer", "other"]

_CN = re.compile(r"^CN(\d{2})-(\d{4})(?:/([A-Z][A-Z0-9]{0,3}))?$")


def normalise_cn(raw: str | None) -> str | None:
    """ "cn 62-1014/r" → "CN62-1014/R"; None when it is not a CN number (国内统一连续出版物号)."""
    if raw is None:
        return None
    folded = re.sub(r"\s+", "", raw.replace("－", "-").replace("／", "/")).upper()
    if not folded.startswith("CN"):
        folded = "CN" + folded
    return folded if _CN.match(folded) else None


@dataclass(frozen=True)
class JournalRecord:
    cn_number: str
    name: str
    core_years: frozenset[int] = frozenset()  # years in which the journal was a domestic core journal
    provincial_authoritative: bool = False  # on the Gansu authoritative list (counts before 2018-07-01)
    press_listed: bool = True  # listed by the national press and publication administration
    electronic: bool = False


@dataclass(frozen=True)
class FrontLineRoster:
    roster_id: str
    medical: bool
    set_by: RosterAuthority
    with_employer: bool = True
    reviewed_by_city_health: bool = False
    filed_with_provincial_health: bool = False
    members: frozenset[str] = frozenset()  # person ids


@dataclass(frozen=True)
class LevelRequirement:
    """A series' ordinary conditions for a level (各系列条件标准), as far as the POL rules need them.

    `min_months_at_lower_post`: the series' own minimum employment at the next-lower post for 破格
    (POL-EX-1 "具体按各系列条件标准要求执行"); None = the notice's 1 year.
    `paper_required`: whether the level asks for a paper; None = the usual standard, a paper for
    deputy-senior and senior titles and none below.
    """

    series: str
    level: Level
    min_education: EducationLevel
    min_years_in_lower_title: int
    min_months_at_lower_post: int | None = None
    paper_required: bool | None = None

    def __post_init__(self) -> None:
        if self.min_months_at_lower_post is not None and self.min_months_at_lower_post < 0:
            raise ValueError("min_months_at_lower_post must not be negative")

    @property
    def requires_paper(self) -> bool:
        if self.paper_required is not None:
            return self.paper_required
        return self.level in ("deputy_senior", "senior")


class Registries(Protocol):
    def journal(self, cn_number: str) -> JournalRecord | None: ...

    def is_retained_programme(self, programme: str, year: int) -> bool: ...

    def bridged_fields(self) -> frozenset[str]: ...

    def frontline_roster(self, roster_id: str) -> FrontLineRoster | None: ...

    def level_requirement(self, series: str, level: Level) -> LevelRequirement | None: ...


@dataclass(frozen=True)
class InMemoryRegistries:
    """Registries held in memory (tests, and a cache the real registries can fill)."""

    journals: Mapping[str, JournalRecord] = field(default_factory=dict)
    retained_programmes: Mapping[str, tuple[int, int | None]] = field(default_factory=dict)  # name → years
    bridged: frozenset[str] = frozenset()
    rosters: Mapping[str, FrontLineRoster] = field(default_factory=dict)
    requirements: Mapping[tuple[str, Level], LevelRequirement] = field(default_factory=dict)

    def journal(self, cn_number: str) -> JournalRecord | None:
        key = normalise_cn(cn_number)
        return self.journals.get(key) if key else None

    def is_retained_programme(self, programme: str, year: int) -> bool:
        span = self.retained_programmes.get(programme.strip())
        if span is None:
            return False
        first, last = span
        return first <= year and (last is None or year <= last)

    def bridged_fields(self) -> frozenset[str]:
        return self.bridged

    def frontline_roster(self, roster_id: str) -> FrontLineRoster | None:
        return self.rosters.get(roster_id)

    def level_requirement(self, series: str, level: Level) -> LevelRequirement | None:
        return self.requirements.get((series, level))
