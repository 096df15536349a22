"""Figures per section (as CNKI reports them) and long checks answered with 202."""

from __future__ import annotations

import time

import pytest
from plagiarism_service.domain.sections import section_figures, split_sections
from plagiarism_service.seed_corpus import DEMO_SOURCE_TEXT

from tests.api_client import Api
from tests.harness import Stack
from tests.plagiarism.test_service_api import OWN_PROSE, submit

PAPER = (
    "摘要\n本文讨论乡村中学的数学教学。\n"
    "一、问题的提出\n" + OWN_PROSE[:120] + "\n"
    "二、教学实践\n" + DEMO_SOURCE_TEXT[31:80] + OWN_PROSE[120:200] + "\n"
    "参考文献\n[1] 王某. 数学教学研究[J]. 甘肃教育, 2019.\n"
)


def test_a_paper_is_split_at_its_headings() -> None:
    titles = [s.title for s in split_sections(PAPER)]
    assert titles == ["摘要", "一、问题的提出", "二、教学实践", "参考文献"]


def test_section_figures_put_the_copy_in_its_section_and_leave_references_out() -> None:
    start = PAPER.index(DEMO_SOURCE_TEXT[31:80])
    passages = [{"start": start, "end": start + 49, "quoted": False, "own": False}]
    by_title = {s["title"]: s for s in section_figures(PAPER, passages)}
    assert by_title["一、问题的提出"]["total_copy_ratio"] == 0.0
    practice = by_title["二、教学实践"]
    assert 0.3 < practice["total_copy_ratio"] == practice["copy_ratio_excluding_own"] < 0.6
    assert by_title["参考文献"]["counted"] is False


def test_a_quoted_copy_counts_in_the_total_but_not_in_the_ratio_excluding_quotes_and_own() -> None:
    start = PAPER.index(DEMO_SOURCE_TEXT[31:80])
    passages = [{"start": start, "end": start + 49, "quoted": True, "own": False}]
    practice = next(s for s in section_figures(PAPER, passages) if s["title"] == "二、教学实践")
    assert practice["total_copy_ratio"] > 0 and practice["copy_ratio_excluding_own"] == 0.0


@pytest.mark.stack
def test_the_check_reports_its_sections(stack: Stack) -> None:
    api = Api(stack)
    r = submit(api, api.operator_token(), text=PAPER)
    assert r.status_code == 201, r.text
    sections = {s["title"]: s for s in r.json()["sections"]}
    assert sections["二、教学实践"]["total_copy_ratio"] > 0
    assert sections["一、问题的提出"]["total_copy_ratio"] == 0


@pytest.mark.stack
def test_a_long_check_is_answered_202_and_completes_later(stack: Stack) -> None:
    api = Api(stack)
    token = api.operator_token()
    # One copied passage in ≈ 120,000 characters (a passage repeated in the query is not a seed).
    long_text = DEMO_SOURCE_TEXT[31:80] + OWN_PROSE * (120_000 // len(OWN_PROSE) + 1)
    r = submit(api, token, text=long_text)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "running"
    location = r.headers["location"]
    assert location == f"/api/v1/checks/{r.json()['id']}"
    deadline = time.monotonic() + 60
    while (done := api.get("plagiarism-service", location, token).json())["status"] == "running":
        assert time.monotonic() < deadline, "the long check never completed"
        time.sleep(0.3)
    assert done["status"] == "completed"
    assert done["total_copy_ratio"] > 0 and done["passages"]
