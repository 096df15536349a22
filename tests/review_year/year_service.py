"""review-service in this process for the review-year tests (SCHED-3): a database of its own, a clock
the test sets (a FixedClock) or the system clock with a compressed deadline, a test signer's tokens,
the city's organizations and pushed candidates fed as org-service's and application-service's
envelopes. Committees are CommitteeFormed appended directly; sessions open and vote over HTTP."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import httpx
from review_service.adapters.tables import committees
from review_service.app import create_app
from review_service.consumers import CONSUMER
from review_service.context import ReviewContext
from review_service.domain.events import COMMITTEE, CommitteeFormed
from review_service.settings import ReviewSettings
from zhicheng_kernel.calendar import CHINA_TZ, china_today
from zhicheng_kernel.clock import Clock, FixedClock
from zhicheng_kernel.envelope import Metadata
from zhicheng_kernel.service import ServiceRuntime
from zhicheng_kernel.testing import TokenSigner, envelope

from tests.harness import Servers
from tests.review.defenses import hold_defenses
from tests.review.routes import appoint_in_pool, filing_approved, isolated, pushed

CITY = "city-office"
CITY_PATH = f"/{CITY}/"
COUNTY = "county-office"
COUNTY_PATH = f"{CITY_PATH}{COUNTY}/"
HOSPITAL_PATH = f"{CITY_PATH}hospital/"
CLINIC_PATH = f"{COUNTY_PATH}clinic/"
OTHER_UNIT = "other-unit"
EXPERTS = ["expert-alpha-7", "expert-beta-8", "expert-gamma-9"]

ORGANIZATIONS = [
    {
        "org_id": CITY,
        "name": "平凉市职称改革工作领导小组办公室",
        "kind": "title_office",
        "level": "city",
        "path": CITY_PATH,
    },
    {"org_id": COUNTY, "name": "崆峒区职称改革办公室", "kind": "title_office", "level": "county", "path": COUNTY_PATH},
    {"org_id": "hospital", "name": "平凉市人民医院", "kind": "state_unit", "level": "city", "path": HOSPITAL_PATH},
    {"org_id": "clinic", "name": "崆峒区卫生院", "kind": "state_unit", "level": "county", "path": CLINIC_PATH},
    {
        "org_id": OTHER_UNIT,
        "name": "平凉市第二人民医院",
        "kind": "state_unit",
        "level": "city",
        "path": f"{CITY_PATH}{OTHER_UNIT}/",
    },
]


@dataclass
class YearService:
    runtime: ServiceRuntime[ReviewContext]
    http: httpx.AsyncClient
    signer: TokenSigner
    meetings: int = 0

    @property
    def ctx(self) -> ReviewContext:
        return self.runtime.context

    def at(self, instant: datetime) -> None:
        clock = self.ctx.clock
        assert isinstance(clock, FixedClock)
        clock.set(instant)

    # -- who calls -------------------------------------------------------------------------------

    def headers(self, subject: str, roles: list[str], org_id: str | None = None, org_path: str = "") -> dict[str, str]:
        token = self.signer.token(subject, roles=roles, org_id=org_id, org_path=org_path)
        return {"Authorization": f"Bearer {token}"}

    def city_office(self) -> dict[str, str]:
        return self.headers("city-operator", ["title_office_review", "committee_secretary"], CITY, CITY_PATH)

    def secretary(self, org_id: str = CITY) -> dict[str, str]:
        path = CITY_PATH if org_id == CITY else next(o["path"] for o in ORGANIZATIONS if o["org_id"] == org_id)
        return self.headers(f"secretary-{org_id}", ["committee_secretary"], org_id, path)

    def county_office(self) -> dict[str, str]:
        return self.headers("county-operator", ["title_office_review", "committee_secretary"], COUNTY, COUNTY_PATH)

    def expert(self, expert_id: str = EXPERTS[0]) -> dict[str, str]:
        return self.headers(expert_id, ["expert"])

    def applicant(self) -> dict[str, str]:
        return self.headers("applicant-1", ["applicant"], "hospital", HOSPITAL_PATH)

    def service(self) -> dict[str, str]:
        token = self.signer.token("workflows", roles=["service"], kind="service")
        return {"Authorization": f"Bearer {token}"}

    # -- facts -----------------------------------------------------------------------------------

    async def organizations(self) -> None:
        for i, org in enumerate(ORGANIZATIONS):
            event = envelope("org-service", "OrganizationCreated", org, stream_id=org["org_id"], position=i + 1)
            assert await self.runtime.consumers[CONSUMER].apply(event)

    async def committee(self, level: str, organizer: str = CITY, series: str = "卫生系列") -> str:
        committee_id = str(uuid.uuid4())
        formed = CommitteeFormed(
            committee_id=committee_id,
            name=f"平凉市{series}评审委员会",
            series=series,
            level=level,
            specialty=None,
            organizing_org_id=organizer,
            expert_ids=EXPERTS,
        )
        async with self.ctx.db.transaction() as conn:
            await self.ctx.store.append(conn, COMMITTEE, committee_id, 0, [formed], Metadata(actor="test"))
            await conn.execute(
                committees.insert().values(
                    committee_id=committee_id,
                    name=formed.name,
                    series=series,
                    level=level,
                    organizing_org_id=organizer,
                    expert_ids=EXPERTS,
                )
            )
        await appoint_in_pool(self.ctx, EXPERTS, organizer)  # NAT-6: the members are in the pool
        return committee_id

    async def candidate(
        self,
        year: int,
        level: str = "intermediate",
        org_path: str = HOSPITAL_PATH,
        series: str = "卫生系列",
        verdict: str | None = "approved",
    ) -> str:
        """A pushed candidate, by default approved by the province (POL-FI-1: only those enter a session)."""
        application_id = str(uuid.uuid4())
        event = pushed(application_id, year, level=level, org_path=org_path, series=series)
        assert await self.runtime.consumers[CONSUMER].apply(event)
        if verdict is not None:
            assert await self.runtime.consumers[CONSUMER].apply(filing_approved(event, verdict, ["材料不全"]))
        return application_id

    async def open_session(self, committee_id: str, year: int, organizer: str = CITY) -> httpx.Response:
        """A session meeting on a day of its own (the committees share EXPERTS, and NAT-4 draws no
        expert sitting elsewhere at the same time)."""
        path = f"/api/v1/committees/{committee_id}/sessions"
        starts = datetime.combine(china_today(self.ctx.clock.now()), time(9), tzinfo=CHINA_TZ)
        starts += timedelta(days=self.meetings)
        self.meetings += 1
        body = {
            "year": year,
            "meeting_starts_at": starts.isoformat(),
            "meeting_ends_at": (starts + timedelta(hours=8)).isoformat(),
        }
        return await self.http.post(path, json=body, headers=self.secretary(organizer))

    async def session_attended(self, committee_id: str, year: int, organizer: str = CITY) -> str:
        opened = await self.open_session(committee_id, year, organizer)
        assert opened.status_code == 201, opened.text
        session_id = str(opened.json()["session_id"])
        await hold_defenses(
            self.http, session_id, headers=self.secretary(organizer), db_url=self.ctx.settings.database_url
        )
        path = f"/api/v1/sessions/{session_id}/attendance"
        body = {"present_expert_ids": EXPERTS}
        attended = await self.http.post(path, json=body, headers=self.secretary(organizer))
        assert attended.status_code == 201, attended.text
        return session_id

    async def ballot(self, session_id: str, expert_id: str, votes: dict[str, str]) -> httpx.Response:
        path = f"/api/v1/sessions/{session_id}/ballots"
        return await self.http.post(path, json={"votes": votes}, headers=self.expert(expert_id))

    async def internal(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.request(
            method, f"/api/v1/internal/review-years{path}", json=body, headers=self.service()
        )

    async def events(self, stream_id: str) -> list[Any]:
        async with self.ctx.db.read() as conn:
            return list(await self.ctx.store.load(conn, stream_id))


def settings_for(database_url: str, **overrides: Any) -> ReviewSettings:
    base = isolated(database_url)
    return base.model_copy(update=overrides)


@asynccontextmanager
async def year_service(servers: Servers, clock: Clock | None = None, **settings: Any) -> AsyncIterator[YearService]:
    """review-service on a fresh database; `clock` None: the system clock; `settings` override ReviewSettings."""
    name = f"zc_ry_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(servers.postgres.create_database, name)
    signer = TokenSigner()
    app = create_app(settings_for(str(servers.postgres.url(name)), **settings), clock=clock, verifier=signer.verifier())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://review-service") as http:
            service = YearService(app.state.runtime, http, signer)
            await service.organizations()
            yield service
