"""The real servers and service processes a test session runs, from the project's own install."""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from zhicheng_devstack.ports import Ports
from zhicheng_devstack.process import ManagedProcess
from zhicheng_devstack.servers import Kafka, Postgres, Temporal

SERVICES: dict[str, str] = {
    "org-service": "org_service",
    "application-service": "application_service",
    "review-service": "review_service",
    "plagiarism-service": "plagiarism_service",
}
DATABASES: dict[str, str] = {
    "org-service": "zc_org",
    "application-service": "zc_application",
    "review-service": "zc_review",
    "plagiarism-service": "zc_plagiarism",
}
CLIENTS = [*SERVICES, "workflows"]


@dataclass
class Servers:
    root: Path
    ports: Ports
    postgres: Postgres
    kafka: Kafka
    temporal: Temporal

    @classmethod
    def start(cls, root: Path, ports: Ports) -> Servers:
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
            for future in [pool.submit(s.start) for s in (servers.postgres, servers.kafka, servers.temporal)]:
                future.result()
        return servers

    def stop(self) -> None:
        for server in (self.temporal, self.kafka, self.postgres):
            server.stop()

    def restart_kafka_empty(self) -> None:
        """Kill the broker and start it again: a memory-only broker comes back with nothing."""
        self.kafka.kill9()
        self.kafka.start()


@dataclass
class Secrets:
    signing_key_file: Path
    clients: dict[str, str]
    admin_password: str
    operator_password: str

    @classmethod
    def generate(cls, root: Path) -> Secrets:
        key_file = root / "jwt-signing-key.pem"
        key_file.write_bytes(
            Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        key_file.chmod(0o600)
        return cls(
            signing_key_file=key_file,
            clients={c: secrets.token_urlsafe(24) for c in CLIENTS},
            admin_password=secrets.token_urlsafe(12),
            operator_password=secrets.token_urlsafe(12),
        )


@dataclass
class Stack:
    """The four services (and optionally the worker) as real processes on the test ports."""

    servers: Servers
    secrets: Secrets
    processes: dict[str, ManagedProcess] = field(default_factory=dict)

    def url(self, service: str) -> str:
        port = {
            "org-service": self.servers.ports.org,
            "application-service": self.servers.ports.application,
            "review-service": self.servers.ports.review,
            "plagiarism-service": self.servers.ports.plagiarism,
        }[service]
        return f"http://127.0.0.1:{port}"

    def env(self, client: str) -> dict[str, str]:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ZC_")},
            "ZC_ENVIRONMENT": "test",
            "ZC_HTTP_HOST": "127.0.0.1",
            "ZC_KAFKA_BOOTSTRAP": self.servers.kafka.bootstrap,
            "ZC_TEMPORAL_ADDRESS": self.servers.temporal.address,
            "ZC_ORG_URL": self.url("org-service"),
            "ZC_APPLICATION_URL": self.url("application-service"),
            "ZC_REVIEW_URL": self.url("review-service"),
            "ZC_PLAGIARISM_URL": self.url("plagiarism-service"),
            "ZC_SERVICE_CLIENT_ID": client,
            "ZC_SERVICE_CLIENT_SECRET": self.secrets.clients[client],
            "ZC_CATCHUP_INTERVAL_SECONDS": "1.0",
            "ZC_CONSUMER_SESSION_TIMEOUT_MS": "2000",
            "ZC_CONSUMER_HEARTBEAT_INTERVAL_MS": "300",
            "ZC_KAFKA_PARTITIONS": "3",
        }
        if client in SERVICES:
            env["ZC_HTTP_PORT"] = self.url(client).rsplit(":", 1)[1]
            env["ZC_DATABASE_URL"] = self.servers.postgres.url(DATABASES[client])
        if client == "org-service":
            env["ZC_JWT_PRIVATE_KEY_FILE"] = str(self.secrets.signing_key_file)
            env["ZC_SERVICE_CLIENTS"] = json.dumps(self.secrets.clients)
            env["ZC_BOOTSTRAP_ADMIN_PASSWORD"] = self.secrets.admin_password
            env["ZC_BOOTSTRAP_OPERATOR_PASSWORD"] = self.secrets.operator_password
        return env

    def start(self, client: str, extra_env: Mapping[str, str] | None = None) -> None:
        module = SERVICES.get(client, "zhicheng_workflows.worker")
        proc = ManagedProcess(
            client, self.servers.root / f"{client}.pid", self.servers.root / "logs" / f"{client}.log"
        )
        env = self.env(client) | dict(extra_env or {})
        proc.spawn([sys.executable, "-m", module], env=env)
        self.processes[client] = proc
        if client in SERVICES:
            self.wait_healthy(client, proc)

    def wait_healthy(self, client: str, proc: ManagedProcess, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.died_early():
                raise proc.fail("exited during start-up")
            try:
                if httpx.get(f"{self.url(client)}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise proc.fail("not healthy in time")

    def stop(self, client: str) -> None:
        proc = self.processes.pop(client, None)
        if proc is not None:
            proc.stop()

    def kill9(self, client: str) -> None:
        proc = self.processes.pop(client, None)
        if proc is not None:
            proc.kill9()

    def stop_all(self) -> None:
        for client in list(self.processes):
            self.stop(client)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)
