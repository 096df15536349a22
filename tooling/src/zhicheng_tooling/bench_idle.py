"""Quiet when idle (issue 14, item 4): what each process of a running stack costs with no traffic at all.

The services run with their own consumer settings (the test harness's quick group joins are put back to
the defaults), are left to settle past the start-up's busy period, and are then measured over a window:
CPU of each process group (a server's children included) from /proc, and the log lines each wrote.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psutil
from zhicheng_devstack.harness import DATABASES, Servers, Stack
from zhicheng_devstack.process import ManagedProcess, group_members
from zhicheng_kernel.settings import ServiceSettings

SERVICES = ("org-service", "application-service", "review-service", "plagiarism-service")
# The consumer settings a deployed service has (the harness shortens them for tests).
DEFAULT_CONSUMER_ENV = {
    "ZC_CONSUMER_SESSION_TIMEOUT_MS": str(ServiceSettings.model_fields["consumer_session_timeout_ms"].default),
    "ZC_CONSUMER_HEARTBEAT_INTERVAL_MS": str(ServiceSettings.model_fields["consumer_heartbeat_interval_ms"].default),
}


def members(process: ManagedProcess) -> list[psutil.Process]:
    """The live processes of a server or service: its process group, and its root's descendants (the
    postmaster's backends run in a group of their own)."""
    record = process.record()
    if record is None:
        return []
    found = {p.pid: p for p in group_members(record.pgid)}
    root = record.process()
    if root is not None:
        found.setdefault(root.pid, root)
        try:
            for child in root.children(recursive=True):
                found.setdefault(child.pid, child)
        except psutil.NoSuchProcess:
            pass
    return list(found.values())


def cpu_seconds(process: ManagedProcess) -> float:
    """CPU seconds of the live members and of the children the root has reaped (closed backends)."""
    record = process.record()
    root = record.process() if record is not None else None
    total = 0.0
    for member in members(process):
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
        if root is not None and member.pid == root.pid:
            total += times.children_user + times.children_system
    return total


def _lines(path: Path) -> int:
    try:
        with path.open("rb") as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def bench_idle(stack: Stack, servers: Servers, *, settle: float = 45.0, window: float = 60.0) -> dict[str, Any]:
    """Start the services and the worker, wait `settle` s, measure `window` s. Expects the services'
    databases to exist and nothing else to run on the stack."""
    for name in SERVICES:
        stack.start(name, DEFAULT_CONSUMER_ENV)
    stack.start("workflows", DEFAULT_CONSUMER_ENV)
    measured: dict[str, ManagedProcess] = {
        **{name: stack.processes[name] for name in (*SERVICES, "workflows")},
        "kafka": servers.kafka,
        "postgres": servers.postgres,
        "temporal": servers.temporal,
    }
    time.sleep(settle)
    cpu_before = {name: cpu_seconds(p) for name, p in measured.items()}
    lines_before = {name: _lines(p.log_file) for name, p in measured.items() if name in SERVICES}
    time.sleep(window)
    cpu = {name: round((cpu_seconds(p) - cpu_before[name]) / window * 100, 2) for name, p in measured.items()}
    lines = {name: _lines(measured[name].log_file) - before for name, before in lines_before.items()}
    return {
        "window_seconds": window,
        "settled_seconds": settle,
        "cpu_percent": cpu,
        "cpu_percent_of_services": round(sum(cpu[name] for name in SERVICES), 2),
        "log_lines": lines,
        "goal": "each service under 1 % of a core and no log line while idle",
        "met": all(cpu[name] < 1.0 for name in SERVICES) and not any(lines.values()),
    }


def main() -> None:
    """`python -m zhicheng_tooling.bench_idle [--record]`: this figure alone, printed (make bench records
    it; `--record` merges it into bench/results.json as `idle`)."""
    import json
    import shutil
    import sys
    import tempfile

    from zhicheng_devstack.ports import Ports

    from .bench import record_part

    if not set(sys.argv[1:]) <= {"--record"}:
        sys.exit("usage: python -m zhicheng_tooling.bench_idle [--record]")

    root = Path(tempfile.mkdtemp(prefix="zc-bench-", dir="/tmp"))
    servers = Servers.start(root, Ports.for_bench())
    stack = Stack.prepare(servers)
    try:
        for database in DATABASES.values():
            servers.postgres.create_database(database)
        figures = bench_idle(stack, servers)
        print(json.dumps(figures, indent=2))
        if "--record" in sys.argv[1:]:
            record_part("idle", figures)
    finally:
        stack.stop_all()
        servers.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
