"""Figures per section (as CNKI reports them) and long checks answered with 202."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

import httpx
import pytest
from plagiarism_service.domain.sections import section_figures, split_sections
from zhicheng_tooling.dev_seed.corpus import DEMO_SOURCE_TEXT

from tests.api_client import Api

Submit = Callable[..., httpx.Response]  # the conftest's submit

# The applicant's own prose (matches nothing in the seed corpus).
OWN_PROSE = (
    "笔者在庄浪县一所乡镇中学担任数学教师多年，近年来尝试改进课堂教学方式。"
    "围绕这一观点，我们在七年级的有理数单元中设计了由浅入深的问题序列，鼓励学生先独立思考再小组交流，"
    "教师只在关键处点拨。课后通过学生日志和作业分析了解学习效果，发现多数学生能够用自己的语言解释运算法则，"
    "对负数的意义理解更加深入。但是也有少数学生在小组中依赖同伴，参与不够主动，需要教师在分组时兼顾能力差异。"
    "此外，问题设计要贴近农村学生熟悉的生活场景，例如赶集买卖、测量田地和记录气温等，使数学知识与日常经验相联系。"
    "学校应为教师提供集体备课的时间，让同学科教师共同研讨问题设计的得失，逐步形成校本化的教学资源。"
)

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


def test_a_quoted_copy_counts_in_the_total_and_excluding_own_but_not_excluding_quotes() -> None:
    start = PAPER.index(DEMO_SOURCE_TEXT[31:80])
    passages = [{"start": start, "end": start + 49, "quoted": True, "own": False}]
    practice = next(s for s in section_figures(PAPER, passages) if s["title"] == "二、教学实践")
    assert practice["total_copy_ratio"] == practice["copy_ratio_excluding_own"] > 0
    assert practice["copy_ratio_excluding_quotes"] == 0.0


def test_an_own_copy_counts_in_the_total_and_excluding_quotes_but_not_excluding_own() -> None:
    start = PAPER.index(DEMO_SOURCE_TEXT[31:80])
    passages = [{"start": start, "end": start + 49, "quoted": False, "own": True}]
    practice = next(s for s in section_figures(PAPER, passages) if s["title"] == "二、教学实践")
    assert practice["total_copy_ratio"] == practice["copy_ratio_excluding_quotes"] > 0
    assert practice["copy_ratio_excluding_own"] == 0.0


@pytest.mark.stack
def test_the_check_reports_its_sections(api: Api, token: str, submit: Submit) -> None:
    r = submit(api, token, text=PAPER)
    assert r.status_code == 201, r.text
    sections = {s["title"]: s for s in r.json()["sections"]}
    assert sections["二、教学实践"]["total_copy_ratio"] > 0
    assert sections["一、问题的提出"]["total_copy_ratio"] == 0


@pytest.mark.stack
def test_a_long_check_is_answered_202_and_completes_later_once_however_often_it_is_sent(
    api: Api, token: str, submit: Submit
) -> None:
    # One copied passage in ≈ 120,000 characters (a passage repeated in the query is not a seed).
    long_text = DEMO_SOURCE_TEXT[31:80] + OWN_PROSE * (120_000 // len(OWN_PROSE) + 1)
    key = f"long-{secrets.token_hex(8)}"
    r = submit(api, token, idempotency_key=key, text=long_text)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "running"
    location = r.headers["location"]
    assert location == f"/api/v1/checks/{r.json()['id']}"
    retried = submit(api, token, idempotency_key=key, text=long_text)
    assert (retried.status_code, retried.headers["location"]) == (202, location)
    deadline = time.monotonic() + 60
    while (done := api.get("plagiarism-service", location, token).json())["status"] == "running":
        assert time.monotonic() < deadline, "the long check never completed"
        time.sleep(0.3)
    assert done["status"] == "completed"
    assert done["total_copy_ratio"] > 0 and done["passages"]
