"""POL-FI-1 at review-service (in this process, on a database of its own, fed application-service's
envelopes): only candidates the province approved enter a committee session. Naming one it returned or
has not decided yet is 409 filing_not_approved and nothing is written; without names the approved are
taken; with none approved while pushed ones wait, 422 no_candidates naming POL-FI-1."""

from __future__ import annotations

import uuid

import httpx
import pytest
from review_service.adapters.tables import candidates, sessions
from review_service.consumers import CONSUMER
from sqlalchemy import func, select
from zhicheng_kernel.problems import PROBLEM_JSON

from tests.harness import Servers
from tests.review.routes import filing_approved, pushed
from tests.review.test_sched_3_the_review_year_ends_on_31_december import LAST_SECOND, YEAR, Review, review_at

pytestmark = pytest.mark.stack


async def candidate(review: Review, verdict: str | None, level: str = "intermediate") -> str:
    """A pushed candidate, and the province's verdict on it when `verdict` is given."""
    application_id = str(uuid.uuid4())
    event = pushed(application_id, YEAR, level=level)
    consumer = review.runtime.consumers[CONSUMER]
    assert await consumer.apply(event)
    if verdict is not None:
        reasons = ["继续教育学时不足"] if verdict == "returned" else []
        assert await consumer.apply(filing_approved(event, verdict, reasons))
    return application_id


async def open_session(review: Review, committee_id: str, named: list[str] | None = None) -> httpx.Response:
    body: dict[str, object] = {"year": YEAR}
    if named is not None:
        body["application_ids"] = named
    return await review.http.post(f"/api/v1/committees/{committee_id}/sessions", json=body, headers=review.secretary())


def assert_refused(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["code"] == code and body["rule"] == "POL-FI-1"
    return dict(body)


async def test_pol_fi_1_a_named_candidate_the_province_did_not_approve_is_refused_and_nothing_is_written(
    servers: Servers,
) -> None:
    async with review_at(servers, LAST_SECOND) as review:
        committee_id = await review.committee("intermediate")
        approved = await candidate(review, "approved")
        returned = await candidate(review, "returned")
        waiting = await candidate(review, None)
        for named in ([approved, returned], [waiting]):
            body = assert_refused(await open_session(review, committee_id, named), 409, "filing_not_approved")
            assert body["application_ids"] == [a for a in named if a != approved]
        assert await review.scalar(select(func.count()).select_from(sessions)) == 0  # nothing written
        in_session = select(func.count()).select_from(candidates).where(candidates.c.session_id.is_not(None))
        assert await review.scalar(in_session) == 0
        unknown = await open_session(review, committee_id, [str(uuid.uuid4())])
        assert unknown.status_code == 422 and unknown.json()["code"] == "not_a_candidate"

        opened = await open_session(review, committee_id, [approved])
        assert opened.status_code == 201, opened.text
        assert opened.json()["application_ids"] == [approved]


async def test_pol_fi_1_without_names_only_the_approved_are_taken_and_none_approved_is_no_candidates(
    servers: Servers,
) -> None:
    async with review_at(servers, LAST_SECOND) as review:
        committee_id = await review.committee("intermediate")
        approved = [await candidate(review, "approved") for _ in range(2)]
        await candidate(review, "returned")
        await candidate(review, None)
        opened = await open_session(review, committee_id)
        assert opened.status_code == 201, opened.text
        assert sorted(opened.json()["application_ids"]) == sorted(approved)

        again = assert_refused(await open_session(review, committee_id), 422, "no_candidates")
        assert "POL-FI-1" in str(again["detail"]) and again["waiting_for_province"] == 2
