"""The test suite's view of the process harness (it lives in zhicheng_devstack, shared with make bench)."""

import concurrent.futures
from collections.abc import Iterator
from contextlib import contextmanager

from zhicheng_devstack.harness import DATABASES, SERVICES, Servers, Stack, wait_for

__all__ = ["DATABASES", "SERVICES", "Servers", "Stack", "starting", "wait_for"]


@contextmanager
def started_in_background(stack: Stack, client: str) -> Iterator[concurrent.futures.Future[None]]:
    """`client` starting in the background for the block's whole life (its start-up mostly waits): the block
    waits on the future before it needs the client; it is stopped at the end."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        started = pool.submit(stack.start, client)
        try:
            yield started
        finally:
            started.exception()  # started (or failed) before it is stopped
            stack.stop(client)


@contextmanager
def starting(stack: Stack, client: str) -> Iterator[None]:
    """Start `client` in the background while the block prepares what does not need it yet (a process's
    start-up mostly waits); leaving the block waits until it is ready. A block that fails stops it again."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        started = pool.submit(stack.start, client)
        try:
            yield
        except BaseException:
            if started.exception() is None:
                stack.stop(client)
            raise
        started.result()
