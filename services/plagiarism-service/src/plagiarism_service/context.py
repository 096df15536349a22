"""What the use cases of this process share, built once in create_app and completed at start-up."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from zhicheng_kernel.service import ServiceRuntime

from .adapters.shared_index import SharedIndex

SERVICE_NAME = "plagiarism-service"


@dataclass
class Context:
    index: SharedIndex = field(default_factory=SharedIndex)
    # Corpus changes of this process go through one at a time, so that the order in which the
    # index is updated is the order in which the transactions committed.
    corpus_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _runtime: ServiceRuntime | None = None
    # Long checks answered with 202 and finished in the background (kept so they are not collected).
    running: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def runtime(self) -> ServiceRuntime:
        if self._runtime is None:
            raise RuntimeError("plagiarism-service has not started yet")
        return self._runtime

    def attach(self, runtime: ServiceRuntime) -> None:
        self._runtime = runtime
        runtime.extras["corpus_index"] = self.index
        runtime.extras["context"] = self
