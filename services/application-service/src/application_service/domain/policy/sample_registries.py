"""Small sample reference data for tests and demos.

The shapes are real; CN numbers, list memberships and rosters are illustrative — not copied from any
official core list, the Gansu authoritative list, the press administration's list or a filed roster.
"""

from __future__ import annotations

from .registries import FrontLineRoster, InMemoryRegistries, JournalRecord, LevelRequirement

# Person ids the sample rosters list.
NURSE_ID = "620802199003150021"
COUNTY_DOCTOR_ID = "620821198507120017"
COUNTY_OFFICIAL_ID = "620821198811230035"

BRIDGED_FIELDS = frozenset({"经济", "会计", "统计", "审计", "翻译", "出版", "通信", "计算机技术与软件"})

JOURNALS = (
    JournalRecord("CN11-2234/R", "中华护理杂志", core_years=frozenset(range(2000, 2022))),
    JournalRecord("CN11-5555/G4", "中小学教学研究", core_years=frozenset(range(2018, 2022))),  # core from 2018
    JournalRecord("CN62-1026/G4", "甘肃教育", provincial_authoritative=True),  # Gansu authoritative list
    JournalRecord("CN62-1105/R", "甘肃医药"),
    JournalRecord("CN62-1058/S", "甘肃农业科技", provincial_authoritative=True, core_years=frozenset({2020})),
    JournalRecord("CN11-9212/R", "中华临床医师杂志（电子版）", electronic=True),
    JournalRecord("CN62-9001/G4", "陇东教育研究", press_listed=False),
)

RETAINED_PROGRAMMES: dict[str, tuple[int, int | None]] = {
    "全国五一劳动奖章": (2017, None),
    "全国先进工作者": (2017, None),
    "全国优秀教师": (2017, None),
    "甘肃省劳动模范": (2017, None),
    "甘肃省先进工作者": (2017, None),
    "平凉市劳动模范": (2017, None),
}

ROSTERS = (
    FrontLineRoster(
        "PL-WJW-2020-001",
        medical=True,
        set_by="city_department",
        reviewed_by_city_health=True,
        filed_with_provincial_health=True,
        members=frozenset({NURSE_ID, COUNTY_DOCTOR_ID}),
    ),
    FrontLineRoster(
        "KT-2020-07",
        medical=False,
        set_by="county_district",
        with_employer=True,
        members=frozenset({COUNTY_OFFICIAL_ID}),
    ),
    # A hospital's own list, never reviewed by the city health commission nor filed with the province.
    FrontLineRoster("HOSP-2020-INTERNAL", medical=True, set_by="employer", members=frozenset({NURSE_ID})),
)

REQUIREMENTS = (
    LevelRequirement("卫生系列", "intermediate", "bachelor", 4),
    LevelRequirement("卫生系列", "deputy_senior", "bachelor", 5),
    LevelRequirement("中小学教师系列", "intermediate", "bachelor", 4),
    LevelRequirement("中小学教师系列", "deputy_senior", "bachelor", 5),
    LevelRequirement("工程系列", "intermediate", "bachelor", 4),
    LevelRequirement("工程系列", "deputy_senior", "bachelor", 5),
    LevelRequirement("工程系列", "senior", "bachelor", 5),
    LevelRequirement("农业系列", "intermediate", "bachelor", 4),
    LevelRequirement("农业系列", "deputy_senior", "bachelor", 5),
)


def sample_registries() -> InMemoryRegistries:
    return InMemoryRegistries(
        journals={j.cn_number: j for j in JOURNALS},
        retained_programmes=dict(RETAINED_PROGRAMMES),
        bridged=BRIDGED_FIELDS,
        rosters={r.roster_id: r for r in ROSTERS},
        requirements={(r.series, r.level): r for r in REQUIREMENTS},
    )
