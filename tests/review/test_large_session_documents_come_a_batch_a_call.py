"""A session's documents are issued a batch a call (outcomes.ISSUE_BATCH): each call of the workflow's
activity answers within its timeout however large the session, says how many remain, and a call again —
a retry, or the next batch — issues only those still without a document (found with one query)."""

from __future__ import annotations

import uuid

import pytest
from review_service.domain.documents import document_id_for
from review_service.service_layer import outcomes

from tests.harness import Servers
from tests.review.routes import review_alone


async def test_a_session_is_issued_a_batch_a_call_and_a_further_call_issues_nothing_twice(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outcomes, "ISSUE_BATCH", 2)
    async with review_alone(servers) as review:
        first, *others = [str(uuid.uuid4()) for _ in range(3)]
        session_id = await review.passed_session(first, 2031, also=others)

        one = await outcomes.issue_documents(review.ctx, session_id, "test")
        assert (len(one.issued), one.remaining) == (2, 1)
        two = await outcomes.issue_documents(review.ctx, session_id, "test")
        assert (len(two.issued), two.remaining) == (3, 0)
        again = await outcomes.issue_documents(review.ctx, session_id, "test")
        assert again.remaining == 0
        assert sorted(again.issued, key=str) == sorted(two.issued, key=str)
        for application_id in (first, *others):
            assert len(await review.stream(document_id_for(application_id))) == 1  # one QualificationDocumentIssued
