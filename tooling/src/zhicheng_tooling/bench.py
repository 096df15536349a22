"""make bench: measured figures of the event backbone on this machine, written to bench/results.*.

Starts its own PostgreSQL, Kafka and Temporal (26xxx ports, temporary data) and, for the
cross-service figure, org-service and application-service as real processes.
`python -m zhicheng_tooling.bench event-store` (or `consumer`) runs that part alone (PostgreSQL only);
`--record` merges its figures into bench/results.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from zhicheng_devstack.credentials import BUSINESS_ADMIN_USERNAME
from zhicheng_devstack.harness import DATABASES, OWNER_FILE, Servers, Stack, reap_orphans
from zhicheng_devstack.paths import find_workspace_root
from zhicheng_devstack.ports import Ports
from zhicheng_devstack.servers import Postgres
from zhicheng_kernel.consumer import EventConsumer, Subscription
from zhicheng_kernel.database import Database
from zhicheng_kernel.envelope import EventEnvelope, Metadata, NewEvent
from zhicheng_kernel.eventstore import EventStore
from zhicheng_kernel.identifiers import credit_code_with_check, id_card_with_check
from zhicheng_kernel.kafka import ensure_topics, topic_for
from zhicheng_kernel.positioner import Positioner, position_now
from zhicheng_kernel.relay import OutboxRelay
from zhicheng_kernel.tables import kernel_metadata
from zhicheng_kernel.testing import positioning

from .bench_idle import bench_idle
from .dev_seed.loader import SEEDED_THROUGH, seed_services
from .eligibility_bench import eligibility_evaluations_per_second
from .plagiarism_evaluation.bench import run as plagiarism_bench


def random_credit_code() -> str:
    """A unified social credit code (ORG-3) of the run's own: an organ of state in the city, random serial."""
    serial = "".join(secrets.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return credit_code_with_check(f"11620800{serial}")


def random_id_card() -> str:
    """A valid ID number (a real birth date, the check digit) nobody else in the run has, almost surely."""
    n = secrets.randbelow(14_000 * 1000)
    birth = date(1960, 1, 1) + timedelta(days=n % 14_000)
    return id_card_with_check(f"620802{birth:%Y%m%d}{n // 14_000:03d}")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(latencies_s: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in latencies_s]
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


async def fresh_database(postgres: Postgres, name: str) -> Database:
    await asyncio.to_thread(postgres.create_database, name)
    db = Database(postgres.url(name), pool_size=10)
    async with db.engine.begin() as conn:
        await conn.run_sync(kernel_metadata.create_all)
    return db


PLAIN_INSERT = text(
    "INSERT INTO plain_events (stream_id, version, position, stream_type, event_id, event_type, schema_version,"
    " occurred_at, actor, correlation_id, payload) VALUES (:stream_id, 1, nextval('plain_position'), 'b', :event_id,"
    " 'Benched', 1, now(), 'bench', :correlation_id, CAST(:payload AS jsonb))"
)
BENCH_PAYLOAD = {"n": 1, "note": "x" * 200}


async def _writers(
    one: Callable[[], Awaitable[None]], writers: int, per_writer: int, pace: float = 0.0
) -> tuple[float, list[float]]:
    """`writers` concurrent loops of `per_writer` calls (each at most one per `pace` seconds); elapsed, latencies."""
    latencies: list[float] = []

    async def writer() -> None:
        for _ in range(per_writer):
            started = time.perf_counter()
            await one()
            latencies.append(time.perf_counter() - started)
            if pace:
                await asyncio.sleep(max(0.0, pace - (time.perf_counter() - started)))

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    return time.perf_counter() - started, latencies


async def bench_event_store(postgres: Postgres, total: int = 4000, writers: int = 8, rounds: int = 2) -> dict[str, Any]:
    """Single-event appends by `writers` concurrent writers, side by side with plain INSERTs of the same rows
    into a table with the same columns and a sequence for the position (no store, no positioner), in
    alternating rounds of the same run; then appends paced at half the measured rate, for their latency."""
    db = await fresh_database(postgres, "zc_bench_store")
    plain = await fresh_database(postgres, "zc_bench_insert")
    async with plain.engine.begin() as conn:
        await conn.execute(text("CREATE TABLE plain_events (LIKE event_store INCLUDING ALL)"))
        await conn.execute(text("CREATE SEQUENCE plain_position"))
    store = EventStore("bench")
    per_writer = total // writers // rounds

    async def append() -> None:
        async with db.transaction() as conn:
            await store.append(conn, "b", str(uuid.uuid4()), 0, [NewEvent("Benched", BENCH_PAYLOAD)], Metadata("bench"))

    async def insert() -> None:
        async with plain.transaction() as conn:
            values = {"stream_id": str(uuid.uuid4()), "event_id": uuid.uuid4(), "correlation_id": uuid.uuid4()}
            await conn.execute(PLAIN_INSERT, {**values, "payload": json.dumps(BENCH_PAYLOAD)})

    async with positioning(db) as positioner:
        appended = [0.0, 0.0]  # elapsed, count
        inserted = [0.0, 0.0]
        append_latencies: list[float] = []
        for _ in range(rounds):
            elapsed, latencies = await _writers(append, writers, per_writer)
            appended[0] += elapsed
            appended[1] += len(latencies)
            append_latencies += latencies
            elapsed, latencies = await _writers(insert, writers, per_writer)
            inserted[0] += elapsed
            inserted[1] += len(latencies)
        append_rate = appended[1] / appended[0]
        insert_rate = inserted[1] / inserted[0]
        half = append_rate / 2
        paced_count = max(writers, int(half * 5) // writers * writers)  # about five seconds at half the rate
        _, paced = await _writers(append, writers, paced_count // writers, pace=writers / half)
        await positioner.position_all()

        batch_latencies: list[float] = []
        batch_started = time.perf_counter()
        for _ in range(200):
            t0 = time.perf_counter()
            async with db.transaction() as conn:
                await store.append(
                    conn,
                    "b",
                    str(uuid.uuid4()),
                    0,
                    [NewEvent("Benched", {"n": i}) for i in range(10)],
                    Metadata("bench"),
                )
            batch_latencies.append(time.perf_counter() - t0)
        batch_elapsed = time.perf_counter() - batch_started
        await positioner.position_all()
    async with db.read() as conn:
        count, head, lowest = (
            await conn.execute(text("SELECT count(*), max(position), min(position) FROM event_store"))
        ).one()
    await db.dispose()
    await plain.dispose()
    if not (count == head and lowest == 1):
        raise AssertionError(f"positions are not gapless: {count} events, positions {lowest}..{head}")
    return {
        "single_event_appends": {
            "writers": writers,
            "appends": int(appended[1]),
            "appends_per_second": round(append_rate),
            **summary(append_latencies),
        },
        "plain_inserts": {"writers": writers, "inserts": int(inserted[1]), "inserts_per_second": round(insert_rate)},
        "append_vs_insert_ratio": round(append_rate / insert_rate, 3),
        "appends_at_half_rate": {"per_second": round(half), "appends": len(paced), **summary(paced)},
        "positions_gapless": True,
        "ten_event_appends_one_writer": {
            "events_per_second": round(2000 / batch_elapsed),
            **summary(batch_latencies),
        },
    }


async def bench_kafka_path(servers: Servers, count: int = 1000, rate: float = 200.0) -> dict[str, Any]:
    """Append in one database → relay → Kafka → consumer writing a projection in another database."""
    source_db = await fresh_database(servers.postgres, "zc_bench_source")
    sink_db = await fresh_database(servers.postgres, "zc_bench_sink")
    store = EventStore("bench-source")
    await ensure_topics(servers.kafka.bootstrap, [topic_for(store.source)], 3)
    applied_at: dict[str, float] = {}

    async def project(ctx: Servers, conn: AsyncConnection, event: EventEnvelope) -> None:
        applied_at[event.payload["key"]] = time.perf_counter()

    class StoreFeed:
        async def read(self, after: int, limit: int = 500) -> list[EventEnvelope]:
            async with source_db.read() as conn:
                return await store.read_after(conn, after, limit)

    consumer = EventConsumer(
        "bench-sink",
        sink_db,
        [Subscription(store.source, {"Benched": project})],
        bootstrap=servers.kafka.bootstrap,
        feeds={store.source: StoreFeed()},  # type: ignore[dict-item]
        catchup_interval=3600,  # measure the Kafka path, not the feed
        session_timeout_ms=2000,
        heartbeat_interval_ms=300,
        context=servers,  # handlers take (context, connection, event); the bench needs no context of its own
    )
    positioner = Positioner(source_db)  # the source's process positions what it appended, as a service does
    tasks = [
        asyncio.create_task(positioner.run()),
        asyncio.create_task(OutboxRelay(source_db, store, servers.kafka.bootstrap).run()),
        asyncio.create_task(consumer.run_kafka()),
    ]
    await asyncio.sleep(4)  # group join
    committed_at: dict[str, float] = {}

    async def append(key: str) -> None:
        async with source_db.transaction() as conn:
            await store.append(conn, "b", key, 0, [NewEvent("Benched", {"key": key})], Metadata("bench"))
        committed_at[key] = time.perf_counter()

    for _ in range(count):
        await append(str(uuid.uuid4()))
        await asyncio.sleep(1 / rate)
    deadline = time.monotonic() + 60
    while len(applied_at) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    paced = [applied_at[k] - committed_at[k] for k in committed_at if k in applied_at]

    burst = 5000
    applied_before = len(applied_at)
    started = time.perf_counter()
    keys = [str(uuid.uuid4()) for _ in range(burst)]
    for i in range(0, burst, 50):
        async with source_db.transaction() as conn:
            for key in keys[i : i + 50]:
                await store.append(conn, "b", key, 0, [NewEvent("Benched", {"key": key})], Metadata("bench"))
    deadline = time.monotonic() + 120
    while len(applied_at) < applied_before + burst and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    burst_elapsed = time.perf_counter() - started
    positioner.stop()  # between two transactions (a cancelled query can leave its connection stuck)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await source_db.dispose()
    await sink_db.dispose()
    return {
        "commit_to_projection": {"events": len(paced), "paced_rate_per_second": rate, **summary(paced)},
        "throughput": {
            "events": burst,
            "delivered": len(applied_at) - applied_before,
            "events_per_second_end_to_end": round((len(applied_at) - applied_before) / burst_elapsed),
        },
    }


async def bench_batched_consumer(postgres: Postgres, count: int = 20000) -> dict[str, Any]:
    """Issue 14, item 2: a consumer catching up `count` events from the source's feed into a projection
    (a row per event), a page of 500 in one transaction with its watermark; checked: every event once."""
    source_db = await fresh_database(postgres, "zc_bench_batch_source")
    sink_db = await fresh_database(postgres, "zc_bench_batch_sink")
    store = EventStore("bench-batch-source")
    async with sink_db.transaction() as conn:
        await conn.execute(text("CREATE TABLE bench_projection (key text PRIMARY KEY, position bigint NOT NULL)"))
    keys = [str(uuid.uuid4()) for _ in range(count)]
    for i in range(0, count, 100):
        async with source_db.transaction() as conn:
            for key in keys[i : i + 100]:
                await store.append(conn, "b", key, 0, [NewEvent("Benched", {"key": key})], Metadata("bench"))
    await position_now(source_db)

    async def project(ctx: None, conn: AsyncConnection, events: list[EventEnvelope]) -> None:
        await conn.execute(
            text("INSERT INTO bench_projection (key, position) VALUES (:k, :p)"),
            [{"k": event.payload["key"], "p": event.position} for event in events],
        )

    class StoreFeed:
        async def read(self, after: int, limit: int = 500) -> list[EventEnvelope]:
            async with source_db.read() as conn:
                return await store.read_after(conn, after, limit)

    consumer = EventConsumer(
        "bench-batch-sink",
        sink_db,
        [Subscription(store.source, {}, batch_handlers={"Benched": project})],
        bootstrap="unused:0",
        feeds={store.source: StoreFeed()},  # type: ignore[dict-item]
    )
    started = time.perf_counter()
    applied = await consumer.catch_up(store.source)
    elapsed = time.perf_counter() - started
    async with sink_db.read() as conn:
        rows, distinct = (
            await conn.execute(text("SELECT count(*), count(DISTINCT position) FROM bench_projection"))
        ).one()
    again = await consumer.catch_up(store.source)
    await source_db.dispose()
    await sink_db.dispose()
    return {
        "events": count,
        "applied": applied,
        "batched_events_per_second": round(applied / elapsed),
        "page": 500,
        "every_event_once": rows == count and distinct == count and again == 0,
        "goal_events_per_second": 5000,
    }


def bench_cross_service(stack: Stack, count: int = 200) -> dict[str, Any]:
    """A command at org-service → the event reaches application-service's projection (HTTP to HTTP)."""
    http = httpx.Client(timeout=30)
    org, app = stack.url("org-service"), stack.url("application-service")
    token = http.post(
        f"{org}/api/v1/auth/token",
        data={"username": "6208000001-yw01", "password": stack.secrets.bootstrap_operator_password},
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def watermark() -> int:
        consumers = http.get(f"{app}/health").json()["consumers"]
        return max((marks.get("org-service", 0) for marks in consumers.values()), default=0)

    commands: list[float] = []
    propagation: list[float] = []
    totals: list[float] = []
    for i in range(count):
        started = time.perf_counter()
        r = http.post(
            f"{org}/api/v1/accounts/applicants",
            json={"display_name": "测试人员", "id_card_number": id_card_with_check(f"62080219900101{i:03d}")},
            headers=headers,
        )
        r.raise_for_status()
        answered = time.perf_counter()
        head = http.get(f"{org}/health").json()["head"]
        while watermark() < head:
            time.sleep(0.002)
        visible = time.perf_counter()
        commands.append(answered - started)
        propagation.append(visible - answered)
        totals.append(visible - started)
    return {
        "commands": count,
        "command": "POST /api/v1/accounts/applicants (org-service) → ApplicantRegistered in application-service",
        "total": summary(totals),
        "http_command_incl_argon2id_hashing": summary(commands),
        "after_commit_until_visible": summary(propagation),
    }


def bench_org_service(stack: Stack, creations: int = 100, clients: int = 4) -> dict[str, Any]:
    """Organization creations per second over HTTP, and token verifications per second in-process."""
    from concurrent.futures import ThreadPoolExecutor

    from zhicheng_kernel.auth import TokenVerifier

    org = stack.url("org-service")
    http = httpx.Client(timeout=30)
    admin = http.post(
        f"{org}/api/v1/auth/token",
        data={"username": "6208000001", "password": stack.secrets.bootstrap_admin_password},
    ).json()["access_token"]
    digits = "零一二三四五六七八九"
    run = uuid.uuid4().int % 10**6

    def create(i: int) -> float:
        name = "平凉市基准测试研究所" + "".join(digits[int(c)] for c in f"{run:06d}{i:05d}")
        started = time.perf_counter()
        with httpx.Client(timeout=30) as client:
            r = client.post(
                f"{org}/api/v1/orgs",
                json={
                    "name": name,
                    "kind": "state_unit",
                    "unit_type": "research_institute",
                    "level": "city",
                    "division_code": "620800",
                    "credit_code": random_credit_code(),
                },
                headers={"Authorization": f"Bearer {admin}"},
            )
        r.raise_for_status()
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(create, range(creations)))
    elapsed = time.perf_counter() - started

    verifier = TokenVerifier(jwks=http.get(f"{org}/.well-known/jwks.json").json())
    rounds = 5000

    async def verify_many() -> float:
        await verifier.verify(admin)
        t0 = time.perf_counter()
        for _ in range(rounds):
            await verifier.verify(admin)
        return time.perf_counter() - t0

    verify_elapsed = asyncio.run(verify_many())
    return {
        "organization_creations": {
            "creations": creations,
            "concurrent_clients": clients,
            "per_second": round(creations / elapsed, 1),
            "note": "each creation also creates the system administrator account (argon2id hashing)",
            **summary(latencies),
        },
        "token_verifications": {
            "verifications": rounds,
            "per_second_one_core": round(rounds / verify_elapsed),
            "note": "EdDSA signature and claims checked in-process from the JWKS, as every service does",
        },
    }


def bench_submissions(stack: Stack, count: int = 60, clients: int = 4) -> dict[str, Any]:
    """Application submissions end to end: HTTP → ApplicationSubmitted + PaperCheckRequested → Kafka →
    plagiarism-service checks → PaperCheckCompleted → Kafka → the verdict visible on the application."""
    from concurrent.futures import ThreadPoolExecutor

    org, app = stack.url("org-service"), stack.url("application-service")
    http = httpx.Client(timeout=30)

    def login(username: str, password: str) -> str:
        body = http.post(f"{org}/api/v1/auth/token", data={"username": username, "password": password}).json()
        if body["password_change_required"]:
            body = http.post(
                f"{org}/api/v1/auth/password",
                json={"old_password": password, "new_password": "Bench2026pass"},
                headers={"Authorization": f"Bearer {body['access_token']}"},
            ).json()
        return str(body["access_token"])

    admin = login("6208000001", stack.secrets.bootstrap_admin_password)
    digits = "零一二三四五六七八九"
    school = http.post(
        f"{org}/api/v1/orgs",
        json={
            "name": "平凉市基准测试中学" + "".join(digits[int(c)] for c in f"{uuid.uuid4().int % 10**6:06d}"),
            "kind": "state_unit",
            "unit_type": "school",
            "level": "city",
            "division_code": "620800",
            "credit_code": random_credit_code(),
        },
        headers={"Authorization": f"Bearer {admin}"},
    ).json()
    school_admin = login(school["admin"]["username"], school["admin"]["initial_password"])
    clerk = http.post(
        f"{org}/api/v1/accounts/business-admins",
        json={"display_name": "基准测试", "roles": ["applicant_management"]},
        headers={"Authorization": f"Bearer {school_admin}"},
    ).json()
    clerk_token = login(clerk["username"], clerk["initial_password"])

    def applicant() -> dict[str, str]:
        """One applicant a submission (one application a person and year)."""
        r = http.post(
            f"{org}/api/v1/accounts/applicants",
            json={
                "display_name": "测试人员",
                "id_card_number": random_id_card(),
                "on_staff": True,
            },
            headers={"Authorization": f"Bearer {clerk_token}"},
        )
        if r.status_code != 201:
            raise RuntimeError(f"registering a bench applicant: {r.status_code} {r.text}")
        person = r.json()
        return {"Authorization": f"Bearer {login(person['username'], person['initial_password'])}"}

    people = [applicant() for _ in range(count + 1)]
    headers = people.pop()
    paper = {
        "title": "乡村初中数学分层作业的实践研究",
        "journal": "甘肃教育",
        "journal_level": "provincial",
        "published_on": "2025-05-10",
        "authors": ["测试人员"],
        "text": "本文以平凉市某乡村初级中学为例，研究分层作业对学生学习兴趣和成绩的影响。" * 20,
    }
    body = {
        "year": 2026,
        "series": "中小学教师系列",
        "specialty": "中学数学",
        "level": "intermediate",
        "papers": [paper],
    }
    deadline = time.monotonic() + 60  # the applicants reach application-service through org-service's events
    while (r := http.post(f"{app}/api/v1/applications", json=body, headers=headers)).status_code != 201:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the applicant never reached application-service: {r.status_code} {r.text}")
        time.sleep(0.2)

    def submit(index: int) -> tuple[float, float]:
        with httpx.Client(timeout=30) as client:
            started = time.perf_counter()
            r = client.post(f"{app}/api/v1/applications", json=body, headers=people[index])
            if r.status_code != 201:
                raise RuntimeError(f"a bench submission was refused: {r.status_code} {r.text}")
            answered = time.perf_counter()
            while not client.get(f"{app}/api/v1/applications/{r.json()['id']}", headers=people[index]).json()["checks"]:
                time.sleep(0.005)
            return answered - started, time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        timings = list(pool.map(submit, range(count)))
    elapsed = time.perf_counter() - started
    return {
        "submissions": count,
        "concurrent_clients": clients,
        "per_second_end_to_end": round(count / elapsed, 1),
        "http_submission": summary([t[0] for t in timings]),
        "until_plagiarism_verdict_visible": summary([t[1] for t in timings]),
    }


def write_results(results: dict[str, Any], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    lines = [
        "# Benchmark results",
        "",
        f"Measured {results['measured_at']} on {results['machine']} with `make bench`.",
        "",
        "| figure | value |",
        "|---|---|",
    ]

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        else:
            lines.append(f"| {prefix} | {value} |")

    walk("", {k: v for k, v in results.items() if k not in ("measured_at", "machine")})
    (out_dir / "RESULTS.md").write_text("\n".join(lines) + "\n")


# The parts that need only PostgreSQL, runnable alone: `python -m zhicheng_tooling.bench <part> [--record]`;
# each with its key in bench/results.json.
POSTGRES_PARTS: dict[str, tuple[str, Callable[[Postgres], Coroutine[Any, Any, dict[str, Any]]]]] = {
    "event-store": ("event_store", bench_event_store),
    "consumer": ("consumer", bench_batched_consumer),
}


def part_alone(part: str, record: bool) -> None:
    """One PostgreSQL-only part on a PostgreSQL of its own (the bench's port), printed as JSON; with
    `--record`, merged into bench/results.json under its key with its own `measured_at` (the rest of the
    file stays as the last full run wrote it)."""
    root = Path(tempfile.mkdtemp(prefix="zc-bench-", dir="/tmp"))
    (root / OWNER_FILE).write_text(str(os.getpid()))
    postgres = Postgres(root / "pg", Ports.for_bench().pg, run_dir=root, log_file=root / "postgres.log")
    postgres.start()
    try:
        key, measure = POSTGRES_PARTS[part]
        figures = asyncio.run(measure(postgres))
    finally:
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps({key: figures}, indent=2))
    if record:
        record_part(key, figures)


def record_part(key: str, figures: dict[str, Any], out: Path | None = None) -> None:
    """`figures` into bench/results.json (and RESULTS.md; or those of `out`) under `key`, stamped with when
    they were measured, beside what the other parts measured."""
    out = out or find_workspace_root() / "bench"
    path = out / "results.json"
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    results.setdefault("measured_at", datetime.now(UTC).isoformat(timespec="seconds"))
    results.setdefault("machine", f"{os.cpu_count()} cores, {platform.machine()}")
    results[key] = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"), **figures}
    write_results(results, out)


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in POSTGRES_PARTS and set(args[1:]) <= {"--record"}:
        part_alone(args[0], "--record" in args)
        return
    if args:
        sys.exit(f"usage: python -m zhicheng_tooling.bench [{'|'.join(POSTGRES_PARTS)} [--record]]")
    reap_orphans(Path("/tmp"), "zc-bench-")
    root = Path(tempfile.mkdtemp(prefix="zc-bench-", dir="/tmp"))
    servers = Servers.start(root, Ports.for_bench())
    results: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
    }
    stack = Stack.prepare(servers)
    try:
        print("event store …", flush=True)
        results["event_store"] = asyncio.run(bench_event_store(servers.postgres))
        print("kafka path …", flush=True)
        results["kafka_path"] = asyncio.run(bench_kafka_path(servers))
        print("batched consumer …", flush=True)
        results["consumer"] = asyncio.run(bench_batched_consumer(servers.postgres))
        print("command → projection in another service …", flush=True)
        for database in DATABASES.values():  # every component's, the provincial simulator's included
            servers.postgres.create_database(database)
        stack.start("org-service")
        stack.start("application-service")
        results["command_to_projection_in_another_service"] = bench_cross_service(stack)
        print("org-service …", flush=True)
        results["org_service"] = bench_org_service(stack)
        print("application submissions end to end …", flush=True)
        stack.start("plagiarism-service")
        # the development seed, as `make run` loads it: the checks compare against its corpus
        urls = {name: stack.url(name) for name in SEEDED_THROUGH if name in stack.processes}
        asyncio.run(seed_services(urls, BUSINESS_ADMIN_USERNAME, stack.secrets.bootstrap_operator_password))
        results["application_submissions"] = bench_submissions(stack)
        results["eligibility_evaluations"] = eligibility_evaluations_per_second()
        stack.stop_all()
        print("idle (60 s with no traffic) …", flush=True)
        results["idle"] = bench_idle(stack, servers)
        stack.stop_all()
        print("plagiarism quality and speed (issue 5; ZC_BENCH_QUICK=1 for small sizes) …", flush=True)
        results["plagiarism"] = plagiarism_bench(
            find_workspace_root() / "bench", quick=os.environ.get("ZC_BENCH_QUICK") == "1"
        )
    finally:
        stack.stop_all()
        servers.stop()
        shutil.rmtree(root, ignore_errors=True)
    out = find_workspace_root() / "bench"
    write_results(results, out)
    print((out / "RESULTS.md").read_text())


if __name__ == "__main__":
    main()
