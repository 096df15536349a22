"""No sample data outside development: a service started in production against a fresh database has
empty registries (the development seed is loaded through the API by the tooling member, never by the
service); only the notice's own 2021 push schedule is published at the first start. The seed's files
are what the registry import accepts, and loading them again changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest
from application_service.adapters import registries as store
from application_service.adapters.spreadsheets import read_rows
from application_service.app import create_app
from application_service.domain.registry_specs import REGISTRIES
from application_service.settings import ApplicationSettings
from sqlalchemy import select
from zhicheng_kernel.tables import events
from zhicheng_kernel.testing import TokenSigner
from zhicheng_tooling.dev_seed.loader import seed_registries
from zhicheng_tooling.dev_seed.registries import REGISTRY_ENTRIES, as_csv

from tests.application.conftest import Harness, auth, running_service
from tests.filing.province import production_province
from tests.harness import Servers


@pytest.mark.parametrize("registry", sorted(REGISTRY_ENTRIES))
def test_each_seed_file_is_read_by_the_registry_import_as_the_seed_entries(registry: str) -> None:
    assert REGISTRIES[registry].parse_rows(read_rows(as_csv(REGISTRY_ENTRIES[registry]))) == REGISTRY_ENTRIES[registry]


async def test_the_seed_goes_only_into_empty_registries(servers: Servers) -> None:
    async with running_service(servers) as svc:  # seeded once by the harness, through the same loader
        office = await svc.org("title_office", None, "city")
        token = svc.token("dev-seed", office, ["title_office_review"])
        assert await seed_registries(svc.client, token) == {}
        r = await svc.client.delete("/api/v1/registries/bridged_fields/entries/会计", headers=auth(token))
        assert r.status_code == 204, r.text
        assert await seed_registries(svc.client, token) == {}  # a registry with entries is the office's
        assert await entries(svc, token, "bridged_fields") == len(REGISTRY_ENTRIES["bridged_fields"]) - 1


async def entries(svc: Harness, token: str, registry: str) -> int:
    r = await svc.client.get(f"/api/v1/registries/{registry}", params={"limit": 1}, headers=auth(token))
    return int(r.json()["total"])


async def test_a_production_start_has_empty_registries_and_the_2021_schedule(servers: Servers, tmp_path: Path) -> None:
    name = f"zc_app_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    signer = TokenSigner()
    settings = ApplicationSettings(
        environment="production",
        service_client_secret="unused",
        database_url=servers.postgres.url(name),
        kafka_bootstrap="127.0.0.1:9",
        org_url="http://127.0.0.1:9",
        plagiarism_url="http://127.0.0.1:9",
        review_url="http://127.0.0.1:9",
        catchup_interval_seconds=3600,
        **production_province(tmp_path),
    )
    app = create_app(settings, verifier=signer.verifier())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://application-service") as client:
            office = signer.token("office", roles=["title_office_review", "auditor"], org_kind="title_office")
            for registry in REGISTRY_ENTRIES:
                r = await client.get(f"/api/v1/registries/{registry}", headers={"Authorization": f"Bearer {office}"})
                assert r.status_code == 200, r.text
                assert r.json()["items"] == [], registry
        async with app.state.runtime.context.db.read() as conn:
            streams = set((await conn.execute(select(events.c.stream_id).distinct())).scalars())
    assert streams == {store.schedule_stream(2021)}
