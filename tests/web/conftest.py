"""The web tests' stack: the built application served by the stack's web server, and the browser.

`web_url` builds web/ once per session (npm ci and npm run build only when something changed; the build
overlaps the start of the services) and runs zhicheng_devstack.web_server against the test stack on
Ports.for_tests().web, routing the API as the production gateway does.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from zhicheng_devstack.web import WebProcess, web_env
from zhicheng_devstack.web_build import ensure_built
from zhicheng_devstack.web_server import UPSTREAM_ENV

from tests.harness import Stack
from tests.web.browser import RESULTS, browser, page, phone

__all__ = ["browser", "page", "phone"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Each phase's report on the test item (item.rep_call), so the page fixture knows a test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def web_build() -> Iterator[Future[Path]]:
    """web/dist, built in a thread while the services start."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="web-build")
    log = RESULTS / "build.log"
    try:
        yield pool.submit(ensure_built, log=log)
    finally:
        pool.shutdown(wait=True)


@pytest.fixture(scope="session")
def web_url(web_build: Future[Path], stack: Stack) -> Iterator[str]:
    """The base URL of the application served with the API on one origin, as `make run` serves it."""
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
