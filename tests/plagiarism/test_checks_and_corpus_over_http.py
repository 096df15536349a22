"""plagiarism-service over real HTTP, with the whole stack running (POL-PA-4)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from zhicheng_tooling.dev_seed.corpus import DEMO_SOURCE_EXTERNAL_ID, DEMO_SOURCE_TEXT, SEED_PAPERS

from tests.api_client import Api, bearer

pytestmark = pytest.mark.stack

SERVICE = "plagiarism-service"

# ~400 characters of the applicant's own prose around which the tests put copied sentences.
OWN_PROSE = (
    "笔者在庄浪县一所乡镇中学担任数学教师多年，近年来尝试改进课堂教学方式。"
    "围绕这一观点，我们在七年级的有理数单元中设计了由浅入深的问题序列，鼓励学生先独立思考再小组交流，"
    "教师只在关键处点拨。课后通过学生日志和作业分析了解学习效果，发现多数学生能够用自己的语言解释运算法则，"
    "对负数的意义理解更加深入。但是也有少数学生在小组中依赖同伴，参与不够主动，需要教师在分组时兼顾能力差异。"
    "此外，问题设计要贴近农村学生熟悉的生活场景，例如赶集买卖、测量田地和记录气温等，使数学知识与日常经验相联系。"
    "学校应为教师提供集体备课的时间，让同学科教师共同研讨问题设计的得失，逐步形成校本化的教学资源。"
)


Submit = Callable[..., httpx.Response]  # the conftest's submit


def test_a_paper_copying_two_sentences_of_a_seeded_paper_is_measured_with_the_copied_passage_marked(
    api: Api, token: str, submit: Submit
) -> None:
    copied = DEMO_SOURCE_TEXT[31:80]  # 49 characters of CNKI-2019-0001
    head, tail = OWN_PROSE[:35], OWN_PROSE[35:]
    text = head + copied + tail
    r = submit(api, token, text=text)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "completed"
    assert "decision" not in body and "threshold" not in body  # application-service decides POL-PA-4
    assert 0.05 < body["copy_ratio_excluding_own"] < 0.15
    assert body["total_copy_ratio"] == body["copy_ratio_excluding_quotes"] == body["copy_ratio_excluding_own"]
    assert body["max_single_source_ratio"] == body["total_copy_ratio"]
    (passage,) = body["passages"]
    assert passage["source_external_id"] == DEMO_SOURCE_EXTERNAL_ID
    assert text[passage["start"] : passage["end"]] == copied
    assert DEMO_SOURCE_TEXT[passage["source_start"] : passage["source_end"]] == copied
    assert passage["quoted"] is False

    again = api.get(SERVICE, f"/api/v1/checks/{body['id']}", token)
    assert again.status_code == 200, again.text
    assert again.json()["passages"] == body["passages"]
    assert again.json()["copy_ratio_excluding_own"] == body["copy_ratio_excluding_own"]

    report = api.get(SERVICE, f"/api/v1/checks/{body['id']}/report", token)
    assert report.status_code == 200, report.text
    assert report.headers["content-type"].startswith("text/html")
    assert f'<mark class="counted" title="{DEMO_SOURCE_EXTERNAL_ID} ' in report.text
    assert copied in report.text and "去除本人已发表文献复制比" in report.text


def test_a_check_retried_with_its_idempotency_key_is_answered_with_the_first_check(
    api: Api, token: str, submit: Submit
) -> None:
    key = f"check-{secrets.token_hex(8)}"
    first = submit(api, token, idempotency_key=key, text=OWN_PROSE)
    again = submit(api, token, idempotency_key=key, text=OWN_PROSE)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json()
    other = submit(api, token, idempotency_key=key, text=OWN_PROSE[:100])
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    fresh = submit(api, token, text=OWN_PROSE)
    assert fresh.json()["id"] != first.json()["id"]


def test_a_copied_seed_paper_is_measured_as_copied(api: Api, token: str, submit: Submit) -> None:
    source = SEED_PAPERS[4]
    r = submit(api, token, text=source.text + OWN_PROSE[:60], journal_level="provincial")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["journal_level"] == "provincial"  # kept with the check as claimed; it decides nothing here
    assert body["copy_ratio_excluding_own"] > 0.7
    assert {p["source_external_id"] for p in body["passages"]} == {source.external_id}


def test_copying_from_ones_own_earlier_paper_is_reported_but_not_counted(api: Api, token: str, submit: Submit) -> None:
    """Own work is a source registered to the requester's account (issue 12, finding 6), not a typed name."""
    me = api.get("org-service", "/api/v1/accounts/me", token).json()["account_id"]
    own_text = SEED_PAPERS[8].text[::-1]  # in the corpus only as the requester's own paper
    source = {"external_id": f"OWN-{secrets.token_hex(4)}", "title": "本人早年的论文", "text": own_text}
    added = api.post(SERVICE, "/api/v1/corpus/documents", token, {**source, "author_account_ids": [me]})
    assert added.status_code == 201, added.text
    r = submit(api, token, text=OWN_PROSE + own_text[:120])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["total_copy_ratio"] > 0.15
    assert body["copy_ratio_excluding_own"] == 0
    assert {(p["source_external_id"], p["own"]) for p in body["passages"]} == {(source["external_id"], True)}


def test_a_document_added_to_the_corpus_is_found_and_no_longer_after_removal(
    api: Api, token: str, submit: Submit
) -> None:
    external_id = f"CNKI-2024-{secrets.token_hex(4)}"
    text = (
        "泾河流域的河岸带植被对于拦截农田面源污染具有重要作用，本文在崆峒区设置了十二个监测断面，"
        "连续两年测定了总氮和总磷的削减率，并分析了植被宽度与坡度对净化效果的影响。"
    )
    doc = {"external_id": external_id, "title": "泾河河岸带植被的净化作用", "text": text, "authors": ["测试作者"]}
    r = api.post(SERVICE, "/api/v1/corpus/documents", token, {**doc, "published_on": "2020-06-01"})
    assert r.status_code == 201, r.text
    assert r.json()["added"] == [external_id]

    duplicate = api.post(SERVICE, "/api/v1/corpus/documents", token, doc)
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "corpus_document_exists"

    listed = api.get(SERVICE, "/api/v1/corpus/documents", token, offset=0, limit=500).json()
    assert external_id in {d["external_id"] for d in listed["items"]}
    assert "text" not in listed["items"][0]

    paper = OWN_PROSE + text[:60]
    found = submit(api, token, text=paper).json()
    assert external_id in {p["source_external_id"] for p in found["passages"]}

    removed = api.http.delete(api.url(SERVICE, f"/api/v1/corpus/documents/{external_id}"), headers=bearer(token))
    assert removed.status_code == 204
    gone = submit(api, token, text=paper).json()
    assert external_id not in {p["source_external_id"] for p in gone["passages"]}


def test_bulk_import_adds_new_documents_and_skips_known_ones(api: Api, token: str) -> None:
    ids = [f"WF-2021-{secrets.token_hex(4)}" for _ in range(3)]
    docs = [
        {
            "external_id": i,
            "title": f"批量导入测试文献{n}",
            "text": f"第{n}篇用于批量导入测试的文献正文，内容各不相同。",
        }
        for n, i in enumerate(ids)
    ]
    r = api.post(
        SERVICE,
        "/api/v1/corpus/documents:bulk",
        token,
        {"documents": [*docs, {"external_id": DEMO_SOURCE_EXTERNAL_ID, "title": "t", "text": "已有文献"}]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["added"] == ids
    assert r.json()["skipped"] == [DEMO_SOURCE_EXTERNAL_ID]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"text": ""}, "text_empty", "text"),
        ({"text": " \n\t　 "}, "text_empty", "text"),
        ({"text": "正文" * 500_001}, "validation_failed", "text"),  # the schema's bound
        ({"text": "PK\x03\x04\x00\x00binary"}, "text_binary", "text"),
        ({"text": "正文\x00"}, "text_binary", "text"),
        ({"text": "正文\ud800"}, "validation_failed", "text"),  # a lone surrogate: refused by the schema
        ({"text": "，。！？……——《》“”"}, "text_no_content", "text"),
        ({"text": "正文", "journal_level": "national"}, "journal_level_unknown", "journal_level"),
        # CleanText (issue 12, finding 6): refused by the schema, naming the field
        ({"text": "正文", "title": "题目\x00"}, "validation_failed", "title"),
        ({"text": "正文", "authors": ["张三", "李\x07四"]}, "validation_failed", "authors.1"),
        ({"text": "正文", "published_on": "2020-13-45"}, "validation_failed", "published_on"),
        ({"text": 123}, "validation_failed", "text"),
    ],
)
def test_unusable_input_is_refused_with_a_422_problem_naming_the_field(
    api: Api, token: str, body: dict[str, Any], code: str, field: str, submit: Submit
) -> None:
    r = submit(api, token, **body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] == code
    assert problem["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["detail"])


def test_a_journal_level_outside_pol_pa_4_is_refused_naming_the_rule(api: Api, token: str, submit: Submit) -> None:
    r = submit(api, token, text="正文", journal_level="national")
    assert r.status_code == 422, r.text
    assert (r.json()["code"], r.json()["rule"]) == ("journal_level_unknown", "POL-PA-4")


def test_a_check_needs_no_journal_level_the_service_only_measures(api: Api, token: str) -> None:
    r = api.post(SERVICE, "/api/v1/checks", token, {"text": "正文"})
    assert r.status_code == 201, r.text
    assert r.json()["journal_level"] is None


def test_corpus_documents_with_bad_fields_are_refused(api: Api, token: str) -> None:
    bad_id = api.post(SERVICE, "/api/v1/corpus/documents", token, {"external_id": "坏 编号", "title": "t", "text": "x"})
    assert bad_id.status_code == 422
    assert (bad_id.json()["code"], bad_id.json()["field"]) == ("external_id_invalid", "external_id")
    r = api.post(
        SERVICE,
        "/api/v1/corpus/documents:bulk",
        token,
        {
            "documents": [
                {"external_id": "A-1", "title": "t", "text": "正文"},
                {"external_id": "A-2", "title": "t", "text": ""},
            ]
        },
    )
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("text_empty", "documents.1.text")
    too_many = [{"external_id": f"B-{i}", "title": "t", "text": "正文"} for i in range(1001)]
    r = api.post(SERVICE, "/api/v1/corpus/documents:bulk", token, {"documents": too_many})
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("validation_failed", "documents")


def test_without_a_token_every_endpoint_answers_401(api: Api) -> None:
    base = api.stack.url(SERVICE)
    calls = [
        ("POST", "/api/v1/checks", {"text": "正文", "journal_level": "core"}),
        ("GET", "/api/v1/checks/00000000-0000-0000-0000-000000000000", None),
        ("GET", "/api/v1/corpus/documents", None),
        ("POST", "/api/v1/corpus/documents", {"external_id": "X-1", "title": "t", "text": "正文"}),
        ("DELETE", f"/api/v1/corpus/documents/{DEMO_SOURCE_EXTERNAL_ID}", None),
    ]
    for method, path, body in calls:
        r = api.http.request(method, base + path, json=body)
        assert r.status_code == 401, (method, path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    forged = api.http.post(base + "/api/v1/checks", json={"text": "正文"}, headers=bearer("not.a.token"))
    assert forged.status_code == 401


def test_only_corpus_keepers_may_change_the_corpus(api: Api) -> None:
    admin = api.admin_token()  # a system administrator holds no business role
    r = api.post(SERVICE, "/api/v1/corpus/documents", admin, {"external_id": "X-2", "title": "t", "text": "正文"})
    assert r.status_code == 403
    assert r.json()["code"] == "role_required"


def test_an_unknown_check_is_404(api: Api, token: str) -> None:
    r = api.get(SERVICE, "/api/v1/checks/00000000-0000-0000-0000-000000000000", token)
    assert r.status_code == 404
    assert r.json()["code"] == "check_not_found"


def test_a_text_of_the_maximum_length_is_checked_not_refused(api: Api, token: str, submit: Submit) -> None:
    text = (OWN_PROSE * (1_000_000 // len(OWN_PROSE) + 1))[:1_000_000]
    r = submit(api, token, text=text)
    assert r.status_code == 202, r.text[:500]  # long: accepted, checked in the background
    deadline = time.monotonic() + 120
    while (done := api.get(SERVICE, r.headers["location"], token).json())["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert done["status"] == "completed" and done["text_chars"] == 1_000_000


def test_someone_elses_check_is_not_shown_to_a_user_without_a_review_role(api: Api, token: str, submit: Submit) -> None:
    created = submit(api, token, text=OWN_PROSE).json()
    r = api.get(SERVICE, f"/api/v1/checks/{created['id']}", api.admin_token())
    assert r.status_code == 404
    assert r.json()["code"] == "check_not_found"
