"""The figures of the 2021 notice (附件3) as parameters with their defaults, as NATIONAL.md does for its rules.

Fields documented as "office setting, not policy" are not in the notice: None means not assessed.
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
    exceptional_months_at_lower_post: int = 12  # "在低一级岗位聘用满1年以上", where the series states none
    advanced_worker_months: int = 2 * 12  # 高级工 + 满2年 → junior by the employer's assessment
    technician_months: int = 3 * 12  # 技师 + 满3年 → intermediate
    senior_technician_months: int = 4 * 12  # 高级技师 + 满4年 → deputy-senior
    blind_review_share_numerator: int = 2  # "2/3以上盲审专家同意" (以上 includes 2/3)
    blind_review_share_denominator: int = 3
    authoritative_list_cutoff: date = date(2018, 7, 1)  # "2018年7月1日前" — strictly before
    old_award_rules_last_year: int = 2016  # "2016年底以前"
    # The CNKI ratio POL-PA-4 decides on: the city office's choice for the year (SimilarityRatioChosen).
    similarity_ratio: SimilarityRatio = DEFAULT_SIMILARITY_RATIO
    # 三长两突出 (POL-GR-3): the notice names the criteria but gives no figures. These are the office's
    # settings, NOT policy; None (the default) = not assessed.
    long_grassroots_years: int | None = None  # office setting, not policy: 基层工作时间长 from N years
    long_tenure_years: int | None = None  # office setting, not policy: 任职时间长 from N years
    long_at_one_post_level_years: int | None = None  # office setting, not policy: 任一级岗位时间长 from N years
    near_retirement_years: int | None = None  # office setting, not policy: 临近退休 within N years


DEFAULT_PARAMETERS = PolicyParameters()
