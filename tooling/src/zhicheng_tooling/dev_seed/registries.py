"""The development seed's registries: what the city office would import, for development, the demo and tests.

The shapes are real; CN numbers, list memberships, rosters and people are made up — not copied from any
official core list, the Gansu authoritative list, the press administration's list or a filed roster.
Each registry is a list of entries in the shape application-service's registry API returns; the loader
(:mod:`zhicheng_tooling.dev_seed.loader`) imports them as CSV files with the columns' English names.
A production service starts with empty registries.
"""

from __future__ import annotations

import csv
import io
from typing import Any

# People the rosters and the blacklist name (made up, with valid check characters: the import checks them).
NURSE_ID = "620802199003150024"
COUNTY_DOCTOR_ID = "620821198507120018"
COUNTY_OFFICIAL_ID = "620821198811230035"
# Blacklisted for a false expert recommendation in 2021 (POL-ER-3).
BLACKLISTED_ID = "620802198001010015"


def _journal(
    cn_number: str,
    name: str,
    core_years: range | tuple[int, ...] = (),
    *,
    provincial_authoritative: bool = False,
    press_listed: bool = True,
    electronic: bool = False,
) -> dict[str, Any]:
    return {
        "cn_number": cn_number,
        "name": name,
        "core_years": sorted(core_years),
        "provincial_authoritative": provincial_authoritative,
        "press_listed": press_listed,
        "electronic": electronic,
    }


def _requirement(series: str, level: str, years: int) -> dict[str, Any]:
    # The series' own 破格 floor and paper requirement are left to the usual standard (empty cells).
    return {
        "series": series,
        "level": level,
        "min_education": "bachelor",
        "min_years_in_lower_title": years,
        "min_months_at_lower_post": None,
        "paper_required": None,
    }


REGISTRY_ENTRIES: dict[str, list[dict[str, Any]]] = {
    "journals": [
        _journal("CN11-2234/R", "中华护理杂志", range(2000, 2022)),
        _journal("CN11-5555/G4", "中小学教学研究", range(2018, 2022)),  # core from 2018
        _journal("CN62-1026/G4", "甘肃教育", provincial_authoritative=True),  # on the Gansu authoritative list
        _journal("CN62-1105/R", "甘肃医药"),
        _journal("CN62-1058/S", "甘肃农业科技", (2020,), provincial_authoritative=True),
        _journal("CN11-9212/R", "中华临床医师杂志（电子版）", electronic=True),
        _journal("CN62-9001/G4", "陇东教育研究", press_listed=False),
    ],
    "retained_programmes": [
        {"programme": name, "first_year": 2017, "last_year": None}
        for name in (
            "全国五一劳动奖章",
            "全国先进工作者",
            "全国优秀教师",
            "甘肃省劳动模范",
            "甘肃省先进工作者",
            "平凉市劳动模范",
        )
    ],
    "bridged_fields": [
        {"field": f} for f in sorted({"经济", "会计", "统计", "审计", "翻译", "出版", "通信", "计算机技术与软件"})
    ],
    "frontline_rosters": [
        {
            "roster_id": "PL-WJW-2020-001",
            "medical": True,
            "set_by": "city_department",
            "with_employer": True,
            "reviewed_by_city_health": True,
            "filed_with_provincial_health": True,
            "filed_by": "平凉市卫生健康委员会",
            "members": sorted({NURSE_ID, COUNTY_DOCTOR_ID}),
        },
        {
            "roster_id": "KT-2020-07",
            "medical": False,
            "set_by": "county_district",
            "with_employer": True,
            "reviewed_by_city_health": False,
            "filed_with_provincial_health": False,
            "filed_by": "崆峒区人民政府",
            "members": [COUNTY_OFFICIAL_ID],
        },
        # A hospital's own list, never reviewed by the city health commission nor filed with the province.
        {
            "roster_id": "HOSP-2020-INTERNAL",
            "medical": True,
            "set_by": "employer",
            "with_employer": True,
            "reviewed_by_city_health": False,
            "filed_with_provincial_health": False,
            "filed_by": "平凉市某医院",
            "members": [NURSE_ID],
        },
    ],
    "blacklist": [
        {
            "id_card_number": BLACKLISTED_ID,
            "name": "赵某",
            "reason": "专家举荐材料弄虚作假（POL-ER-3）",
            "listed_on": "2021-11-20",
            "expires_on": "2024-11-19",
        }
    ],
    "level_requirements": [
        _requirement("卫生系列", "intermediate", 4),
        _requirement("卫生系列", "deputy_senior", 5),
        _requirement("中小学教师系列", "intermediate", 4),
        _requirement("中小学教师系列", "deputy_senior", 5),
        _requirement("工程系列", "intermediate", 4),
        _requirement("工程系列", "deputy_senior", 5),
        _requirement("工程系列", "senior", 5),
        _requirement("农业系列", "intermediate", 4),
        _requirement("农业系列", "deputy_senior", 5),
    ],
}


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else str(value)


def as_csv(entries: list[dict[str, Any]]) -> bytes:
    """A registry's entries as the CSV file the office would upload: English column names, "是"/"否",
    lists joined by ";"."""
    columns = list(entries[0])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([_cell(entry.get(c)) for c in columns] for entry in entries)
    return out.getvalue().encode("utf-8")
