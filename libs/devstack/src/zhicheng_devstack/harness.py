"""The real servers and service processes a test session or a benchmark runs, from the project's own install."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import psutil

from .components import COMPONENTS, HEALTH_TIMEOUT, SIMULATOR, ComponentProcess, base_url, component_env
from .credentials import DevSecrets, load_or_create
from .paths import StackPaths
from .ports import Ports
from .process import ManagedProcess
from .servers import Kafka, Postgres, Temporal

T = TypeVar("T")

# Tests name the worker "workflows" (its client id); `make run` names it "worker".
_SPECS = {spec.name: spec for spec in COMPONENTS} | {
    "workflows": next(c for c in COMPONENTS if c.client_id == "workflows")
}
SERVICES: dict[str, str] = {spec.name: spec.module for spec in COMPONENTS if spec.is_http}
DATABASES: dict[str, str] = {spec.name: spec.database for spec in COMPONENTS if spec.database}


# NAT-5 on a test stack: the unit's internal publicity compressed to the service's shortest (1 s, not the
# 2 s of `make run`); stack tests wait it out before each unit approval, dozens of times a run.
TEST_NAT5_PUBLICITY_SECONDS = 1

OWNER_FILE = "owner.pid"
_SERVER_PID_FILES = ("postgres.pid", "kafka.pid", "temporal.pid")


def reap_orphans(parent: Path, prefix: str) -> list[Path]:
    """Stop what a killed test session or benchmark left running, and remove its data.

    A root belongs to the process named in its owner file; while that process lives (another
    session running at the same time), the root is left alone.
    """
    reaped = []
    for root in sorted(parent.glob(f"{prefix}*")):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if psutil.pid_exists(owner):
            continue
        pid_files = [p for p in root.glob("*.pid") if p.name not in (OWNER_FILE, *_SERVER_PID_FILES)]
        pid_files += [root / name for name in _SERVER_PID_FILES]  # services first, then the servers
        for pid_file in pid_files:
            if pid_file.exists():
                ManagedProcess(pid_file.stem, pid_file, root / "reaped.log").stop()
        shutil.rmtree(root, ignore_errors=True)
        reaped.append(root)
    return reaped


@dataclass
class Servers:
    root: Path
    ports: Ports
    postgres: Postgres
    kafka: Kafka
    temporal: Temporal

    @classmethod
    def start(cls, root: Path, ports: Ports) -> Servers:
        (root / OWNER_FILE).write_text(str(os.getpid()))
        servers = cls(
            root=root,
            ports=ports,
            postgres=Postgres(root / "pg", ports.pg, run_dir=root, log_file=root / "postgres.log"),
            kafka=Kafka(ports.kafka, root / "kafka.log", run_dir=root),
            temporal=Temporal(
                ports.temporal,
                ports.temporal_ui,
                ports.temporal_http,
                ports.temporal_metrics,
                root / "temporal.db",
                root / "temporal.log",
                run_dir=root,
            ),
        )
        with ThreadPoolExecutor(3) as pool:
            futures = [pool.submit(s.start) for s in (servers.postgres, servers.kafka, servers.temporal)]
        failed = [error for f in futures if (error := f.exception()) is not None]
        if failed:
            servers.stop()  # none of the three is left behind when one did not start
            raise failed[0]
        return servers

    def stop(self) -> None:
        for server in (self.temporal, self.kafka, self.postgres):
            server.stop()

    def restart_kafka_empty(self) -> None:
        """Kill the broker and start it again: a memory-only broker comes back with nothing."""
        self.kafka.kill9()
        self.kafka.start()

    def server(self, name: str) -> Postgres | Kafka | Temporal:
        """One of the three servers by name: "postgres", "kafka" or "temporal"."""
        servers: dict[str, Postgres | Kafka | Temporal] = {
            "postgres": self.postgres,
            "kafka": self.kafka,
            "temporal": self.temporal,
        }
        return servers[name]

    def kill9(self, name: str) -> None:
        """Crash a server (SIGKILL to its process group): Kafka loses everything, Temporal keeps its
        SQLite file, PostgreSQL recovers from its WAL."""
        self.server(name).kill9()

    def restart(self, name: str) -> None:
        """Start a server killed by `kill9` again; returns once it serves."""
        self.server(name).start()


@dataclass
class Stack:
    """The four services, the provincial simulator (and optionally the worker) as real processes, launched
    like `make run` does."""

    servers: Servers
    secrets: DevSecrets
    processes: dict[str, ComponentProcess] = field(default_factory=dict)

    @classmethod
    def prepare(cls, servers: Servers) -> Stack:
        """Secrets of its own (generated in the servers' root) for a test session or a benchmark."""
        return cls(servers, load_or_create(StackPaths(servers.root / "stack")))

    def url(self, service: str) -> str:
        return base_url(_SPECS[service].port(self.servers.ports))

    def env(self, client: str) -> dict[str, str]:
        spec = _SPECS[client]
        base = {k: v for k, v in os.environ.items() if not k.startswith("ZC_")}
        env = component_env(
            spec,
            self.servers.ports,
            self.secrets,
            self.servers.postgres.url(spec.database) if spec.database else None,
            self.servers.kafka.bootstrap,
            self.servers.temporal.address,
            base,
        )
        # Tests want quick consumer-group joins. The catch-up period stays the services' own (2 s): at 1 s the
        # idle test stack spent ~0.65 of a core on polling each source's feed and checking the broker's topics
        # (measured: 39 -> 29 CPU seconds a minute at 2 s), and no test waits on a catch-up's length.
        env.update(
            {
                "ZC_ENVIRONMENT": "test",
                "ZC_CONSUMER_SESSION_TIMEOUT_MS": "2000",
                "ZC_CONSUMER_HEARTBEAT_INTERVAL_MS": "300",
                # Hundreds of throw-away accounts: argon2id at a test cost (org-service refuses it in production).
                "ZC_PASSWORD_HASH_PROFILE": "test",
            }
        )
        if spec.name == "application-service":
            env["ZC_NAT5_PUBLICITY_SECONDS"] = str(TEST_NAT5_PUBLICITY_SECONDS)
        return env

    def start(self, client: str, extra_env: Mapping[str, str] | None = None, timeout: float = HEALTH_TIMEOUT) -> None:
        """Start `client` and wait (up to `timeout` s) until it is ready; application-service brings the
        provincial simulator along (POL-FI-1's filing goes there), unless it already runs."""
        if client == "application-service" and SIMULATOR.name not in self.processes:
            self.start(SIMULATOR.name, timeout=timeout)
        spec = _SPECS[client]
        proc = ComponentProcess(spec, self.servers.ports, self.servers.root, self.servers.root / "logs")
        proc.launch(self.env(client) | dict(extra_env or {}), cwd=self.servers.root)
        self.processes[client] = proc
        proc.wait_ready(timeout)

    def stop(self, client: str) -> None:
        proc = self.processes.pop(client, None)
        if proc is not None:
            proc.stop()

    def kill9(self, client: str) -> None:
        proc = self.processes.pop(client, None)
        if proc is not None:
            proc.kill9()

    def start_replica(
        self,
        client: str,
        *,
        name: str,
        database: str,
        port: int,
        extra_env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> ComponentProcess:
        """A second instance of a service under its own name, HTTP port and (fresh) database, with the
        environment of the first (same peers, same secrets) unless `extra_env` overrides it."""
        spec = replace(_SPECS[client], name=name, database=database)
        assert spec.port_field is not None, f"{client} has no HTTP port"
        ports = replace(self.servers.ports, **{spec.port_field: port})
        self.servers.postgres.create_database(database)
        env = self.env(client) | {
            "ZC_HTTP_PORT": str(port),
            "ZC_DATABASE_URL": self.servers.postgres.url(database),
        }
        proc = ComponentProcess(spec, ports, self.servers.root, self.servers.root / "logs")
        proc.launch(env | dict(extra_env or {}), cwd=self.servers.root)
        self.processes[name] = proc
        proc.wait_ready(timeout)
        return proc

    def stop_all(self) -> None:
        for client in list(self.processes):
            self.stop(client)


def wait_for(predicate: Callable[[], T], timeout: float = 30.0, interval: float = 0.1, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)
