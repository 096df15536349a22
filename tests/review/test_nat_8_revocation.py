"""NAT-8 in review-service: the city office revokes a qualification document for fraud; public
verification, the holder's and employer's lists and the provincial API then show it revoked.

The real review-service (in-process, on a database of its own on the real PostgreSQL), fed the org
tree and an issued document as org- and application-service publish them; tokens of the test's signer.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from review_service.app import create_app
from review_service.consumers import CONSUMER
from review_service.domain.documents import REVOCATION_CATEGORY_ZH, document_id_for, revoke
from review_service.domain.events import QualificationDocumentRevoked
from zhicheng_kernel.calendar import china_today
from zhicheng_kernel.errors import Conflict
from zhicheng_kernel.service import ServiceRuntime
from zhicheng_kernel.testing import TokenSigner, envelope

from tests.harness import Servers
from tests.review.routes import concluded, isolated

CITY = "/nat8-city/"
COUNTY = f"{CITY}nat8-county/"
UNIT = f"{COUNTY}nat8-unit/"


@dataclass
class Revocation:
    runtime: ServiceRuntime[Any]
    http: httpx.AsyncClient
    signer: TokenSigner

    def auth(self, subject: str, roles: list[str], org_id: str | None, org_path: str, org_kind: str) -> dict[str, str]:
        token = self.signer.token(subject, roles=roles, org_id=org_id, org_path=org_path, org_kind=org_kind)
        return {"Authorization": f"Bearer {token}"}

    async def feed(self, event: Any) -> None:
        assert await self.runtime.consumers[CONSUMER].apply(event)

    async def issued(self) -> tuple[str, str, str]:
        """A document issued to a new applicant of the unit: (application id, applicant id, number)."""
        application_id = str(uuid.uuid4())
        applicant_id = f"applicant-{application_id}"
        await self.feed(
            concluded(
                application_id, "employer_assessment", org_id="nat8-unit", org_path=UNIT, applicant_id=applicant_id
            )
        )
        async with self.runtime.context.db.read() as conn:
            [issued] = await self.runtime.context.store.load(conn, document_id_for(application_id))
        return application_id, applicant_id, str(issued.payload["number"])

    async def revoke(self, number: str, headers: dict[str, str], **body: Any) -> httpx.Response:
        return await self.http.post(
            f"/api/v1/documents/{quote(number)}/revocation",
            json={"reason": "伪造任职年限证明", **body},
            headers=headers,
        )

    @property
    def city(self) -> dict[str, str]:
        return self.auth("city-reviewer", ["title_office_review"], "nat8-city", CITY, "title_office")


def _org(org_id: str, kind: str, level: str, path: str) -> Any:
    payload = {"org_id": org_id, "name": org_id, "kind": kind, "level": level, "path": path}
    return envelope("org-service", "OrganizationCreated", payload, stream_id=org_id)


@pytest.fixture(scope="module")
async def svc(servers: Servers) -> AsyncIterator[Revocation]:
    name = f"zc_rev_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    signer = TokenSigner()
    app = create_app(isolated(str(servers.postgres.url(name))), verifier=signer.verifier())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://review-service") as http:
            revocation = Revocation(app.state.runtime, http, signer)
            await revocation.feed(_org("nat8-city", "title_office", "city", CITY))
            await revocation.feed(_org("nat8-county", "title_office", "county", COUNTY))
            await revocation.feed(_org("nat8-unit", "state_unit", "county", UNIT))
            yield revocation


async def test_nat_8_revoked_document_verifies_as_revoked_everywhere(svc: Revocation) -> None:
    application_id, applicant_id, number = await svc.issued()
    before = (await svc.http.get("/api/v1/documents/verify", params={"number": number})).json()
    assert before["status"] == "valid" and before["valid"] is True and before["revoked_on"] is None

    r = await svc.revoke(number, svc.city)
    assert r.status_code == 201, r.text
    today = china_today(svc.runtime.context.clock.now())
    assert r.json() == {
        "document_id": document_id_for(application_id),
        "number": number,
        "application_id": application_id,
        "status": "revoked",
        "revoked_on": today.isoformat(),
        "reason": "伪造任职年限证明",
    }

    # The event on the document's own stream, its payload the contract application-service reads.
    async with svc.runtime.context.db.read() as conn:
        stream = await svc.runtime.context.store.load(conn, document_id_for(application_id))
    assert [e.event_type for e in stream] == ["QualificationDocumentIssued", "QualificationDocumentRevoked"]
    revoked = QualificationDocumentRevoked.model_validate(stream[1].payload)
    assert revoked.applicant_id == applicant_id and revoked.revoked_by == "city-reviewer"
    assert revoked.revoked_on == today and revoked.number == number

    # Public verification (no token): revoked, the day, the category — never the office's words.
    verified = await svc.http.get("/api/v1/documents/verify", params={"number": number})
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["status"] == "revoked" and body["valid"] is False
    assert body["revoked_on"] == today.isoformat() and body["revocation_category"] == REVOCATION_CATEGORY_ZH
    assert body["holder"] == "赵**" and "伪造任职年限证明" not in verified.text
    unknown = await svc.http.get("/api/v1/documents/verify", params={"number": "平人社职称〔2026〕99999号"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "document_not_found"

    # The holder's and the employer's lists show it revoked, with the reason.
    holder = svc.auth(applicant_id, ["applicant"], "nat8-unit", UNIT, "state_unit")
    employer = svc.auth("unit-admin", ["applicant_management"], "nat8-unit", UNIT, "state_unit")
    for headers in (holder, employer):
        listed = await svc.http.get("/api/v1/documents", params={"application_id": application_id}, headers=headers)
        assert listed.status_code == 200, listed.text
        [doc] = listed.json()["items"]
        assert doc["status"] == "revoked" and doc["revoked_on"] == today.isoformat()
        assert doc["revocation_reason"] == "伪造任职年限证明"

    # The provincial systems' API reflects it: the list and the bulk verification.
    province = {
        "Authorization": "Bearer "
        + svc.signer.token(
            "province", kind="external", roles=["provincial_client"], scope="documents:read documents:verify"
        )
    }
    page = await svc.http.get("/api/v1/external/documents", params={"year": 2026, "limit": 500}, headers=province)
    assert page.status_code == 200, page.text
    [doc] = [d for d in page.json() if d["number"] == number]
    assert doc["status"] == "revoked" and doc["revoked_on"] == today.isoformat()
    bulk = await svc.http.post("/api/v1/external/documents/verify", json={"numbers": [number]}, headers=province)
    assert bulk.status_code == 200, bulk.text
    assert bulk.json()["found"][0]["status"] == "revoked" and bulk.json()["found"][0]["valid"] is False


async def test_nat_8_a_second_revocation_is_refused(svc: Revocation) -> None:
    _, _, number = await svc.issued()
    assert (await svc.revoke(number, svc.city)).status_code == 201
    again = await svc.revoke(number, svc.city, reason="再次撤销")
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "already_revoked" and again.json()["rule"] == "NAT-8"


async def test_nat_8_a_retried_revocation_with_its_idempotency_key_answers_once(svc: Revocation) -> None:
    _, _, number = await svc.issued()
    headers = {**svc.city, "Idempotency-Key": f"revoke-{uuid.uuid4().hex}"}
    first = await svc.revoke(number, headers)
    retried = await svc.revoke(number, headers)
    assert first.status_code == 201 and retried.status_code == 201, retried.text
    assert retried.json() == first.json()


async def test_nat_8_a_stale_expected_version_is_refused(svc: Revocation) -> None:
    _, _, number = await svc.issued()
    stale = await svc.revoke(number, svc.city, expected_version=2)
    assert stale.status_code == 409 and stale.json()["code"] == "concurrent_modification", stale.text
    assert (await svc.revoke(number, svc.city, expected_version=1)).status_code == 201


@pytest.mark.parametrize(
    ("who", "roles", "org_id", "org_path", "org_kind"),
    [
        ("county office", ["title_office_review"], "nat8-county", COUNTY, "title_office"),
        ("city secretary", ["committee_secretary"], "nat8-city", CITY, "title_office"),
        ("employer", ["unit_review", "applicant_management"], "nat8-unit", UNIT, "state_unit"),
        ("applicant", ["applicant"], "nat8-unit", UNIT, "state_unit"),
        ("expert", ["expert"], "nat8-unit", UNIT, "state_unit"),
    ],
)
async def test_nat_8_only_the_city_office_revokes(
    svc: Revocation, who: str, roles: list[str], org_id: str, org_path: str, org_kind: str
) -> None:
    _, applicant_id, number = await svc.issued()
    subject = applicant_id if who == "applicant" else f"{who}-{uuid.uuid4().hex[:6]}"
    refused = await svc.revoke(number, svc.auth(subject, roles, org_id, org_path, org_kind))
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "city_office_only" and refused.json()["rule"] == "NAT-8"
    assert "市职改办" in refused.json()["detail"]
    still = (await svc.http.get("/api/v1/documents/verify", params={"number": number})).json()
    assert still["status"] == "valid"


async def test_nat_8_revocation_needs_a_token_a_reason_and_a_known_number(svc: Revocation) -> None:
    _, _, number = await svc.issued()
    anonymous = await svc.http.post(f"/api/v1/documents/{quote(number)}/revocation", json={"reason": "x"})
    assert anonymous.status_code == 401
    assert (await svc.revoke(number, svc.city, reason="   ")).status_code == 422
    assert (await svc.revoke(number, svc.city, reason="假" * 501)).status_code == 422
    missing = await svc.revoke("平人社职称〔2026〕99998号", svc.city)
    assert missing.status_code == 404 and missing.json()["code"] == "document_not_found"


# -- pure: the decision from the document's own stream ------------------------------------------------


def test_nat_8_revoke_decides_from_the_stream_and_refuses_twice() -> None:
    issued = envelope(
        "review-service",
        "QualificationDocumentIssued",
        {
            "document_id": "d-1",
            "number": "平人社职称〔2026〕00001号",
            "application_id": "a-1",
            "applicant_id": "p-1",
            "applicant_name": "张三",
            "year": 2026,
            "series": "工程系列",
            "level": "junior",
            "annotations": [],
        },
        stream_id="d-1",
    )
    event = revoke(
        [issued], number="平人社职称〔2026〕00001号", reason="伪造", revoked_on=date(2026, 3, 1), revoked_by="u"
    )
    assert event.document_id == "d-1" and event.applicant_id == "p-1" and event.revoked_on == date(2026, 3, 1)
    again = envelope("review-service", "QualificationDocumentRevoked", event.model_dump(mode="json"), stream_id="d-1")
    with pytest.raises(Conflict) as refused:
        revoke(
            [issued, again], number="平人社职称〔2026〕00001号", reason="x", revoked_on=date(2026, 3, 2), revoked_by="u"
        )
    assert refused.value.code == "already_revoked" and refused.value.rule == "NAT-8"
