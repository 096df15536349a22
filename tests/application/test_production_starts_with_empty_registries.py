"""No sample data outside development: a service started in production against a fresh database has
empty registries (the development seed is loaded through the API by the tooling member, never by the
service); only the notice's own 2021 push schedule is published at the first start."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from application_service.adapters import registries as store
from application_service.app import create_app
from application_service.settings import ApplicationSettings
from sqlalchemy import select
from zhicheng_kernel.tables import events
from zhicheng_kernel.testing import TokenSigner
from zhicheng_tooling.dev_seed.registries import REGISTRY_ENTRIES

from tests.harness import Servers

pytestmark = pytest.mark.stack


async def test_a_production_start_has_empty_registries_and_the_2021_schedule(servers: Servers) -> None:
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
