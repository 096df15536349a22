"""HTTP clients of the stack's own processes (health checks, the test suite's API client).

httpx builds a TLS context for every client it makes, loading certifi's bundle: ~40 ms of CPU (150 ms
on a loaded 2-core machine), although these clients only speak plain HTTP to 127.0.0.1. A start polls
/health every 0.2 s and the test suite makes thousands of clients, so they share one context, made once.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context (certificates verified), made once per process."""
    return httpx.create_ssl_context()


def get(url: str, timeout: float) -> httpx.Response:
    """`httpx.get` with the shared TLS context."""
    return httpx.get(url, timeout=timeout, verify=tls_context())
