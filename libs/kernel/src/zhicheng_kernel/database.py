"""Engine and transactions; a commit wakes the positioner of this process, a position the relay."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from .pace import Signal


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.engine: AsyncEngine = create_async_engine(url, pool_size=pool_size, max_overflow=10)
        self.committed = asyncio.Event()  # a transaction committed (the positioner waits on it)
        self.positioned = asyncio.Event()  # events got their positions (the outbox relay waits on it)
        # Fired after a transaction of this process that changed the service's facts: a command's unit of
        # work, a consumer's applied event. Background jobs wait on it instead of polling (pace.py).
        self.changed = Signal()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed if the block ends normally, rolled back otherwise."""
        async with self.engine.begin() as conn:
            yield conn
        self.committed.set()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn:
            yield conn

    async def dispose(self) -> None:
        await self.engine.dispose()
