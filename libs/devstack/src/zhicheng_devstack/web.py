"""The web server as a process of the stack (`make run`, the test stack), beside the services."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from zhicheng_devstack import local_http
from zhicheng_devstack.components import base_url
from zhicheng_devstack.process import ManagedProcess, ensure_port_free
from zhicheng_devstack.web_server import UPSTREAM_ENV

WEB_NAME = "web"
WEB_MODULE = "zhicheng_devstack.web_server"
WEB_START_TIMEOUT = 60.0


def web_env(port: int, dist: Path, upstreams: Mapping[str, str], base: Mapping[str, str]) -> dict[str, str]:
    """The web server's environment: where it listens, what it serves, where each service answers."""
    env = {k: v for k, v in base.items() if not k.startswith("ZC_")}
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "ZC_HTTP_HOST": "127.0.0.1",
            "ZC_HTTP_PORT": str(port),
            "ZC_WEB_DIST": str(dist),
        }
    )
    env.update({UPSTREAM_ENV[name]: url for name, url in upstreams.items() if name in UPSTREAM_ENV})
    return env


class WebProcess(ManagedProcess):
    """`python -m zhicheng_devstack.web_server` on `port`, remembered in `run_dir/web.pid`."""

    def __init__(self, port: int, run_dir: Path, log_dir: Path) -> None:
        super().__init__(WEB_NAME, pid_file=run_dir / f"{WEB_NAME}.pid", log_file=log_dir / f"{WEB_NAME}.log")
        self.port = port

    @property
    def url(self) -> str:
        return base_url(self.port)

    def launch(self, env: Mapping[str, str], cwd: Path) -> None:
        if self.leftover_processes():
            self.stop()
        ensure_port_free(self.port, WEB_NAME)
        self.spawn([sys.executable, "-m", WEB_MODULE], env=env, cwd=cwd)

    def healthy(self, timeout: float = 2.0) -> bool:
        try:
            return local_http.get(f"{self.url}/healthz", timeout=timeout).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, timeout: float = WEB_START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if self.died_early():
                raise self.fail("exited during startup")
            if time.monotonic() >= deadline:
                raise self.fail(f"GET {self.url}/healthz did not answer 200 within {timeout:.0f} s")
            time.sleep(0.1)
