"""The figures of the 2021 notice (附件3) as parameters with their defaults, as NATIONAL.md does for its rules.

Figures marked "assumed" are not in the notice; the city office should confirm them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .model import DEFAULT_SIMILARITY_RATIO, SimilarityRatio


@dataclass(frozen=True)
class PolicyParameters:
    notice_year: int = 2021  # "今年仍可享受" — the year of the front-line carry-over
    rural_months_intermediate: int = 20 * 12  # "工作20年以上的评聘中级职称"
    rural_months_senior: int = 30 * 12  # "工作30年以上的评聘高级职称" (副高级 and 正高级)
    mismatch_months_in_specialty: int = 3 * 12  # "从事现专业技术工作满3年及以上"
    exceptional_months_at_lower_post: int = 12  # "在低一级岗位聘用满1年以上"
    advanced_worker_months: int = 2 * 12  # 高级工 + 满2年 → junior by the employer's assessment
    technician_months: int = 3 * 12  # 技师 + 满3年 → intermediate
    senior_technician_months: int = 4 * 12  # 高级技师 + 满4年 → deputy-senior
    blind_review_share_numerator: int = 2  # "2/3以上盲审专家同意" (以上 includes 2/3)
    blind_review_share_denominator: int = 3
    authoritative_list_cutoff: date = date(2018, 7, 1)  # "2018年7月1日前" — strictly before
    old_award_rules_last_year: int = 2016  # "2016年底以前"
    # The CNKI ratio POL-PA-4 decides on: the city office's choice for the year (SimilarityRatioChosen).
    similarity_ratio: SimilarityRatio = DEFAULT_SIMILARITY_RATIO
    # 三长两突出 — assumed thresholds; the notice names the criteria but no figures.
    long_grassroots_years: int = 15
    long_tenure_years: int = 10
    long_at_one_post_level_years: int = 10
    near_retirement_years: int = 5


DEFAULT_PARAMETERS = PolicyParameters()
