"""`python -m zhicheng_devstack run|stop|status`: the whole local stack on this machine.

State lives in ``.data/`` at the workspace root: ``pg/`` and ``temporal.db`` (data), ``run/*.pid``,
``logs/*.log``, ``secrets.json`` + ``secrets/`` (generated once), ``endpoints.json`` and
``dev-credentials.json`` (written by a successful ``run``).

``run`` also builds the web application (web/, with the machine's Node.js and npm, only when its
sources changed: zhicheng_devstack.web_build) while the servers start, and serves it with the API on
one origin (zhicheng_devstack.web_server, routed as the production gateway routes): ``web`` in
``endpoints.json``.

In development, ``run`` then loads the development seed (sample registries, a reference corpus) into
empty registries and an empty corpus, through the services' HTTP APIs, by running the tooling member's
loader as a subprocess (``python -m zhicheng_tooling.dev_seed``): devstack imports no service package,
and not the tooling member either, which depends on services for its benchmarks (and on devstack).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from zhicheng_devstack import credentials
from zhicheng_devstack._runtime import ensure_xdg_runtime_dir
from zhicheng_devstack.components import (
    COMPONENTS,
    SERVICES,
    ComponentProcess,
    ComponentSpec,
    base_url,
    component_env,
    stack_environment,
)
from zhicheng_devstack.credentials import write_private
from zhicheng_devstack.paths import StackPaths
from zhicheng_devstack.ports import Ports
from zhicheng_devstack.process import ManagedProcess, PidRecord, StartupError, port_open
from zhicheng_devstack.servers import Kafka, Postgres, Temporal
from zhicheng_devstack.web import WebProcess, web_env
from zhicheng_devstack.web_build import WebBuildError, ensure_built


@dataclass
class Stack:
    paths: StackPaths
    ports: Ports

    def __post_init__(self) -> None:
        run, logs = self.paths.run, self.paths.logs
        self.postgres = Postgres(self.paths.pg, self.ports.pg, run_dir=run, log_file=logs / "postgres.log")
        self.kafka = Kafka(self.ports.kafka, logs / "kafka.log", run_dir=run)
        self.temporal = Temporal(
            self.ports.temporal,
            self.ports.temporal_ui,
            self.ports.temporal_http,
            self.ports.temporal_metrics,
            self.paths.temporal_db,
            logs / "temporal.log",
            run_dir=run,
        )
        self.components = [ComponentProcess(spec, self.ports, run, logs) for spec in COMPONENTS]
        self.web = WebProcess(self.ports.web, run, logs)

    @classmethod
    def locate(cls) -> Stack:
        paths = StackPaths.locate()
        return cls(paths, _recorded_ports(paths) or Ports.from_env())

    @property
    def servers(self) -> list[Postgres | Kafka | Temporal]:
        return [self.postgres, self.kafka, self.temporal]

    @property
    def parts(self) -> list[ManagedProcess]:
        return [*self.servers, *self.components, self.web]

    @property
    def web_build_log(self) -> Path:
        return self.paths.logs / "web-build.log"

    def server_endpoint(self, server: ManagedProcess) -> str:
        if server is self.postgres:
            return self.postgres.url("postgres", driver="postgresql")
        if server is self.kafka:
            return self.kafka.bootstrap
        return self.temporal.address

    def server_port(self, server: ManagedProcess) -> int:
        return {id(self.postgres): self.ports.pg, id(self.kafka): self.ports.kafka}.get(id(server), self.ports.temporal)


def _recorded_ports(paths: StackPaths) -> Ports | None:
    """The ports of the running stack (as `run` recorded them), so stop/status follow them."""
    try:
        return Ports(**json.loads(paths.ports_file.read_text()))
    except (OSError, ValueError, TypeError):
        return None


@contextlib.contextmanager
def _locked(paths: StackPaths) -> Iterator[None]:
    paths.run.mkdir(parents=True, exist_ok=True)
    with paths.lock_file.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("another `zhicheng_devstack run/stop` is in progress; waiting for it…", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _say(message: str) -> None:
    print(message, flush=True)


# -- run ----------------------------------------------------------------------------------------


def run() -> int:
    ensure_xdg_runtime_dir()
    paths = StackPaths.locate()
    with _locked(paths):
        recorded = _recorded_ports(paths)
        stack = Stack(paths, Ports.from_env())
        if recorded is not None and recorded != stack.ports and any(p.is_running() for p in stack.parts):
            _say(f"the running stack uses other ports ({paths.ports_file}); run `make stop` first")
            return 1
        if all(p.is_running() for p in stack.parts) and all(_part_healthy(stack, p) for p in stack.parts):
            _say("the local stack is already running; building the web application if its sources changed…")
            try:  # the web server reads web/dist on each request: a new build is served at once
                ensure_built(log=stack.web_build_log)
            except WebBuildError as exc:
                return _fail(stack, {"web": str(exc)})
            _print_table(stack)
            return _load_dev_seed(stack)
        return _start(stack)


def _start(stack: Stack) -> int:
    paths = stack.paths
    for directory in (paths.data, paths.run, paths.logs):
        directory.mkdir(parents=True, exist_ok=True)
    paths.ports_file.write_text(json.dumps(stack.ports.as_dict(), indent=2) + "\n")
    secrets = credentials.load_or_create(paths)

    _say(f"building the web application when its sources changed (npm ci, npm run build; log {stack.web_build_log})…")
    builder = ThreadPoolExecutor(1, thread_name_prefix="web-build")
    build = builder.submit(ensure_built, log=stack.web_build_log)
    builder.shutdown(wait=False)
    _say("starting PostgreSQL, Kafka (tansu) and Temporal…")
    failures = _in_parallel({server.name: server.start for server in stack.servers})
    if failures:
        return _fail(stack, failures)
    for spec in COMPONENTS:
        if spec.database is not None:
            stack.postgres.create_database(spec.database)

    _say("starting " + ", ".join(spec.name for spec in COMPONENTS) + "…")
    root = paths.data.parent
    launch_failures: dict[str, str] = {}
    waiting: list[ComponentProcess] = []
    for component in stack.components:
        if component.is_running() and component.healthy():
            continue
        env = _env_for(stack, component.spec, secrets)
        try:
            component.launch(env, cwd=root)
        except StartupError as exc:
            launch_failures[component.name] = str(exc)
            continue
        waiting.append(component)
    failures = {**launch_failures, **_in_parallel({c.name: c.wait_ready for c in waiting})}
    if failures:
        return _fail(stack, failures)
    failure = _start_web(stack, build)
    if failure is not None:
        return _fail(stack, {"web": failure})

    _write_outputs(stack, secrets)
    _say("the local stack is running.")
    _print_table(stack)
    return _load_dev_seed(stack)


def _start_web(stack: Stack, build: Future[Path]) -> str | None:
    """The web server on the built application, unless it runs already; why not, or None."""
    try:
        dist = build.result()
    except WebBuildError as exc:
        return str(exc)
    if stack.web.is_running() and stack.web.healthy():
        return None
    upstreams = {spec.name: base_url(spec.port(stack.ports)) for spec in SERVICES}
    try:
        stack.web.launch(web_env(stack.ports.web, dist, upstreams, os.environ), cwd=stack.paths.data.parent)
        stack.web.wait_ready()
    except StartupError as exc:
        return str(exc)
    return None


DEV_SEED_MODULE = "zhicheng_tooling.dev_seed"
DEV_SEED_TIMEOUT_SECONDS = 180


def _load_dev_seed(stack: Stack) -> int:
    """Development only: the development seed into empty registries and corpus (loading twice changes
    nothing, so every `run` may do it, and a `run` retries a load that failed)."""
    environment = stack_environment(os.environ)
    if environment != "development":
        _say(f"ZC_ENVIRONMENT={environment}: no development seed; the registries and the corpus start empty.")
        return 0
    if importlib.util.find_spec(DEV_SEED_MODULE.partition(".")[0]) is None:  # finds, imports nothing
        _say("the tooling member is not installed (`uv sync`): no development seed loaded.")
        return 0
    paths = stack.paths
    command = [sys.executable, "-m", DEV_SEED_MODULE, str(paths.endpoints_file), str(paths.credentials_file)]
    try:
        done = subprocess.run(
            command, cwd=paths.data.parent, capture_output=True, text=True, timeout=DEV_SEED_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        _say(f"development seed: no answer within {DEV_SEED_TIMEOUT_SECONDS} s; `make run` tries again.")
        return 1
    for line in (done.stdout + done.stderr).strip().splitlines():
        _say(line)
    if done.returncode != 0:
        _say("the stack is running, but the development seed was not loaded; `make run` tries again.")
        return 1
    return 0


def _env_for(stack: Stack, spec: ComponentSpec, secrets: credentials.DevSecrets) -> dict[str, str]:
    database_url = stack.postgres.url(spec.database) if spec.database is not None else None
    env = component_env(
        spec,
        stack.ports,
        secrets,
        database_url,
        stack.kafka.bootstrap,
        stack.temporal.address,
        os.environ,
    )
    # Traces of `make run` as OTLP JSON lines next to the logs (zhicheng_kernel.telemetry); an operator's
    # own exporter (ZC_OTEL_EXPORTER=otlp, ZC_OTEL_ENDPOINT) wins.
    env.setdefault("ZC_OTEL_EXPORTER", "file")
    env.setdefault("ZC_OTEL_FILE", str(stack.paths.logs / "traces" / f"{spec.name}.jsonl"))
    return env


def _in_parallel(tasks: dict[str, Callable[[], None]]) -> dict[str, str]:
    """Run the callables concurrently; return name -> error message of those that raised."""
    if not tasks:
        return {}
    failures: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
        for name, future in futures.items():
            exc = future.exception()
            if exc is not None:
                failures[name] = str(exc) if isinstance(exc, StartupError) else f"{name}: {exc!r}"
    return failures


def _fail(stack: Stack, failures: dict[str, str]) -> int:
    _say("")
    _say(f"FAILED to start: {', '.join(failures)}")
    for message in failures.values():
        _say("")
        _say(message)
    _say("")
    running = [p.name for p in stack.parts if p.is_running()]
    if running:
        _say(f"still running: {', '.join(running)}  (`make stop` stops them; `make run` retries the rest)")
    return 1


def _write_outputs(stack: Stack, secrets: credentials.DevSecrets) -> None:
    endpoints: dict[str, str] = {"web": stack.web.url}
    endpoints.update({c.name: c.url for c in stack.components if c.url is not None})
    endpoints.update(
        {
            "postgres": stack.postgres.url("postgres", driver="postgresql"),
            "kafka": stack.kafka.bootstrap,
            "temporal": stack.temporal.address,
            "temporal-ui": stack.temporal.ui_url,
        }
    )
    stack.paths.endpoints_file.write_text(json.dumps(endpoints, indent=2) + "\n")
    write_private(
        stack.paths.credentials_file,
        json.dumps(secrets.dev_credentials(), indent=2, ensure_ascii=False) + "\n",
    )


def _print_table(stack: Stack) -> None:
    rows: list[tuple[str, str, str]] = []
    for server in stack.servers:
        rows.append((server.name, _pid_text(server), stack.server_endpoint(server)))
    rows.append(("temporal web ui", "", stack.temporal.ui_url))
    for component in stack.components:
        rows.append((component.name, _pid_text(component), component.url or "(Temporal worker)"))
    rows.append((stack.web.name, _pid_text(stack.web), stack.web.url))
    width = max(len(r[0]) for r in rows)
    _say("")
    _say(f"{'part':<{width}}  {'pid':>7}  listens on")
    for name, pid, where in rows:
        _say(f"{name:<{width}}  {pid:>7}  {where}")
    _say("")
    _say(f"web application: {stack.web.url}/  (the API on the same origin, routed as the gateway routes it)")
    _say(f"dev accounts:  {stack.paths.credentials_file}")
    _say(f"province:      the simulator's reviewer token is in {_reviewer_token_file(stack)}")
    _say(f"endpoints:     {stack.paths.endpoints_file}")
    _say(f"logs:          {stack.paths.logs}/")


def _reviewer_token_file(stack: Stack) -> str:
    return str(stack.paths.secrets_dir / credentials.PROVINCE_REVIEWER_TOKEN_NAME)


def _pid_text(part: ManagedProcess) -> str:
    pid = part.pid
    return str(pid) if pid is not None else "-"


# -- stop ---------------------------------------------------------------------------------------


def stop() -> int:
    paths = StackPaths.locate()
    if not paths.run.exists():
        _say("the local stack is not running (nothing recorded).")
        return 0
    with _locked(paths):
        stack = Stack.locate()
        known = {p.pid_file for p in stack.parts}
        strays = [
            ManagedProcess(pid_file.stem, pid_file, paths.logs / f"{pid_file.stem}.log")
            for pid_file in sorted(paths.run.glob("*.pid"))
            if pid_file not in known
        ]
        errors: list[str] = []
        # services and the worker first (they hold connections to the servers), then the servers
        for group in ([*stack.components, stack.web, *strays], stack.servers):
            errors += _in_parallel({p.name: p.stop for p in group}).values()
        left = [f"{p.name}: {[q.pid for q in p.leftover_processes()]}" for p in [*stack.parts, *strays]]
        left = [entry for entry in left if not entry.endswith("[]")]
        if errors or left:
            for entry in [*errors, *left]:
                _say(f"could not stop {entry}")
            return 1
        _say("the local stack is stopped; no process is left.")
        return 0


# -- status -------------------------------------------------------------------------------------


def _part_healthy(stack: Stack, part: ManagedProcess) -> bool:
    if isinstance(part, ComponentProcess | WebProcess):
        return part.healthy()
    return port_open(stack.server_port(part))


def status() -> int:
    stack = Stack.locate()
    rows: list[tuple[str, str, str, str, str]] = []
    all_up = True
    for part in stack.parts:
        alive = part.is_running()
        healthy = alive and _part_healthy(stack, part)
        all_up = all_up and healthy
        if isinstance(part, ComponentProcess):
            where = part.url or "(Temporal worker)"
            check = "GET /health" if part.url else "process"
        elif isinstance(part, WebProcess):
            where, check = part.url, "GET /healthz"
        else:
            where = stack.server_endpoint(part)
            check = "tcp"
        record = PidRecord.read(part.pid_file)
        pid = str(record.pid) if record is not None else "-"
        rows.append((part.name, pid, "alive" if alive else "dead", f"{check}: {'ok' if healthy else 'DOWN'}", where))
    width = max(len(r[0]) for r in rows)
    _say(f"{'part':<{width}}  {'pid':>7}  {'process':<7}  {'health':<18}  where")
    for name, pid, alive_text, health, where in rows:
        _say(f"{name:<{width}}  {pid:>7}  {alive_text:<7}  {health:<18}  {where}")
    if stack.temporal.is_running():
        _say(f"\ntemporal web ui: {stack.temporal.ui_url}")
    _say("" if all_up else "\nsome parts are down (`make run` starts what is missing).")
    return 0 if all_up else 1


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    commands: dict[str, Callable[[], int]] = {"run": run, "stop": stop, "status": status}
    if len(args) != 1 or args[0] not in commands:
        print("usage: python -m zhicheng_devstack run|stop|status", file=sys.stderr)
        return 2
    try:
        return commands[args[0]]()
    except KeyboardInterrupt:
        print("\ninterrupted; `make stop` stops whatever was started.", file=sys.stderr)
        return 130
