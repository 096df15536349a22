"""Session fixtures: PostgreSQL, the Kafka broker and Temporal run for real, started once."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from zhicheng_devstack.components import SIMULATOR
from zhicheng_devstack.credentials import BUSINESS_ADMIN_USERNAME
from zhicheng_devstack.harness import reap_orphans
from zhicheng_devstack.ports import Ports
from zhicheng_devstack.web import WebProcess, web_env
from zhicheng_devstack.web_build import ensure_built
from zhicheng_devstack.web_server import UPSTREAM_ENV
from zhicheng_tooling.dev_seed.loader import SEEDED_THROUGH, seed_services

from tests.api_client import MatrixApi
from tests.harness import DATABASES, Servers, Stack
from tests.web.browser import RESULTS

# Fixtures that start real servers; a test depending on one (directly or through another fixture)
# carries the `stack` marker, so `pytest -m "not stack"` (make test-fast) starts none.
SERVER_FIXTURES = frozenset({"servers", "stack", "web_url"})
T = TypeVar("T")


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.stack)
    # The API fuzzer creates random organizations and accounts on the shared stack: it runs last.
    items.sort(key=lambda item: item.nodeid.startswith("tests/fuzz/"))


_web_builds = ThreadPoolExecutor(1, thread_name_prefix="web-build")
_web_build: Future[Path] | None = None
_web_wanted = False


def pytest_collection_finish(session: pytest.Session) -> None:
    """Whether a test of this session serves the web application (so its build starts with the stack)."""
    global _web_wanted
    _web_wanted = any("web_url" in getattr(item, "fixturenames", ()) for item in session.items)


def pytest_sessionfinish() -> None:
    _web_builds.shutdown(wait=True)


def start_web_build() -> Future[Path]:
    """web/dist, built in a thread (once a session): npm ci and npm run build only when something changed."""
    global _web_build
    if _web_build is None:
        # npm's environment as it is now: a test that changes os.environ meanwhile does not reach the build.
        _web_build = _web_builds.submit(ensure_built, log=RESULTS / "build.log", environ=dict(os.environ))
    return _web_build


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    reap_orphans(Path("/tmp"), "zc-test-")  # servers a killed session left on the test ports
    root = Path(tempfile.mkdtemp(prefix="zc-test-", dir="/tmp"))
    started = Servers.start(root, Ports.for_tests())
    for database in DATABASES.values():
        started.postgres.create_database(database)
    try:
        yield started
    finally:
        # Independent processes (the broker keeps nothing, Temporal its own SQLite file): stopped at once.
        in_parallel(lambda server: server.stop(), (started.temporal, started.kafka, started.postgres))
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def stack(servers: Servers) -> Iterator[Stack]:
    """All four services as processes; tests that need the workflows worker start it themselves."""
    running = Stack.prepare(servers)
    try:
        # ZC_TEST_SERVICES narrows the set while a developer works on one service; CI runs all four.
        wanted = os.environ.get("ZC_TEST_SERVICES", "org-service,application-service,review-service,plagiarism-service")
        services = [s.strip() for s in wanted.split(",") if s.strip()]
        if SIMULATOR.name in services:  # application-service would start it too: once, first
            services.remove(SIMULATOR.name)
            running.start(SIMULATOR.name)
        # Starts overlap (each waits on migrations, the broker, /health), one per core: a start still has
        # a core of its own for its imports within the harness's 60 s health timeout on a loaded machine.
        in_parallel(running.start, services, width=os.cpu_count() or 1)
        load_dev_seed(running)
        if _web_wanted:  # the build overlaps the tests before the first served page (not the services' start)
            start_web_build()
        yield running
    finally:
        in_parallel(running.stop, list(running.processes))


@pytest.fixture(scope="module")
def matrix_api(stack: Stack) -> Iterator[MatrixApi]:
    """The client every case of a module's authorization matrix calls through."""
    api = MatrixApi(stack)
    try:
        yield api
    finally:
        api.http.close()


def in_parallel(action: Callable[[T], object], items: Iterable[T], width: int | None = None) -> None:
    """`action` on every item, at most `width` at once (all if None); raises the first failure once all
    ended."""
    items = list(items)
    with ThreadPoolExecutor(max(min(len(items), width or len(items)), 1)) as pool:
        futures = [pool.submit(action, item) for item in items]
    for future in futures:
        future.result()


def load_dev_seed(stack: Stack) -> None:
    """The development seed, through the same loader and APIs as `make run`, into what is running."""
    if "org-service" in stack.processes:
        urls = {name: stack.url(name) for name in SEEDED_THROUGH if name in stack.processes}
        asyncio.run(seed_services(urls, BUSINESS_ADMIN_USERNAME, stack.secrets.bootstrap_operator_password))


@pytest.fixture(scope="session")
def web_build() -> Future[Path]:
    """web/dist, built in a thread: started once the stack serves when the session has served pages."""
    return start_web_build()


@pytest.fixture(scope="session")
def web_url(web_build: Future[Path], stack: Stack) -> Iterator[str]:
    """The base URL of the application served with the API on one origin, as `make run` serves it (built
    once per session: npm ci and npm run build only when something changed, overlapping the tests)."""
    dist = web_build.result()
    root = stack.servers.root
    server = WebProcess(stack.servers.ports.web, root, root / "logs")
    upstreams = {name: stack.url(name) for name in UPSTREAM_ENV}
    server.launch(web_env(server.port, dist, upstreams, os.environ), cwd=root)
    try:
        server.wait_ready()
        yield server.url
    finally:
        server.stop()
