"""make chaos: crash every part of the system while applications flow through it, then prove that
nothing was lost, nothing doubled, every workflow finished and every projection equals a rebuild.

    uv run python -m zhicheng_tooling.chaos [--short] [--out PATH]

Loopback only, bounded in time and requests. It starts its own PostgreSQL, Kafka and Temporal and the
services on the chaos ports (27.5xx–27.9xx, ZC_CHAOS_PORT_OFFSET moves them; data in /tmp/zc-chaos-*),
loads the development seed, then runs waves of applications (chaos_load.py) while a second thread
SIGKILLs, one after another, each service (org, application, review, plagiarism), the workflow worker,
the Kafka broker (it comes back empty) and the Temporal server, each restarted after a short outage.
Afterwards it waits (bounded) for the relays and consumers to converge and runs the checks of
chaos_checks.py. It prints a table of faults and outcomes and one of the checks, writes both as JSON
(bench/chaos.json by default) and exits non-zero when anything was lost, doubled or did not converge.

`--short` is the CI form: a few applications, every fault once, a short outage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zhicheng_devstack.credentials import BUSINESS_ADMIN_USERNAME
from zhicheng_devstack.harness import DATABASES, Servers, Stack, reap_orphans
from zhicheng_devstack.paths import find_workspace_root
from zhicheng_devstack.ports import Ports

from . import chaos_checks as checks
from .chaos_load import Client, Endpoints, Ledger, Load, LoadError
from .dev_seed.loader import SEEDED_THROUGH, seed_services

# (fault name, what is killed, kind): each service, the worker, the broker, Temporal — in this order.
FAULTS: tuple[tuple[str, str, str], ...] = (
    ("org-service SIGKILL", "org-service", "process"),
    ("application-service SIGKILL", "application-service", "process"),
    ("review-service SIGKILL", "review-service", "process"),
    ("plagiarism-service SIGKILL", "plagiarism-service", "process"),
    ("workflow worker SIGKILL", "workflows", "process"),
    ("Kafka broker SIGKILL (back empty)", "kafka", "server"),
    ("Temporal server SIGKILL", "temporal", "server"),
)
CHAOS_ROOT_PREFIX = "zc-chaos-"
# A service's start may take long on a busy machine (imports, migrations): the run waits this long.
START_TIMEOUT = 240.0


@dataclass(frozen=True)
class Profile:
    wave_size: int  # applications per wave
    max_waves: int  # the load never runs more waves than this
    pause: float  # seconds of load between two faults (and before the first)
    outage: float  # seconds a killed part stays down
    converge_timeout: float
    rebuild_timeout: float
    recovery_timeout: float  # how long a restarted part may take to serve and let everything catch up


SHORT = Profile(
    wave_size=2, max_waves=4, pause=3.0, outage=2.0, converge_timeout=60.0, rebuild_timeout=90.0, recovery_timeout=30.0
)
FULL = Profile(
    wave_size=6,
    max_waves=12,
    pause=20.0,
    outage=5.0,
    converge_timeout=180.0,
    rebuild_timeout=180.0,
    recovery_timeout=60.0,
)


@dataclass
class FaultOutcome:
    fault: str
    target: str
    at_s: float  # when it was killed, seconds since the load started
    outage_s: float
    # from the restart until it served again and every relay and consumer caught up with the stores'
    # heads of that moment; None: it did not come back, or the system did not catch up (notes say)
    recovered_after_s: float | None
    lost: int = 0
    doubled: int = 0
    notes: str = ""
    survived: bool = False


@dataclass
class Run:
    stack: Stack
    profile: Profile
    started: float = field(default_factory=time.monotonic)
    outcomes: list[FaultOutcome] = field(default_factory=list)
    faults_done: threading.Event = field(default_factory=threading.Event)
    fault_errors: list[str] = field(default_factory=list)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def inject(self, name: str, target: str, kind: str) -> FaultOutcome:
        at = self.elapsed()
        if kind == "server":
            self.stack.servers.kill9(target)
        else:
            self.stack.kill9(target)
        time.sleep(self.profile.outage)
        restarted = time.monotonic()
        try:
            if kind == "server":
                self.stack.servers.restart(target)
            else:
                self.stack.start(target, timeout=START_TIMEOUT)
        except Exception as exc:
            notes = f"did not come back: {str(exc).splitlines()[0][:200]}"
            return FaultOutcome(name, target, round(at, 1), self.profile.outage, None, notes=notes)
        # Back means: serving again, and every relay and consumer has caught up with what the stores
        # held when it restarted (bounded; the load goes on meanwhile).
        marks = checks.heads(self.stack)
        deadline = time.monotonic() + self.profile.recovery_timeout
        while behind := checks.behind_marks(self.stack, marks):
            if time.monotonic() > deadline:
                notes = f"not caught up after {self.profile.recovery_timeout:.0f} s: " + "; ".join(behind[:3])
                return FaultOutcome(name, target, round(at, 1), self.profile.outage, None, notes=notes)
            time.sleep(0.5)
        recovered = round(time.monotonic() - restarted, 1)
        return FaultOutcome(name, target, round(at, 1), self.profile.outage, recovered)

    def run_faults(self) -> None:
        try:
            for name, target, kind in FAULTS:
                time.sleep(self.profile.pause)
                self.outcomes.append(self.inject(name, target, kind))
        except Exception as exc:
            self.fault_errors.append(f"fault thread: {exc!r}")
        finally:
            self.faults_done.set()


def start_stack(stack: Stack) -> None:
    """The four services, the simulator and the worker on the run's servers, and the development seed."""
    for database in DATABASES.values():
        stack.servers.postgres.create_database(database)
    services = ["org-service", "application-service", "review-service", "plagiarism-service"]
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        futures = [pool.submit(stack.start, s, None, START_TIMEOUT) for s in services]
    for future in futures:
        future.result()
    stack.start("workflows")
    urls = {name: stack.url(name) for name in SEEDED_THROUGH if name in stack.processes}
    asyncio.run(seed_services(urls, BUSINESS_ADMIN_USERNAME, stack.secrets.bootstrap_operator_password))


def endpoints(stack: Stack) -> Endpoints:
    names = ["org-service", "application-service", "review-service", "plagiarism-service", "provincial-simulator"]
    return Endpoints(
        urls={n: stack.url(n) for n in names},
        admin_password=stack.secrets.bootstrap_admin_password,
        operator_password=stack.secrets.bootstrap_operator_password,
        reviewer_token=stack.secrets.province_reviewer_token,
    )


def attribute(run: Run, results: list[checks.Check]) -> None:
    """Each lost/doubled item counts against the fault whose era (from its kill to the next kill) it was
    accepted in; a fault survived when it came back and nothing of its era was lost or doubled."""
    kills = [o.at_s for o in run.outcomes]
    for i, outcome in enumerate(run.outcomes):
        end = kills[i + 1] if i + 1 < len(kills) else float("inf")
        outcome.lost = sum(1 for c in results for t in c.lost_at if outcome.at_s <= t < end)
        outcome.doubled = sum(1 for c in results for t in c.doubled_at if outcome.at_s <= t < end)
        outcome.survived = outcome.recovered_after_s is not None and not outcome.lost and not outcome.doubled


def render(run: Run, results: list[checks.Check], summary: dict[str, Any]) -> str:
    head = ("fault", "when", "outage", "recovered after", "lost", "doubled", "notes")
    rows = [
        (
            o.fault,
            f"{o.at_s:.1f} s",
            f"{o.outage_s:.0f} s",
            "never" if o.recovered_after_s is None else f"{o.recovered_after_s:.1f} s",
            str(o.lost),
            str(o.doubled),
            o.notes or ("survived" if o.survived else "NOT survived"),
        )
        for o in run.outcomes
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [head, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += ["", "checks after the faults:"]
    for c in results:
        lines.append(f"  [{'ok' if c.ok else 'FAIL'}] {c.name}: lost {c.lost}, doubled {c.doubled} — {c.detail}")
    lines += ["", " ".join(f"{k}={v}" for k, v in summary.items() if k != "notes")]
    lines += [f"note: {n}" for n in summary.get("notes", [])]
    return "\n".join(lines)


def run_chaos(profile: Profile, out: Path) -> int:
    reap_orphans(Path("/tmp"), CHAOS_ROOT_PREFIX)
    root = Path(tempfile.mkdtemp(prefix=CHAOS_ROOT_PREFIX, dir="/tmp"))
    wall = time.monotonic()
    print("starting the chaos stack …", flush=True)
    try:
        servers = Servers.start(root, Ports.for_chaos())
    except Exception:
        shutil.rmtree(root, ignore_errors=True)
        raise
    stack = Stack.prepare(servers)
    try:
        start_stack(stack)
        ledger = Ledger()
        client = Client(endpoints(stack), ledger)
        load = Load(client)
        print("preparing organisations, accounts, experts …", flush=True)
        load.prepare()
        run = Run(stack, profile)
        faults = threading.Thread(target=run.run_faults, name="chaos-faults", daemon=True)
        faults.start()
        waves = 0
        while waves < profile.max_waves and (waves == 0 or not run.faults_done.is_set()):
            print(f"wave {waves + 1}: {profile.wave_size} applications (t={run.elapsed():.0f} s) …", flush=True)
            try:
                load.wave(profile.wave_size)
            except LoadError as exc:
                ledger.errors.append(f"wave {waves + 1}: {exc}")
                print(f"  load error: {exc}", flush=True)
            waves += 1
        run.faults_done.wait(timeout=len(FAULTS) * (profile.pause + profile.outage + 120))
        load_s = run.elapsed()
        # The rebuilds start now (they only read the feeds) and catch up while the stack converges.
        rebuilds = ThreadPoolExecutor(1, thread_name_prefix="chaos-rebuild")
        rebuilt = rebuilds.submit(checks.start_rebuilds, stack, profile.rebuild_timeout)
        print("waiting for convergence …", flush=True)
        converged_s, behind = checks.converge(stack, profile.converge_timeout)
        results = [
            checks.Check(
                "relays and consumers converged",
                converged_s is not None,
                detail=f"after {converged_s:.1f} s" if converged_s is not None else f"still behind: {behind[:6]}",
            ),
            checks.Check(
                "the load went through",
                not ledger.errors and not run.fault_errors,
                detail="; ".join([*ledger.errors, *run.fault_errors])[:600] or f"{waves} waves",
            ),
            checks.gapless_positions(stack),
            checks.applications_kept(stack, ledger, run.started),
            checks.accounts_kept(stack, ledger),
            checks.no_doubles(stack, ledger, load.series, run.started),
            checks.settled(lambda: checks.documents_issued(stack, ledger, load.operator), profile.converge_timeout),
            checks.settled(lambda: checks.workflows_finished(stack), profile.converge_timeout),
        ]
        print("comparing the projections with their rebuilds on fresh databases …", flush=True)
        try:
            urls = rebuilt.result()
            results.append(checks.projections_rebuilt(stack, urls, profile.rebuild_timeout))
        except Exception as exc:
            results.append(
                checks.Check("projections equal a rebuild from the event stores", False, detail=repr(exc)[:400])
            )
        rebuilds.shutdown()
        attribute(run, results)
        summary = {
            "applications": len(ledger.applications),
            "commands_accepted": len(ledger.accepted),
            "retried_sends": client.retries,
            "waves": waves,
            "load_seconds": round(load_s, 1),
            "run_seconds": round(time.monotonic() - wall, 1),
            "notes": ledger.notes,
        }
        table = render(run, results, summary)
        print("\n" + table, flush=True)
        passed = (
            all(c.ok for c in results) and all(o.survived for o in run.outcomes) and len(run.outcomes) == len(FAULTS)
        )
        write_json(out, profile, run, results, summary, passed)
        if not passed:  # the services' logs outlive the run's data, for whoever reads the table
            kept = Path(tempfile.mkdtemp(prefix="zc-chaos-logs-", dir="/tmp"))
            shutil.copytree(root / "logs", kept / "logs")
            for name in ("kafka.log", "temporal.log", "postgres.log"):
                if (root / name).exists():
                    shutil.copy2(root / name, kept / name)
            print(f"logs of the run kept in {kept}", flush=True)
        return 0 if passed else 1
    finally:
        stack.stop_all()
        servers.stop()
        shutil.rmtree(root, ignore_errors=True)


def write_json(
    out: Path, profile: Profile, run: Run, results: list[checks.Check], summary: dict[str, Any], passed: bool
) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "profile": asdict(profile),
        "passed": passed,
        "faults": [asdict(o) for o in run.outcomes],
        "checks": [{k: v for k, v in asdict(c).items() if k not in ("lost_at", "doubled_at")} for c in results],
        "summary": summary,
    }
    out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zhicheng_tooling.chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="the CI form: a few applications, every fault once")
    parser.add_argument("--out", type=Path, default=None, help="where the JSON goes (default bench/chaos.json)")
    args = parser.parse_args(argv)
    out = args.out or find_workspace_root() / "bench" / ("chaos-short.json" if args.short else "chaos.json")
    return run_chaos(SHORT if args.short else FULL, out)


if __name__ == "__main__":
    sys.exit(main())
