"""The rule catalogue lives in the repository (docs/rules): every rule ID the code names is in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULE_ID = re.compile(r"\b(?:ORG|SCHED|NAT|POL-[A-Z]+)-\d+\b")
CODE_DIRS = ("services", "workflows", "libs")


def _catalogue() -> set[str]:
    return {m for f in (ROOT / "docs" / "rules").glob("*.md") for m in RULE_ID.findall(f.read_text(encoding="utf-8"))}


def _named_in_code() -> dict[str, str]:
    named: dict[str, str] = {}
    for top in CODE_DIRS:
        for path in (ROOT / top).rglob("*.py"):
            if ".venv" in path.parts:
                continue
            for rule in RULE_ID.findall(path.read_text(encoding="utf-8")):
                named.setdefault(rule, str(path.relative_to(ROOT)))
    return named


def test_every_rule_named_in_code_is_in_the_catalogue() -> None:
    catalogue = _catalogue()
    assert {"ORG-1", "SCHED-1", "NAT-5", "POL-PA-4"} <= catalogue
    unknown = {rule: where for rule, where in _named_in_code().items() if rule not in catalogue}
    assert unknown == {}


def test_the_notice_the_rules_come_from_is_in_the_repository() -> None:
    notice = (ROOT / "docs" / "notice" / "2021-notice-attachments.zh.txt").read_text(encoding="utf-8")
    assert "创建组织机构一律使用单位全称" in notice
