"""The kernel's messaging tests: each test gets databases of its own on the session's PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.harness import Servers
from tests.kernel.messaging_support import DatabaseFactory, databases


@pytest.fixture
async def fresh(servers: Servers) -> AsyncIterator[DatabaseFactory]:
    """A factory of fresh databases, dropped after the test."""
    async for make in databases(servers):
        yield make
