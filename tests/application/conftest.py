"""The in-process harness of application-service: the real app (ASGI) on the real PostgreSQL, with a
clock the test sets, tokens of a signer of the test's own and other services' events handed straight
to the real consumer.

org-service's facts are fed as the envelopes org-service publishes; the service verifies tokens from a
JWKS, as it does in production. Kafka is proven in test_application_stack.py.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from application_service.app import CONSUMER, create_app
from application_service.settings import ApplicationSettings
from sqlalchemy import select
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.clock import FixedClock
from zhicheng_kernel.identifiers import id_card_with_check
from zhicheng_kernel.service import ServiceRuntime
from zhicheng_kernel.tables import events
from zhicheng_kernel.testing import TokenSigner, envelope
from zhicheng_tooling.dev_seed.loader import seed_registries

from tests.harness import Servers

START = datetime(2026, 6, 1, 10, tzinfo=CHINA_TZ)  # a Monday


@dataclass
class Harness:
    client: httpx.AsyncClient
    clock: FixedClock
    runtime: ServiceRuntime[Any]
    signer: TokenSigner

    def token(self, sub: str, org: dict[str, str] | None, roles: list[str], name: str = "测试") -> str:
        return self.signer.token(
            sub,
            roles=roles,
            org_id=org["org_id"] if org else None,
            org_path=org["path"] if org else "",
            org_kind=org.get("kind", "") if org else "",
            name=name,
        )

    async def feed(self, source: str, event_type: str, payload: dict[str, Any]) -> None:
        """Deliver one event of another service to the real consumer, as Kafka or the feed would."""
        event = envelope(source, event_type, payload)
        assert await self.runtime.consumers[CONSUMER].apply(event)
        assert not await self.runtime.consumers[CONSUMER].apply(event)  # a duplicate is a no-op

    async def org(self, kind: str, parent: dict[str, str] | None, level: str = "county") -> dict[str, str]:
        org_id = str(uuid.uuid4())
        path = f"{parent['path'] if parent else '/'}{org_id}/"
        payload = {
            "org_id": org_id,
            "code": org_id[:10],
            "name": f"{kind}-{org_id[:6]}",
            "kind": kind,
            "level": level,
            "division_code": "620821",
            "parent_id": parent["org_id"] if parent else None,
            "path": path,
        }
        await self.feed("org-service", "OrganizationCreated", payload)
        return {"org_id": org_id, "path": path, "kind": kind}

    async def stream(self, stream_id: str) -> list[str]:
        """The event types of a stream, in order."""
        return [t for t, _ in await self.stream_events(stream_id)]

    async def stream_events(self, stream_id: str) -> list[tuple[str, dict[str, Any]]]:
        async with self.runtime.context.db.read() as conn:
            rows = await conn.execute(
                select(events.c.event_type, events.c.payload)
                .where(events.c.stream_id == stream_id)
                .order_by(events.c.version)
            )
            return [(r.event_type, r.payload) for r in rows]


@asynccontextmanager
async def running_service(servers: Servers, *, dev_seed: bool = True, **settings: Any) -> AsyncIterator[Harness]:
    """application-service in-process on a database of its own, with the development seed unless told not."""
    name = f"zc_app_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    signer = TokenSigner()
    config = ApplicationSettings(
        environment="test",
        database_url=servers.postgres.url(name),
        # A broker of its own that is not there: the session's broker carries the real services'
        # events, whose positions would collide with the ones this test hands to the consumer.
        kafka_bootstrap="127.0.0.1:9",
        org_url="http://127.0.0.1:9",  # nobody there: the feeds are not used in this test
        plagiarism_url="http://127.0.0.1:9",
        review_url="http://127.0.0.1:9",
        catchup_interval_seconds=3600,
        **settings,
    )
    clock = FixedClock(START)
    app = create_app(config, clock=clock, verifier=signer.verifier())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://application-service") as client:
            harness = Harness(client, clock, app.state.runtime, signer)
            if dev_seed:
                await load_dev_seed(harness)
            yield harness


async def load_dev_seed(svc: Harness) -> None:
    """The development seed's registries, imported through the registry API by a city office's maintainer."""
    office = await svc.org("title_office", None, "city")
    await seed_registries(svc.client, svc.token("dev-seed", office, ["title_office_review"]))


@pytest.fixture(scope="module")
async def svc(servers: Servers) -> AsyncIterator[Harness]:
    """The service with NAT-5 not enforced (as in development): units approve without a publicity."""
    async with running_service(servers) as harness:
        yield harness


@pytest.fixture(scope="module")
async def svc_with_publicity(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    """The service as in production: NAT-5 enforced; attachments in a directory of the test's own."""
    attachments: Path = tmp_path_factory.mktemp("attachments")
    async with running_service(servers, attachments_dir=attachments, nat5_publicity_required=True) as harness:
        yield harness


@dataclass
class Tree:
    city: dict[str, str]
    county: dict[str, str]
    dept: dict[str, str]
    school: dict[str, str]
    other_school: dict[str, str]


@pytest.fixture
async def tree(svc: Harness) -> Tree:
    """The city office → a county office → its education department → two schools."""
    svc.clock.set(START)
    city = await svc.org("title_office", None, "city")
    county = await svc.org("title_office", city)
    dept = await svc.org("government_department", county)
    school = await svc.org("state_unit", dept)
    other = await svc.org("state_unit", dept)
    return Tree(city, county, dept, school, other)


# -- request bodies and calls ----------------------------------------------------------------------------


def paper(**overrides: Any) -> dict[str, Any]:
    body = {
        "title": "基层卫生服务研究",
        "journal": "中国全科医学",
        "journal_level": "core",
        "published_on": "2025-03-01",
        "authors": ["张三"],
        "text": "正文" * 100,
    }
    return body | overrides


def application(**overrides: Any) -> dict[str, Any]:
    body = {
        "year": 2026,
        "series": "卫生系列",
        "specialty": "临床医学",
        "level": "intermediate",
        "track": "normal",
        "papers": [paper()],
    }
    return body | overrides


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def random_person() -> str:
    """A fresh ID number: birth date and sequence drawn from ~10 million, so two never collide in a run."""
    n = uuid.uuid4().int
    birth = date(1960, 1, 1) + timedelta(days=n % 14_000)
    return id_card_with_check(f"620821{birth:%Y%m%d}{(n // 14_000) % 1000:03d}")


async def submit(svc: Harness, tree: Tree, applicant: str = "", **overrides: Any) -> httpx.Response:
    token = svc.token(applicant or str(uuid.uuid4()), tree.school, ["applicant"], "张三")
    return await svc.client.post("/api/v1/applications", json=application(**overrides), headers=auth(token))


async def approve(svc: Harness, app_id: str, org: dict[str, str], role: str, version: int) -> httpx.Response:
    token = svc.token(str(uuid.uuid4()), org, [role])
    body = {"decision": "approve", "opinion": "同意", "expected_version": version}
    return await svc.client.post(f"/api/v1/applications/{app_id}/decisions", json=body, headers=auth(token))


async def pass_checks(svc: Harness, app: dict[str, Any], decision: str = "pass") -> None:
    """plagiarism-service's verdict on every paper of the application (POL-PA-4)."""
    for p in app["papers"]:
        await svc.feed(
            "plagiarism-service",
            "PaperCheckCompleted",
            {
                "check_id": str(uuid.uuid4()),
                "application_id": app["id"],
                "paper_id": p["paper_id"],
                "total_copy_ratio": 0.05,
                "copy_ratio_excluding_quotes": 0.05,
                "copy_ratio_excluding_own": 0.05 if decision == "pass" else 0.4,
                "max_single_source_ratio": 0.05,
                "threshold": 0.15,
                "decision": decision,
            },
        )


def reader(svc: Harness, tree: Tree) -> str:
    return svc.token(str(uuid.uuid4()), tree.county, ["auditor"])


# -- with NAT-5 enforced (svc_with_publicity) -------------------------------------------------------------


def applicant(svc: Harness, tree: Tree, person: str | None = None) -> str:
    """An applicant of the school; their username is their ID number, as org-service registers them."""
    return svc.token(person or random_person(), tree.school, ["applicant"])


async def post(svc: Harness, url: str, token: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return await svc.client.post(url, json=body or {}, headers=auth(token))


async def get(svc: Harness, url: str, token: str, **params: Any) -> httpx.Response:
    return await svc.client.get(url, params=params, headers=auth(token))


def office(svc: Harness, tree: Tree, roles: tuple[str, ...] = ("title_office_review", "push", "auditor")) -> str:
    return svc.token(f"office-{uuid.uuid4().hex[:6]}", tree.county, list(roles))


def city_office(svc: Harness, tree: Tree) -> str:
    return svc.token(f"city-{uuid.uuid4().hex[:6]}", tree.city, ["title_office_review", "auditor"])


async def decide(svc: Harness, app: dict[str, Any], org: dict[str, str], role: str, **body: Any) -> httpx.Response:
    token = svc.token(f"r-{uuid.uuid4().hex[:6]}", org, [role])
    payload = {"decision": "approve", "opinion": "同意", "expected_version": app["version"]} | body
    return await post(svc, f"/api/v1/applications/{app['id']}/decisions", token, payload)


async def through_unit(svc: Harness, tree: Tree, app: dict[str, Any]) -> dict[str, Any]:
    """NAT-5: publicity recorded on the submission day, unit approval the day after it ends."""
    unit = svc.token("unit", tree.school, ["unit_review"])
    r = await post(svc, f"/api/v1/applications/{app['id']}/publicity", unit)
    assert r.status_code == 200, r.text
    svc.clock.set(datetime(2026, 6, 8, 9, tzinfo=CHINA_TZ))
    r = await decide(svc, r.json(), tree.school, "unit_review")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def office_approved_after_publicity(svc: Harness, tree: Tree, token: str, **overrides: Any) -> dict[str, Any]:
    r = await post(svc, "/api/v1/applications", token, application(**overrides))
    assert r.status_code == 201, r.text
    await pass_checks(svc, r.json())
    app = (await get(svc, f"/api/v1/applications/{r.json()['id']}", token)).json()
    app = await through_unit(svc, tree, app)
    for org, role in ((tree.dept, "department_review"), (tree.county, "title_office_review")):
        r = await decide(svc, app, org, role)
        assert r.status_code == 200, r.text
        app = r.json()
    return app


def csv_file(text: str, name: str = "list.csv") -> dict[str, Any]:
    return {"file": (name, text.encode("utf-8"), "text/csv")}
