"""The integrity file's page (科研诚信档案, NAT-8): the file pages on the server — a window by limit and
offset and the total matching the filters — for the offices and auditors who may read it, and nobody else."""

from __future__ import annotations

import uuid

import pytest
from application_service.consumers import INTEGRITY_CONSUMER
from zhicheng_kernel.testing import envelope

from tests.application.conftest import Harness, Tree, application, auth, post, random_person

pytestmark = pytest.mark.stack

FILE = "/api/v1/integrity-file"


async def revoked(svc: Harness, account: str, on: str) -> None:
    """One of `account`'s documents revoked (NAT-8), as review-service announces it."""
    payload = {
        "document_id": str(uuid.uuid4()),
        "number": f"平人社职称〔2026〕{uuid.uuid4().int % 100_000:05d}号",
        "application_id": str(uuid.uuid4()),
        "applicant_id": account,
        "applicant_name": "李四",
        "reason": "伪造论文",
        "revoked_on": on,
        "revoked_by": "city-reviewer",
    }
    event = envelope("review-service", "QualificationDocumentRevoked", payload, stream_id=payload["document_id"])
    event = event.model_copy(update={"occurred_at": svc.clock.now()})
    assert await svc.runtime.consumers[INTEGRITY_CONSUMER].apply(event)


async def test_nat_8_the_file_pages_on_the_server_with_its_total(svc: Harness, tree: Tree) -> None:
    person = random_person()
    account = await svc.register(tree.school, person)
    token = svc.token(account, tree.school, ["applicant"], "李四")
    assert (await post(svc, "/api/v1/applications", token, application())).status_code == 201
    for on in ("2026-05-01", "2026-05-15", "2026-06-01"):
        await revoked(svc, account, on)
    county = auth(svc.token("county", tree.county, ["title_office_review"]))
    first = (await svc.client.get(FILE, params={"person": person, "limit": 2}, headers=county)).json()
    assert first["total"] == 3 and [e["listed_on"] for e in first["items"]] == ["2026-06-01", "2026-05-15"]
    rest = (await svc.client.get(FILE, params={"person": person, "limit": 2, "offset": 2}, headers=county)).json()
    assert rest["total"] == 3 and [e["listed_on"] for e in rest["items"]] == ["2026-05-01"]
    auditor = auth(svc.token("auditor", tree.dept, ["auditor"]))
    assert (await svc.client.get(FILE, params={"person": person}, headers=auditor)).json()["total"] == 3
    # Bounded: no window beyond the kernel's limits.
    for params in ({"offset": -1}, {"offset": 10_000_000}, {"limit": 0}, {"limit": 501}):
        assert (await svc.client.get(FILE, params=params, headers=county)).status_code == 422, params


async def test_nat_8_the_file_is_refused_to_all_but_the_offices_and_auditors(svc: Harness, tree: Tree) -> None:
    for org, roles in ((tree.school, ["unit_review"]), (tree.dept, ["title_office_review"]), (tree.county, ["push"])):
        r = await svc.client.get(FILE, params={"offset": 20}, headers=auth(svc.token("someone", org, roles)))
        assert r.status_code == 403 and r.json()["code"] == "integrity_file_offices_only", (roles, r.text)
    assert (await svc.client.get(FILE)).status_code == 401
