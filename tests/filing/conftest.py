"""Filing fixtures: a Temporal client of the session's real server (each test uses its own task queue)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from tests.harness import Servers


@pytest.fixture
async def client(servers: Servers) -> AsyncIterator[Client]:
    yield await Client.connect(servers.temporal.address, data_converter=pydantic_data_converter)
