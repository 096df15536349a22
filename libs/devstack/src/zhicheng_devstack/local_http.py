"""HTTP clients of the stack's own processes (health checks, the test suite's API client).

They share the process's one TLS context (zhicheng_kernel.http_client): a start polls /health every
0.2 s and the test suite makes thousands of clients, and httpx would otherwise load certifi's bundle for
each of them (~40 ms of CPU, 150 ms on a loaded 2-core machine).
"""

from __future__ import annotations

import httpx
from zhicheng_kernel.http_client import tls_context

__all__ = ["get", "tls_context"]


def get(url: str, timeout: float) -> httpx.Response:
    """`httpx.get` with the shared TLS context."""
    return httpx.get(url, timeout=timeout, verify=tls_context())
