"""Realistic applications to start from; each test changes only what it is about."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from application_service.domain.policy import (
    Applicant,
    Application,
    CurrentTitle,
    Education,
    Employer,
    Paper,
    PolicyContext,
    PolicyParameters,
    Similarity,
    Target,
    WorkHistory,
    years,
)
from application_service.domain.policy.parameters import DEFAULT_PARAMETERS
from application_service.domain.schedule import schedule_2021
from zhicheng_tooling.policy_registries import seed_registries

AS_OF = date(2021, 11, 1)
REGISTRIES = seed_registries()
# The notice's own year, whose schedule the city office published as the notice gives it (SCHED-4).
SCHEDULE = schedule_2021(AS_OF.year)

SCHOOL = Employer("public_institution", "静宁县某乡中心小学", grassroots=True)
HOSPITAL = Employer("public_institution", "平凉市人民医院")
INSTITUTE = Employer("public_institution", "平凉市水利水电勘测设计院")
FACTORY = Employer("private_enterprise", "平凉某机械制造有限公司")
SOE = Employer("state_owned_enterprise", "华亭煤业集团有限责任公司")


def teacher(**changes: Any) -> Application:
    """A rural primary-school teacher, bachelor, second-grade teacher (junior) since 2016, going for intermediate."""
    app = Application(
        applicant=Applicant("620823198002020012", "张老师", SCHOOL),
        target=Target("中小学教师系列", "小学语文", "intermediate"),
        education=Education("bachelor"),
        work=WorkHistory(months_in_current_specialty=years(10), months_at_next_lower_post=years(5)),
        current_title=CurrentTitle("junior", date(2016, 9, 1)),
    )
    return replace(app, **changes)


def paper(**changes: Any) -> Paper:
    base = Paper(
        title="农村小学语文阅读教学探究",
        journal="甘肃教育",
        cn_number="CN62-1026/G4",
        claimed_level="provincial",
        published_on=date(2019, 5, 10),
        similarity=Similarity(Decimal("8.2")),
    )
    return replace(base, **changes)


def ctx(app: Application, as_of: date = AS_OF, params: PolicyParameters = DEFAULT_PARAMETERS) -> PolicyContext:
    return PolicyContext(app, REGISTRIES, as_of, params, SCHEDULE)


def with_target(app: Application, **changes: Any) -> Application:
    return replace(app, target=replace(app.target, **changes))


def with_work(app: Application, **changes: Any) -> Application:
    return replace(app, work=replace(app.work, **changes))


def with_applicant(app: Application, **changes: Any) -> Application:
    return replace(app, applicant=replace(app.applicant, **changes))
