"""POL-PA-4's ratio per year: the city office chooses it (SimilarityRatioChosen), the reviewers read it,
and plagiarism-service's ratios are judged with it when a check is recorded."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.application.conftest import (
    Harness,
    Tree,
    applicant,
    application,
    auth,
    city_office,
    get,
    office,
    paper,
    post,
)

pytestmark = pytest.mark.stack

YEAR = 2026
URL = f"/api/v1/similarity-settings/{YEAR}"
# 中华护理杂志 is core in 2021 in the development registries: the 15 % limit applies.
CORE_2021 = {"journal": "中华护理杂志", "cn_number": "CN11-2234/R", "published_on": "2021-03-01"}


async def put(svc: Harness, token: str, body: dict[str, Any], url: str = URL) -> Any:
    return await svc.client.put(url, json=body, headers=auth(token))


async def test_pol_pa_4_only_the_city_office_chooses_the_ratio_reviewers_read_it(svc: Harness, tree: Tree) -> None:
    default = await get(svc, "/api/v1/similarity-settings/2031", office(svc, tree))
    assert default.status_code == 200, default.text
    assert (default.json()["ratio"], default.json()["chosen"]) == ("excluding_own", False)
    assert default.json()["ratio_zh"] == "去除本人已发表文献复制比"

    for token in (
        office(svc, tree),  # a county title office
        svc.token("unit-reviewer", tree.school, ["unit_review"]),
        svc.token("city-clerk", tree.city, ["auditor"]),  # the city office, without the reviewing role
    ):
        r = await put(svc, token, {"ratio": "total"})
        assert r.status_code == 403, r.text
        assert r.json()["code"] in ("not_city_title_office", "role_required")
    refused = await put(svc, office(svc, tree), {"ratio": "total"})
    assert (refused.json()["code"], refused.json()["rule"]) == ("not_city_title_office", "POL-PA-4")

    bad = await put(svc, city_office(svc, tree), {"ratio": "excluding_everything"})
    assert bad.status_code == 422 and bad.json()["field"] == "ratio"

    chosen = await put(svc, city_office(svc, tree), {"ratio": "total"}, "/api/v1/similarity-settings/2030")
    assert chosen.status_code == 200, chosen.text
    assert (chosen.json()["ratio"], chosen.json()["chosen"]) == ("total", True)
    read = await get(svc, "/api/v1/similarity-settings/2030", svc.token("unit-reviewer", tree.school, ["unit_review"]))
    assert read.json()["ratio"] == "total" and read.json()["ratio_zh"] == "总文字复制比"
    assert (await get(svc, "/api/v1/similarity-settings/2030", await applicant(svc, tree))).status_code == 403


async def test_pol_pa_4_a_check_is_judged_with_the_years_ratio_and_the_journals_registry_level(
    svc: Harness, tree: Tree
) -> None:
    """plagiarism-service measures (no verdict in its event); application-service decides."""
    token = await applicant(svc, tree)
    body = application(papers=[paper(**CORE_2021), paper(**CORE_2021, journal_level="provincial")])
    app = (await post(svc, "/api/v1/applications", token, body)).json()
    assert (await put(svc, city_office(svc, tree), {"ratio": "excluding_quotes"})).status_code == 200

    for p in app["papers"]:
        await svc.feed(
            "plagiarism-service",
            "PaperCheckCompleted",
            {
                "check_id": str(uuid.uuid4()),
                "application_id": app["id"],
                "paper_id": p["paper_id"],
                "total_copy_ratio": 0.3,
                "copy_ratio_excluding_quotes": 0.14,  # cited quotations left out
                "copy_ratio_excluding_own": 0.3,  # quotations still counted
                "max_single_source_ratio": 0.3,
                "copy_ratio_total": 0.3,
                "largest_source_ratio": 0.3,
            },
            schema_version=2,
        )
    checks = (await get(svc, f"/api/v1/applications/{app['id']}", token)).json()["checks"]
    for p in app["papers"]:  # claimed core or provincial: the registries say core, so 15 %
        check = checks[p["paper_id"]]
        assert (check["ratio"], check["copy_ratio"], check["journal_level"]) == ("excluding_quotes", 0.14, "core")
        assert (check["threshold"], check["decision"]) == (0.15, "pass")
        assert check["ratios"] == {"total": 0.3, "excluding_quotes": 0.14, "excluding_own": 0.3, "largest_source": 0.3}

    assert (await put(svc, city_office(svc, tree), {"ratio": "excluding_own"})).status_code == 200
    # The choice is a late fact: the open application is re-assessed, its papers now over the limit.
    kind, report = (await svc.stream_events(app["id"]))[-1]
    assert (kind, report["trigger"]) == ("EligibilityAssessed", "similarity_ratio_chosen")
    assert {c["rule_id"] for c in report["changes"]} >= {"POL-PA-4"}
    another = await applicant(svc, tree)  # one application per person, year and series
    again = (await post(svc, "/api/v1/applications", another, application(papers=[paper(**CORE_2021)]))).json()
    await svc.feed(
        "plagiarism-service",
        "PaperCheckCompleted",
        {
            "check_id": str(uuid.uuid4()),
            "application_id": again["id"],
            "paper_id": again["papers"][0]["paper_id"],
            "total_copy_ratio": 0.3,
            "copy_ratio_excluding_quotes": 0.14,
            "copy_ratio_excluding_own": 0.3,
            "max_single_source_ratio": 0.3,
            "copy_ratio_total": 0.3,
            "largest_source_ratio": 0.3,
        },
        schema_version=2,
    )
    (check,) = (await get(svc, f"/api/v1/applications/{again['id']}", another)).json()["checks"].values()
    assert (check["ratio"], check["decision"]) == ("excluding_own", "fail")
