"""POL-PA-4 through the real services (issue 9, point 8): plagiarism-service measures a paper against its
corpus with CNKI's meanings, application-service decides on the ratio the city office chose for the
year and the limit of the journal's level as its registries judge it.

Done when: a paper that copies a third of a corpus document inside quotation marks fails; a properly
cited short quotation does not count against the applicant."""

from __future__ import annotations

import random
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.api_client import Api, bearer, random_id_card
from tests.harness import Stack, wait_for
from tests.org_tree import OrgTree

pytestmark = pytest.mark.stack

APP = "application-service"
PLAGIARISM = "plagiarism-service"
YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year + 1
# Two disjoint sets of characters: the corpus document's and the applicant's own prose never share a phrase.
SOURCE_CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
OWN_CHARS = "使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反"
REFERENCES = "\n参考文献\n[1] 王五. 县域卫生服务的组织[J]. 中国卫生事业管理, 2020(3): 1-9.\n"


def _text(rng: random.Random, n: int, chars: str) -> str:
    return "".join(rng.choices(chars, k=n))


def _put(api: Api, service: str, path: str, token: str, body: dict[str, Any]) -> httpx.Response:
    return api.http.put(api.url(service, path), json=body, headers=bearer(token))


@pytest.fixture(scope="module")
def world(stack: Stack) -> dict[str, Any]:
    api = Api(stack)
    tree = OrgTree(api)
    city_clerk = tree.city_office().clerk("赵敏", ["title_office_review", "auditor"]).token
    county = tree.county_office("崇信县", "620823")
    dept = tree.department("崇信县卫生健康局", "health", under=county)
    hospital = tree.hospital("崇信县人民医院", under=dept)
    applicant = hospital.clerk("王芳", ["applicant_management"]).register_applicant("李明", random_id_card("620823"))

    rng = random.Random(uuid.uuid4().int)
    source = _text(rng, 900, SOURCE_CHARS)
    document = {
        "external_id": f"CNKI-PA4-{uuid.uuid4().hex[:10]}",
        "title": "县域卫生服务的组织",
        "text": source,
        "authors": ["王五"],
        "published_on": "2020-01-01",
    }
    r = api.post(PLAGIARISM, "/api/v1/corpus/documents", city_clerk, document)
    assert r.status_code == 201, r.text
    # The registries know the journal as core in the paper's year: the 15 % limit applies.
    cn = f"CN62-{rng.randint(2000, 8999)}/R"
    journal = {"cn_number": cn, "name": "陇东卫生研究", "core_years": "2024"}
    r = _put(api, APP, "/api/v1/registries/journals/entries", city_clerk, journal)
    assert r.is_success, r.text
    r = _put(api, APP, f"/api/v1/similarity-settings/{YEAR}", city_clerk, {"ratio": "excluding_quotes"})
    assert r.status_code == 200, r.text
    return {"api": api, "applicant": applicant.token, "source": source, "cn": cn, "rng": rng}


def _paper(world: dict[str, Any], title: str, body: str) -> dict[str, Any]:
    return {
        "title": title,
        "journal": "陇东卫生研究",
        "cn_number": world["cn"],
        "journal_level": "provincial",  # as the applicant claims it; the registries say core
        "published_on": "2024-05-01",
        "authors": ["李明"],
        "text": body + REFERENCES,
    }


def _checked(world: dict[str, Any], papers: list[dict[str, Any]]) -> dict[str, Any]:
    api: Api = world["api"]
    body = {"year": YEAR, "series": "卫生系列", "specialty": "临床医学", "level": "intermediate", "papers": papers}

    def submitted() -> httpx.Response | None:
        r = api.post(APP, "/api/v1/applications", world["applicant"], body)
        if r.status_code == 409 and r.json()["code"] in ("organization_not_synced", "applicant_not_synced"):
            return None
        return r

    r = wait_for(submitted, timeout=30, interval=0.3, what="org events to reach application-service")
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]

    def done() -> dict[str, Any] | None:
        seen = api.get(APP, f"/api/v1/applications/{app_id}", world["applicant"]).json()
        return seen if len(seen["checks"]) == len(seen["papers"]) else None

    return dict(wait_for(done, timeout=90, interval=0.5, what="the papers' checks to be recorded"))


def test_pol_pa_4_a_third_of_a_corpus_document_inside_quotation_marks_fails_a_short_cited_quotation_does_not_count(
    world: dict[str, Any],
) -> None:
    rng, source = world["rng"], world["source"]
    # A third of the document as one "quotation" (300 characters, cited): over the 200-character bound.
    copied = _text(rng, 600, OWN_CHARS) + "。\n有学者指出：“" + source[:300] + "”[1]。\n"
    # The same third in three cited quotations of 100 characters each: quotations, but copied all the same
    # under 总文字复制比 / 去除本人已发表文献复制比; and one unbalanced mark makes none of them a quotation.
    unbalanced = _text(rng, 600, OWN_CHARS) + "。“" + "".join(f"“{source[i : i + 100]}”[1]，" for i in (300, 400, 500))
    quoted = _text(rng, 600, OWN_CHARS) + "。\n正如文献所述，“" + source[600:750] + "”[1]。\n"
    app = _checked(
        world,
        [
            _paper(world, "县域医共体慢病管理（整段引号）", copied),
            _paper(world, "县域医共体慢病管理（引号不配对）", unbalanced),
            _paper(world, "县域医共体慢病管理（规范引用）", quoted),
        ],
    )
    whole, odd, cited = (app["checks"][p["paper_id"]] for p in app["papers"])

    for check in (whole, odd):
        assert check["ratio"] == "excluding_quotes" and check["journal_level"] == "core"
        assert check["ratios"]["excluding_quotes"] == check["ratios"]["total"] > 0.3
        assert (check["threshold"], check["decision"]) == (0.15, "fail"), check
    # 150 quoted characters of 750: 20 % in total, over the core limit; properly cited, they do not count.
    assert cited["ratios"]["total"] > 0.15 and cited["ratios"]["excluding_quotes"] == 0
    assert cited["ratios"]["excluding_own"] == cited["ratios"]["total"]  # CNKI: quotations count there
    assert (cited["copy_ratio"], cited["decision"]) == (0, "pass"), cited
