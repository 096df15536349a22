"""Queries of the offices: counts per series and status, and filters, within the caller's subtree."""

from __future__ import annotations

import pytest

from tests.application.conftest import (
    Harness,
    Tree,
    applicant,
    application,
    get,
    office,
    post,
)

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def svc(svc_with_publicity: Harness) -> Harness:
    return svc_with_publicity


async def test_counts_per_series_and_status_within_the_callers_subtree(svc: Harness, tree: Tree) -> None:
    token = await applicant(svc, tree)
    for person in (token, await applicant(svc, tree)):  # one application per person, year and series
        assert (await post(svc, "/api/v1/applications", person, application(papers=[]))).status_code == 201
    await post(svc, "/api/v1/applications", token, application(papers=[], series="会计系列"))
    counts = (await get(svc, "/api/v1/applications/counts", office(svc, tree), year=2026)).json()
    by = {(i["series"], i["status"]): i["count"] for i in counts["items"]}
    assert by[("卫生系列", "submitted")] == 2 and by[("会计系列", "submitted")] == 1
    elsewhere = await svc.org("title_office", None, "city")
    theirs = (await get(svc, "/api/v1/applications/counts", svc.token("x", elsewhere, ["auditor"]))).json()
    assert theirs["total"] == 0
    listed = await get(svc, "/api/v1/applications", office(svc, tree), county="620821", level="intermediate")
    assert len(listed.json()["items"]) == 3
    assert (await get(svc, "/api/v1/applications", office(svc, tree), county="620802")).json()["items"] == []
