"""org-service's test harness: the HTTP client and a connection to org-service's own database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from zhicheng_kernel.database import Database

from tests.api_client import Api
from tests.harness import DATABASES, Stack


@pytest.fixture(scope="module")
def api(stack: Stack) -> Api:
    return Api(stack)


@pytest.fixture
async def org_db(stack: Stack) -> AsyncIterator[Database]:
    """org-service's database as the service sees it (event store, read models, credentials)."""
    db = Database(stack.servers.postgres.url(DATABASES["org-service"]), pool_size=1)
    try:
        yield db
    finally:
        await db.dispose()
