"""Load the development seed through the services' public HTTP APIs, into empty registries and corpus only.

The registries go in as the city office's business administrator would put them: one CSV import per
registry (`POST /api/v1/registries/{name}/import`, mode replace) into each registry that has no entry;
the corpus as one bulk addition (`POST /api/v1/corpus/documents:bulk`) when the corpus lists no
document. Loading twice changes nothing, so `make run` may load at every start.

Imports no service package: the data are plain Python and the services are reached over HTTP.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from .corpus import SEED_PAPERS
from .registries import REGISTRY_ENTRIES, as_csv

# application-service learns of the city office from org-service's OrganizationCreated; until it has,
# the office's administrator is refused the registries with this code.
_OFFICE_NOT_YET_KNOWN = "not_city_title_office"


# The services the loader talks to: org-service for the login, then the two it seeds.
SEEDED_THROUGH = ("org-service", "application-service", "plagiarism-service")


class SeedError(RuntimeError):
    """A service refused the seed (or did not answer in time)."""


@dataclass
class Seeded:
    """What one load put in: entries per registry imported now (an absent registry had entries already)."""

    registries: dict[str, int] = field(default_factory=dict)
    corpus: int = 0
    schedule_year: int | None = None  # this year's push schedule, when this load published it


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _checked(response: httpx.Response, what: str) -> httpx.Response:
    if response.is_error:
        raise SeedError(f"{what}: {response.status_code} {response.text}")
    return response


async def login(org: httpx.AsyncClient, username: str, password: str) -> str:
    """An access token for an account whose password need not be changed (the office's business admin)."""
    response = await org.post(
        "/api/v1/auth/token", data={"grant_type": "password", "username": username, "password": password}
    )
    body = _checked(response, f"login of {username}").json()
    if body.get("password_change_required"):
        raise SeedError(f"{username} must change the initial password before loading the seed")
    return str(body["access_token"])


async def seed_registries(application: httpx.AsyncClient, token: str, *, wait_seconds: float = 60.0) -> dict[str, int]:
    """Import every seed registry that has no entry; returns name → entries imported."""
    imported: dict[str, int] = {}
    for name, entries in REGISTRY_ENTRIES.items():
        page = await application.get(f"/api/v1/registries/{name}", params={"limit": 1}, headers=_bearer(token))
        if _checked(page, name).json()["total"]:
            continue
        deadline = time.monotonic() + wait_seconds
        while True:
            response = await application.post(
                f"/api/v1/registries/{name}/import",
                headers=_bearer(token),
                data={"mode": "replace"},
                files={"file": (f"{name}.csv", as_csv(entries), "text/csv")},
            )
            if response.status_code == 403 and response.json().get("code") == _OFFICE_NOT_YET_KNOWN:
                if time.monotonic() < deadline:
                    await asyncio.sleep(0.5)
                    continue
            imported[name] = int(_checked(response, f"import of {name}").json()["imported"])
            break
    return imported


async def seed_corpus(plagiarism: httpx.AsyncClient, token: str) -> int:
    """Add the seed corpus when the corpus lists no document; returns the number added."""
    page = _checked(
        await plagiarism.get("/api/v1/corpus/documents", params={"limit": 1}, headers=_bearer(token)), "corpus"
    )
    if page.json()["total"]:
        return 0
    documents = [
        {
            "external_id": p.external_id,
            "title": p.title,
            "text": p.text,
            "authors": list(p.authors),
            "published_on": p.published_on.isoformat(),
        }
        for p in SEED_PAPERS
    ]
    response = await plagiarism.post(
        "/api/v1/corpus/documents:bulk", json={"documents": documents}, headers=_bearer(token)
    )
    return len(_checked(response, "corpus bulk addition").json()["added"])


async def seed_schedule(application: httpx.AsyncClient, token: str, year: int, *, template: int = 2021) -> bool:
    """SCHED-4 accepts nothing for a year without a published schedule: in development the office's step of
    publishing this year's is taken for it, from the `template` year's (the notice's 2021 months). A year
    already published is left as it is. Answers whether it published."""
    if (await application.get(f"/api/v1/schedules/{year}", headers=_bearer(token))).status_code == 200:
        return False
    known = _checked(await application.get(f"/api/v1/schedules/{template}", headers=_bearer(token)), "schedule")
    series = [
        {"series": e["series"], "push_month": e["push_month"], "grassroots": e["grassroots"]}
        for e in known.json()["series"]
    ]
    _checked(
        await application.put(f"/api/v1/schedules/{year}", json={"series": series}, headers=_bearer(token)),
        f"the {year} schedule",
    )
    return True


def this_year() -> int:
    """The year in Asia/Shanghai (UTC+8, no daylight saving)."""
    return (datetime.now(UTC) + timedelta(hours=8)).year


async def seed(
    application: httpx.AsyncClient | None,
    plagiarism: httpx.AsyncClient | None,
    token: str,
    *,
    wait_seconds: float = 60.0,
) -> Seeded:
    """The registries and this year's schedule (when application-service is given) and the corpus (when
    plagiarism-service is)."""
    seeded = Seeded()
    if application is not None:
        seeded.registries = await seed_registries(application, token, wait_seconds=wait_seconds)
        year = this_year()
        if await seed_schedule(application, token, year):
            seeded.schedule_year = year
    if plagiarism is not None:
        seeded.corpus = await seed_corpus(plagiarism, token)
    return seeded


async def seed_services(urls: Mapping[str, str], username: str, password: str, *, wait_seconds: float = 60.0) -> Seeded:
    """Log in at org-service as ``username`` and seed application-service and plagiarism-service, those of
    them ``urls`` (service name → base URL) names."""
    clients = {name: httpx.AsyncClient(base_url=urls[name], timeout=60) for name in SEEDED_THROUGH if name in urls}
    try:
        token = await login(clients["org-service"], username, password)
        return await seed(
            clients.get("application-service"), clients.get("plagiarism-service"), token, wait_seconds=wait_seconds
        )
    finally:
        for client in clients.values():
            await client.aclose()
