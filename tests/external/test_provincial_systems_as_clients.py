"""Provincial systems as API clients (issue 10 item 4): a provincial body registers its system's
Ed25519 public key; the system gets a token with an RFC 7523 assertion (never a shared secret) and
reads, within its scopes and its function's series, committee results and issued documents, and
verifies document numbers in bulk. Every such call is audited; a person's token or an internal
service's secret from outside opens none of it. Real org-service and review-service."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from org_service.settings import OrgSettings
from pydantic import ValidationError
from sqlalchemy import select
from zhicheng_kernel.database import Database
from zhicheng_kernel.signing import (
    CLIENT_ASSERTION_TYPE,
    client_assertion,
    development_client_id,
    load_private_key,
    new_private_key,
    public_key_pem,
)

from tests.api_client import Api, bearer
from tests.harness import DATABASES, Stack
from tests.org_tree import root_admin
from tests.review.scenario import Scenario

ALL = ["results:read", "documents:read", "documents:verify"]


@dataclass
class Client:
    client_id: str
    key: Ed25519PrivateKey
    body: dict[str, Any]


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[Api]:
    yield Api(stack)


@pytest.fixture(scope="module")
def health_admin(api: Api) -> str:
    """甘肃省卫生健康委员会's system administrator (a provincial body with the health function)."""
    return root_admin(api, "6200000003").admin_token


def register(api: Api, token: str, scopes: list[str], key: Ed25519PrivateKey | None = None) -> httpx.Response:
    key = key or new_private_key()
    body = {"name": "省卫健委职称备案系统", "public_key_pem": public_key_pem(key.public_key()), "scopes": scopes}
    return api.http.post(api.url("org-service", "/api/v1/external-clients"), json=body, headers=bearer(token))


def new_client(api: Api, token: str, scopes: list[str]) -> Client:
    key = new_private_key()
    r = register(api, token, scopes, key)
    assert r.status_code == 201, r.text
    return Client(r.json()["client_id"], key, r.json())


def token_url(api: Api) -> str:
    return api.url("org-service", "/api/v1/auth/token")


def request_token(api: Api, client: Client, assertion: str | None = None, **extra: str) -> httpx.Response:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": assertion or client_assertion(client.key, client.client_id, token_url(api)),
        **extra,
    }
    return api.http.post(token_url(api), data=form)


def client_token(api: Api, client: Client) -> str:
    r = request_token(api, client)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def test_a_provincial_body_registers_its_system_with_its_public_key_and_its_series(api: Api, health_admin: str) -> None:
    client = new_client(api, health_admin, ALL)
    assert client.body["series"] == ["卫生系列"] and client.body["scopes"] == sorted(ALL)
    listed = api.get("org-service", "/api/v1/external-clients", health_admin).json()
    assert client.client_id in {c["client_id"] for c in listed}
    assert "public_key_pem" not in client.body  # the key is the province's; we answer what we registered


def test_only_provincial_bodies_register_clients_with_known_scopes_and_a_real_key(api: Api, health_admin: str) -> None:
    city = register(api, api.admin_token(), ALL)
    assert city.status_code == 403 and city.json()["code"] == "not_provincial_body"
    assert api.get("org-service", "/api/v1/external-clients", api.operator_token()).status_code == 403
    unknown = register(api, health_admin, ["applications:write"])
    assert unknown.status_code == 422 and unknown.json()["field"] == "scopes"
    bad_key = api.http.post(
        api.url("org-service", "/api/v1/external-clients"),
        json={
            "name": "x",
            "public_key_pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "scopes": ALL,
        },
        headers=bearer(health_admin),
    )
    assert bad_key.status_code == 422 and bad_key.json()["code"] == "public_key_invalid"


def test_a_token_needs_a_fresh_assertion_signed_by_the_registered_key(api: Api, health_admin: str) -> None:
    client = new_client(api, health_admin, ALL)
    assertion = client_assertion(client.key, client.client_id, token_url(api))
    first = request_token(api, client, assertion)
    assert first.status_code == 200, first.text
    replayed = request_token(api, client, assertion)
    assert replayed.status_code == 401 and replayed.json()["code"] == "client_assertion_replayed"
    forged = client_assertion(new_private_key(), client.client_id, token_url(api))
    assert request_token(api, client, forged).status_code == 401
    elsewhere = client_assertion(client.key, client.client_id, "https://elsewhere.example/api/v1/auth/token")
    assert request_token(api, client, elsewhere).status_code == 401
    narrowed = request_token(api, client, scope="documents:verify")
    assert narrowed.status_code == 200
    not_granted = request_token(api, client, scope="filings:read")
    assert not_granted.status_code == 401 and not_granted.json()["code"] == "scope_not_granted"


def test_internal_secrets_are_refused_from_outside_the_gateway(api: Api) -> None:
    """The public gateway marks what it forwards (X-Zc-Edge: public); internal clients stay internal."""
    form = {
        "grant_type": "client_credentials",
        "client_id": "workflows",
        "client_secret": api.stack.secrets.client_secrets["workflows"],
    }
    outside = api.http.post(token_url(api), data=form, headers={"X-Zc-Edge": "public"})
    assert outside.status_code == 403 and outside.json()["code"] == "client_secret_not_accepted"
    assert api.http.post(token_url(api), data=form).status_code == 200


def test_the_client_reads_within_its_scopes_and_nobody_else_reads_there(api: Api, health_admin: str) -> None:
    year = 2026
    client = new_client(api, health_admin, ALL)
    token = client_token(api, client)
    results = api.get("review-service", "/api/v1/external/results", token, year=year)
    assert results.status_code == 200 and isinstance(results.json(), list)
    documents = api.get("review-service", "/api/v1/external/documents", token, year=year, series="卫生系列")
    assert documents.status_code == 200
    assert all(d["series"] == "卫生系列" for d in documents.json())
    unknown = "平人社职称〔2026〕99999号"
    verified = api.post("review-service", "/api/v1/external/documents/verify", token, {"numbers": [unknown]})
    assert verified.status_code == 200 and verified.json() == {"found": [], "not_found": [unknown]}
    too_many = api.post("review-service", "/api/v1/external/documents/verify", token, {"numbers": ["x" * 8] * 501})
    assert too_many.status_code == 422

    # A person's token, however high, is not a provincial system's.
    person = api.get("review-service", "/api/v1/external/documents", api.operator_token(), year=year)
    assert person.status_code == 403 and person.json()["code"] == "external_client_only"
    # A client without the scope is refused by scope.
    verify_only = new_client(api, health_admin, ["documents:verify"])
    narrow = api.get("review-service", "/api/v1/external/documents", client_token(api, verify_only), year=year)
    assert narrow.status_code == 403 and narrow.json()["code"] == "scope_required"
    # The client's token opens nothing that is a person's or a service's.
    committee = api.post("review-service", "/api/v1/committees", token, {"name": "x", "series": "卫生系列"})
    assert committee.status_code in (403, 422) and committee.status_code != 200
    feed = api.http.get(api.url("review-service", "/api/v1/events?after=0"), headers=bearer(token))
    assert feed.status_code == 403


def test_every_call_of_an_external_client_is_audited(api: Api, health_admin: str) -> None:
    client = new_client(api, health_admin, ALL)
    token = client_token(api, client)
    r = api.get("review-service", "/api/v1/external/documents", token, year=2026)
    assert r.status_code == 200
    refused = api.post("review-service", "/api/v1/external/documents/verify", token, {"numbers": []})
    assert refused.status_code == 422

    async def rows(service: str) -> list[Any]:
        from sqlalchemy import MetaData
        from zhicheng_kernel.access_audit import external_access_table

        table = external_access_table(MetaData())
        db = Database(api.stack.servers.postgres.url(DATABASES[service]), pool_size=1)
        try:
            async with db.read() as conn:
                return list((await conn.execute(select(table).where(table.c.client_id == client.client_id))).all())
        finally:
            await db.dispose()

    review_rows = asyncio.run(rows("review-service"))
    assert [(r.method, r.path, r.status) for r in review_rows] == [
        ("GET", "/api/v1/external/documents", 200),
        ("POST", "/api/v1/external/documents/verify", 422),
    ]
    assert all(r.request_id for r in review_rows)
    token_rows = asyncio.run(rows("org-service"))
    assert [(r.path, r.status) for r in token_rows] == [("/api/v1/auth/token", 200)]


def test_a_revoked_client_gets_no_token(api: Api, health_admin: str) -> None:
    client = new_client(api, health_admin, ALL)
    client_token(api, client)
    other_body = root_admin(api, "6200000002").admin_token  # 甘肃省教育厅 may not revoke 省卫健委's client
    foreign = api.post(
        "org-service", f"/api/v1/external-clients/{client.client_id}/revoke", other_body, {"reason": "x"}
    )
    assert foreign.status_code == 403
    revoked = api.post(
        "org-service", f"/api/v1/external-clients/{client.client_id}/revoke", health_admin, {"reason": "密钥泄露"}
    )
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    assert request_token(api, client).status_code == 401
    assert uuid.UUID(client.client_id)


def test_the_province_reads_the_citys_filings_and_verdicts_within_its_series(api: Api, health_admin: str) -> None:
    """`filings:read`: the batches the city filed (POL-FI-1) and the province's verdicts, for 备案."""
    scenario = Scenario.build(api)
    (approved,) = scenario.pushed_candidates(1)
    hr = new_client(api, root_admin(api, "6200000001").admin_token, ["filings:read"])  # 省人社厅: every series
    path = "/api/v1/external/filings"
    r = api.get("application-service", path, client_token(api, hr), year=scenario.year, series=scenario.series)
    assert r.status_code == 200, r.text
    (filing,) = r.json()
    assert filing["approved_application_ids"] == [approved] and filing["pending_application_ids"] == []
    assert [v["verdict"] for v in filing["verdicts"]] == ["approved"]
    # 省卫健委's client is bound to 卫生系列: the scenario's series of its own is not its to read.
    health = new_client(api, health_admin, ["filings:read"])
    bound = api.get("application-service", path, client_token(api, health), year=scenario.year, series=scenario.series)
    assert bound.status_code == 200 and bound.json() == []
    person = api.get("application-service", path, api.operator_token(), year=scenario.year)
    assert person.status_code == 403 and person.json()["code"] == "external_client_only"
    no_scope = new_client(api, health_admin, ["documents:verify"])
    refused = api.get("application-service", path, client_token(api, no_scope), year=scenario.year)
    assert refused.status_code == 403 and refused.json()["code"] == "scope_required"


def test_the_seeded_bodies_systems_are_clients_outside_production(api: Api) -> None:
    """make run and the tests register a development client for each seeded provincial body, its key in
    .data/secrets (dev-credentials.json names it); production refuses that bootstrap."""
    code = "6200000001"  # 甘肃省人力资源和社会保障厅
    key = load_private_key(api.stack.secrets.provincial_client_key_files[code].read_bytes())
    seeded = Client(str(development_client_id(code)), key, {})
    documents = api.get("review-service", "/api/v1/external/documents", client_token(api, seeded), year=2026)
    assert documents.status_code == 200, documents.text
    with pytest.raises(ValidationError, match="ZC_BOOTSTRAP_PROVINCIAL_CLIENTS"):
        OrgSettings(
            environment="production",
            service_client_secret="s",
            jwt_private_key_file=api.stack.secrets.jwt_private_key_file,
            bootstrap_provincial_clients=json.dumps({code: public_key_pem(key.public_key())}),
        )
