"""GET /api/v1/documents pages on the server (the documents page of the web application): a bounded
window, the total matching, filters by holder name or number and by status — still only what finding 19
lets the caller see. review-service in-process on a database of its own (as test_finding_19_20_27)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.review.test_finding_19_20_27_document_exposure import COUNTY, OTHER_COUNTY, UNIT, Svc, svc

__all__ = ["svc"]


async def _page(s: Svc, headers: dict[str, str], **params: str | int) -> dict[str, Any]:
    r = await s.http.get("/api/v1/documents", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_finding_19_documents_are_paged_and_filtered_on_the_server_within_the_callers_subtree(svc: Svc) -> None:
    issued = [await svc.issue(f"paged-applicant-{i}") for i in range(3)]
    numbers = sorted(number for _, number in issued)
    county = svc.auth("paged-secretary", ["committee_secretary"], "f19-county", COUNTY, "title_office")

    first = await _page(svc, county, limit=2, offset=0)
    assert first["total"] == 3 and first["limit"] == 2 and first["offset"] == 0
    rest = await _page(svc, county, limit=2, offset=2)
    assert [d["number"] for d in [*first["items"], *rest["items"]]] == numbers

    one = await _page(svc, county, keyword=numbers[1])
    assert [d["number"] for d in one["items"]] == [numbers[1]]
    assert (await _page(svc, county, status="valid"))["total"] == 3
    assert (await _page(svc, county, status="revoked"))["total"] == 0
    assert (await _page(svc, county, keyword="没有这个人"))["total"] == 0

    # Finding 19 still holds: another county's office sees none, an applicant their own only.
    other = svc.auth("paged-other", ["committee_secretary"], "f19-county-2", OTHER_COUNTY, "title_office")
    assert (await _page(svc, other))["total"] == 0
    applicant_id = "paged-applicant-0"
    own = await _page(svc, svc.auth(applicant_id, ["applicant"], "f19-unit", UNIT))
    assert own["total"] == 1


@pytest.mark.parametrize("bad", ["limit=0", "limit=101", "offset=-1", "keyword=", f"keyword={'字' * 65}", "status=x"])
async def test_finding_27_a_bad_window_or_filter_is_refused_with_422(svc: Svc, bad: str) -> None:
    county = svc.auth("paged-secretary", ["committee_secretary"], "f19-county", COUNTY, "title_office")
    r = await svc.http.get(f"/api/v1/documents?{bad}", headers=county)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json"), r.text
