"""Bench hook (pure, in-process): how many eligibility reports the policy engine produces per second."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from application_service.domain.policy import (
    Applicant,
    Application,
    Award,
    CurrentTitle,
    Education,
    Employer,
    FrontLine,
    Paper,
    Target,
    WorkHistory,
    evaluate,
)

from zhicheng_tooling.dev_seed.registries import NURSE_ID
from zhicheng_tooling.policy_registries import seed_registries

AS_OF = date(2021, 11, 1)


def representative_application() -> Application:
    """A county nurse with two papers, an award, a front-line roster entry and rural service."""
    return Application(
        applicant=Applicant(NURSE_ID, "王护士", Employer("public_institution", "泾川县人民医院", grassroots=True)),
        target=Target("卫生系列", "护理", "deputy_senior"),
        education=Education("bachelor"),
        work=WorkHistory(months_in_current_specialty=15 * 12, rural_months=12 * 12, hard_remote_area=True),
        current_title=CurrentTitle("intermediate", date(2014, 9, 1)),
        front_line=FrontLine("PL-WJW-2020-001", missed_2020_promotion=True, epidemic_results=("case_records",)),
        papers=(
            Paper("重症护理质量研究", "中华护理杂志", "CN11-2234/R", "core", date(2019, 5, 1)),
            Paper("乡镇卫生院护理管理", "甘肃医药", "CN62-1105/R", "provincial", date(2020, 3, 1)),
        ),
        awards=(Award("先进个人", 2019, "平凉市劳动模范", "commendation", "city"),),
    )


def eligibility_evaluations_per_second(n: int = 20000) -> dict[str, Any]:
    """Evaluate the same representative application n times against the development seed's registries."""
    if n < 1:
        raise ValueError("n must be positive")
    application = representative_application()
    registries = seed_registries()
    report = evaluate(application, registries, AS_OF)  # warm-up, and the shape of what is measured
    started = time.perf_counter()
    for _ in range(n):
        evaluate(application, registries, AS_OF)
    elapsed = time.perf_counter() - started
    return {
        "name": "eligibility_evaluations_per_second",
        "evaluations": n,
        "seconds": round(elapsed, 4),
        "per_second": round(n / elapsed, 1) if elapsed > 0 else None,
        "rules_per_report": len(report.outcomes),
        "eligible": report.eligible,
    }
