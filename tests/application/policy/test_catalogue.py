"""The rule catalogue: grep goes from each rule ID to one rule and to the tests that prove it."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from application_service.domain.policy import ALL_RULES
from application_service.domain.policy.outcome import RULE_ID, policy_rule
from application_service.domain.policy.text import add_months, full_months_between, months_zh

IN_SCOPE = {
    "SCHED-2",
    *(f"POL-FL-{n}" for n in (1, 2, 3)),
    *(f"POL-GR-{n}" for n in (1, 2, 3, 4)),
    *(f"POL-SK-{n}" for n in (1, 2, 3)),
    *(f"POL-EN-{n}" for n in (1, 2, 3, 4)),
    "POL-EX-1",
    *(f"POL-ER-{n}" for n in (1, 2, 3)),
    *(f"POL-PA-{n}" for n in (1, 2, 3, 4)),
    "POL-AW-1",
}


def test_every_in_scope_rule_is_one_named_rule() -> None:
    ids = [rule.rule_id for rule in ALL_RULES]
    assert sorted(ids) == sorted(IN_SCOPE) and len(ids) == len(set(ids))


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.rule_id)
def test_each_rule_docstring_names_its_id_exactly_once(rule: object) -> None:
    assert RULE_ID.findall(rule.__doc__ or "") == [rule.rule_id]  # type: ignore[attr-defined]


def test_a_docstring_naming_another_rule_is_refused_at_import() -> None:
    def wrong() -> None:
        """POL-PA-1 and POL-PA-2."""

    with pytest.raises(ValueError):
        policy_rule("POL-PA-1")(wrong)


def test_every_rule_id_is_named_by_a_test_name_or_docstring() -> None:
    named: set[str] = set()
    for path in Path(__file__).parent.glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.Module):
                texts = [getattr(node, "name", ""), ast.get_docstring(node) or ""]
                for text in texts:
                    named |= set(RULE_ID.findall(text.replace("_", "-")))
    assert IN_SCOPE <= named, sorted(IN_SCOPE - named)


def test_months_are_written_the_chinese_way() -> None:
    assert [months_zh(m) for m in (35, 24, 11, 0)] == ["2年11个月", "2年", "11个月", "0个月"]


def test_full_months_count_whole_months_and_clamp_to_month_end() -> None:
    assert full_months_between(date(2018, 1, 1), date(2021, 11, 1)) == 46
    assert full_months_between(date(2018, 1, 2), date(2021, 11, 1)) == 45
    assert full_months_between(date(2021, 1, 31), date(2021, 2, 28)) == 1
    assert full_months_between(date(2021, 3, 1), date(2021, 2, 28)) == 0
    assert add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
