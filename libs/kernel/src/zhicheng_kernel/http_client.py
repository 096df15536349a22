"""Outgoing HTTP clients that share one TLS context per process.

httpx builds a new TLS context for every client it creates: it loads the CA bundle, ≈20 ms of CPU (more
on a loaded machine). A client made for one call — a consumer's feed read, a workflow activity's call, a
token fetch — paid that each time: at rest, the feed reads on a consumer's heartbeat cost a service more
CPU than everything else it did (issue 14, item 4), and in the rush up to half of a process's CPU.
The context is built once, with httpx's own defaults (SSL_CERT_FILE or SSL_CERT_DIR when set, certifi
otherwise), so every client trusts exactly what httpx's default trusts.
"""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's TLS context for outgoing calls (built on first use)."""
    return httpx.create_ssl_context()


def async_client(**options: Any) -> httpx.AsyncClient:
    """`httpx.AsyncClient(**options)` verifying servers with the shared TLS context."""
    return httpx.AsyncClient(verify=tls_context(), **options)
