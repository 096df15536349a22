"""Detached child processes tracked by PID files, so that another process can stop them later.

Every process is started in its own session (``start_new_session=True``): its process group is the
unit that ``stop`` and ``kill9`` clean up, and no terminal signal reaches it by accident.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

DEFAULT_STOP_TIMEOUT = 15.0


class StartupError(RuntimeError):
    """A server or service did not come up; the message says why and shows its log tail."""


@dataclass(frozen=True)
class PidRecord:
    pid: int
    pgid: int
    create_time: float
    argv: list[str]

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(asdict(self)))
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> PidRecord | None:
        try:
            data = json.loads(path.read_text())
            return cls(
                pid=int(data["pid"]),
                pgid=int(data["pgid"]),
                create_time=float(data["create_time"]),
                argv=[str(a) for a in data.get("argv", [])],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @classmethod
    def of(cls, pid: int, argv: Sequence[str]) -> PidRecord:
        proc = psutil.Process(pid)
        return cls(pid=pid, pgid=os.getpgid(pid), create_time=proc.create_time(), argv=list(argv))

    def process(self) -> psutil.Process | None:
        """The live process this record names (not a zombie, not a reused PID), or None."""
        try:
            proc = psutil.Process(self.pid)
            if abs(proc.create_time() - self.create_time) > 0.05:
                return None
            if proc.status() == psutil.STATUS_ZOMBIE:
                return None
            return proc
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None


def group_members(pgid: int) -> list[psutil.Process]:
    """Live (non-zombie) processes of process group ``pgid``."""
    if pgid <= 1 or pgid == os.getpgid(0):
        return []
    members: list[psutil.Process] = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                members.append(proc)
        except (ProcessLookupError, psutil.NoSuchProcess, psutil.AccessDenied, PermissionError):
            continue
    return members


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure_port_free(port: int, what: str, host: str = "127.0.0.1") -> None:
    """Fail early and clearly when something already listens on ``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise StartupError(
                f"{what}: port {host}:{port} is already in use ({exc.strerror}); "
                f"stop whatever listens there or choose another port (see zhicheng_devstack.ports)"
            ) from None


def log_tail(path: Path, lines: int = 30, offset: int = 0) -> str:
    """The last ``lines`` lines of the log written after byte ``offset``, indented."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode(errors="replace")
    except OSError:
        return f"(no log at {path})"
    tail = text.splitlines()[-lines:]
    return "\n".join(f"    {line}" for line in tail) if tail else f"(log {path} is empty)"


class ManagedProcess:
    """One detached process (and its process group), remembered in ``pid_file``."""

    stop_signal: int = signal.SIGTERM

    def __init__(self, name: str, pid_file: Path, log_file: Path) -> None:
        self.name = name
        self.pid_file = pid_file
        self.log_file = log_file
        self._popen: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    # -- state -------------------------------------------------------------------------------

    def record(self) -> PidRecord | None:
        return PidRecord.read(self.pid_file)

    @property
    def pid(self) -> int | None:
        record = self.record()
        return record.pid if record is not None and record.process() is not None else None

    def is_running(self) -> bool:
        self._reap()
        return self.pid is not None

    def leftover_processes(self) -> list[psutil.Process]:
        """Processes still alive from the last start (the main one or its group)."""
        self._reap()
        record = self.record()
        if record is None:
            return []
        alive = group_members(record.pgid)
        main = record.process()
        if main is not None and all(p.pid != main.pid for p in alive):
            alive.append(main)
        return alive

    # -- lifecycle ---------------------------------------------------------------------------

    def spawn(
        self,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        user: int | None = None,
        group: int | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` detached, output appended to the log file, and record its PID."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self._log_offset = log.tell()
            log.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.name}\n".encode())
            log.flush()
            popen = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
                close_fds=True,
                user=user,
                group=group,
                extra_groups=[] if user is not None else None,  # drop root's supplementary groups
            )
        self._popen = popen
        PidRecord.of(popen.pid, argv).write(self.pid_file)
        return popen

    def adopt(self, pid: int, argv: Sequence[str]) -> None:
        """Record ``pid`` (e.g. a daemon forked by a launcher) as this process."""
        PidRecord.of(pid, argv).write(self.pid_file)

    def died_early(self) -> bool:
        """True when the process we just spawned has exited."""
        if self._popen is not None:
            return self._popen.poll() is not None
        return not self.is_running()

    def fail(self, reason: str) -> StartupError:
        return StartupError(
            f"{self.name}: {reason}\n  log {self.log_file} (tail):\n{log_tail(self.log_file, offset=self._log_offset)}"
        )

    def stop(self, timeout: float = DEFAULT_STOP_TIMEOUT) -> None:
        """Ask the process to exit, then kill its whole group; returns when none is left."""
        record = self.record()
        if record is None:
            return
        main = record.process()
        if main is not None:
            try:
                main.send_signal(self.stop_signal)
            except psutil.NoSuchProcess:
                pass
            self._wait_gone(record, timeout)
        self._kill_group(record)

    def kill9(self) -> None:
        """Simulate a crash: SIGKILL to the whole process group, wait until it is gone."""
        record = self.record()
        if record is None:
            return
        self._kill_group(record, forget=False)

    # -- helpers -----------------------------------------------------------------------------

    def _reap(self) -> None:
        if self._popen is not None:
            self._popen.poll()

    def _wait_gone(self, record: PidRecord, timeout: float) -> bool:
        def gone() -> bool:
            self._reap()
            return record.process() is None and not group_members(record.pgid)

        return wait_until(gone, timeout)

    def _kill_group(self, record: PidRecord, forget: bool = True) -> None:
        for _ in range(3):
            survivors = self.leftover_processes()
            if not survivors:
                break
            if record.pgid > 1 and record.pgid != os.getpgid(0):
                try:
                    os.killpg(record.pgid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            for proc in survivors:
                try:
                    proc.kill()
                except psutil.NoSuchProcess:
                    pass
            self._wait_gone(record, 5.0)
        survivors = self.leftover_processes()
        if survivors:
            raise RuntimeError(f"{self.name}: processes left after SIGKILL: {[p.pid for p in survivors]}")
        if forget:
            self.pid_file.unlink(missing_ok=True)
        self._popen = None
