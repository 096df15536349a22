"""The registries' first contents (seeded at the first start, only when a registry is empty).

Illustrative like policy/sample_registries.py: real shapes, made-up CN numbers, rosters and people.
"""

from __future__ import annotations

from typing import Any

from .policy import sample_registries as sample
from .schedule import SCHEDULE_2021

# A made-up person (valid check digit) blacklisted for a false expert recommendation in 2021.
BLACKLISTED_ID = "620802198001010015"

ROSTER_FILED_BY = {
    "PL-WJW-2020-001": "平凉市卫生健康委员会",
    "KT-2020-07": "崆峒区人民政府",
    "HOSP-2020-INTERNAL": "平凉市某医院",
}


def sample_entries() -> dict[str, list[dict[str, Any]]]:
    return {
        "journals": [
            {
                "cn_number": j.cn_number,
                "name": j.name,
                "core_years": sorted(j.core_years),
                "provincial_authoritative": j.provincial_authoritative,
                "press_listed": j.press_listed,
                "electronic": j.electronic,
            }
            for j in sample.JOURNALS
        ],
        "retained_programmes": [
            {"programme": name, "first_year": first, "last_year": last}
            for name, (first, last) in sample.RETAINED_PROGRAMMES.items()
        ],
        "bridged_fields": [{"field": f} for f in sorted(sample.BRIDGED_FIELDS)],
        "frontline_rosters": [
            {
                "roster_id": r.roster_id,
                "medical": r.medical,
                "set_by": r.set_by,
                "with_employer": r.with_employer,
                "reviewed_by_city_health": r.reviewed_by_city_health,
                "filed_with_provincial_health": r.filed_with_provincial_health,
                "filed_by": ROSTER_FILED_BY.get(r.roster_id, ""),
                "members": sorted(r.members),
            }
            for r in sample.ROSTERS
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
            {
                "series": r.series,
                "level": r.level,
                "min_education": r.min_education,
                "min_years_in_lower_title": r.min_years_in_lower_title,
            }
            for r in sample.REQUIREMENTS
        ],
    }


def schedule_2021() -> list[dict[str, Any]]:
    return [
        {"series": e.series, "push_month": e.push_month, "grassroots": e.grassroots} for e in SCHEDULE_2021.values()
    ]
