"""Pure pieces: NAT-5 working days, registry file parsing, POL-ER-3 dates, facts → policy application, bench."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from application_service.domain.facts import default_employer, policy_application
from application_service.domain.policy import evaluate
from application_service.domain.policy.expert import not_on_integrity_blacklist
from application_service.domain.publicity import PUBLICITY_WORKING_DAYS, unit_publicity_complete
from application_service.domain.registry_specs import BLACKLIST, JOURNALS
from zhicheng_kernel.calendar import CHINA_TZ, ChinaCalendar
from zhicheng_kernel.errors import Conflict, InvalidInput
from zhicheng_kernel.identifiers import id_card_is_valid
from zhicheng_tooling.eligibility_bench import eligibility_evaluations_per_second
from zhicheng_tooling.policy_registries import seed_registries


@pytest.mark.parametrize(
    ("starts", "last"),
    [
        (date(2026, 6, 1), date(2026, 6, 5)),  # Monday → Friday
        (date(2026, 6, 6), date(2026, 6, 12)),  # a Saturday start counts from Monday
        (date(2024, 9, 30), date(2024, 10, 11)),  # National Day holiday 1–7 Oct skipped
        (date(2025, 1, 24), date(2025, 2, 6)),  # Spring Festival skipped; Sunday 26 Jan is a working day
    ],
)
def test_nat5_publicity_last_day_follows_the_holiday_notice(starts: date, last: date) -> None:
    assert ChinaCalendar().last_working_day(starts, PUBLICITY_WORKING_DAYS) == last


def test_nat5_unit_approval_refused_until_24_00_of_the_fifth_working_day() -> None:
    calendar = ChinaCalendar()
    with pytest.raises(Conflict) as no_publicity:
        unit_publicity_complete(None, datetime(2024, 10, 12, tzinfo=CHINA_TZ), calendar)
    assert no_publicity.value.code == "publicity_not_started" and no_publicity.value.rule == "NAT-5"
    with pytest.raises(Conflict) as running:
        unit_publicity_complete(date(2024, 9, 30), datetime(2024, 10, 11, 23, 59, 59, tzinfo=CHINA_TZ), calendar)
    assert running.value.code == "publicity_in_progress" and running.value.extra["last_day"] == "2024-10-11"
    assert running.value.rule == "NAT-5"
    unit_publicity_complete(date(2024, 9, 30), datetime(2024, 10, 12, tzinfo=CHINA_TZ), calendar)


def test_pol_er_3_blacklist_entry_in_force_only_between_its_dates() -> None:
    entry = {"listed_on": "2021-11-20", "expires_on": "2024-11-19"}
    with pytest.raises(InvalidInput) as refused:
        not_on_integrity_blacklist(entry, date(2022, 1, 1))
    assert refused.value.code == "research_integrity_blacklisted"
    not_on_integrity_blacklist(entry, date(2024, 11, 20))
    not_on_integrity_blacklist(None, date(2022, 1, 1))


def test_registry_rows_parse_chinese_headings_year_ranges_and_booleans() -> None:
    rows = [
        ["国内统一刊号", "刊名", "核心期刊年份", "省权威期刊"],
        ["cn62-1026/g4", "甘肃教育", "2016-2018；2020", "是"],
    ]
    (entry,) = JOURNALS.parse_rows(rows)
    assert entry == {
        "cn_number": "CN62-1026/G4",
        "name": "甘肃教育",
        "core_years": [2016, 2017, 2018, 2020],
        "provincial_authoritative": True,
        "press_listed": True,
        "electronic": False,
    }
    with pytest.raises(InvalidInput) as dup:
        JOURNALS.parse_rows([*rows, rows[1]])
    assert dup.value.code == "registry_duplicate_entry" and dup.value.extra["row"] == 3


def test_blacklist_rows_need_a_valid_id_card_number() -> None:
    assert id_card_is_valid("620802198001010015") and not id_card_is_valid("620802198001010016")
    with pytest.raises(InvalidInput) as bad:
        BLACKLIST.parse_rows([["id_card_number", "name", "reason", "listed_on"], ["6208", "x", "y", "2021-01-01"]])
    assert (bad.value.extra["row"], bad.value.extra["column"]) == (2, "id_card_number")


def test_submission_facts_reach_the_engine_pol_gr_2_and_pol_en_4() -> None:
    """The stored submission (ApplicationSubmitted + facts) maps onto the engine's model."""
    submitted = {
        "applicant_id": "a",
        "applicant_name": "王五",
        "org_id": "o",
        "year": 2021,
        "series": "卫生系列",
        "specialty": "护理",
        "level": "intermediate",
        "track": "normal",
        "papers": [],
        "facts": {
            "work": {"rural_months": 240, "hard_remote_area": True},
            "off_staff_stated_by_employer": True,
        },
    }
    app = policy_application(
        submitted,
        person_id="620802198001010015",
        employer=default_employer("state_unit", "county", "泾川县人民医院"),
        on_staff=False,
    )
    assert app.applicant.staff_status == "off_staff" and app.applicant.employer.kind == "public_institution"
    report = evaluate(app, seed_registries(), date(2021, 11, 1))
    assert "乡村不受指标限制" in report.annotations
    assert any("编外" in a for a in report.remarks) and not any("编外" in a for a in report.annotations)


def test_bench_hook_measures_eligibility_evaluations() -> None:
    result = eligibility_evaluations_per_second(50)
    assert result["evaluations"] == 50 and result["per_second"] > 0 and result["rules_per_report"] > 20
