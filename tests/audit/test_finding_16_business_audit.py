"""Finding 16 (business actions): application-service writes one audit row per command — done or
refused — and auditors read the rows of their own organisation subtree, nobody else.

application-service runs in-process on the real PostgreSQL (tests/application/conftest.py's harness);
review- and plagiarism-service keep the same table through the same kernel code (create_service_app's
`audit_log=`), proven by their migrations in tests/test_migrations.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from application_service.adapters import tables
from sqlalchemy import select
from zhicheng_kernel.inputs import MAX_PAGE_SIZE

from tests.application.conftest import (
    Harness,
    Tree,
    application,
    auth,
    build_tree,
    random_person,
    running_service,
)
from tests.harness import Servers

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
async def svc(servers: Servers) -> AsyncIterator[Harness]:
    async with running_service(servers, nat5_publicity_seconds=1) as harness:
        yield harness


@pytest.fixture(scope="module")
async def tree(svc: Harness) -> Tree:
    return await build_tree(svc)


async def audit_rows(svc: Harness, subject: str) -> list[dict[str, Any]]:
    async with svc.runtime.context.db.read() as conn:
        rows = await conn.execute(
            select(tables.audit_log).where(tables.audit_log.c.subject == subject).order_by(tables.audit_log.c.id)
        )
        return [dict(r._mapping) for r in rows]


async def test_finding_16_business_actions_are_audited_once_in_their_transaction(svc: Harness, tree: Tree) -> None:
    """Finding 16: "only org-service writes audit rows; logins, failures and business actions are not
    audited" — a submission in application-service is now one audit row (who, what, when, outcome) written
    with its events, holding the streams and event types but never the payload (no ID number, no text)."""
    person = random_person()
    account = await svc.register(tree.school, person=person)
    token = svc.token(account, tree.school, ["applicant"], "张三")
    body = application(papers=[application()["papers"][0] | {"text": "保密的论文正文" * 20}])
    r = await svc.client.post("/api/v1/applications", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]

    rows = await audit_rows(svc, account)
    assert len(rows) == 1
    row = rows[0]
    assert row["outcome"] == "done" and row["command"] == "POST /api/v1/applications"
    assert row["roles"] == ["applicant"] and row["org_id"] == tree.school["org_id"]
    assert row["org_path"] == tree.school["path"] and row["kind"] == "user"
    assert app_id in row["streams"]
    assert "ApplicationSubmitted" in row["event_types"]
    assert row["at"] == svc.clock.now()
    stored = json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False)
    assert person not in stored and "保密的论文正文" not in stored and "张三" not in stored
    # Written in the command's transaction: the events and the row are there together.
    assert await svc.stream(app_id)


async def test_finding_16_refused_commands_are_audited_with_their_problem(svc: Harness, tree: Tree) -> None:
    """Finding 16: a refused business action is audited too — refused in the route (a role check) or in the
    command (a rule), each in a transaction of its own, with the problem's code and status."""
    unit = str(uuid.uuid4())
    r = await svc.client.post(
        "/api/v1/applications", json=application(), headers=auth(svc.token(unit, tree.school, ["unit_review"]))
    )
    assert r.status_code == 403, r.text
    (refused,) = await audit_rows(svc, unit)
    assert refused["outcome"] == "refused" and refused["status"] == 403
    assert refused["problem_code"] == r.json()["code"] and refused["command"] == "POST /api/v1/applications"
    assert refused["streams"] == [] and refused["event_types"] == []

    account = await svc.register(tree.school)
    token = svc.token(account, tree.school, ["applicant"], "张三")
    draft = await svc.client.post(
        "/api/v1/applications", json=application(submit=False, papers=[]), headers=auth(token)
    )
    assert draft.status_code == 201, draft.text
    submit = f"/api/v1/applications/{draft.json()['id']}/submit"
    assert (await svc.client.post(submit, headers=auth(token))).status_code == 200
    twice = await svc.client.post(submit, headers=auth(token))  # the rule refuses inside the command
    assert twice.status_code in (409, 422), twice.text
    outcomes = [(row["outcome"], row["problem_code"]) for row in await audit_rows(svc, account)]
    assert outcomes == [("done", None), ("done", None), ("refused", twice.json()["code"])]


async def test_finding_16_auditors_read_their_subtree_and_nobody_else_does(svc: Harness, tree: Tree) -> None:
    """Finding 16: auditors read the business audit at GET /api/v1/audit/application, in bounded pages,
    scoped to their organisation subtree; an applicant or a unit's reviewer is refused (403)."""
    account = await svc.register(tree.school)
    token = svc.token(account, tree.school, ["applicant"], "张三")
    assert (await svc.client.post("/api/v1/applications", json=application(), headers=auth(token))).status_code == 201

    def auditor(org: dict[str, str]) -> dict[str, str]:
        return auth(svc.token(f"auditor-{uuid.uuid4().hex[:6]}", org, ["auditor"]))

    county = await svc.client.get("/api/v1/audit/application", params={"limit": 500}, headers=auditor(tree.county))
    assert county.status_code == 200, county.text
    page = county.json()
    assert page["total"] >= 1 and page["limit"] == 500
    assert account in [item["subject"] for item in page["items"]]
    assert {item["outcome"] for item in page["items"]} <= {"done", "replayed", "refused", "failed"}

    sibling = await svc.client.get(
        "/api/v1/audit/application", params={"limit": 500}, headers=auditor(tree.other_school)
    )
    assert sibling.status_code == 200
    assert account not in [item["subject"] for item in sibling.json()["items"]]

    refused = await svc.client.get(
        "/api/v1/audit/application", params={"outcome": "refused"}, headers=auditor(tree.county)
    )
    assert all(item["outcome"] == "refused" for item in refused.json()["items"])

    for roles in (["applicant"], ["unit_review"], ["title_office_review"]):
        r = await svc.client.get("/api/v1/audit/application", headers=auth(svc.token(account, tree.school, roles)))
        assert r.status_code == 403 and r.json()["code"] == "role_required", roles
    assert (await svc.client.get("/api/v1/audit/application")).status_code == 401
    too_many = await svc.client.get(
        "/api/v1/audit/application", params={"limit": MAX_PAGE_SIZE + 1}, headers=auditor(tree.county)
    )
    assert too_many.status_code == 422
    too_far = await svc.client.get("/api/v1/audit/application", params={"offset": 10**22}, headers=auditor(tree.county))
    assert too_far.status_code == 422
