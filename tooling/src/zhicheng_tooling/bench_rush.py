"""make bench-rush: the deadline rush (issue 14, item 3). A synthetic city drives N applications (10,000
unless told) through the whole year on this machine, timed from the first submission to the last
qualification document, and checks its own results.

    uv run python -m zhicheng_tooling.bench_rush [--applications N] [--clients C] [--out DIR]

Before the clock: its own PostgreSQL, Kafka and Temporal (the bench's ports, temporary data), the four
services with the services' own consumer settings, the workflow worker and the provincial simulator, the
development seed; a plagiarism corpus of N documents (about 5,000 characters of Chinese text each); the
city's four competent departments, each with a reviewer and ten units with a clerk each; one committee per
series with five pool experts; N applicants registered by their units' clerks and logged in.

On the clock, stage after stage as the city's calendar runs them, C clients at a time:
submission with an 8,000-character paper → plagiarism checks (Kafka → plagiarism-service → Kafka) → the
unit's publicity (NAT-5, compressed to 1 s as the test stack does) → the unit's, the department's and the
title office's approvals (NAT-7) → pushes of 500 per series (SCHED-1) → provincial filing (POL-FI-1: the
workflow delivers each batch, the simulator's reviewer gives each application its verdict) → one committee
session per committee and push batch: a panel of three, every candidate's video defense and the panel's
opinion (NAT-9, POL-VD-1), attendance, every present expert's secret ballot, voting closed → publicity
(5 s, a workflow input) → the qualification documents.

It reports each stage's wall time, the whole, the user-facing requests' p50/p99 during the rush, CPU and
peak memory per process and the Temporal backlog; checks that every application ended with one document,
that no event position is missing, nothing was registered, checked or issued twice and every workflow
finished; and merges the figures into bench/results.json under ``deadline_rush``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import random
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import psutil
from zhicheng_devstack.credentials import BUSINESS_ADMIN_USERNAME, SYSTEM_ADMIN_USERNAME
from zhicheng_devstack.harness import DATABASES, Servers, Stack, reap_orphans
from zhicheng_devstack.ports import Ports
from zhicheng_devstack.process import ManagedProcess
from zhicheng_kernel.calendar import CHINA_TZ
from zhicheng_kernel.identifiers import id_card_with_check

from . import chaos_checks as checks
from .bench import percentile, record_part
from .bench_idle import DEFAULT_CONSUMER_ENV, SERVICES, cpu_seconds, members
from .chaos import endpoints
from .chaos_load import (
    JOURNAL,
    LEVEL,
    SPECIALTY,
    Client,
    Endpoints,
    Ledger,
    Load,
    LoadError,
    meeting_window,
)
from .dev_seed.loader import SEEDED_THROUGH, seed_services
from .plagiarism_evaluation.bench import SyntheticText
from .plagiarism_evaluation.source_text import load_source_text

T = TypeVar("T")
R = TypeVar("R")

GOAL_APPLICATIONS = 10_000
GOAL_SECONDS = 600.0  # the whole year for 10,000 applications in at most 10 minutes …
GOAL_USER_P99_MS = 500.0  # … with user-facing p99 under 500 ms while it runs
SERIES_MARKS = ("甲", "乙", "丙", "丁")  # four series, each with its committee and its department
UNITS_PER_DEPARTMENT = 10
EXPERTS_PER_COMMITTEE = 5
BATCH = 500  # a push batch and its committee session (a session takes at most 500 candidates)
# A session's candidates are examined by several panels (评议组, one per specialty group), each of at most
# this many; one panel of a whole session's 500 costs more per command as its stream grows (its events are
# replayed for each command: 1,500 by the end).
PANEL_CANDIDATES = 100
PAPER_CHARS = 8000
CORPUS_DOC_CHARS = 5000
CORPUS_BULK = 1000  # plagiarism-service's bulk import takes at most 1,000 documents a call
PUBLICITY_SECONDS = 5
START_TIMEOUT = 240.0
SAMPLE_SECONDS = 2.0


def fan_out(clients: int, work: Callable[[T], R], items: Sequence[T], errors: list[str]) -> list[R | None]:
    """`work` on every item, `clients` at a time; a failure is written down and its result is None."""

    def guarded(item: T) -> R | None:
        try:
            return work(item)
        except (LoadError, KeyError, ValueError) as exc:
            errors.append(f"{getattr(work, '__name__', 'work')}: {exc}"[:400])
            return None

    with ThreadPoolExecutor(max(1, min(clients, len(items)))) as pool:
        return list(pool.map(guarded, items))


@dataclass
class Unit:
    org_id: str
    clerk: str  # the clerk's token: registers applicants, publicises, approves as the unit
    series: int


@dataclass
class Applicant:
    account_id: str
    token: str
    unit: Unit
    name: str
    application_id: str = ""


@dataclass
class Committee:
    series: str
    committee_id: str
    experts: list[tuple[str, str]]  # (account id, token)


@dataclass
class Stage:
    name: str
    items: int
    started_s: float
    ended_s: float = 0.0

    def figures(self) -> dict[str, Any]:
        seconds = self.ended_s - self.started_s
        return {
            "items": self.items,
            "started_at_s": round(self.started_s, 1),
            "ended_at_s": round(self.ended_s, 1),
            "seconds": round(seconds, 1),
            "per_second": round(self.items / seconds, 1) if seconds > 0 else None,
        }


@dataclass
class Sampler:
    """Peak resident memory of each process group and the Temporal server's running workflows, sampled
    every SAMPLE_SECONDS while the clock runs."""

    processes: dict[str, ManagedProcess]
    temporal: Callable[[], int | None]
    peak_rss: dict[str, int] = field(default_factory=dict)
    running_workflows: list[int] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        ticks = 0
        while not self.stop.wait(SAMPLE_SECONDS):
            for name, process in self.processes.items():
                self.peak_rss[name] = max(self.peak_rss.get(name, 0), rss(process))
            if ticks % 5 == 0 and (running := self.temporal()) is not None:
                self.running_workflows.append(running)
            ticks += 1


def rss(process: ManagedProcess) -> int:
    total = 0
    for member in members(process):
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


class Rush:
    def __init__(self, stack: Stack, applications: int, clients: int) -> None:
        self.stack = stack
        self.n = applications
        self.clients = clients
        self.ledger = Ledger()
        self.client = Client(endpoints(stack), self.ledger)
        self.load = Load(self.client)
        self.tag = self.load.tag
        self.run_id = uuid.uuid4().hex[:8]  # the corpus ids: ASCII only
        self.year = datetime.now(CHINA_TZ).year
        self.series = [f"卫生系列压测{mark}{self.tag}" for mark in SERIES_MARKS]
        self.departments: list[str] = []  # each series' department reviewer's token
        self.units: list[Unit] = []
        self.applicants: list[Applicant] = []
        self.committees: list[Committee] = []
        self.batches: list[tuple[int, str, list[str]]] = []  # (series index, push id, application ids)
        self.stages: list[Stage] = []
        self.errors = self.ledger.errors
        self.rng = random.Random(14)
        self.clock = 0.0
        self.corpus: list[str] = []  # the corpus documents' texts (the papers quote some)
        self.text: SyntheticText | None = None

    # -- before the clock -------------------------------------------------------------------------

    def prepare(self) -> dict[str, Any]:
        started = time.monotonic()
        load = self.load
        load.admin = load.login(SYSTEM_ADMIN_USERNAME, self.client.endpoints.admin_password)
        load.operator = load.login(BUSINESS_ADMIN_USERNAME, self.client.endpoints.operator_password)
        print("  the corpus …", flush=True)
        corpus_chars = self.prepare_corpus()
        print("  departments, units, committees …", flush=True)
        self.prepare_schedule()
        self.prepare_orgs()
        self.prepare_committees()
        print(f"  {self.n} applicants …", flush=True)
        self.prepare_applicants()
        return {
            "seconds": round(time.monotonic() - started, 1),
            "corpus_documents": len(self.corpus),
            "corpus_chars": corpus_chars,
            "series": len(self.series),
            "departments": len(self.departments),
            "units": len(self.units),
            "committees": len(self.committees),
            "experts": sum(len(c.experts) for c in self.committees),
            "applicants": len(self.applicants),
        }

    def prepare_corpus(self) -> int:
        """N documents of 2,500–7,500 characters (fragments of real Chinese lines, as the plagiarism
        bench makes them), added in bulk and indexed before the clock."""
        self.text = SyntheticText(load_source_text(max_files=20), seed=14)
        ids = list(range(self.n))

        def add(first: int) -> None:
            assert self.text is not None
            documents = []
            for no in ids[first : first + CORPUS_BULK]:
                text = self.text.text(self.rng.randint(CORPUS_DOC_CHARS // 2, CORPUS_DOC_CHARS * 3 // 2))
                self.corpus.append(text)
                documents.append({"external_id": f"RUSH-{self.run_id}-{no:06d}", "title": f"文献{no}", "text": text})
            r = self.client.command(
                "POST",
                "plagiarism-service",
                "/api/v1/corpus/documents:bulk",
                self.load.operator,
                json={"documents": documents},
            )
            self.client.must(r, "corpus documents")

        for first in range(0, self.n, CORPUS_BULK):  # one at a time: the index takes them in order
            add(first)
        return sum(len(t) for t in self.corpus)

    def prepare_schedule(self) -> None:
        """The run's series in this year's schedule, pushed in this month (SCHED-1)."""
        path = f"/api/v1/schedules/{self.year}"
        current = self.client.get("application-service", path, self.load.operator)
        entries = [{k: e[k] for k in ("series", "push_month", "grassroots")} for e in current["series"]]
        month = datetime.now(CHINA_TZ).month
        entries += [{"series": s, "push_month": month, "grassroots": False} for s in self.series]
        r = self.client.command("PUT", "application-service", path, self.load.operator, json={"series": entries})
        self.client.must(r, "schedule")

    def prepare_orgs(self) -> None:
        load = self.load
        for i, mark in enumerate(SERIES_MARKS):
            dept = load.org(
                load.admin, f"平凉市卫生健康委员会压测{mark}{self.tag}", kind="government_department", function="health"
            )
            self.departments.append(load.business_admin(dept, "张主任", ["department_review"]))

            def unit(j: int, dept_token: str = dept.admin_token, series: int = i, mark: str = mark) -> Unit:
                name = f"平凉市压测医院{mark}{'零一二三四五六七八九'[j]}{self.tag}"
                org = load.org(dept_token, name, kind="state_unit", unit_type="hospital")
                return Unit(org.id, load.business_admin(org, "王芳", ["applicant_management", "unit_review"]), series)

            made = fan_out(self.clients, unit, range(UNITS_PER_DEPARTMENT), self.errors)
            self.units += [u for u in made if u is not None]
        if self.errors:
            raise LoadError(f"preparing the organisations: {self.errors[:3]}")

    def prepare_committees(self) -> None:
        """Per series five experts, appointed to the pool at an employer of their own, and their committee."""
        load = self.load
        employer = load.org(load.admin, f"平凉市压测专家单位{self.tag}", kind="state_unit", unit_type="other")
        for series in self.series:
            experts, committee_id = load.expert_committee(
                series, EXPERTS_PER_COMMITTEE, employer.id, f"平凉市{series}中级评审委员会"
            )
            self.committees.append(Committee(series, committee_id, experts))

    def prepare_applicants(self) -> None:
        """Each unit's clerk registers its share of the N applicants, who log in (and set a password);
        the clock starts once application-service knows every one of them."""

        def register(i: int) -> Applicant:
            unit = self.units[i % len(self.units)]
            name = f"申报人{i:05d}"
            body = {"display_name": name, "id_card_number": numbered_id_card(i)}
            r = self.client.command(
                "POST", "org-service", "/api/v1/accounts/applicants", unit.clerk, id_field="account_id", json=body
            )
            made = self.client.must(r, "applicant")
            self.ledger.applicants[str(made["account_id"])] = body["id_card_number"]
            token = self.load.login(made["username"], made["initial_password"])
            return Applicant(str(made["account_id"]), token, unit, name)

        made = fan_out(self.clients, register, range(self.n), self.errors)
        self.applicants = [a for a in made if a is not None]
        if self.errors:
            raise LoadError(f"registering applicants: {self.errors[:3]}")
        ids = [a.account_id for a in self.applicants]
        self.wait_for(
            "every applicant known to application-service",
            lambda: self.count("zc_application", "SELECT count(*) FROM applicants WHERE account_id = any($1)", ids),
            len(ids),
            timeout=600,
        )

    # -- on the clock ---------------------------------------------------------------------------------

    def now(self) -> float:
        return time.monotonic() - self.clock

    @contextmanager
    def stage(self, name: str, items: int) -> Iterator[None]:
        stage = Stage(name, items, self.now())
        print(f"  {name} ({items}) at {stage.started_s:.0f} s …", flush=True)
        try:
            yield
        finally:
            stage.ended_s = self.now()
            self.stages.append(stage)

    def count(self, database: str, sql: str, *args: Any) -> int:
        return int(checks.query(self.stack, database, sql, *args)[0][0])

    def wait_for(self, what: str, probe: Callable[[], int], target: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while (done := probe()) < target:
            if time.monotonic() > deadline:
                raise LoadError(f"timed out: {what} ({done} of {target})")
            time.sleep(0.5)

    def run(self) -> None:
        self.clock = time.monotonic()
        self.client.timings = []
        c, n = self.clients, len(self.applicants)
        with self.stage("submission", n):
            fan_out(c, self.submit, self.applicants, self.errors)
        ids = [a.application_id for a in self.applicants if a.application_id]
        with self.stage("plagiarism_checks", len(ids)):
            self.wait_for(
                "every paper checked",
                lambda: self.count(
                    "zc_application",
                    "SELECT count(*) FROM applications WHERE id = any($1)"
                    " AND (SELECT count(*) FROM jsonb_object_keys(checks)) >= jsonb_array_length(papers)",
                    ids,
                ),
                len(ids),
                timeout=max(600.0, len(ids) * 0.5),
            )
        with self.stage("unit_publicity", len(ids)):
            fan_out(c, self.publicise, self.applicants, self.errors)
        reviewers: list[tuple[str, Callable[[Applicant], str]]] = [
            ("unit_review", lambda a: a.unit.clerk),
            ("department_review", lambda a: self.departments[a.unit.series]),
            ("title_office_review", lambda a: self.load.operator),
        ]
        for name, token_of in reviewers:
            with self.stage(name, len(ids)):
                fan_out(c, functools.partial(self.approve_as, token_of), self.applicants, self.errors)
        with self.stage("pushes", len(ids)):
            self.push()
        with self.stage("provincial_filing", len(ids)):
            self.filing()
        with self.stage("committee_sessions", len(ids)):
            fan_out(c, self.session, list(enumerate(self.batches)), self.errors)
        with self.stage("publicity_and_documents", len(ids)):
            self.wait_for(
                "every qualification document",
                lambda: self.count(
                    "zc_application",
                    "SELECT count(*) FROM applications WHERE id = any($1) AND document_number IS NOT NULL",
                    ids,
                ),
                len(ids),
                timeout=max(600.0, len(ids) * 0.2),
            )

    def submit(self, applicant: Applicant) -> None:
        assert self.text is not None
        sources = self.rng.sample(self.corpus, 2)
        quoted = [s[(k := self.rng.randrange(0, max(1, len(s) - 150))) : k + 150] for s in sources]
        own = self.text.text(PAPER_CHARS)
        paper = (own[:2000] + quoted[0] + own[2000:5000] + quoted[1] + own[5000:])[:PAPER_CHARS]
        body = {
            "year": self.year,
            "series": self.series[applicant.unit.series],
            "specialty": SPECIALTY,
            "level": LEVEL,
            "papers": [
                {
                    "title": f"县级医院内科分层随访的实践研究（{applicant.name}）",
                    "journal": JOURNAL["name"],
                    "cn_number": JOURNAL["cn_number"],
                    "journal_level": JOURNAL["level"],
                    "published_on": f"{self.year - 1}-05-10",
                    "authors": [applicant.name],
                    "text": paper,
                }
            ],
        }
        r = self.client.command(
            "POST", "application-service", "/api/v1/applications", applicant.token, id_field="id", json=body
        )
        created = self.client.must(r, f"submission of {applicant.name}", (201,))
        applicant.application_id = str(created["id"])
        self.ledger.applications[applicant.application_id] = applicant.account_id

    def publicise(self, applicant: Applicant) -> None:
        if not applicant.application_id:
            return
        path = f"/api/v1/applications/{applicant.application_id}/publicity"
        r = self.client.command("POST", "application-service", path, applicant.unit.clerk, json={})
        self.client.must(r, "unit publicity")

    def approve_as(self, token_of: Callable[[Applicant], str], applicant: Applicant) -> None:
        self.approve(applicant, token_of(applicant))

    def approve(self, applicant: Applicant, token: str) -> None:
        """The reviewer opens the application and approves it with the version seen (a 409 is read again)."""
        if applicant.application_id:
            self.load.approve(applicant.application_id, token)

    def push(self) -> None:
        """The title office pushes each series' applications to its committee in batches of BATCH."""
        for s, series in enumerate(self.series):
            ids = [a.application_id for a in self.applicants if a.unit.series == s and a.application_id]
            for first in range(0, len(ids), BATCH):
                batch = ids[first : first + BATCH]
                body = {"year": self.year, "series": series, "level": LEVEL, "application_ids": batch}
                r = self.client.command(
                    "POST", "application-service", "/api/v1/pushes", self.load.operator, id_field="push_id", json=body
                )
                push_id = str(self.client.must(r, "push")["push_id"])
                self.ledger.pushes.append(push_id)
                self.batches.append((s, push_id, batch))

    def filing(self) -> None:
        """POL-FI-1: every batch delivered to the province by its workflow; the province's reviewer gives
        each application its verdict; application-service records them all."""
        pushes = [p for _, p, _ in self.batches]
        self.wait_for(
            "every filing received by the province",
            lambda: self.count(
                "zc_application",
                "SELECT count(*) FROM filings WHERE push_id = any($1) AND received_at IS NOT NULL",
                pushes,
            ),
            len(pushes),
            timeout=600,
        )
        items = [(p, a) for _, p, batch in self.batches for a in batch]

        def verdict(item: tuple[str, str]) -> None:
            push_id, app_id = item
            r, _ = self.client.request(
                "POST",
                "provincial-simulator",
                f"/api/v1/filings/{push_id}/items/{app_id}/verdict",
                self.client.endpoints.reviewer_token,
                json={"verdict": "approved", "reasons": [], "reviewer": "省职改办 压测"},
            )
            self.client.must(r, "provincial verdict")

        fan_out(self.clients, verdict, items, self.errors)
        ids = [a for _, a in items]
        self.wait_for(
            "every provincial verdict recorded",
            lambda: self.count(
                "zc_application",
                "SELECT count(*) FROM applications WHERE id = any($1) AND filing->>'verdict' = 'approved'",
                ids,
            ),
            len(ids),
            timeout=max(600.0, len(ids) * 0.2),
        )

    def session(self, numbered: tuple[int, tuple[int, str, list[str]]]) -> None:
        """One session of a committee for one push batch (as chaos_load's wave does for its few)."""
        index, (s, _, ids) = numbered
        committee = self.committees[s]
        operator = self.load.operator
        per_committee = sum(1 for t, _, _ in self.batches[:index] if t == s)
        body = {
            "year": self.year,
            "publicity_seconds": PUBLICITY_SECONDS,
            "sitting": 3,
            "reserves": 2,
            "application_ids": ids,
            **meeting_window(per_committee),
        }
        key = str(uuid.uuid4())
        path = f"/api/v1/committees/{committee.committee_id}/sessions"

        def opened() -> dict[str, Any] | None:
            r = self.client.command("POST", "review-service", path, operator, key=key, json=body)
            if r.status_code == 201:
                return dict(r.json())
            if r.status_code in (404, 409, 422):  # candidates or verdicts still on their way
                return None
            raise LoadError(f"session: {r.status_code} {r.text[:300]}")

        session_id = str(self.client.until("session of a batch", opened, timeout=600)["session_id"])
        for app_id in ids:
            self.ledger.in_sessions[app_id] = session_id
        for first in range(0, len(ids), PANEL_CANDIDATES):  # a panel per specialty group
            self.load.defenses(session_id, ids[first : first + PANEL_CANDIDATES])
        self.load.vote(session_id, committee.experts)

    # -- afterwards -----------------------------------------------------------------------------------

    def verify(self) -> list[checks.Check]:
        """A fast wrong run cannot pass: every application decided with exactly one document, positions
        gapless, nothing doubled, every workflow finished."""
        ids = list(self.ledger.applications)
        decided = self.count(
            "zc_application",
            "SELECT count(*) FROM applications WHERE id = any($1) AND outcome IS NOT NULL"
            " AND document_number IS NOT NULL",
            ids,
        )
        issued_twice = self.count(
            "zc_review",
            "SELECT count(*) FROM (SELECT payload->>'application_id' FROM event_store"
            " WHERE event_type = 'QualificationDocumentIssued' AND payload->>'application_id' = any($1)"
            " GROUP BY 1 HAVING count(*) > 1) t",
            ids,
        )
        checked_twice = self.count(
            "zc_plagiarism",
            "SELECT count(*) FROM (SELECT payload->>'application_id', payload->>'paper_id' FROM event_store"
            " WHERE event_type = 'PaperCheckCompleted' AND payload->>'application_id' = any($1)"
            " GROUP BY 1, 2 HAVING count(*) > 1) t",
            ids,
        )
        converged_s, behind = checks.converge(self.stack, 300)
        results = [
            checks.Check(
                "the load went through",
                not self.errors and len(self.applicants) == self.n,
                detail="; ".join(self.errors)[:600] or f"{len(ids)} applications",
            ),
            checks.Check(
                "every application decided with its document",
                decided == self.n,
                lost=self.n - decided,
                detail=f"{decided} of {self.n} decided with a document number",
            ),
            checks.Check(
                "one document and one check per paper",
                not issued_twice and not checked_twice,
                doubled=issued_twice + checked_twice,
                detail=f"{issued_twice} applications issued twice, {checked_twice} papers checked twice",
            ),
            checks.Check(
                "relays and consumers converged",
                converged_s is not None,
                detail=f"after {converged_s:.1f} s" if converged_s is not None else f"still behind: {behind[:6]}",
            ),
            checks.gapless_positions(self.stack),
            checks.applications_kept(self.stack, self.ledger, self.clock),
            checks.accounts_kept(self.stack, self.ledger),
            *(checks.no_doubles(self.stack, self.ledger, s, self.clock) for s in self.series),
            checks.settled(lambda: checks.workflows_finished(self.stack), 300),
        ]
        return results

    def latencies(self) -> dict[str, Any]:
        timings = self.client.timings or []
        user = [t for s, t, _ in timings if s != "provincial-simulator"] or [0.0]
        by_service: dict[str, dict[str, Any]] = {}
        for service in sorted({s for s, _, _ in timings}):
            mine = [t for s, t, _ in timings if s == service]  # not empty: the service is in timings
            by_service[service] = {
                "requests": len(mine),
                "p50_ms": round(percentile(mine, 50) * 1000, 1),
                "p99_ms": round(percentile(mine, 99) * 1000, 1),
            }
        return {
            "user_requests": len(user),
            "user_p50_ms": round(percentile(user, 50) * 1000, 1),
            "user_p99_ms": round(percentile(user, 99) * 1000, 1),
            "user_requests_per_second": round(len(user) / max(self.now(), 1e-9), 1),
            "by_service": by_service,
        }


def running_workflows(stack: Stack) -> int | None:
    done = checks.temporal_workflows(stack, "count", "--query", "ExecutionStatus='Running'")
    if done.returncode != 0:
        return None
    try:
        return int(json.loads(done.stdout).get("count", 0))
    except (ValueError, AttributeError):
        return None


def start_stack(stack: Stack) -> None:
    """The four services with a deployed service's consumer settings, the simulator, the worker and the
    development seed."""
    for database in DATABASES.values():
        stack.servers.postgres.create_database(database)
    for service in SERVICES:
        stack.start(service, DEFAULT_CONSUMER_ENV, START_TIMEOUT)
    stack.start("workflows", DEFAULT_CONSUMER_ENV, START_TIMEOUT)
    urls = {name: stack.url(name) for name in SEEDED_THROUGH if name in stack.processes}
    asyncio.run(seed_services(urls, BUSINESS_ADMIN_USERNAME, stack.secrets.bootstrap_operator_password))


def numbered_id_card(i: int) -> str:
    """The i-th applicant's ID number: a real birth date and serial derived from i, so 10,000 applicants
    never share one (random numbers did: 14 M of them collide among 10,000 with a chance of ≈97 %)."""
    birth = date(1965, 1, 1) + timedelta(days=i // 900)
    return id_card_with_check(f"620802{birth:%Y%m%d}{100 + i % 900:03d}")


def per_cpu_second(count: int, spent: dict[str, float]) -> dict[str, float]:
    """`count` per CPU second each component spent (a service's replicas, "name.2", counted with it)."""
    by_component: dict[str, float] = {}
    for name, seconds in spent.items():
        component = name.split(".")[0]
        by_component[component] = by_component.get(component, 0.0) + seconds
    return {name: round(count / seconds, 1) for name, seconds in by_component.items() if seconds > 0}


def start_replicas(stack: Stack, endpoints: Endpoints) -> list[str]:
    """A second instance of each service on the same database (its consumers join the same groups, its
    relay and positioner wait on the same advisory locks); the clients' requests alternate between the two."""
    names = []
    for service in SERVICES:
        port = checks.replica_port(stack, service)
        name = f"{service}.2"
        stack.start_replica(
            service,
            name=name,
            database=DATABASES[service],
            port=port,
            extra_env=DEFAULT_CONSUMER_ENV,
            timeout=START_TIMEOUT,
        )
        endpoints.replicas[service] = [endpoints.urls[service], f"http://127.0.0.1:{port}"]
        names.append(name)
    return names


def run(applications: int, clients: int, replicas: int = 1) -> dict[str, Any]:
    reap_orphans(Path("/tmp"), "zc-bench-")
    root = Path(tempfile.mkdtemp(prefix="zc-bench-", dir="/tmp"))
    servers = Servers.start(root, Ports.for_bench())
    stack = Stack.prepare(servers)
    try:
        print("starting the stack …", flush=True)
        start_stack(stack)
        rush = Rush(stack, applications, clients)
        print("preparing the city (before the clock) …", flush=True)
        prepared = rush.prepare()
        if replicas == 2:  # after the corpus: each replica loads the whole index at its start
            print("a second replica of each service …", flush=True)
            start_replicas(stack, rush.client.endpoints)
        measured: dict[str, ManagedProcess] = {
            **dict(stack.processes),
            "kafka": servers.kafka,
            "postgres": servers.postgres,
            "temporal": servers.temporal,
        }
        sampler = Sampler(measured, lambda: running_workflows(stack))
        sampling = threading.Thread(target=sampler.run, name="rush-sampler", daemon=True)
        cpu_before = {name: cpu_seconds(p) for name, p in measured.items()}
        print(f"the rush: {applications} applications …", flush=True)
        sampling.start()
        try:
            rush.run()
        except LoadError as exc:
            rush.errors.append(f"the rush stopped: {exc}")
        total = rush.now()
        latencies = rush.latencies()
        spent = {name: cpu_seconds(p) - cpu_before[name] for name, p in measured.items()}
        cpu = {name: round(seconds / total * 100, 1) for name, seconds in spent.items()}
        sampler.stop.set()
        sampling.join(timeout=60)
        print("checking the results …", flush=True)
        results = rush.verify()
        decided = next(c for c in results if c.name == "every application decided with its document")
        correct = all(c.ok for c in results)
        figures: dict[str, Any] = {
            "applications": len(rush.ledger.applications),
            "decided": applications - decided.lost,
            "total_seconds": round(total, 1),
            "applications_per_second": round(len(rush.ledger.applications) / total, 2),
            "user_p99_ms": latencies["user_p99_ms"],
            "user_p50_ms": latencies["user_p50_ms"],
            "stages": {s.name: s.figures() for s in rush.stages},
            "requests": latencies,
            "cpu_percent_of_a_core": cpu,
            # Per-core throughput (issue 14, item 5): applications carried through the whole year per CPU
            # second each process spent on the rush (its replicas together).
            "applications_per_cpu_second": per_cpu_second(len(rush.ledger.applications), spent),
            "peak_rss_mb": {k: round(v / 2**20) for k, v in sampler.peak_rss.items()},
            "temporal_running_workflows": {
                "max": max(sampler.running_workflows, default=None),
                "at_end": running_workflows(stack),
            },
            "prepared_before_the_clock": prepared,
            "clients": clients,
            "access_token_renewals": rush.client.renewals,
            "replicas": replicas,
            "paper_chars": PAPER_CHARS,
            "batch": BATCH,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in results],
            "correct": correct,
            "goal": f"{GOAL_APPLICATIONS} applications in at most {GOAL_SECONDS:.0f} s with user p99 under"
            f" {GOAL_USER_P99_MS:.0f} ms",
            "met": correct
            and applications >= GOAL_APPLICATIONS
            and total <= GOAL_SECONDS
            and latencies["user_p99_ms"] < GOAL_USER_P99_MS,
        }
        for c in results:
            print(f"  [{'ok' if c.ok else 'FAIL'}] {c.name}: {c.detail}", flush=True)
        return figures
    finally:
        stack.stop_all()
        servers.stop()
        shutil.rmtree(root, ignore_errors=True)


def result_key(applications: int, replicas: int) -> str:
    """Where a run is recorded in bench/results.json: the goal's city under `deadline_rush`; a smaller one
    (a quick look, a check after a change) beside it, so that it never replaces the whole city's figures."""
    if replicas == 2:
        return "deadline_rush_two_replicas"
    return "deadline_rush" if applications >= GOAL_APPLICATIONS else "deadline_rush_smaller"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zhicheng_tooling.bench_rush", description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000, help="applications in the rush (10,000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8: four a core)")
    parser.add_argument(
        "--replicas", type=int, choices=(1, 2), default=1, help="2: two instances of each service (correctness)"
    )
    parser.add_argument("--out", type=Path, default=None, help="where results.json is merged (default bench/)")
    args = parser.parse_args(argv)
    if not 1 <= args.applications <= 100_000 or not 1 <= args.clients <= 256:
        parser.error("--applications 1..100000, --clients 1..256")
    figures = run(args.applications, args.clients, args.replicas)
    key = result_key(args.applications, args.replicas)
    record_part(key, figures, args.out)
    print(json.dumps({k: v for k, v in figures.items() if k not in ("checks", "stages")}, ensure_ascii=False))
    print(json.dumps(figures["stages"], ensure_ascii=False, indent=1))
    return 0 if figures["correct"] else 1


if __name__ == "__main__":
    sys.exit(main())
