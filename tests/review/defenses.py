"""The review panels and video defenses a session goes through before its committee votes (NAT-9,
POL-VD-1): one helper, `hold_defenses`, for every test that votes.

The expert pool is seeded straight into review-service's `expert_pool` table (created here when the
pool's migration 0009 is not on the branch yet): three pool experts of the session's series and of each
specialty, employed by an organization no candidate belongs to (so none is recused), their term
running today."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Generator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, overload

import httpx
from review_service.adapters.tables import expert_pool
from sqlalchemy.ext.asyncio import create_async_engine
from zhicheng_kernel.calendar import CHINA_TZ

from tests.api_client import Api
from tests.harness import DATABASES

PANEL_SIZE = 3


@dataclass(frozen=True)
class Call:
    """One HTTP call the steps ask for; the answer's JSON comes back."""

    method: str
    path: str
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Pool:
    """Pool experts the steps need (seed_pool); their ids come back."""

    organizing_org_id: str
    series: str
    specialty: str


Steps = Generator[Call | Pool, Any, None]


def review_database_url(api: Api) -> str:
    """review-service's database in the test stack."""
    return str(api.stack.servers.postgres.url(DATABASES["review-service"]))


async def seed_pool(db_url: str, pool: Pool, experts: dict[str, str] | None = None) -> list[str]:
    """Pool experts of the pool's series and specialty appointed by its office (term: a year around
    today): `experts` (account id → employer organization) or three of their own employed where no
    candidate is; answers their account ids."""
    engine = create_async_engine(db_url)
    today = datetime.now(CHINA_TZ).date()
    if experts is None:
        ids = [f"pool-expert-{uuid.uuid4().hex[:12]}" for _ in range(PANEL_SIZE)]
        experts = {i: f"pool-employer-{i}" for i in ids}
    try:
        async with engine.begin() as conn:
            await conn.execute(
                expert_pool.insert(),
                [
                    {
                        "account_id": account_id,
                        "organizing_org_id": pool.organizing_org_id,
                        "series": [pool.series],
                        "specialty": pool.specialty,
                        "title_level": "senior",
                        "employer_org_id": employer,
                        "term_starts_on": today - timedelta(days=180),
                        "term_ends_on": today + timedelta(days=180),
                    }
                    for account_id, employer in experts.items()
                ],
            )
    finally:
        await engine.dispose()
    return list(experts)


def _steps(session_id: str, starts_on: date) -> Steps:
    """The panels of a session, each candidate's defense scheduled and recorded, and an opinion on each."""
    session = yield Call("GET", f"/api/v1/sessions/{session_id}")
    committee = yield Call("GET", f"/api/v1/committees/{session['committee_id']}")
    specialties = sorted({c["specialty"] or "" for c in session["candidates"]})
    for specialty in specialties:
        yield Pool(committee["organizing_org_id"], session["series"], specialty)
        ids = [c["application_id"] for c in session["candidates"] if (c["specialty"] or "") == specialty]
        panel = yield Call(
            "POST",
            f"/api/v1/sessions/{session_id}/panels",
            {"specialty": specialty, "size": PANEL_SIZE, "application_ids": ids},
        )
        pid = panel["panel_id"]
        for i, application_id in enumerate(panel["defense_application_ids"]):
            starts_at = datetime(starts_on.year, starts_on.month, starts_on.day, 9, tzinfo=CHINA_TZ)
            slot = {
                "application_id": application_id,
                "starts_at": (starts_at + timedelta(minutes=30 * i)).isoformat(),
                "minutes": 30,
                "mode": "video",
            }
            scheduled = yield Call("POST", f"/api/v1/panels/{pid}/defenses", slot)
            record = {
                "attended": True,
                "recording_ref": f"录像-{application_id}",
                "scores": [{"expert_id": e, "score": 85, "opinion": "答辩清楚"} for e in scheduled["expert_ids"]],
            }
            yield Call("POST", f"/api/v1/panels/{pid}/defenses/{application_id}/record", record)
        for application_id in panel["application_ids"]:
            opinion = {"application_id": application_id, "opinion": "recommend", "summary": "业绩突出，同意推荐"}
            yield Call("POST", f"/api/v1/panels/{pid}/opinions", opinion)


def _expect(r: httpx.Response) -> Any:
    assert r.status_code in (200, 201), f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json()


@overload
def hold_defenses(target: Api, session_id: str, *, token: str | None = None) -> None: ...


@overload
def hold_defenses(
    target: httpx.AsyncClient, session_id: str, *, headers: dict[str, str], db_url: str
) -> Awaitable[None]: ...


def hold_defenses(
    target: Api | httpx.AsyncClient,
    session_id: str,
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    db_url: str | None = None,
) -> Awaitable[None] | None:
    """Before the committee votes (NAT-9, POL-VD-1): pool experts, a panel per specialty, each defense
    scheduled, recorded, and the panel's opinion on every candidate, as the organising office's
    secretary (`token`; the stack's operator by default). With the test stack's `Api` it runs at once;
    with an in-process service's AsyncClient (the secretary's `headers`, the service's database) it
    answers an awaitable."""
    starts_on = datetime.now(CHINA_TZ).date()
    if isinstance(target, Api):
        api = target
        auth = {"Authorization": f"Bearer {token or api.operator_token()}"}
        url = review_database_url(api)
        steps = _steps(session_id, starts_on)
        answer: Any = None
        while (step := _next(steps, answer)) is not None:
            if isinstance(step, Pool):
                answer = asyncio.run(seed_pool(url, step))
            else:
                r = api.http.request(step.method, api.url("review-service", step.path), json=step.body, headers=auth)
                answer = _expect(r)
        return None

    assert headers is not None and db_url is not None
    client, secretary, pool_url = target, headers, db_url

    async def run() -> None:
        steps = _steps(session_id, starts_on)
        answer: Any = None
        while (step := _next(steps, answer)) is not None:
            if isinstance(step, Pool):
                answer = await seed_pool(pool_url, step)
            else:
                answer = _expect(await client.request(step.method, step.path, json=step.body, headers=secretary))

    return run()


def _next(steps: Steps, answer: Any) -> Call | Pool | None:
    try:
        return steps.send(answer)
    except StopIteration:
        return None
