"""What the chaos run proves once the faults are over: nothing lost, nothing doubled, every workflow
finished, every projection equal to a rebuild from the event stores it is built from.

The load went through the HTTP APIs only; these checks read the services' databases, /health and
Temporal's workflow list directly (they observe, they never write).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from zhicheng_devstack.harness import Stack

from .chaos_load import Ledger

SERVICES = ("org-service", "application-service", "review-service", "plagiarism-service")
DATABASES = {
    "org-service": "zc_org",
    "application-service": "zc_application",
    "review-service": "zc_review",
    "plagiarism-service": "zc_plagiarism",
}
# Workflows that live past a run by design (a review year, a push window wait for their dates);
# every other workflow of the run must have completed.
LONG_LIVED_WORKFLOWS = frozenset({"ReviewYearWorkflow", "PushWindowWorkflow"})


@dataclass(frozen=True)
class Projection:
    """A table a service builds from other services' events only (its consumers), compared row for row
    with the same table rebuilt by a second instance on a fresh database. `ignored` columns are the
    instance's own (generated ids, wall-clock times, its own commands' updates), `where` limits the rows
    to those built from events."""

    service: str
    table: str
    sources: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    where: str = ""


PROJECTIONS: tuple[Projection, ...] = (
    # org-service's inbox: notices to organisations and accounts from application- and review-service events.
    Projection("org-service", "inbox", ("application-service", "review-service"), ("id", "created_at", "read_at")),
    Projection("org-service", "inbox_fact", ("application-service", "review-service")),
    # application-service: the organisations and applicants of org-service.
    Projection("application-service", "orgs", ("org-service",)),
    Projection("application-service", "applicants", ("org-service",)),
    # review-service: organisations, experts and pushed candidates; status and session_id are written by
    # its own session commands.
    Projection("review-service", "organization", ("org-service",)),
    Projection("review-service", "expert", ("org-service",)),
    Projection("review-service", "candidate", ("application-service",), ("status", "session_id")),
    # plagiarism-service: which org each application belongs to, and the checks the applications asked
    # for; their `result` depends on the corpus, the service's own data (the rebuild's is empty).
    Projection("plagiarism-service", "application_orgs", ("application-service",)),
    Projection(
        "plagiarism-service",
        "checks",
        ("application-service",),
        ("id", "created_at", "result", "status", "error"),
        "origin = 'application'",
    ),
)


@dataclass
class Check:
    name: str
    ok: bool
    lost: int = 0
    doubled: int = 0
    detail: str = ""
    # acceptance times (seconds since the run's start) of what was lost / doubled, for the fault table
    lost_at: list[float] = field(default_factory=list)
    doubled_at: list[float] = field(default_factory=list)


def query(stack: Stack, database: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(stack.servers.postgres.url(database, driver="postgresql"), timeout=10)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    return asyncio.run(run())


def _health(url: str, *, unhealthy: bool = False) -> dict[str, Any] | None:
    """The /health report when it says ok — or, with `unhealthy`, also when it says 503 (the same report:
    the positions are there, the verdict is not the question)."""
    try:
        r = httpx.get(f"{url}/health", timeout=5)
    except httpx.HTTPError:
        return None
    return dict(r.json()) if r.status_code == 200 or (unhealthy and r.status_code == 503) else None


# -- convergence -------------------------------------------------------------------------------------


def lagging(stack: Stack) -> list[str]:
    """What has not converged: relays behind their store's head, consumers behind a source's head."""
    healths = {s: _health(stack.url(s)) for s in SERVICES}
    behind = [f"{s}: no answer on /health" for s, h in healths.items() if h is None]
    heads = {s: int(h["head"]) for s, h in healths.items() if h is not None}
    for service, health in healths.items():
        if health is None:
            continue
        if health.get("published") != health["head"]:
            behind.append(f"{service} relay published {health.get('published')} of {health['head']}")
        for consumer, marks in health["consumers"].items():
            for source, mark in marks.items():
                if source in heads and mark < heads[source]:
                    behind.append(f"{consumer} at {source} {mark} of {heads[source]}")
    return behind


def heads(stack: Stack) -> dict[str, int]:
    """Each service's event store head as its /health tells it (services that do not answer: left out)."""
    healths = {s: _health(stack.url(s)) for s in SERVICES}
    return {s: int(h["head"]) for s, h in healths.items() if h is not None}


def behind_marks(stack: Stack, marks: dict[str, int]) -> list[str]:
    """What has not yet reached the given heads: a relay that has not published up to its store's mark,
    a consumer that has not applied a source up to the source's mark."""
    behind = []
    for service in SERVICES:
        health = _health(stack.url(service))
        if health is None:
            behind.append(f"{service}: no answer on /health")
            continue
        if service in marks and int(health.get("published") or 0) < marks[service]:
            behind.append(f"{service} relay published {health.get('published')} of {marks[service]}")
        for consumer, watermarks in health["consumers"].items():
            for source, mark in watermarks.items():
                if source in marks and mark < marks[source]:
                    behind.append(f"{consumer} at {source} {mark} of {marks[source]}")
    return behind


def converge(stack: Stack, timeout: float) -> tuple[float | None, list[str]]:
    """Seconds until everything converged (None when it did not within `timeout`), and what lagged last."""
    started = time.monotonic()
    while True:
        behind = lagging(stack)
        if not behind:
            return time.monotonic() - started, []
        if time.monotonic() - started > timeout:
            return None, behind
        time.sleep(0.5)


def settled(check: Callable[[], Check], timeout: float) -> Check:
    """The check once it holds, or as it stands after `timeout` (for what ends after the load: the
    documents a session's workflow issues after its publicity, the workflows themselves)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result.ok or time.monotonic() > deadline:
            return result
        time.sleep(1.0)


# -- lost and doubled ------------------------------------------------------------------------------


def gapless_positions(stack: Stack) -> Check:
    """Every service's event positions run 1..head without a hole."""
    holes, counts = [], []
    for service, database in DATABASES.items():
        row = query(
            stack,
            database,
            "SELECT count(*) AS n, coalesce(min(position), 1) AS lo, coalesce(max(position), 0) AS hi FROM event_store",
        )[0]
        counts.append(f"{service} 1..{row['hi']}")
        if row["lo"] != 1 or row["n"] != row["hi"]:
            holes.append(f"{service}: {row['n']} events at positions {row['lo']}..{row['hi']}")
    return Check("event positions gapless per source", not holes, lost=len(holes), detail="; ".join(holes or counts))


def applications_kept(stack: Stack, ledger: Ledger, started: float) -> Check:
    """Every application the load got 201 for is held, as submitted by its applicant, and readable."""
    rows = query(
        stack,
        "zc_application",
        "SELECT id, applicant_id FROM applications WHERE id = any($1::text[])",
        list(ledger.applications),
    )
    held = {r["id"]: r["applicant_id"] for r in rows}
    lost = [a for a, person in ledger.applications.items() if held.get(a) != person]
    at = _accepted_at(ledger, "/api/v1/applications", lost, started)
    return Check(
        "applications accepted are held",
        not lost,
        lost=len(lost),
        detail=f"{len(ledger.applications)} accepted, {len(held)} held" + (f"; missing {lost[:5]}" if lost else ""),
        lost_at=at,
    )


def _accepted_at(ledger: Ledger, path: str, result_ids: Sequence[str], started: float) -> list[float]:
    wanted = set(result_ids)
    return [a.at - started for a in ledger.accepted if a.path == path and a.result_id in wanted]


def accounts_kept(stack: Stack, ledger: Ledger) -> Check:
    """Every applicant account the load got 201 for reached application-service's projection once, and
    every organisation it created reached it too."""
    rows = query(
        stack,
        "zc_application",
        "SELECT account_id, id_card_number FROM applicants"
        " WHERE account_id = any($1::text[]) OR id_card_number = any($2::text[])",
        list(ledger.applicants),
        list(ledger.applicants.values()),
    )
    by_card = Counter(r["id_card_number"] for r in rows)
    lost = [a for a in ledger.applicants if a not in {r["account_id"] for r in rows}]
    doubled = [card for card, n in by_card.items() if n > 1]
    orgs = query(stack, "zc_application", "SELECT id FROM orgs WHERE id = any($1::text[])", ledger.orgs)
    lost_orgs = set(ledger.orgs) - {r["id"] for r in orgs}
    return Check(
        "applicants and organisations accepted are held once",
        not lost and not doubled and not lost_orgs,
        lost=len(lost) + len(lost_orgs),
        doubled=len(doubled),
        detail=f"{len(ledger.applicants)} applicants, {len(ledger.orgs)} organisations accepted"
        + (f"; lost {lost[:3]} {sorted(lost_orgs)[:3]}" if lost or lost_orgs else "")
        + (f"; one person registered {len(doubled)}× more than once" if doubled else ""),
    )


def no_doubles(stack: Stack, ledger: Ledger, series: str, started: float) -> Check:
    """One application per person, year and series; one answer per Idempotency-Key however often sent."""
    rows = query(
        stack,
        "zc_application",
        "SELECT applicant_id, year, count(*) AS n FROM applications WHERE series = $1"
        " GROUP BY applicant_id, year HAVING count(*) > 1",
        series,
    )
    keys = {k: ids for k, ids in ledger.answers_by_key.items() if len(ids) > 1}
    sendings = Counter(a.key for a in ledger.accepted)  # one pass: a 10,000 rush sends ~100,000 keys
    resent = sum(1 for k in ledger.answers_by_key if sendings[k] > 1)
    at = [a.at - started for a in ledger.accepted if a.key in keys]
    return Check(
        "no command acted twice",
        not rows and not keys,
        doubled=len(rows) + len(keys),
        detail=f"{resent} commands sent more than once with their key"
        + (f"; {len(rows)} persons with two applications" if rows else "")
        + (f"; {len(keys)} keys answered with different results" if keys else ""),
        doubled_at=at,
    )


def documents_issued(stack: Stack, ledger: Ledger, operator: str) -> Check:
    """Every candidate of a closed session has exactly one qualification document, and its application
    knows the document's number."""
    lost, doubled = [], []
    http = httpx.Client(timeout=10)
    headers = {"Authorization": f"Bearer {operator}"}
    for app_id in ledger.in_sessions:
        items = http.get(
            f"{stack.url('review-service')}/api/v1/documents", params={"application_id": app_id}, headers=headers
        ).json()["items"]
        application = http.get(
            f"{stack.url('application-service')}/api/v1/applications/{app_id}", headers=headers
        ).json()
        if not items or not application.get("document_number"):
            lost.append(app_id)
        elif len(items) > 1:
            doubled.append(app_id)
    return Check(
        "documents issued for every session's candidate",
        not lost and not doubled,
        lost=len(lost),
        doubled=len(doubled),
        detail=f"{len(ledger.in_sessions)} candidates"
        + (f"; without document {lost[:5]}" if lost else "")
        + (f"; two documents {doubled[:5]}" if doubled else ""),
    )


# -- workflows --------------------------------------------------------------------------------------


def temporal_workflows(stack: Stack, command: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`temporal workflow <command> … --output json` against the run's Temporal server."""
    temporal = stack.servers.temporal
    return subprocess.run(
        [
            *(str(temporal.binary), "workflow", command, "--address", temporal.address),
            *("--namespace", temporal.namespace, "--output", "json", *args),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def workflows_finished(stack: Stack) -> Check:
    """Temporal's list of the run's workflows: all completed, except the long-lived kinds still running."""
    done = temporal_workflows(stack, "list", "--limit", "5000")
    if done.returncode != 0:
        return Check("every workflow finished", False, detail=f"temporal workflow list failed: {done.stderr[:300]}")
    listed = json.loads(done.stdout or "[]")
    counts: Counter[tuple[str, str]] = Counter()
    bad = []
    for wf in listed:
        kind = (wf.get("type") or {}).get("name", "?")
        status = str(wf.get("status", "?")).removeprefix("WORKFLOW_EXECUTION_STATUS_")
        counts[(kind, status)] += 1
        if status == "COMPLETED" or (status == "RUNNING" and kind in LONG_LIVED_WORKFLOWS):
            continue
        bad.append(f"{kind} {wf.get('execution', {}).get('workflowId', '?')} {status}")
    summary = ", ".join(f"{k} {s.lower()} {n}" for (k, s), n in sorted(counts.items()))
    return Check(
        "every workflow finished",
        not bad,
        lost=len(bad),
        detail=summary + (f"; unfinished: {bad[:5]}" if bad else ""),
    )


# -- projections equal to a rebuild ----------------------------------------------------------------


def replica_port(stack: Stack, service: str) -> int:
    """A free port of the run's layout for the second instance (the service's port + 50)."""
    return int(httpx.URL(stack.url(service)).port or 0) + 50


def rebuild_databases() -> dict[str, str]:
    return {s: f"{d}_rebuild" for s, d in DATABASES.items()}


def start_rebuilds(stack: Stack, timeout: float = 180.0) -> dict[str, str]:
    """A second instance of each service on a fresh database, reading the same feeds: no Kafka, no
    Temporal, no province (dead addresses), so it only catches up from the feeds and acts on nothing.
    Started side by side; returns service -> its URL."""
    dead = "127.0.0.1:9"

    def start(service: str) -> str:
        port = replica_port(stack, service)
        stack.start_replica(
            service,
            name=f"{service}.rebuild",
            database=rebuild_databases()[service],
            port=port,
            extra_env={
                "ZC_KAFKA_BOOTSTRAP": dead,
                "ZC_TEMPORAL_ADDRESS": dead,
                "ZC_PROVINCE_URL": f"http://{dead}",
            },
            timeout=timeout,
        )
        return f"http://127.0.0.1:{port}"

    with ThreadPoolExecutor(len(SERVICES)) as pool:
        futures = {service: pool.submit(start, service) for service in SERVICES}
    return {service: future.result() for service, future in futures.items()}


def _rebuild_caught_up(stack: Stack, urls: dict[str, str], projection: Projection) -> list[str]:
    # A rebuild's relay has a dead broker by design, so its /health turns 503 (relay stalled) once the
    # kernel's stall threshold passes: only its consumers' watermarks count here.
    health = _health(urls[projection.service], unhealthy=True)
    if health is None:
        return [f"{projection.service} rebuild: no answer on /health"]
    behind = []
    for source in projection.sources:
        head = (_health(stack.url(source)) or {}).get("head", -1)
        marks = [m.get(source) for m in health["consumers"].values() if source in m]
        if not marks or max(marks) < head:
            behind.append(f"{projection.service} rebuild at {source} {max(marks) if marks else None} of {head}")
    return behind


def _rows(stack: Stack, database: str, projection: Projection) -> Counter[str]:
    where = f" WHERE {projection.where}" if projection.where else ""
    rows = query(stack, database, f"SELECT to_jsonb(t) AS row FROM {projection.table} t{where}")
    counted: Counter[str] = Counter()
    for r in rows:
        data = json.loads(r["row"])
        for column in projection.ignored:
            data.pop(column, None)
        counted[json.dumps(data, sort_keys=True, ensure_ascii=False)] += 1
    return counted


def projections_rebuilt(stack: Stack, urls: dict[str, str], timeout: float) -> Check:
    """Each projection table row for row equal to the rebuild's, once the rebuild caught up with the
    table's sources (bounded)."""
    deadline = time.monotonic() + timeout
    behind: list[str] = []
    while time.monotonic() < deadline:
        behind = [b for p in PROJECTIONS for b in _rebuild_caught_up(stack, urls, p)]
        if not behind:
            break
        time.sleep(0.5)
    lines, lost, doubled = [], 0, 0
    rebuilt = rebuild_databases()
    for projection in PROJECTIONS:
        primary = _rows(stack, DATABASES[projection.service], projection)
        replica = _rows(stack, rebuilt[projection.service], projection)
        missing = sum((replica - primary).values())  # the rebuild has them, the running service not
        extra = sum((primary - replica).values())  # the running service has them, a rebuild would not
        lost += missing
        doubled += extra
        mark = "=" if not missing and not extra else "≠"
        lines.append(f"{projection.service}.{projection.table} {sum(primary.values())}{mark}{sum(replica.values())}")
        if missing or extra:
            lines[-1] += f" (missing {missing}, extra {extra})"
    ok = not behind and lost == 0 and doubled == 0
    detail = "; ".join(lines) + (f"; rebuild not caught up: {behind[:4]}" if behind else "")
    return Check("projections equal a rebuild from the event stores", ok, lost=lost, doubled=doubled, detail=detail)
