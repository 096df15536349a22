"""The in-memory CorpusIndex shared by the request handlers and the consumer of this process.

CorpusIndex is not safe for a write concurrent with anything, while checks (reads) run in worker
threads, so many checks may read at once and a write waits for them and runs alone.  Writes happen
only after the transaction that changed corpus_documents has committed; the index is rebuilt from
that table at start-up (persisting the index itself is a later issue).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ..domain import CheckInput, CheckResult, CorpusDocument, CorpusIndex, check


class _ReadWriteLock:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            # Writers go first so that a steady stream of checks cannot starve an update.
            self._cond.wait_for(lambda: not self._writing and not self._writers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            self._cond.wait_for(lambda: not self._writing and not self._readers)
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class SharedIndex:
    def __init__(self, index: CorpusIndex | None = None) -> None:
        self._index = index or CorpusIndex()
        self._lock = _ReadWriteLock()

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, external_id: object) -> bool:
        return external_id in self._index

    def _add_all(self, docs: Iterable[CorpusDocument]) -> None:
        with self._lock.writing():
            for doc in docs:
                self._index.add(doc)

    def _remove(self, external_id: str) -> bool:
        with self._lock.writing():
            return self._index.remove(external_id)

    def _check(self, query: CheckInput) -> CheckResult:
        with self._lock.reading():
            return check(query, self._index)

    async def add_all(self, docs: Iterable[CorpusDocument]) -> None:
        await asyncio.to_thread(self._add_all, list(docs))

    async def remove(self, external_id: str) -> bool:
        return await asyncio.to_thread(self._remove, external_id)

    async def check(self, query: CheckInput) -> CheckResult:
        """The CPU-bound check in a worker thread, so the event loop keeps serving."""
        return await asyncio.to_thread(self._check, query)
