"""The corpus index shared by the request handlers and the consumer of this process.

The index is a :class:`DiskIndex` in a directory of its own (``ZC_PLAGIARISM_INDEX_DIR``; by default
``$ZC_DATA_DIR/plagiarism-index`` or ``.data/plagiarism-index`` under the working directory), so a
restarted service reconciles it with corpus_documents (each document is tagged with its ``added_at``)
instead of re-ingesting the corpus.  An in-memory :class:`CorpusIndex` can be passed instead.

Neither index is safe for a write concurrent with anything, while checks (reads) run in worker
threads, so many checks may read at once and a write waits for them and runs alone.  Writes happen
only after the transaction that changed corpus_documents has committed.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ..domain import CheckInput, CheckParams, CheckResult, CorpusDocument, CorpusIndex, check
from .disk_index import DiskIndex


def default_index_dir() -> Path:
    explicit = os.environ.get("ZC_PLAGIARISM_INDEX_DIR")
    if explicit:
        return Path(explicit)
    data = os.environ.get("ZC_DATA_DIR")
    return (Path(data) if data else Path.cwd() / ".data") / "plagiarism-index"


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
    def __init__(
        self,
        index: CorpusIndex | DiskIndex | None = None,
        *,
        directory: Path | None = None,
        params: CheckParams | None = None,
    ) -> None:
        self._index = index
        self._directory = directory
        self.params = params or CheckParams()
        self._lock = _ReadWriteLock()

    @property
    def index(self) -> CorpusIndex | DiskIndex:
        """The index, opened at first use (after :meth:`close`, opened again from its directory)."""
        if self._index is None:
            self._index = DiskIndex(self._directory or default_index_dir())
        return self._index

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, external_id: object) -> bool:
        return external_id in self.index

    def close(self) -> None:
        if isinstance(self._index, DiskIndex):
            with self._lock.writing():
                self._index.close()
                self._index = None

    def versions(self) -> dict[str, str]:
        """``external_id -> version`` of the indexed documents (empty for an in-memory index)."""
        index = self.index
        return index.versions() if isinstance(index, DiskIndex) else {}

    def _add_all(self, docs: list[CorpusDocument], versions: Mapping[str, str]) -> None:
        with self._lock.writing():
            index = self.index
            if isinstance(index, DiskIndex):
                index.add_many(docs, versions)
            else:
                for doc in docs:
                    index.add(doc)

    def _remove(self, external_id: str) -> bool:
        with self._lock.writing():
            return self.index.remove(external_id)

    def _check(self, query: CheckInput, should_stop: Callable[[], bool]) -> CheckResult:
        with self._lock.reading():
            return check(query, self.index, self.params, should_stop=should_stop)

    async def add_all(self, docs: Iterable[CorpusDocument], versions: Mapping[str, str] | None = None) -> None:
        await asyncio.to_thread(self._add_all, list(docs), dict(versions or {}))

    async def remove(self, external_id: str) -> bool:
        return await asyncio.to_thread(self._remove, external_id)

    async def check(self, query: CheckInput, should_stop: Callable[[], bool] = lambda: False) -> CheckResult:
        """The CPU-bound check in a worker thread, so the event loop keeps serving (every expression
        of the domain is linear, so the thread yields the interpreter lock as Python code does);
        ``should_stop`` ends it early (a time budget)."""
        return await asyncio.to_thread(self._check, query, should_stop)
